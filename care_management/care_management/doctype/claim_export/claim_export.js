// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Claim Export", {
	setup(frm) {
		frm.set_query("payer", () => ({ filters: { is_payer: 1 } }));
	},
	refresh(frm) {
		// Rows are filled by the server; after submit only the payer's claim numbers are typed in.
		frm.set_df_property("invoices", "read_only", frm.doc.docstatus === 1 ? 0 : 1);
		frm.set_df_property("invoices", "cannot_add_rows", 1);
		frm.set_df_property("invoices", "cannot_delete_rows", 1);
		// Tab past the last cell adds a row in any editable grid, whatever cannot_add_rows
		// says; the rows are the file's record, so this grid never adds one.
		frm.fields_dict.invoices.grid.add_new_row = () => null;
		if (frm.doc.docstatus === 0 && !frm.is_new()) {
			frm.set_intro(
				__("Save to see which claims the file will carry and which are held; Submit writes the file."),
			);
			// Submit is a background run (job_runs.py): the button returns at once with a link to it.
			if (!frm.is_dirty() && frappe.model.can_submit("Claim Export")) {
				frm.page.set_primary_action(__("Submit"), () =>
					frappe.confirm(__("Number and write the 837P file of this export?"), () =>
						frappe
							.call("care_management.billing.claim_export.start_submit", { name: frm.doc.name })
							.then((r) => {
								frappe.msgprint({ title: __("Claim Export"), message: r.message.message, indicator: "blue" });
								frm.reload_doc();
							}),
					),
				);
			}
		} else if (frm.doc.docstatus === 1) {
			frm.set_intro(
				__(
					"When the payer has adjudicated a claim, enter its Payer Claim Number (Medicare's ICN) and Update: a later replacement or void of that claim quotes it.",
				),
			);
		}
	},
});
