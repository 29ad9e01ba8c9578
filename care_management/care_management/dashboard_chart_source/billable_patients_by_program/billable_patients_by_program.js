frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Billable Patients by Program"] = {
	method: "care_management.care_management.dashboard_chart_source.billable_patients_by_program.billable_patients_by_program.get",
	filters: [],
};
