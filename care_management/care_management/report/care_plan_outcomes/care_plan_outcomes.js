frappe.query_reports["Care Plan Outcomes"] = { filters: [] };
