frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Care Minutes by Program"] = {
	method: "care_management.care_management.dashboard_chart_source.care_minutes_by_program.care_minutes_by_program.get",
	filters: [],
};
