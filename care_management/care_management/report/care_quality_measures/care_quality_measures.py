# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Quality measures per month, program and care manager, with the rate before
enrollment beside it; with Show Patients ticked, who is in the numerator and
the denominator of one measure. Definitions: domain/quality_measures.py."""

import frappe
from frappe import _
from frappe.utils import escape_html, get_first_day, getdate, today

from care_management.domain.quality_measures import MEASURES
from care_management.population.quality import evaluate, summarise


def execute(filters=None):
	filters = frappe._dict(filters or {})
	month = getdate(filters.get("month") or get_first_day(today()))
	rows = evaluate(frappe.session.user, month, filters.get("program"), filters.get("care_manager"))
	message = definitions()
	if filters.get("show_patients"):
		measure = filters.get("measure")
		if not measure:
			frappe.throw(_("Measure: choose the measure whose patients to list."))
		if measure not in {m.key for m in MEASURES}:
			frappe.throw(_("Measure: {0} is not one of this report's measures.").format(frappe.bold(measure)))
		return patient_columns(), patient_rows([r for r in rows if r.measure == measure]), message
	return columns(), summarise(rows), message


def patient_rows(rows):
	out = []
	for r in sorted(rows, key=lambda r: (r.program, r.care_manager, r.patient_name or "")):
		reading = r.value
		out.append(
			{
				"patient": r.patient, "patient_name": r.patient_name, "program": r.program,
				"care_manager": r.care_manager, "in_numerator": r.numerator,
				"evidence_date": reading.on if reading else None,
				"evidence": (f"{reading.value:g}" + (f"/{reading.second:g}" if reading.second is not None else "")
					+ f" ({reading.source})") if reading and reading.source and not reading.source.startswith("Inpatient")
					else (reading.source if reading else _("no result in the period")),
				"before_enrollment": r.before,
			}
		)  # fmt: skip
	return out


def definitions() -> str:
	items = "".join(
		f"<li><b>{escape_html(_(m.title))}</b>: {escape_html(_(m.definition))}</li>" for m in MEASURES
	)
	return (
		"<p>"
		+ _(
			"Period: the 12 months ending with the chosen month (discharges: the chosen month). Before Enrollment: the same measure on the 12 months before the enrollment started (blood pressure and HbA1c only). Exclusions of the CMS measures are not applied."
		)
		+ f"</p><ul>{items}</ul>"
	)


def columns():
	return [
		{"fieldname": "measure_title", "label": _("Measure"), "fieldtype": "Data", "width": 300},
		{"fieldname": "program", "label": _("Program"), "fieldtype": "Data", "width": 110},
		{"fieldname": "care_manager", "label": _("Care Manager"), "fieldtype": "Link", "options": "User", "width": 170},
		{"fieldname": "denominator", "label": _("Denominator"), "fieldtype": "Int", "width": 110},
		{"fieldname": "numerator", "label": _("Numerator"), "fieldtype": "Int", "width": 100},
		{"fieldname": "rate", "label": _("Rate (%)"), "fieldtype": "Percent", "width": 90},
		{"fieldname": "before_denominator", "label": _("Before Enrollment: Denominator"), "fieldtype": "Int", "width": 120},
		{"fieldname": "before_numerator", "label": _("Before Enrollment: Numerator"), "fieldtype": "Int", "width": 120},
		{"fieldname": "before_rate", "label": _("Before Enrollment: Rate (%)"), "fieldtype": "Percent", "width": 120},
		{"fieldname": "measure", "label": _("Measure Key"), "fieldtype": "Data", "width": 120},
	]  # fmt: skip


def patient_columns():
	return [
		{"fieldname": "patient", "label": _("Patient"), "fieldtype": "Link", "options": "Patient", "width": 130},
		{"fieldname": "patient_name", "label": _("Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "program", "label": _("Program"), "fieldtype": "Data", "width": 110},
		{"fieldname": "care_manager", "label": _("Care Manager"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "in_numerator", "label": _("In Numerator"), "fieldtype": "Check", "width": 100},
		{"fieldname": "evidence_date", "label": _("Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "evidence", "label": _("Evidence"), "fieldtype": "Data", "width": 300},
		{"fieldname": "before_enrollment", "label": _("In Numerator Before Enrollment"), "fieldtype": "Check", "width": 140},
	]  # fmt: skip
