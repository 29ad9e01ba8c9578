// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

// Who touched a patient's record (choose the Patient), or what a user opened (choose the User).
frappe.query_reports["PHI Access"] = {
	filters: [
		{ fieldname: "patient", label: __("Patient"), fieldtype: "Link", options: "Patient" },
		{ fieldname: "user", label: __("User"), fieldtype: "Link", options: "User" },
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -12),
		},
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.get_today() },
	],
};
