// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.query_reports["Care Quality Measures"] = {
	filters: [
		{
			fieldname: "month",
			label: __("Month"),
			fieldtype: "Date",
			default: frappe.datetime.month_start(),
			reqd: 1,
		},
		{ fieldname: "program", label: __("Program"), fieldtype: "Link", options: "Care Program" },
		{ fieldname: "care_manager", label: __("Care Manager"), fieldtype: "Link", options: "User" },
		{
			fieldname: "measure",
			label: __("Measure"),
			fieldtype: "Select",
			options: ["", "bp_control", "hba1c_poor", "depression_remission", "discharge_follow_up"].join("\n"),
		},
		{
			fieldname: "show_patients",
			label: __("Show Patients"),
			fieldtype: "Check",
			description: __("Who is in the numerator and the denominator of the chosen measure."),
		},
	],
	onload(report) {
		// Drill down: a summary row's measure opens its patient list.
		report.page.add_inner_button(__("Patients of the Selected Measure"), () => {
			const row = report.datatable && report.datatable.getActiveCell && report.datatable.getActiveCell();
			const data = row ? report.data[row.rowIndex] : null;
			if (data && data.measure) report.set_filter_value({ measure: data.measure, show_patients: 1 });
			else frappe.msgprint(__("Click a row of the measure first, or choose the Measure filter and tick Show Patients."));
		});
	},
};
