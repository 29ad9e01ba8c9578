// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Resource Referral", {
	setup(frm) {
		frm.set_query("resource", () => ({ filters: { status: "active" } }));
	},
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(
			__("FHIR ServiceRequest + Task"),
			() =>
				frappe
					.call("care_management.care_management.doctype.resource_referral.resource_referral.get_fhir_bundle", {
						name: frm.doc.name,
					})
					.then((r) => {
						const blob = new Blob([JSON.stringify(r.message, null, 2)], { type: "application/fhir+json" });
						const link = document.createElement("a");
						link.href = URL.createObjectURL(blob);
						link.download = `${frm.doc.name}.fhir.json`;
						link.click();
					}),
			__("Export")
		);
	},
	need_category(frm) {
		if (!frm.doc.need_category || !frm.doc.patient) return;
		frappe
			.call("care_management.care_management.doctype.community_resource.community_resource.find_resources", {
				need_category: frm.doc.need_category,
				patient: frm.doc.patient,
				limit: 1,
			})
			.then((r) => {
				const best = (r.message || [])[0];
				if (best && !frm.doc.resource) frm.set_value("resource", best.name);
			});
	},
});
