// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Care Plan", {
	setup(frm) {
		frm.set_query("supervising_practitioner", () => ({ filters: { status: "Active" } }));
	},

	refresh(frm) {
		if (frm.is_new()) return;
		show_appointments(frm);
		show_mixed_language(frm);
		if (frm.doc.status !== "Closed" && frm.has_perm("write")) {
			frm.add_custom_button(__("Apply Templates"), () => apply_templates(frm));
		}
		frm.add_custom_button(
			__("FHIR Bundle"),
			() => {
				frappe.call({
					method: "care_management.care_management.doctype.care_plan.care_plan.get_fhir_bundle",
					args: { name: frm.doc.name },
					callback: (r) => {
						const blob = new Blob([JSON.stringify(r.message, null, 2)], {
							type: "application/fhir+json",
						});
						const link = document.createElement("a");
						link.href = URL.createObjectURL(blob);
						link.download = `${frm.doc.name}.fhir.json`;
						link.click();
					},
				});
			},
			__("Export")
		);
	},
});

function apply_templates(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Apply Care Plan Templates"),
		fields: [
			{
				fieldname: "templates",
				fieldtype: "MultiSelectList",
				label: __("Templates"),
				reqd: 1,
				get_data: (txt) =>
					frappe.db.get_link_options("Care Plan Template", txt, { disabled: 0 }),
			},
		],
		primary_action_label: __("Apply"),
		primary_action({ templates }) {
			frm.call("apply_templates", { templates }).then((r) => {
				dialog.hide();
				frm.reload_doc();
				const added = r.message || {};
				frappe.show_alert({
					message: __("Added {0} goals, {1} interventions, {2} topics, {3} conditions", [
						cint(added.goals),
						cint(added.interventions),
						cint(added.education_topics),
						cint(added.conditions),
					]),
					indicator: "green",
				});
			});
		},
	});
	dialog.show();
}

// Upcoming and recently missed Patient Appointments (Healthcare), so the care
// manager sees them while working the plan.
function show_appointments(frm) {
	// A role without access to appointments simply does not see the line.
	if (!frappe.model.can_read("Patient Appointment")) return;
	const since = frappe.datetime.add_days(frappe.datetime.get_today(), -30);
	frappe.db
		.get_list("Patient Appointment", {
			filters: [
				["patient", "=", frm.doc.patient],
				["appointment_date", ">=", since],
				["status", "in", ["Scheduled", "Open", "Confirmed", "No Show"]],
			],
			fields: ["name", "appointment_date", "appointment_time", "practitioner_name", "status"],
			order_by: "appointment_date asc",
			limit: 10,
		})
		.then((rows) => {
			const today = frappe.datetime.get_today();
			const upcoming = rows.filter((r) => r.status !== "No Show" && r.appointment_date >= today);
			const missed = rows.filter((r) => r.status === "No Show");
			if (!upcoming.length && !missed.length) return;
			const line = (r) =>
				`<a href="/app/patient-appointment/${encodeURIComponent(r.name)}">${frappe.datetime.str_to_user(
					r.appointment_date
				)}</a> ${frappe.utils.escape_html(r.practitioner_name || "")}`;
			// line() escapes the practitioner's name, so the joined lines are safe HTML.
			const upcoming_html = upcoming.map(line).join(", ");
			const missed_html = missed.map(line).join(", ");
			let html = "";
			if (upcoming.length) html += `<div>${__("Upcoming appointments")}: ${upcoming_html}</div>`;
			if (missed.length)
				html += `<div class="text-danger">${__("Missed in the last 30 days")}: ${missed_html}</div>`;
			frm.dashboard.set_headline_alert(html);
		});
}

// Patient-facing texts a template put on the plan in English while the plan is
// read in another language (its Preferred Language): the patient would read a
// plan in two languages. Lists the rows, and offers to write them in the plan's
// language where the templates have the text.
function show_mixed_language(frm) {
	frm.set_intro();
	frappe
		.xcall("care_management.api.care_plan_language.template_text_in_other_language", {
			name: frm.doc.name,
		})
		.then(({ language_name, rows }) => {
			if (!rows.length) return;
			const esc = frappe.utils.escape_html;
			const items = rows
				.map((r) => `<li>${esc(r.where)}: ${esc(r.text)}</li>`)
				.join("");
			const can_fix = rows.some((r) => r.translation) && frm.has_perm("write") && frm.doc.status !== "Closed";
			frm.set_intro(
				`<div>${__(
					"This plan is read in {0}, but these patient-facing texts from templates are still in English:",
					[esc(language_name)]
				)}</div><ul class="mb-1">${items}</ul>` +
					(can_fix
						? `<button class="btn btn-xs btn-default cm-write-in-language">${__("Write them in {0} where the template has the text", [esc(language_name)])}</button>`
						: `<div>${__("Add texts in {0} to the templates (Texts in Other Languages), or edit the rows.", [esc(language_name)])}</div>`),
				"orange"
			);
			frm.$wrapper.find(".cm-write-in-language").on("click", () => {
				frappe
					.xcall("care_management.api.care_plan_language.write_template_text_in_plan_language", {
						name: frm.doc.name,
					})
					.then((count) => {
						frappe.show_alert({ message: __("{0} texts rewritten", [count]), indicator: "green" });
						frm.reload_doc();
					});
			});
		});
}

// A condition left unnamed takes its code's official description (the server does the same on save).
frappe.ui.form.on("Care Plan Condition", {
	icd10_code(frm, cdt, cdn) {
		const row = locals[cdt][cdn];
		if (!row.icd10_code || row.condition_name) return;
		frappe
			.call("care_management.icd10_codes.describe", { code: row.icd10_code })
			.then((r) => r.message && !row.condition_name && frappe.model.set_value(cdt, cdn, "condition_name", r.message));
	},
});
