frappe.listview_settings["Care Plan"] = {
	add_fields: ["status", "next_review_date"],
	get_indicator(doc) {
		const colors = { Draft: "gray", "Pending Practitioner Review": "orange", Active: "green", "On Hold": "yellow", Closed: "darkgrey" };
		if (doc.status === "Active" && doc.next_review_date && doc.next_review_date < frappe.datetime.get_today()) {
			return [__("Review Overdue"), "red", "status,=,Active"];
		}
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
