// Colour by what the state means (status), label by the admin's own state name.
frappe.listview_settings["Care Plan"] = {
	add_fields: ["status", "workflow_state", "next_review_date"],
	get_indicator(doc) {
		const colors = { Draft: "gray", "Pending Practitioner Review": "orange", Active: "green", "On Hold": "yellow", Closed: "darkgrey" };
		if (doc.status === "Active" && doc.next_review_date && doc.next_review_date < frappe.datetime.get_today()) {
			return [__("Review Overdue"), "red", "status,=,Active"];
		}
		const label = doc.workflow_state || doc.status;
		return [__(label), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
