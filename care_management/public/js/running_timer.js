// Shows a care manager their running outreach timer wherever they are in the desk.
$(document).on("app_ready", () => {
	if (!frappe.user.has_role("Care Manager")) return;
	frappe
		.call("care_management.care_management.doctype.outreach_log.outreach_timer.get_running_timer")
		.then((r) => {
			const info = r.message;
			if (!info) return;
			frappe.show_alert(
				{
					message: __("Your timer is {0} for {1}: {2}", [
						__(info.status).toLowerCase(),
						info.patient_name || info.patient,
						`<a href="/app/outreach-log/${encodeURIComponent(info.name)}">${info.name}</a>`,
					]),
					indicator: info.status === "Running" ? "green" : "orange",
				},
				15
			);
		});
});
