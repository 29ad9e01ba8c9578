"""Patients with billable (ready or invoiced) records per program and month."""

import frappe


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
	programs = sorted({row.program for row in rows})
	values = {(row.program, row.month): row.patients for row in rows}
	return {
		"labels": [month.strftime("%b %Y") for month in months],
		"datasets": [
			{"name": program, "values": [values.get((program, month), 0) for month in months]}
			for program in programs
		],
		"type": "bar",
	}
