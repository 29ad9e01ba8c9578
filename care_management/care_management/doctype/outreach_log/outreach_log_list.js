frappe.listview_settings["Outreach Log"] = {
	add_fields: ["outcome", "red_flag", "red_flag_status", "timer_status", "docstatus"],
	get_indicator(doc) {
		if (doc.red_flag && doc.red_flag_status === "Open") return [__("Red Flag"), "red", "red_flag_status,=,Open"];
		if (doc.timer_status === "Running") return [__("Timer Running"), "green", "timer_status,=,Running"];
		if (doc.docstatus === 0) return [__("Draft"), "gray", "docstatus,=,0"];
		if (doc.outcome === "Reached") return [__("Reached"), "green", "outcome,=,Reached"];
		if (doc.outcome === "Not Applicable") return [__("Non-Contact Work"), "blue", "outcome,=,Not Applicable"];
		return [__(doc.outcome), "orange", `outcome,=,${doc.outcome}`];
	},
};
