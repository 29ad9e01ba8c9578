"""Minutes logged per week, one line per program (the viewer's own caseload
for a care manager: frappe.get_list applies the caseload rule)."""

import frappe
from frappe.utils import add_days, getdate, today

from care_management.care_management.chart_series import series_by_program

WEEKS = 12


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
	since = add_days(getdate(today()), -7 * WEEKS)
	rows = frappe.get_list(
		"Outreach Log",
		fields=[
			"program",
			"yearweek(start, 3) as week",
			"min(date(start)) as week_start",
			"sum(duration_minutes) as minutes",
		],
		filters={"docstatus": 1, "start": (">=", since), "outcome": ("in", ("Reached", "Not Applicable"))},
		group_by="program, week",
		order_by="week",
		limit_page_length=0,
	)
	weeks = sorted({row.week for row in rows})
	starts = {}
	for row in rows:
		starts[row.week] = min(starts.get(row.week, row.week_start), row.week_start)
	chart = series_by_program(
		rows, "week", "minutes", weeks, lambda week: frappe.utils.formatdate(starts[week])
	)
	return {**chart, "type": "line"}
