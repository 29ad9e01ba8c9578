"""Patients with billable (ready or invoiced) records per program and month."""

import frappe

from care_management.care_management.chart_series import series_by_program


@frappe.whitelist()
def get(
	chart_name=None,
	chart=None,
	no_cache=None,
	filters=None,
	from_date=None,
	to_date=None,
	timespan=None,
	time_interval=None,
	heatmap_year=None,
):
	rows = frappe.get_list(
		"Care Billing Record",
		fields=["program", "month", "count(distinct patient) as patients"],
		filters={"status": ("in", ("Ready", "Invoiced"))},
		group_by="program, month",
		order_by="month",
		limit_page_length=0,
	)
	months = sorted({row.month for row in rows})[-6:]
	chart = series_by_program(rows, "month", "patients", months, lambda month: month.strftime("%b %Y"))
	return {**chart, "type": "bar"}
