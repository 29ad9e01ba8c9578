// The calendar of next follow-ups: each log's proposed next contact.
frappe.views.calendar["Outreach Log"] = {
	field_map: { start: "next_follow_up", end: "next_follow_up", id: "name", title: "patient_name", allDay: "allDay" },
	filters: [{ fieldname: "performed_by", fieldtype: "Link", options: "User", label: __("Care Manager") }],
	get_events_method: "frappe.desk.calendar.get_events",
};
