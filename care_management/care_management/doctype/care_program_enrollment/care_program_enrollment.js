// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Care Program Enrollment", {
	setup(frm) {
		frm.set_query("program", () => ({ filters: { disabled: 0 } }));
		frm.set_query("billing_practitioner", () => ({ filters: { status: "Active" } }));
		frm.set_query("care_manager", () => ({ filters: { enabled: 1, user_type: "System User" } }));
		frm.set_query("consent_obtained_by", () => ({ filters: { enabled: 1, user_type: "System User" } }));
		frm.set_query("initiating_visit", () => ({
			filters: { patient: frm.doc.patient, docstatus: ["!=", 2] },
		}));
	},

	consent_method(frm) {
		if (frm.doc.consent_method && !frm.doc.consent_date) {
			frm.set_value("consent_date", frappe.datetime.get_today());
		}
		if (frm.doc.consent_method && !frm.doc.consent_obtained_by) {
			frm.set_value("consent_obtained_by", frappe.session.user);
		}
	},
});
