// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

// A message that Needs Review: a person picks the patient, or dismisses it with a reason.
frappe.ui.form.on("ADT Message", {
	refresh(frm) {
		if (frm.doc.outcome !== "Needs Review" || !frm.perm[0]?.write) {
			return;
		}
		const method = "care_management.care_management.doctype.adt_message.adt_message.";
		frm.add_custom_button(__("Match Patient"), () => {
			frappe.prompt(
				[
					{ fieldname: "patient", fieldtype: "Link", options: "Patient", label: __("Patient"), reqd: 1 },
					{
						fieldname: "remember_mrn",
						fieldtype: "Check",
						default: 1,
						label: __("Keep this hospital's MRN on the patient"),
					},
				],
				(values) =>
					frappe
						.call({ method: method + "match_patient", args: { message: frm.doc.name, ...values } })
						.then(() => frm.reload_doc()),
				__("Match Patient"),
				__("Match")
			);
		});
		frm.add_custom_button(__("Dismiss"), () => {
			frappe.prompt(
				[{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 }],
				(values) =>
					frappe
						.call({ method: method + "dismiss", args: { message: frm.doc.name, ...values } })
						.then(() => frm.reload_doc()),
				__("Dismiss"),
				__("Dismiss")
			);
		});
	},
});
