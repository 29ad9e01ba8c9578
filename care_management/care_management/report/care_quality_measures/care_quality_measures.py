# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Care Quality Measures: four simplified eCQMs (controlling high blood
pressure, diabetes poor control, depression remission, follow-up after
discharge) over a reporting period, and for each enrolled patient before and
after their enrollment. With a Measure chosen, the report lists the patients
(and discharges) behind its numerator and denominator instead.

The rules are the pure core's (care_management.domain.quality_measures); the
facts come set-based from quality_facts; the caseload rule applies."""

import frappe
from frappe import _
from frappe.utils import formatdate, getdate, today

from care_management.care_management.report.care_quality_measures.quality_facts import (
	gather_facts,
	population,
	population_conditions,
)
from care_management.domain.access import access_scope
from care_management.domain.quality_measures import (
	AFTER,
	BEFORE,
	DEPRESSION_REMISSION,
	DIABETES_POOR_CONTROL,
	DISCHARGE_FOLLOW_UP,
	HIGH_BLOOD_PRESSURE,
	MEASURES,
	PERIOD,
	Measure,
	Reason,
	Tally,
	earliest_fact_needed,
	latest_fact_needed,
	measure_cases,
	reporting_window,
)
from care_management.phi_access_log import log_report_export
from care_management.report_links import links_the_user_may_follow

PERIOD_MONTHS = {"12 Months": 12, "6 Months": 6, "3 Months": 3, "1 Month": 1}
WINDOWS = {"Reporting Period": PERIOD, "Before Enrollment": BEFORE, "After Enrollment": AFTER}


def execute(filters=None):
	filters = frappe._dict(filters or {})
	period = reporting_period(filters)
	care_manager, caseload_of = scope(filters.get("care_manager"))
	measure = chosen_measure(filters.get("measure"))
	window = WINDOWS.get(filters.get("window") or "Reporting Period")
	if window is None:
		frappe.throw(
			_("Window: choose Reporting Period, Before Enrollment or After Enrollment."),
			title=_("Invalid Filter"),
		)
	conditions, params = population_conditions(period, filters.get("program"), care_manager, caseload_of)
	patients = population(conditions, params)
	facts = gather_facts(
		patients,
		conditions,
		params,
		earliest_fact_needed(period, [p.enrollment_start for p in patients]),
		latest_fact_needed(period),
	)
	as_of = getdate(today())
	if measure:
		rows = patient_rows(measure, window, patients, facts, period, as_of)
		log_report_export("Care Quality Measures", filters, rows)
		return links_the_user_may_follow(patient_columns()), rows, period_message(period, len(patients))
	rows = measure_rows(patients, facts, period, as_of)
	log_report_export("Care Quality Measures", filters, rows)  # counts only: no patient
	return (
		links_the_user_may_follow(summary_columns()),
		rows,
		period_message(period, len(patients)),
		chart(rows),
	)


def reporting_period(filters):
	months = PERIOD_MONTHS.get(filters.get("period") or "12 Months")
	if months is None:
		frappe.throw(
			_("Period: choose one of {0}.").format(
				", ".join(_(p) for p in PERIOD_MONTHS)  # html-safe: the report's own periods
			),
			title=_("Invalid Filter"),
		)
	return reporting_window(getdate(filters.get("month") or today()), months)


def scope(requested: str | None) -> tuple[str | None, str | None]:
	"""(care manager filter, caseload the user is limited to). Care managers
	see their own caseload; supervisors see everyone and may pick a care manager."""
	user = frappe.session.user
	access = access_scope(frappe.get_roles(user))
	if access.all_patients:
		return requested or None, None
	if access.own_caseload:
		if requested and requested != user:
			frappe.throw(
				_("Care Manager: you can only see your own caseload. Clear the filter or choose yourself."),
				frappe.PermissionError,
				title=_("Not Your Caseload"),
			)
		return requested or None, user
	frappe.throw(
		_("Care Quality Measures are for care managers (their own caseload) and supervisors."),
		frappe.PermissionError,
	)


def chosen_measure(title: str | None) -> Measure | None:
	if not title:
		return None
	for measure in MEASURES:
		if title in (measure.title, measure.id, _(measure.title)):
			return measure
	frappe.throw(
		_("Measure: {0} is not a quality measure. Choose one from the list.").format(
			frappe.bold(frappe.utils.escape_html(title))
		),
		title=_("Invalid Filter"),
	)


def measure_rows(patients, facts, period, as_of) -> list[dict]:
	rows = []
	for measure in MEASURES:
		tallies = {PERIOD: Tally(), BEFORE: Tally(), AFTER: Tally()}
		for p in patients:
			for window, cases in measure_cases(measure, facts[p.patient], period, as_of).items():
				tallies[window].add(cases)
		rows.append(
			{
				"measure": measure.title,
				"measure_title": title_of(measure),
				"ecqm": measure.ecqm or _("None (TCM-style)"),
				"better": _("Lower") if measure.inverse else _("Higher"),
				"definition": definition_of(measure),
				"denominator": tallies[PERIOD].denominator,
				"numerator": tallies[PERIOD].numerator,
				"excluded": tallies[PERIOD].excluded,
				"rate": tallies[PERIOD].rate,
				"before_denominator": tallies[BEFORE].denominator,
				"before_numerator": tallies[BEFORE].numerator,
				"before_rate": tallies[BEFORE].rate,
				"after_denominator": tallies[AFTER].denominator,
				"after_numerator": tallies[AFTER].numerator,
				"after_rate": tallies[AFTER].rate,
			}
		)
	return rows


def patient_rows(measure, window, patients, facts, period, as_of) -> list[dict]:
	rows = []
	for p in patients:
		for case in measure_cases(measure, facts[p.patient], period, as_of)[window]:
			index_doctype, index_name = case.index or (None, None)
			source_doctype, source_name = case.source or (None, None)
			rows.append(
				{
					"patient": p.patient,
					"patient_name": p.patient_name,
					"care_manager": p.care_manager,
					"enrollment_start": p.enrollment_start,
					"in_denominator": int(case.in_denominator),
					"in_numerator": int(case.in_numerator),
					"excluded": int(case.excluded),
					"reason": reason_text(measure, case),
					"on": case.on,
					"source_doctype": source_doctype,
					"source": source_name,
					"index_doctype": index_doctype,
					"index_record": index_name,
				}
			)
	rows.sort(key=lambda r: (-r["in_denominator"], r["in_numerator"], r["patient_name"] or "", r["patient"]))
	return rows


# --- What the user reads


def title_of(measure: Measure) -> str:
	return {
		HIGH_BLOOD_PRESSURE: _("Controlling High Blood Pressure"),
		DIABETES_POOR_CONTROL: _("Diabetes: HbA1c Poor Control (> 9%)"),
		DEPRESSION_REMISSION: _("Depression Remission at Twelve Months"),
		DISCHARGE_FOLLOW_UP: _("Follow-Up Within 7 Days of Discharge"),
	}[measure.id]


def codes_of(code_sets) -> str:
	return "; ".join(f"{_(codes.name)} ({', '.join(codes.prefixes)})" for codes in code_sets)


def definition_of(m: Measure) -> str:
	if m.id == HIGH_BLOOD_PRESSURE:
		return _(
			"{0} simplified. Denominator: patients aged {1} to {2} at the end of the period with essential "
			"hypertension ({3}) on a submitted encounter or the care plan. Numerator: the last blood pressure "
			"in the period is below {4}/{5} mmHg (Vital Signs outside an inpatient stay, or a remote-monitoring "
			"reading; of several that day, the lowest systolic and the lowest diastolic). No reading: not "
			"controlled. Excluded: {6}. Higher is better."
		).format(
			m.ecqm, m.min_age, m.max_age, ", ".join(m.denominator.prefixes), int(m.systolic_below),
			int(m.diastolic_below), codes_of(m.exclusions),
		)  # fmt: skip
	if m.id == DIABETES_POOR_CONTROL:
		return _(
			"{0} simplified, an inverse measure: lower is better. Denominator: patients aged {1} to {2} at the "
			"end of the period with diabetes ({3}). Numerator: the last HbA1c in the period (a submitted Lab "
			"Test result named HbA1c, A1c or glycated haemoglobin, or coded with its LOINC code; mmol/mol "
			"converted to %) is above {4}%, or there is none. Exactly {4}% is not poor control. Excluded: {5}."
		).format(
			m.ecqm,
			m.min_age,
			m.max_age,
			", ".join(m.denominator.prefixes),
			m.hba1c_above,
			codes_of(m.exclusions),
		)
	if m.id == DEPRESSION_REMISSION:
		return _(
			"{0} simplified. Denominator: patients aged {1} or more with major depression or dysthymia ({2}) "
			"whose first PHQ-9 above {3} (the index) falls in the period moved back {4} days, so that every "
			"remission window has closed by the period's end. Numerator: the last PHQ-9 from {5} to {6} days "
			"after the index (12 months plus or minus 60 days) is below {7}. No PHQ-9 then: not in remission. "
			"Excluded: {8}. Higher is better."
		).format(
			m.ecqm, m.min_age, ", ".join(m.denominator.prefixes), m.index_score_above, m.index_shift_days,
			m.remission_days - m.remission_tolerance_days, m.remission_days + m.remission_tolerance_days,
			m.remission_below, codes_of(m.exclusions),
		)  # fmt: skip
	return _(
		"Transitional care, no single eCQM. Denominator: each discharge in the period (a discharged "
		"Inpatient Record, or a Care Transition from another hospital), any age. Numerator: a submitted "
		"outpatient encounter, an attended appointment (Checked In, Checked Out or Closed) or a reached "
		"interactive Outreach Log on the day of discharge or in the {0} days after it. A readmission in those "
		"days before any follow-up excludes the discharge. Higher is better."
	).format(m.follow_up_days)


def period_message(period, patients: int) -> str:
	return _(
		"Reporting period {0} to {1}; enrolled patients: {2}. Click a measure's name for its patients. Before enrollment: for each patient, as many days "
		"as the period, ending the day before their first enrollment start. After enrollment: the period from "
		"the enrollment start on. The same patients are in both: a diagnosis on record by the end of the period "
		"counts before enrollment too. Cases whose outcome is not known yet (a remission window or the 7 days after "
		"a discharge still running) are left out of the denominator."
	).format(formatdate(period.start), formatdate(period.end), patients)


def reason_text(measure: Measure, case) -> str:
	d = [formatdate(v) if hasattr(v, "isoformat") else v for v in case.detail]
	texts = {
		Reason.AGE: lambda: _("Age {0}: outside the measure's ages").format(
			d[0] if d[0] is not None else _("unknown")
		),
		Reason.EXCLUDED: lambda: _("Excluded: {0} ({1} on {2})").format(_(d[0]), d[1], d[2]),
		Reason.BP_CONTROLLED: lambda: _("Last blood pressure {0}/{1} on {2}: controlled").format(
			fmt(d[0]), fmt(d[1]), d[2]
		),
		Reason.BP_NOT_CONTROLLED: lambda: _("Last blood pressure {0}/{1} on {2}: not controlled").format(
			fmt(d[0]), fmt(d[1]), d[2]
		),
		Reason.NO_BP: lambda: _("No blood pressure in the period: counts as not controlled"),
		Reason.HBA1C_POOR: lambda: _("Last HbA1c {0}% on {1}: above {2}%").format(
			fmt(d[0]), d[1], measure.hba1c_above
		),
		Reason.HBA1C_NOT_POOR: lambda: _("Last HbA1c {0}% on {1}: not above {2}%").format(
			fmt(d[0]), d[1], measure.hba1c_above
		),
		Reason.NO_HBA1C: lambda: _("No HbA1c in the period: counts as poor control"),
		Reason.REMISSION: lambda: _("Index PHQ-9 {0} on {1}; PHQ-9 {2} on {3}: in remission").format(*d),
		Reason.NO_REMISSION: lambda: _("Index PHQ-9 {0} on {1}; PHQ-9 {2} on {3}: not in remission").format(
			*d
		),
		Reason.NO_REMISSION_SCORE: lambda: _(
			"Index PHQ-9 {0} on {1}; no PHQ-9 from {2} to {3}: counts as not in remission"
		).format(*d),
		Reason.REMISSION_PENDING: lambda: _(
			"Index PHQ-9 {0} on {1}; the remission window ends {2}: not counted yet"
		).format(*d),
		Reason.FOLLOWED_UP: lambda: _("Discharged {0}; {1} on {2}, {3} days later").format(
			d[0], _(d[1]), d[2], d[3]
		),
		Reason.NOT_FOLLOWED_UP: lambda: _(
			"Discharged {0}; no encounter, attended appointment or reached contact within {1} days"
		).format(d[0], measure.follow_up_days),
		Reason.READMITTED: lambda: _("Discharged {0}; readmitted {1} before any follow-up: excluded").format(
			*d
		),
		Reason.FOLLOW_UP_PENDING: lambda: _(
			"Discharged {0}; the follow-up days end {1}: not counted yet"
		).format(*d),
	}
	return texts[case.reason]()


def fmt(number) -> str:
	return f"{number:g}"


def summary_columns():
	return [
		{"fieldname": "measure_title", "label": _("Measure"), "fieldtype": "Data", "width": 260},
		{"fieldname": "ecqm", "label": _("Simplifies"), "fieldtype": "Data", "width": 110},
		{"fieldname": "better", "label": _("Better Is"), "fieldtype": "Data", "width": 80},
		{"fieldname": "denominator", "label": _("Denominator"), "fieldtype": "Int", "width": 110},
		{"fieldname": "numerator", "label": _("Numerator"), "fieldtype": "Int", "width": 100},
		{"fieldname": "excluded", "label": _("Excluded"), "fieldtype": "Int", "width": 90},
		{"fieldname": "rate", "label": _("Rate %"), "fieldtype": "Percent", "width": 90},
		{
			"fieldname": "before_denominator",
			"label": _("Before: Denominator"),
			"fieldtype": "Int",
			"width": 150,
		},
		{"fieldname": "before_numerator", "label": _("Before: Numerator"), "fieldtype": "Int", "width": 140},
		{"fieldname": "before_rate", "label": _("Before: Rate %"), "fieldtype": "Percent", "width": 120},
		{
			"fieldname": "after_denominator",
			"label": _("After: Denominator"),
			"fieldtype": "Int",
			"width": 140,
		},
		{"fieldname": "after_numerator", "label": _("After: Numerator"), "fieldtype": "Int", "width": 130},
		{"fieldname": "after_rate", "label": _("After: Rate %"), "fieldtype": "Percent", "width": 110},
		{"fieldname": "definition", "label": _("Definition"), "fieldtype": "Small Text", "width": 500},
		{"fieldname": "measure", "label": _("Measure Filter Value"), "fieldtype": "Data", "hidden": 1},
	]


def patient_columns():
	return [
		{
			"fieldname": "patient",
			"label": _("Patient"),
			"fieldtype": "Link",
			"options": "Patient",
			"width": 140,
		},
		{"fieldname": "patient_name", "label": _("Patient Name"), "fieldtype": "Data", "width": 180},
		{"fieldname": "in_denominator", "label": _("In Denominator"), "fieldtype": "Check", "width": 120},
		{"fieldname": "in_numerator", "label": _("In Numerator"), "fieldtype": "Check", "width": 110},
		{"fieldname": "excluded", "label": _("Excluded"), "fieldtype": "Check", "width": 90},
		{"fieldname": "reason", "label": _("Why"), "fieldtype": "Data", "width": 420},
		{"fieldname": "on", "label": _("Date"), "fieldtype": "Date", "width": 100},
		{
			"fieldname": "source_doctype",
			"label": _("Record Type"),
			"fieldtype": "Link",
			"options": "DocType",
			"width": 140,
		},
		{
			"fieldname": "source",
			"label": _("Record"),
			"fieldtype": "Dynamic Link",
			"options": "source_doctype",
			"width": 160,
		},
		{
			"fieldname": "index_doctype",
			"label": _("Index Type"),
			"fieldtype": "Link",
			"options": "DocType",
			"width": 130,
		},
		{
			"fieldname": "index_record",
			"label": _("Index Record"),
			"fieldtype": "Dynamic Link",
			"options": "index_doctype",
			"width": 160,
		},
		{
			"fieldname": "care_manager",
			"label": _("Care Manager"),
			"fieldtype": "Link",
			"options": "User",
			"width": 180,
		},
		{"fieldname": "enrollment_start", "label": _("Enrolled Since"), "fieldtype": "Date", "width": 110},
	]


def chart(rows):
	return {
		"data": {
			"labels": [r["measure_title"] for r in rows],
			"datasets": [
				{"name": _("Before Enrollment"), "values": [r["before_rate"] or 0 for r in rows]},
				{"name": _("After Enrollment"), "values": [r["after_rate"] or 0 for r in rows]},
			],
		},
		"type": "bar",
	}
