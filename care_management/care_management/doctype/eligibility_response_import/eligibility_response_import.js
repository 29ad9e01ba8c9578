// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Eligibility Response Import", {
	refresh(frm) {
		if (frm.doc.docstatus === 0 && frm.doc.answers_refused) {
			frm.dashboard.set_headline(
				__("{0} answers are refused (see their Reason); submitting applies the others.", [
					frappe.utils.escape_html(String(frm.doc.answers_refused)),
				])
			);
		}
	},
});
