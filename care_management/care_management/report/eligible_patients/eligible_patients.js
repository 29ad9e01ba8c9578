// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

const CAN_ENROLL = ["Care Management Supervisor", "System Manager"];

frappe.query_reports["Eligible Patients"] = {
	filters: [
		{ fieldname: "program", label: __("Program"), fieldtype: "Link", options: "Care Program" },
		{
			fieldname: "practitioner",
			label: __("Practitioner"),
			fieldtype: "Link",
			options: "Healthcare Practitioner",
		},
		{ fieldname: "care_manager", label: __("Care Manager"), fieldtype: "Link", options: "User" },
	],
	get_datatable_options(options) {
		return Object.assign(options, { checkboxColumn: frappe.user.has_role(CAN_ENROLL) });
	},
	onload(report) {
		if (!frappe.user.has_role(CAN_ENROLL)) return;
		report.page.add_inner_button(__("Start Enrollment"), () => start_enrollment(report));
	},
};

function start_enrollment(report) {
	const checked = report.datatable ? report.datatable.rowmanager.getCheckedRows() : [];
	const rows = checked.map((i) => report.data[i]).filter((r) => r && r.patient && r.program);
	if (!rows.length) {
		frappe.msgprint(__("Tick the patients to enroll first."));
		return;
	}
	const dialog = new frappe.ui.Dialog({
		title: __("Start Enrollment for {0} Rows", [rows.length]),
		fields: [
			{
				fieldname: "billing_practitioner",
				label: __("Billing Practitioner"),
				fieldtype: "Link",
				options: "Healthcare Practitioner",
				description: __("Empty: each patient's latest practitioner, else the default in Settings."),
			},
			{
				fieldname: "care_manager",
				label: __("Care Manager"),
				fieldtype: "Link",
				options: "User",
				description: __(
					"Empty: patients keep their care manager; the others are spread by spare capacity under the target caseload."
				),
			},
		],
		primary_action_label: __("Create Pending Consent Enrollments"),
		primary_action(values) {
			dialog.hide();
			// A background run (job_runs.py): the button returns at once with a link to it.
			frappe.call({
				method: "care_management.population.start_enrollment.queue_start_enrollment",
				args: { rows, ...values },
				callback({ message }) {
					frappe.msgprint({ title: __("Start Enrollment"), message: message.message, indicator: "blue" });
				},
			});
		},
	});
	dialog.show();
}
