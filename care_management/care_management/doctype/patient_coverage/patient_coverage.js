// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Patient Coverage", {
	setup(frm) {
		frm.set_query("payer", () => ({ filters: { is_payer: 1 } }));
	},
});
