// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.query_reports["Remittance Follow-up"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company" },
		{ fieldname: "payer", label: __("Payer"), fieldtype: "Link", options: "Customer", get_query: () => ({ filters: { is_payer: 1 } }) },
		{ fieldname: "from_date", label: __("Paid From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("Paid To"), fieldtype: "Date" },
		{
			fieldname: "outcome",
			label: __("Outcome"),
			fieldtype: "Select",
			options: "\nDenied\nPaid Short\nReversal\nNot Matched\nNot Posted",
		},
	],
};
