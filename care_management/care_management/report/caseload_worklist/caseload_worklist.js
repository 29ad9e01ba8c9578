// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.query_reports["Caseload Worklist"] = {
	filters: [
		{
			fieldname: "care_manager",
			label: __("Care Manager"),
			fieldtype: "Link",
			options: "User",
			default: frappe.session.user,
			// Only supervisors and billing may look at someone else's caseload.
			read_only: !frappe.user.has_role(["Care Management Supervisor", "Care Management Billing", "System Manager"]),
		},
		{
			fieldname: "view",
			label: __("Show"),
			fieldtype: "Select",
			options: ["", "Due Today", "Overdue", "Near Threshold", "Patient Updates"].join("\n"),
		},
	],
	get_datatable_options(options) {
		return Object.assign(options, { checkboxColumn: true });
	},
	onload(report) {
		report.page.add_inner_button(__("Accept Suggested Tiers"), () => {
			const checked = report.datatable ? report.datatable.rowmanager.getCheckedRows() : [];
			const patients = checked.map((i) => report.data[i]).filter((r) => r && r.patient).map((r) => r.patient);
			if (!patients.length) {
				frappe.msgprint(__("Tick the patients whose suggested tier to accept."));
				return;
			}
			frappe.call({
				method: "care_management.population.risk_run.accept_suggested_tier",
				args: { patients },
				freeze: true,
				callback({ message }) {
					frappe.show_alert({ message: __("{0} risk tiers changed.", [message.changed.length]), indicator: "green" });
					report.refresh();
				},
			});
		});
	},
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "suggested_risk_tier" && data && data.suggested_risk_tier && data.suggested_risk_tier !== data.risk_tier) {
			return `<span class="indicator-pill orange" title="${frappe.utils.escape_html(data.risk_score_factors || "")}">${frappe.utils.escape_html(value)}</span>`;
		}
		// Names and facilities are typed by others (a front desk, Data Import, a hospital's
		// ADT feed); the report's Data formatter writes them as HTML, so they are escaped.
		if (["Data", "Small Text", "Text"].includes(column.fieldtype) && typeof value === "string") {
			value = frappe.utils.escape_html(value);
		}
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "hcc_score" && data && data.hccs) {
			// The HCCs behind the score, on hovering it.
			value = `<span title="${frappe.utils.escape_html(data.hccs)}">${value}</span>`;
		}
		if (column.fieldname === "days_overdue" && data && data.days_overdue > 0) {
			value = `<span style="color: var(--red-600); font-weight: 600">${value}</span>`;
		}
		if (column.fieldname === "open_red_flags" && data && data.open_red_flags > 0) {
			value = `<span class="indicator-pill red">${value}</span>`;
		}
		if (column.fieldname === "patient_updates" && data && data.patient_updates > 0) {
			// Opens the patient's unreviewed portal updates.
			const route = `/app/patient-care-plan-update?patient=${encodeURIComponent(data.patient)}&status=New`;
			value = `<a class="indicator-pill orange patient-update" href="${route}">${
				data.patient_updates === 1
					? __("1 patient update")
					: __("{0} patient updates", [cint(data.patient_updates)])
			}</a>`;
		}
		return value;
	},
};
