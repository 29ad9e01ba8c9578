// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Patient Coverage", {
	setup(frm) {
		frm.set_query("payer", () => ({ filters: { is_payer: 1 } }));
	},
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Eligibility Inquiry (270)"), () => {
			frappe
				.call("care_management.billing.eligibility.make_270", { coverage: frm.doc.name })
				.then((r) => {
					if (r.message) window.open(r.message);
				});
		});
		if (frm.doc.eligibility_status === "Inactive") {
			frm.dashboard.set_headline(
				__("The payer's 271 of {0} says this coverage is inactive: Create Invoices holds the patient.", [
					frappe.datetime.str_to_user(frm.doc.eligibility_verified_on),
				]),
				"red"
			);
		}
	},
});
