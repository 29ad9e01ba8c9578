"""One column of a Script Report, as Frappe's report runner takes it."""

from __future__ import annotations


def column(
	fieldname: str, label: str, fieldtype: str = "Data", width: int = 120, options: str | None = None
) -> dict:
	return {
		"fieldname": fieldname,
		"label": label,
		"fieldtype": fieldtype,
		"width": width,
		"options": options,
	}
