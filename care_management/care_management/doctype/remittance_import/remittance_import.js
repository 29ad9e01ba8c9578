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
		if (frm.doc.docstatus === 0 && !frm.is_new() && !frappe.model.can_submit("Payment Entry")) {
			// Submitting posts Payment Entries, which the server refuses this user: no Submit button.
			frm.page.clear_primary_action();
			frm.dashboard.add_comment(
				__("Submitting posts Payment Entries: a user with ERPNext's Accounts User role submits this 835."),
				"blue",
				true
			);
		} else if (frm.doc.docstatus === 0 && !frm.is_new() && !frm.is_dirty() && frappe.model.can_submit("Remittance Import")) {
			// Posting is a background run (job_runs.py): the button returns at once with a link to it.
			frm.page.set_primary_action(__("Submit"), () =>
				frappe.confirm(__("Post the payments of this 835?"), () =>
					frappe
						.call("care_management.billing.remittance.start_submit", { name: frm.doc.name })
						.then((r) => {
							frappe.msgprint({ title: __("Remittance Import"), message: r.message.message, indicator: "blue" });
							frm.reload_doc();
						})
				)
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
