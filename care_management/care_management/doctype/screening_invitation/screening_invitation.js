// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Screening Invitation", {
	setup(frm) {
		frm.set_query("instrument", () => ({ filters: { disabled: 0 } }));
	},
	patient(frm) {
		if (!frm.doc.patient || frm.doc.email) return;
		frappe.db.get_value("Patient", frm.doc.patient, "email").then((r) => {
			if (r.message && r.message.email) frm.set_value("email", r.message.email);
		});
	},
	refresh(frm) {
		if (frm.is_new()) return;
		if (["Sent", "Expired"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Send a New Link"), () =>
				frm.call("resend").then(() => frm.reload_doc())
			);
		}
		if (frm.doc.status === "Sent") {
			frm.add_custom_button(__("Cancel Link"), () =>
				frappe.confirm(__("The patient's link will stop working. Continue?"), () =>
					frm.call("cancel_link").then(() => frm.reload_doc())
				)
			);
		}
		if (frm.doc.needs_screening) {
			frm.add_custom_button(__("Review Screening"), () =>
				frappe.set_route("Form", "Needs Screening", frm.doc.needs_screening)
			);
		}
	},
});
