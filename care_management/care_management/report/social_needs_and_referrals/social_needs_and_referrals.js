frappe.query_reports["Social Needs and Referrals"] = {
	filters: [{ fieldname: "month", label: __("Month"), fieldtype: "Date", reqd: 1, default: frappe.datetime.month_start() }],
};
