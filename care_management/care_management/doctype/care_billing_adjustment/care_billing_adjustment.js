// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Care Billing Adjustment", {
	setup(frm) {
		frm.set_query("outreach_log", () => ({
			filters: { patient: frm.doc.patient || "", docstatus: 1 },
		}));
		frm.set_query("patient_encounter", () => ({
			filters: { patient: frm.doc.patient || "", docstatus: 1 },
		}));
	},
	refresh(frm) {
		const intro = {
			"Pending Approval": __(
				"It bills more than the Month Close computed: the record's billing practitioner or a Care Management Supervisor approves it, never its author."
			),
			"Needs Review": __(
				"The month was closed again and the record's facts changed, so this adjustment no longer applies and the record is held. Confirm it if it still holds, or cancel it."
			),
			Approved: __("In effect: applied on top of the Month Close's lines when the record is invoiced."),
		}[frm.doc.status];
		if (intro) {
			frm.set_intro(intro, frm.doc.status === "Needs Review" ? "red" : "blue");
		}
	},
});
