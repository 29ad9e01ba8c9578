// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Remittance Import", {
	refresh(frm) {
		if (frm.doc.docstatus === 0 && frm.doc.problem_count) {
			frm.dashboard.set_headline(
				__("{0} problems in the file: see Problems below.", [cint(frm.doc.problem_count)]),
				"orange"
			);
		}
		(frm.doc.payments || [])
			.filter((row) => row.payment_entry)
			.forEach((row) => {
				frm.add_custom_button(
					frappe.utils.escape_html(row.trace_number),
					() => frappe.set_route("Form", "Payment Entry", row.payment_entry),
					__("Payment Entry")
				);
			});
	},
	file(frm) {
		if (frm.doc.file) {
			frm.save();
		}
	},
});
