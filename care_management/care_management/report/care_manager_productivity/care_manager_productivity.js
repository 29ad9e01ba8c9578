frappe.query_reports["Care Manager Productivity"] = {
	filters: [
		{ fieldname: "month", label: __("Month"), fieldtype: "Date", reqd: 1, default: frappe.datetime.month_start() },
	],
};
