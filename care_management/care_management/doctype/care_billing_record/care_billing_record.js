// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

// The record is the Month Close's: read-only for everyone. What billing staff
// decide about it (hold, release, drop or reduce a code, add one) is a Care
// Billing Adjustment of its own, with a reason and, when it bills more, an approver.
frappe.ui.form.on("Care Billing Record", {
	refresh(frm) {
		frm.disable_save();
		frm.set_intro(
			__(
				"The Month Close computed this record from the month's documented time, and Create Invoices marks it invoiced; nobody edits it by hand. To hold it from invoicing or change a code, make a Care Billing Adjustment: it keeps the reason, the documentation and who approved it, and shows here under Adjustments."
			),
			"blue"
		);
		if (frm.doc.held) {
			frm.dashboard.set_headline_alert(
				`<span class="indicator red">${frappe.utils.escape_html(frm.doc.held_because || __("Held from invoicing"))}</span>`
			);
		}
		if (frm.doc.invoiced || !frappe.model.can_create("Care Billing Adjustment")) {
			return;
		}
		const propose = (kind) =>
			frappe.new_doc("Care Billing Adjustment", { record: frm.doc.name, kind });
		if (frm.doc.held) {
			frm.add_custom_button(__("Release"), () => propose("Release"), __("Adjust"));
		} else {
			frm.add_custom_button(__("Hold"), () => propose("Hold"), __("Adjust"));
		}
		frm.add_custom_button(__("Drop Code"), () => propose("Drop Code"), __("Adjust"));
		frm.add_custom_button(__("Reduce Units"), () => propose("Reduce Units"), __("Adjust"));
		frm.add_custom_button(__("Add Code"), () => propose("Add Code"), __("Adjust"));
	},
});
