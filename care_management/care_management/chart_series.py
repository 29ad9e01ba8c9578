"""One line or bar series per program, for the dashboard chart sources."""

import frappe


def series_by_program(rows: list, period: str, value: str, periods: list, label) -> dict:
	"""Chart data with ``periods`` on the x-axis, labelled by ``label(period)``."""
	programs = sorted({row.program or frappe._("No Program") for row in rows})
	values = {(row.program or frappe._("No Program"), row[period]): row[value] for row in rows}
	return {
		"labels": [label(p) for p in periods],
		"datasets": [
			{"name": prog, "values": [values.get((prog, p), 0) for p in periods]} for prog in programs
		],
	}
