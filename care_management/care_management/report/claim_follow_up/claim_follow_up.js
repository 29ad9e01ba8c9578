// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.query_reports["Claim Follow-up"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company" },
		{ fieldname: "payer", label: __("Payer"), fieldtype: "Link", options: "Customer", get_query: () => ({ filters: { is_payer: 1 } }) },
		{ fieldname: "month", label: __("Month"), fieldtype: "Date" },
		{
			fieldname: "acknowledgment",
			label: __("Acknowledgment"),
			fieldtype: "Select",
			options: [
				{ value: "Rejected", label: __("Rejected") },
				{ value: "Pending", label: __("Pending") },
				{ value: "No Answer", label: __("No Answer") },
			],
			default: "Rejected",
		},
	],
};
