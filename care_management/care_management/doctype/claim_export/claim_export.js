// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Claim Export", {
	setup(frm) {
		frm.set_query("payer", () => ({ filters: { is_payer: 1 } }));
	},
	refresh(frm) {
		if (frm.doc.docstatus === 0 && !frm.is_new()) {
			frm.set_intro(
				__("Save to see which claims the file will carry and which are held; Submit writes the file."),
			);
		}
	},
});
