// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Needs Screening", {
	refresh(frm) {
		if (frm.doc.patient && frappe.model.can_create("Screening Invitation")) {
			frm.add_custom_button(__("Send Link to Patient"), () =>
				frappe.new_doc("Screening Invitation", {
					patient: frm.doc.patient,
					instrument: frm.doc.instrument,
				})
			);
		}
		if (frm.doc.method === "Patient Self-Completed" && frm.doc.docstatus === 0) {
			frm.dashboard.set_headline(
				__("The patient filled this in. Go over the answers with them, correct any, then submit.")
			);
		}
	},
	instrument(frm) {
		if (!frm.doc.instrument) return;
		frappe.db.get_doc("Screening Instrument", frm.doc.instrument).then((instrument) => {
			frm.clear_table("answers");
			instrument.questions.forEach((q) => {
				const choices = q.options.split("\n").map((line) => line.split(" = ")[0]);
				frm.add_child("answers", {
					question_key: q.key,
					question: `${q.question}\n— ${__("Answers")}: ${choices.join(" / ")}`,
				});
			});
			frm.refresh_field("answers");
		});
	},
});
