// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.listview_settings["Claim Acknowledgment Import"] = {
	get_indicator(doc) {
		if (doc.status === "Cancelled") return [__("Cancelled"), "red", "status,=,Cancelled"];
		if (doc.status === "Recorded" && cint(doc.claims_rejected))
			return [__("Claims Rejected"), "orange", "claims_rejected,>,0"];
		if (doc.status === "Recorded") return [__("Recorded"), "green", "status,=,Recorded"];
		return [__("Draft"), "grey", "status,=,Draft"];
	},
};
