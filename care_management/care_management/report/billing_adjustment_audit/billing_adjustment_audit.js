// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.query_reports["Billing Adjustment Audit"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.month_start(),
		},
		{
			fieldname: "to_date",
			label: __("To"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.month_end(),
		},
		{
			fieldname: "kind",
			label: __("Kind"),
			fieldtype: "Select",
			options: ["", "Hold", "Release", "Drop Code", "Reduce Units", "Add Code"],
		},
		{
			fieldname: "status",
			label: __("Status"),
			fieldtype: "Select",
			options: ["", "Draft", "Pending Approval", "Approved", "Rejected", "Needs Review", "Cancelled"],
		},
		{
			fieldname: "billing_practitioner",
			label: __("Billing Practitioner"),
			fieldtype: "Link",
			options: "Healthcare Practitioner",
		},
		{ fieldname: "patient", label: __("Patient"), fieldtype: "Link", options: "Patient" },
	],
};
