// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Care Plan", {
	setup(frm) {
		frm.set_query("supervising_practitioner", () => ({ filters: { status: "Active" } }));
	},

	refresh(frm) {
		if (frm.is_new()) return;
		show_appointments(frm);
		if (frm.doc.status !== "Closed" && frm.has_perm("write")) {
			frm.add_custom_button(__("Apply Templates"), () => apply_templates(frm));
		}
		frm.add_custom_button(
			__("FHIR Bundle"),
			() => {
				frappe.call({
					method: "care_management.care_management.doctype.care_plan.care_plan.get_fhir_bundle",
					args: { name: frm.doc.name },
					callback: (r) => {
						const blob = new Blob([JSON.stringify(r.message, null, 2)], {
							type: "application/fhir+json",
						});
						const link = document.createElement("a");
						link.href = URL.createObjectURL(blob);
						link.download = `${frm.doc.name}.fhir.json`;
						link.click();
					},
				});
			},
			__("Export")
		);
	},
});

function apply_templates(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Apply Care Plan Templates"),
		fields: [
			{
				fieldname: "templates",
				fieldtype: "MultiSelectList",
				label: __("Templates"),
				reqd: 1,
				get_data: (txt) =>
					frappe.db.get_link_options("Care Plan Template", txt, { disabled: 0 }),
			},
		],
		primary_action_label: __("Apply"),
		primary_action({ templates }) {
			frm.call("apply_templates", { templates }).then((r) => {
				dialog.hide();
				frm.reload_doc();
				const added = r.message || {};
				frappe.show_alert({
					message: __("Added {0} goals, {1} interventions, {2} topics, {3} conditions", [
						added.goals || 0,
						added.interventions || 0,
						added.education_topics || 0,
						added.conditions || 0,
					]),
					indicator: "green",
				});
			});
		},
	});
	dialog.show();
}

// Upcoming and recently missed Patient Appointments (Healthcare), so the care
// manager sees them while working the plan.
function show_appointments(frm) {
	// A role without access to appointments simply does not see the line.
	if (!frappe.model.can_read("Patient Appointment")) return;
	const since = frappe.datetime.add_days(frappe.datetime.get_today(), -30);
	frappe.db
		.get_list("Patient Appointment", {
			filters: [
				["patient", "=", frm.doc.patient],
				["appointment_date", ">=", since],
				["status", "in", ["Scheduled", "Open", "Confirmed", "No Show"]],
			],
			fields: ["name", "appointment_date", "appointment_time", "practitioner_name", "status"],
			order_by: "appointment_date asc",
			limit: 10,
		})
		.then((rows) => {
			const today = frappe.datetime.get_today();
			const upcoming = rows.filter((r) => r.status !== "No Show" && r.appointment_date >= today);
			const missed = rows.filter((r) => r.status === "No Show");
			if (!upcoming.length && !missed.length) return;
			const line = (r) =>
				`<a href="/app/patient-appointment/${encodeURIComponent(r.name)}">${frappe.datetime.str_to_user(
					r.appointment_date
				)}</a> ${frappe.utils.escape_html(r.practitioner_name || "")}`;
			let html = "";
			if (upcoming.length) html += `<div>${__("Upcoming appointments")}: ${upcoming.map(line).join(", ")}</div>`;
			if (missed.length)
				html += `<div class="text-danger">${__("Missed in the last 30 days")}: ${missed.map(line).join(", ")}</div>`;
			frm.dashboard.set_headline_alert(html);
		});
}

// A condition left unnamed takes its code's official description (the server does the same on save).
frappe.ui.form.on("Care Plan Condition", {
	icd10_code(frm, cdt, cdn) {
		const row = locals[cdt][cdn];
		if (!row.icd10_code || row.condition_name) return;
		frappe
			.call("care_management.icd10_codes.describe", { code: row.icd10_code })
			.then((r) => r.message && !row.condition_name && frappe.model.set_value(cdt, cdn, "condition_name", r.message));
	},
});
