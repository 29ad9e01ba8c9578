"""Care quality measures (domain/quality_measures.py states them) from
Healthcare's Vital Signs, Lab Tests, Inpatient Records and Patient Encounters
and this app's Needs Screenings and Outreach Logs: one statement per kind of
fact for every patient in view, then the core per patient."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import frappe
from frappe import _
from frappe.utils import get_last_day, getdate

from care_management.domain import quality_measures as qm
from care_management.domain.eligibility import age_on, categorise
from care_management.population import facts
from care_management.population.eligibility_scan import patients_in_view
from care_management.population.risk_run import NUMBER
from care_management.population.rules import chronic_categories

HYPERTENSION, DIABETES = "Hypertension", "Diabetes"
NOT_ENROLLED = "Not Enrolled"
HBA1C_NAME = "A1c"


def blood_pressures(patients: str, since: date) -> dict[str, list[qm.Reading]]:
	rows = frappe.db.sql(
		f"""select patient, signs_date, bp_systolic, bp_diastolic, name from `tabVital Signs`
		where docstatus = 1 and patient in {patients} and signs_date >= %(since)s
			and bp_systolic regexp %(number)s and bp_diastolic regexp %(number)s""",
		{"since": since, "number": NUMBER},
	)
	found = defaultdict(list)
	for patient, on, systolic, diastolic, name in rows:
		found[patient].append(
			qm.Reading(getdate(on), float(systolic), float(diastolic), f"Vital Signs {name}")
		)
	return found


def hba1c_results(patients: str, since: date) -> dict[str, list[qm.Reading]]:
	rows = frappe.db.sql(
		f"""select t.patient, coalesce(t.result_date, t.date), r.result_value, t.name
		from `tabLab Test` t join `tabNormal Test Result` r on r.parent = t.name and r.parenttype = 'Lab Test'
		where t.docstatus = 1 and t.patient in {patients} and coalesce(t.result_date, t.date) >= %(since)s
			and (r.lab_test_name like %(name)s or t.lab_test_name like %(name)s) and r.result_value regexp %(number)s""",
		{"since": since, "name": f"%{HBA1C_NAME}%", "number": NUMBER},
	)
	found = defaultdict(list)
	for patient, on, value, name in rows:
		found[patient].append(qm.Reading(getdate(on), float(value), None, f"Lab Test {name}"))
	return found


def phq9_scores(patients: str, since: date) -> dict[str, list[qm.Reading]]:
	rows = frappe.db.sql(
		f"""select patient, screening_date, total_score, name from `tabNeeds Screening`
		where docstatus = 1 and instrument = %(instrument)s and screening_date >= %(since)s and patient in {patients}""",
		{"instrument": facts.PHQ9_INSTRUMENT, "since": since},
	)
	found = defaultdict(list)
	for patient, on, score, name in rows:
		found[patient].append(qm.Reading(getdate(on), float(score or 0), None, f"Needs Screening {name}"))
	return found


def discharges_and_contacts(patients: str, start: date, end: date):
	stays = frappe.db.sql(
		f"""select patient, date(discharge_datetime), name from `tabInpatient Record`
		where status = 'Discharged' and discharge_datetime >= %(start)s and discharge_datetime < %(after)s
			and patient in {patients}""",
		{"start": start, "after": end + timedelta(days=1)},
	)
	contacts = defaultdict(list)
	for patient, on in frappe.db.sql(
		f"""select patient, encounter_date from `tabPatient Encounter`
			where docstatus = 1 and encounter_date > %(start)s and encounter_date <= %(until)s and patient in {patients}
		union all
		select patient, date(start) from `tabOutreach Log`
			where docstatus = 1 and outcome = 'Reached' and interactive = 1
				and start > %(start)s and start < %(after_until)s and patient in {patients}""",
		{"start": start, "until": end + timedelta(days=qm.FOLLOW_UP_DAYS),
		 "after_until": end + timedelta(days=qm.FOLLOW_UP_DAYS + 1)},
	):  # fmt: skip
		contacts[patient].append(getdate(on))
	return stays, contacts


def groups_of(patients: str, start: date, end: date, program: str | None) -> dict[str, list[tuple]]:
	"""patient -> [(program, care manager, enrollment start)] in force during the period; patients
	in no program are one group of their own (unless a program is asked for)."""
	rows = frappe.db.sql(
		f"""select patient, program, care_manager, start_date from `tabCare Program Enrollment`
		where patient in {patients} and status in ('Active', 'Paused', 'Ended')
			and start_date <= %(end)s and (end_date is null or end_date >= %(start)s)
			{"and program = %(program)s" if program else ""}""",
		{"start": start, "end": end, "program": program},
	)
	groups = defaultdict(list)
	for patient, prog, manager, started in rows:
		groups[patient].append((prog, manager or "", getdate(started)))
	return groups


def evaluate(user: str, month, program=None, care_manager=None) -> list[dict]:
	"""One row per patient, measure and group: in the denominator, in the numerator, and the evidence."""
	period_end = getdate(get_last_day(month))
	period_start = qm.months_before(period_end, 12) + timedelta(days=1)
	month_start = period_end.replace(day=1)
	patients = patients_in_view(user, care_manager)
	people = {p.patient: p for p in facts.patient_rows(patients)}
	groups = groups_of(patients, period_start, period_end, program)
	if not program:
		for patient, person in people.items():
			groups.setdefault(patient, [(NOT_ENROLLED, person.care_manager or "", None)])
	earliest = min([g[2] for gs in groups.values() for g in gs if g[2]] + [period_start])
	before_since = qm.months_before(earliest, 12)
	categories, memo = chronic_categories(), {}
	in_category = {
		patient: {m.category.name for m in categorise(codes, categories, memo)}
		for patient, codes in facts.diagnoses(patients).items()
	}
	pressures = blood_pressures(patients, before_since)
	a1c = hba1c_results(patients, before_since)
	phq9 = phq9_scores(patients, qm.months_before(period_end, 14))
	stays, contacts = discharges_and_contacts(patients, month_start, period_end)

	out = []

	def add(measure, patient, group, numerator, reading, before=None):
		prog, manager, _started = group
		out.append(
			frappe._dict(
				measure=measure.key, patient=patient, patient_name=people[patient].patient_name,
				program=prog, care_manager=manager, numerator=int(bool(numerator)),
				value=reading, before=before,
			)
		)  # fmt: skip

	for patient, patient_groups in groups.items():
		if patient not in people:
			continue
		person = people[patient]
		age = age_on(getdate(person.dob) if person.dob else None, period_end)
		found = in_category.get(patient, set())
		for group in patient_groups:
			started = group[2]
			if HYPERTENSION in found and qm.in_age(age, qm.BP_AGES):
				last = qm.last_in(pressures.get(patient, []), period_start, period_end)
				before = None
				if started:
					prior = qm.last_in(
						pressures.get(patient, []), qm.months_before(started, 12), started - timedelta(days=1)
					)
					before = int(qm.bp_controlled(prior))
				add(qm.BP_CONTROL, patient, group, qm.bp_controlled(last), last, before)
			if DIABETES in found and qm.in_age(age, qm.HBA1C_AGES):
				last = qm.last_in(a1c.get(patient, []), period_start, period_end)
				before = None
				if started:
					prior = qm.last_in(
						a1c.get(patient, []), qm.months_before(started, 12), started - timedelta(days=1)
					)
					before = int(qm.hba1c_poor(prior))
				add(qm.HBA1C_POOR, patient, group, qm.hba1c_poor(last), last, before)
			if age is not None and age >= qm.PHQ9_MIN_AGE:
				index = qm.depression_index(phq9.get(patient, []), period_end)
				if index:
					add(
						qm.DEPRESSION_REMISSION,
						patient,
						group,
						qm.in_remission(index, phq9.get(patient, [])),
						index,
					)
	by_patient_groups = {p: gs for p, gs in groups.items()}
	for patient, discharged, name in stays:
		if patient not in people:
			continue
		day = getdate(discharged)
		seen = qm.followed_up(day, contacts.get(patient, []))
		for group in by_patient_groups.get(patient, []):
			add(
				qm.DISCHARGE_FOLLOW_UP,
				patient,
				group,
				seen,
				qm.Reading(day, 0, None, f"Inpatient Record {name}"),
			)
	return out


def summarise(rows: list[dict]) -> list[dict]:
	totals = defaultdict(lambda: [0, 0, 0, 0])
	for r in rows:
		t = totals[(r.measure, r.program, r.care_manager)]
		t[0] += 1
		t[1] += r.numerator
		if r.before is not None:
			t[2] += 1
			t[3] += r.before
	titles = {m.key: m.title for m in qm.MEASURES}
	order = {m.key: i for i, m in enumerate(qm.MEASURES)}
	summary = []
	for (measure, program, manager), (den, num, before_den, before_num) in sorted(
		totals.items(), key=lambda kv: (order[kv[0][0]], kv[0][1], kv[0][2])
	):
		summary.append(
			frappe._dict(
				measure=measure, measure_title=_(titles[measure]), program=program, care_manager=manager,
				denominator=den, numerator=num, rate=qm.rate(num, den),
				before_denominator=before_den or None, before_numerator=before_num if before_den else None,
				before_rate=qm.rate(before_num, before_den),
			)
		)  # fmt: skip
	return summary
