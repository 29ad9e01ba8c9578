// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

// Who touched a patient's record (choose the Patient), or what a user opened (choose the User).
frappe.query_reports["PHI Access"] = {
	filters: [
		// A supervisor may be allowed to read neither Patient nor User: the ID typed in is
		// taken as it is rather than cleared by the link check (the search needs read access).
		{ fieldname: "patient", label: __("Patient"), fieldtype: "Link", options: "Patient", ignore_link_validation: 1 },
		{ fieldname: "user", label: __("User"), fieldtype: "Link", options: "User", ignore_link_validation: 1 },
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
