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
	formatter(value, row, column, data, default_formatter) {
		// Names, program names and HCC labels are text; the Data formatter writes HTML.
		if (["Data", "Small Text"].includes(column.fieldtype) && typeof value === "string") {
			value = frappe.utils.escape_html(value);
		}
		value = default_formatter(value, row, column, data);
		if (!data) return value;
		if (column.fieldname === "hcc_score" && data.hccs) {
			// The HCCs behind the score, on hovering it.
			value = `<span title="${frappe.utils.escape_html(data.hccs)}">${value}</span>`;
		}
		if (column.fieldname === "offer" && data.replaces) {
			value = `<span class="indicator-pill orange">${value}</span>`;
		}
		if (column.fieldname === "program" && data.best) {
			value = `<span title="${frappe.utils.escape_html(__("In the best-paying combination"))}">${value} ★</span>`;
		}
		return value;
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
	const switches = rows.filter((r) => r.replaces).length;
	const dialog = new frappe.ui.Dialog({
		title: __("Start Enrollment for {0} Rows", [rows.length]),
		fields: [
			...(switches
				? [
						{
							fieldname: "switch_note",
							fieldtype: "HTML",
							// A switch cannot be billed beside what it replaces; the current enrollment stays until ended.
							options: `<p class="text-warning">${__(
								"{0} of these rows are switches: end the enrollment each replaces, or the month close bills only one of them.",
								[switches]
							)}</p>`,
						},
				  ]
				: []),
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
