# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A closed month's billing records that the engine would now compute differently.

The rules of what counts change (minutes before consent no longer count, minutes
that several staff share count once); a month closed before stays as it was,
invoiced or not, until billing staff re-close it. This report recomputes the
month's records in memory, writes nothing, and lists those whose codes or units
would change, with today's explanation, so they can be reviewed first."""

import frappe
from frappe import _
from frappe.utils import get_first_day, getdate

from care_management.billing.month_close import build_records
from care_management.report_links import links_the_user_may_follow


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not filters.get("month"):
		frappe.throw(_("Month is required: pick any day of the closed month to check."))
	month = get_first_day(getdate(filters.month))
	return links_the_user_may_follow(columns()), records_to_review(month)


def records_to_review(month) -> list[dict]:
	stored = frappe.db.sql(
		"""select r.name, r.patient, r.patient_name, r.program, r.billing_practitioner, r.invoiced,
			group_concat(concat(l.code, '×', coalesce(l.engine_units, l.units)) order by l.code separator ', ')
				as codes
		from `tabCare Billing Record` r
		left join `tabCare Billing Line` l on l.parent = r.name and l.parenttype = 'Care Billing Record'
			and l.added_by is null and coalesce(l.engine_units, l.units) > 0
		where r.month = %s
		group by r.name""",
		month,
		as_dict=True,
	)
	if not stored:
		return []
	now = {
		(record["patient"], record["program"], record["billing_practitioner"] or ""): record
		for record in build_records(sorted({row.patient for row in stored}), month)
	}
	rows = []
	for row in stored:
		record = now.get((row.patient, row.program, row.billing_practitioner or ""))
		codes_now = ", ".join(
			f"{line['code']}×{line['units']}"
			for line in sorted((record or {}).get("lines", []), key=lambda l: l["code"])
		)
		if codes_now == (row.codes or ""):
			continue
		rows.append(
			{
				"billing_record": row.name,
				"patient": row.patient,
				"patient_name": row.patient_name,
				"program": row.program,
				"invoiced": row.invoiced,
				"codes_billed": row.codes or "",
				"codes_now": codes_now,
				"reasons_now": (record or {}).get("reasons") or _("no enrollment in force this month"),
			}
		)
	return rows


def columns() -> list[dict]:
	return [
		{"fieldname": "billing_record", "label": _("Billing Record"), "fieldtype": "Link", "options": "Care Billing Record", "width": 130},
		{"fieldname": "patient", "label": _("Patient"), "fieldtype": "Link", "options": "Patient", "width": 130},
		{"fieldname": "patient_name", "label": _("Patient Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "program", "label": _("Program"), "fieldtype": "Data", "width": 80},
		{"fieldname": "invoiced", "label": _("Invoiced"), "fieldtype": "Check", "width": 80},
		{"fieldname": "codes_billed", "label": _("Codes on the Record"), "fieldtype": "Data", "width": 150},
		{"fieldname": "codes_now", "label": _("Codes a Re-close Gives"), "fieldtype": "Data", "width": 150},
		{"fieldname": "reasons_now", "label": _("Why, Today"), "fieldtype": "Small Text", "width": 360},
	]  # fmt: skip
