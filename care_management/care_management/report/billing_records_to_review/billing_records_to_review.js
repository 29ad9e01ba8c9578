// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.query_reports["Billing Records To Review"] = {
	filters: [
		{
			fieldname: "month",
			label: __("Month"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.month_start(frappe.datetime.add_months(frappe.datetime.get_today(), -1)),
			description: __("Any day of the closed month to check"),
		},
	],
};
