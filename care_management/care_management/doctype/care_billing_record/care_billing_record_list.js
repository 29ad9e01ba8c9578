frappe.listview_settings["Care Billing Record"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colors = { "Not Billable": "orange", Ready: "green", Invoiced: "blue" };
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
