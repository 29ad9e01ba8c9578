// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

const CARE_QUALITY_MEASURES = [
	"Controlling High Blood Pressure",
	"Diabetes: HbA1c Poor Control (> 9%)",
	"Depression Remission at Twelve Months",
	"Follow-Up Within 7 Days of Discharge",
];

frappe.query_reports["Care Quality Measures"] = {
	filters: [
		{
			fieldname: "month",
			label: __("Last Month of the Period"),
			fieldtype: "Date",
			reqd: 1,
			// Last month: the most recent one whose readings are all in.
			default: frappe.datetime.add_months(frappe.datetime.month_start(), -1),
		},
		{
			fieldname: "period",
			label: __("Period"),
			fieldtype: "Select",
			options: ["12 Months", "6 Months", "3 Months", "1 Month"].join("\n"),
			default: "12 Months",
			reqd: 1,
		},
		{ fieldname: "program", label: __("Program"), fieldtype: "Link", options: "Care Program" },
		{
			fieldname: "care_manager",
			label: __("Care Manager"),
			fieldtype: "Link",
			options: "User",
			// A care manager sees their own caseload only; supervisors may pick anyone.
			default: frappe.user.has_role(["Care Management Supervisor", "Care Management Billing", "System Manager"])
				? ""
				: frappe.session.user,
			read_only: !frappe.user.has_role(["Care Management Supervisor", "Care Management Billing", "System Manager"]),
		},
		{
			fieldname: "measure",
			label: __("Patients of Measure"),
			fieldtype: "Select",
			options: ["", ...CARE_QUALITY_MEASURES].join("\n"),
		},
		{
			fieldname: "window",
			label: __("Window"),
			fieldtype: "Select",
			options: ["Reporting Period", "Before Enrollment", "After Enrollment"].join("\n"),
			default: "Reporting Period",
			depends_on: "eval:doc.measure",
		},
	],
	formatter(value, row, column, data, default_formatter) {
		const formatted = default_formatter(value, row, column, data);
		// The measure's name opens its patient list (the drill-down).
		if (column.fieldname === "measure_title" && data && data.measure) {
			return `<a class="care-quality-drill" data-measure="${frappe.utils.escape_html(data.measure)}">${formatted}</a>`;
		}
		return formatted;
	},
	onload(report) {
		report.page.wrapper.on("click", ".care-quality-drill", (event) => {
			event.preventDefault();
			report.set_filter_value("measure", $(event.currentTarget).attr("data-measure"));
		});
		report.page.add_inner_button(__("All Measures"), () => report.set_filter_value("measure", ""));
	},
};
