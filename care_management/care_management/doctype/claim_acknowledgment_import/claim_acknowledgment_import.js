// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Claim Acknowledgment Import", {
	refresh(frm) {
		if (frm.doc.docstatus === 0 && frm.doc.problem_count) {
			frm.dashboard.set_headline(
				__("{0} problems in the file: see Problems below.", [cint(frm.doc.problem_count)]),
				"orange"
			);
		}
		if (cint(frm.doc.claims_rejected)) {
			frm.add_custom_button(__("Claim Follow-up"), () =>
				frappe.set_route("query-report", "Claim Follow-up", { company: frm.doc.company })
			);
		}
	},
	file(frm) {
		if (frm.doc.file) {
			frm.save();
		}
	},
});
