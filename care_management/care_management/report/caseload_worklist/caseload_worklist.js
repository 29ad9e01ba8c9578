// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.query_reports["Caseload Worklist"] = {
	filters: [
		{
			fieldname: "care_manager",
			label: __("Care Manager"),
			fieldtype: "Link",
			options: "User",
			default: frappe.session.user,
			// Only supervisors and billing may look at someone else's caseload.
			read_only: !frappe.user.has_role(["Care Management Supervisor", "Care Management Billing", "System Manager"]),
		},
		{
			fieldname: "view",
			label: __("Show"),
			fieldtype: "Select",
			options: ["", "Due Today", "Overdue", "Near Threshold", "Patient Updates"].join("\n"),
		},
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "days_overdue" && data && data.days_overdue > 0) {
			value = `<span style="color: var(--red-600); font-weight: 600">${value}</span>`;
		}
		if (column.fieldname === "open_red_flags" && data && data.open_red_flags > 0) {
			value = `<span class="indicator-pill red">${value}</span>`;
		}
		if (column.fieldname === "patient_updates" && data && data.patient_updates > 0) {
			// Opens the patient's unreviewed portal updates.
			const route = `/app/patient-care-plan-update?patient=${encodeURIComponent(data.patient)}&status=New`;
			value = `<a class="indicator-pill orange patient-update" href="${route}">${
				data.patient_updates === 1
					? __("1 patient update")
					: __("{0} patient updates", [data.patient_updates])
			}</a>`;
		}
		return value;
	},
};
