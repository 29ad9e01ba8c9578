// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Patient Care Plan Update", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.status !== "New" || !frm.perm[0].write) return;
		const review = (method, label) => {
			const dialog = new frappe.ui.Dialog({
				title: label,
				fields: [{ fieldname: "review_note", fieldtype: "Small Text", label: __("Review Note") }],
				primary_action_label: label,
				primary_action: ({ review_note }) => {
					dialog.hide();
					frm.call(method, { review_note }).then(() => frm.reload_doc());
				},
			});
			dialog.show();
		};
		const accept_label =
			frm.doc.update_type === "Goal Progress" ? __("Accept onto the Goal") : __("Mark as Read");
		frm.add_custom_button(accept_label, () => review("accept", accept_label)).addClass("btn-primary");
		frm.add_custom_button(__("Dismiss"), () => review("dismiss", __("Dismiss")));
		frm.add_custom_button(__("Open Care Plan"), () => frappe.set_route("Form", "Care Plan", frm.doc.care_plan));
	},
});
