// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Needs Screening", {
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
