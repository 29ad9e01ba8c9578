// Shows a care manager their running outreach timer wherever they are in the desk.
// The alert is HTML: the patient's name is typed by others, so it is escaped.
$(document).on("app_ready", () => {
	if (!frappe.user.has_role("Care Manager")) return;
	frappe
		.call("care_management.care_management.doctype.outreach_log.outreach_timer.get_running_timer")
		.then((r) => {
			const info = r.message;
			if (!info) return;
			const esc = frappe.utils.escape_html;
			frappe.show_alert(
				{
					message: __("Your timer is {0} for {1}: {2}", [
						esc(__(info.status).toLowerCase()),
						esc(info.patient_name || info.patient),
						`<a href="/app/outreach-log/${encodeURIComponent(info.name)}">${esc(info.name)}</a>`,
					]),
					indicator: info.status === "Running" ? "green" : "orange",
				},
				15
			);
		});
});
