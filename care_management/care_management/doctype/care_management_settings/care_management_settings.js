// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Care Management Settings", {
	setup(frm) {
		frm.set_query("selling_price_list", () => ({ filters: { selling: 1, enabled: 1 } }));
		frm.set_query("default_billing_practitioner", () => ({ filters: { status: "Active" } }));
	},
	refresh(frm) {
		frm.add_custom_button(__("Compute Risk Scores Now"), () =>
			// A background run (job_runs.py): the button returns at once with a link to it.
			frappe
				.call({ method: "care_management.population.risk_run.compute_now" })
				.then((r) => frappe.msgprint({ title: __("Risk Scores"), message: r.message.message, indicator: "blue" }))
		);
	},
});
