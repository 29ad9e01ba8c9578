frappe.listview_settings["Care Program Enrollment"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colors = { "Pending Consent": "orange", Active: "green", Paused: "yellow", Ended: "darkgrey" };
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
