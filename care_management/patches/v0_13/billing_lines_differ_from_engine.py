"""Existing sites: list the billing records whose lines are not what the month
close computes for their month, for billing staff to review.

Until now billing staff could change a record's lines by hand (units, codes).
Each month that has records is computed again by the engine (month_close.
build_records, nothing written) and every uninvoiced or invoiced record whose
codes or units differ is named in one Error Log, with both versions. A
difference may also be a month whose facts changed after it was closed (time
logged late): closing the month again settles those that are not invoiced.
"""

import frappe
from frappe import _
from frappe.utils import getdate

from care_management.billing.month_close import build_records

CHUNK = 500


def execute():
	differences = []
	for month in frappe.db.sql_list("select distinct month from `tabCare Billing Record` order by month"):
		try:
			differences.extend(month_differences(getdate(month)))
		except Exception:
			# A month the engine cannot compute any more (e.g. codes removed) is named, not fatal.
			differences.append(
				_("{0}: could not be computed again ({1})").format(
					month, frappe.get_traceback().strip().splitlines()[-1]
				)
			)
	if differences:
		frappe.log_error(
			title=_("Billing records that differ from the month close: for billing staff to review"),
			message=_(
				"These Care Billing Records bill codes or units that the Month Close does not compute for their "
				"month today: edited by hand before records became the engine's, or the month's facts changed "
				"after it was closed. Review each: close the month again where nothing is invoiced, or record the "
				"decision as a Care Billing Adjustment.\n\n{0}"
			).format("\n".join(differences)),
		)


def codes_of(lines) -> dict[str, int]:
	out = {}
	for line in lines:
		out[line["code"]] = out.get(line["code"], 0) + int(line["units"] or 0)
	return out


def describe(codes: dict[str, int]) -> str:
	return ", ".join(f"{code} × {units}" for code, units in sorted(codes.items())) or "-"


def month_differences(month) -> list[str]:
	stored = {}
	for row in frappe.db.sql(
		"""select r.name, r.patient, r.program, coalesce(r.billing_practitioner, '') as practitioner, r.invoiced,
			l.code, l.units, l.engine_units, l.added_by
		from `tabCare Billing Record` r
		left join `tabCare Billing Line` l on l.parent = r.name and l.parenttype = 'Care Billing Record'
		where r.month = %(month)s order by r.name, l.idx""",
		{"month": month},
		as_dict=True,
	):
		entry = stored.setdefault(
			(row.patient, row.program, row.practitioner),
			{"name": row.name, "invoiced": row.invoiced, "lines": []},
		)
		if row.code and not row.added_by:
			# An adjustment's own changes are not a difference: compare what the close wrote.
			entry["lines"].append({"code": row.code, "units": row.engine_units or row.units})
	patients = sorted({key[0] for key in stored})
	computed = {}
	for start in range(0, len(patients), CHUNK):
		for record in build_records(patients[start : start + CHUNK], month):
			key = (record["patient"], record["program"], record["billing_practitioner"] or "")
			computed[key] = codes_of(record["lines"])
	out = []
	for key, entry in sorted(stored.items()):
		have = codes_of(entry["lines"])
		should = computed.get(key)
		if should is None:
			out.append(
				_("{0} {1} ({2}, {3}): bills {4}; the close makes no such record now").format(
					month.strftime("%Y-%m"), entry["name"], key[0], key[1], describe(have)
				)
			)
		elif have != should:
			out.append(
				_("{0} {1} ({2}, {3}){4}: bills {5}; the close computes {6}").format(
					month.strftime("%Y-%m"),
					entry["name"],
					key[0],
					key[1],
					_(", invoiced") if entry["invoiced"] else "",
					describe(have),
					describe(should),
				)
			)
	return out
