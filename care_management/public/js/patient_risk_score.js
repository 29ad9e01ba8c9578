// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

// The risk score on the Patient form: recompute it now, and accept the suggested tier.
frappe.ui.form.on("Patient", {
	refresh(frm) {
		if (frm.is_new() || !frappe.user.has_role(["Care Manager", "Care Management Supervisor", "System Manager"])) {
			return;
		}
		frm.add_custom_button(
			__("Recompute Risk Score"),
			() =>
				frappe.call({
					method: "care_management.population.risk_run.compute_now",
					args: { patient: frm.doc.name },
					freeze: true,
					callback: () => frm.reload_doc(),
				}),
			__("Care Management")
		);
		const suggested = frm.doc.suggested_risk_tier;
		if (suggested && suggested !== frm.doc.care_risk_tier) {
			frm.dashboard.add_comment(
				__("Suggested risk tier: {0} (score {1}). {2}", [
					frappe.utils.escape_html(suggested),
					flt(frm.doc.care_risk_score),
					frappe.utils.escape_html(frm.doc.risk_score_factors || ""),
				]),
				"blue",
				true
			);
			frm.add_custom_button(
				__("Accept Suggested Tier {0}", [frappe.utils.escape_html(suggested)]),
				() =>
					frappe.call({
						method: "care_management.population.risk_run.accept_suggested_tier",
						args: { patients: [frm.doc.name] },
						freeze: true,
						callback: () => frm.reload_doc(),
					}),
				__("Care Management")
			);
		}
	},
});
