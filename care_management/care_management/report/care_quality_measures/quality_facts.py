# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""The facts the quality measures read, for a whole population at once: one
query per kind of fact (diagnoses, blood pressures, HbA1c results, PHQ-9
scores, discharges, admissions, follow-up contacts), each restricted to the
population by a sub-query, never a query per patient. The rows become the
pure core's PatientFacts."""

from collections import defaultdict
from datetime import datetime, time

import frappe
from frappe.utils import get_datetime, getdate

from care_management.domain.quality_measures import (
	HBA1C_LOINC,
	BloodPressure,
	Diagnosis,
	Event,
	LabResult,
	PatientFacts,
	Score,
	blood_pressure_value,
	hba1c_percent,
	is_hba1c_test,
)
from care_management.permissions import caseload_patients_sql

# The eligibility scan and the risk run read diagnoses by the same rule.
from care_management.population.facts import ICD10_CM_CODING, icd10_cm_params

# The practice's screening instruments are records; PHQ-9 and its variants (PHQ-9M, a
# translation) are named so.
PHQ9_INSTRUMENTS = "PHQ-9%"
ATTENDED_APPOINTMENT = ("Checked In", "Checked Out", "Closed")
ENROLLED_STATUSES = ("Active", "Paused", "Ended")


def population_conditions(period, program=None, care_manager=None, caseload_of=None) -> tuple[str, dict]:
	"""Conditions on enrollments ``e``: patients enrolled (consent given: Active,
	Paused or Ended) at some time in the reporting period, in ``program`` when
	given, of ``care_manager`` (the enrollment's or the patient's) when given,
	inside ``caseload_of``'s caseload when the user sees only a caseload."""
	where = [
		"e.status in %(enrolled_statuses)s",
		"e.start_date is not null",
		"e.start_date <= %(period_end)s",
		"(e.end_date is null or e.end_date >= %(period_start)s)",
	]
	params = {"enrolled_statuses": ENROLLED_STATUSES, "period_start": period.start, "period_end": period.end}
	if program:
		where.append("e.program = %(program)s")
		params["program"] = program
	if care_manager:
		where.append(
			"(e.care_manager = %(care_manager)s"
			" or e.patient in (select name from `tabPatient` where care_manager = %(care_manager)s))"
		)
		params["care_manager"] = care_manager
	if caseload_of:
		where.append(f"e.patient in {caseload_patients_sql(caseload_of)}")
	return " and ".join(where), params


def population(conditions: str, params: dict) -> list[frappe._dict]:
	"""Each patient once: name, birth date, care manager, first enrollment start."""
	return frappe.db.sql(
		f"""select e.patient, p.patient_name, p.dob, p.care_manager, min(e.start_date) as enrollment_start
		from `tabCare Program Enrollment` e join `tabPatient` p on p.name = e.patient
		where {conditions}
		group by e.patient, p.patient_name, p.dob, p.care_manager
		order by p.patient_name, e.patient""",
		params,
		as_dict=True,
	)


def gather_facts(patients: list, conditions: str, params: dict, since, until) -> dict[str, PatientFacts]:
	"""PatientFacts for every patient of the population; facts dated from
	``since`` to ``until`` (diagnoses from any time up to ``until``)."""
	if not patients:
		return {}
	params = {
		**params,
		"since": getdate(since),
		"until": getdate(until),
		"since_at": datetime.combine(getdate(since), time.min),
		"until_at": datetime.combine(getdate(until), time.max),
		**icd10_cm_params(),
	}
	in_population = f"in (select e.patient from `tabCare Program Enrollment` e where {conditions})"
	facts = defaultdict(lambda: defaultdict(list))
	for row in diagnoses(in_population, params):
		facts[row.patient]["diagnoses"].append(Diagnosis(row.code, getdate(row.on_date), source(row)))
	for row in blood_pressures(in_population, params):
		systolic, diastolic = blood_pressure_value(row.systolic), blood_pressure_value(row.diastolic)
		if systolic and diastolic:
			facts[row.patient]["blood_pressures"].append(
				BloodPressure(get_datetime(row.at), systolic, diastolic, source(row))
			)
	for row in hba1c_results(in_population, params):
		if not (is_hba1c_test(row.test_name) or row.loinc):
			continue
		percent = hba1c_percent(row.result_value, row.uom)
		if percent is not None:
			facts[row.patient]["hba1c"].append(LabResult(get_datetime(row.at), percent, source(row)))
	for row in phq9_scores(in_population, params):
		facts[row.patient]["phq9"].append(Score(getdate(row.on_date), int(row.score), source(row)))
	for row in discharges(in_population, params):
		facts[row.patient]["discharges"].append(Event(getdate(row.on_date), source(row)))
	for row in admissions(in_population, params):
		facts[row.patient]["admissions"].append(Event(getdate(row.on_date), source(row)))
	for row in follow_ups(in_population, params):
		facts[row.patient]["follow_ups"].append(Event(getdate(row.on_date), source(row), row.source_doctype))
	return {
		p.patient: PatientFacts(
			p.patient,
			getdate(p.dob) if p.dob else None,
			enrollment_start=getdate(p.enrollment_start),
			**{kind: tuple(values) for kind, values in facts[p.patient].items()},
		)
		for p in patients
	}


def source(row) -> tuple[str, str]:
	return (row.source_doctype, row.source)


def diagnoses(in_population: str, params: dict) -> list:
	"""ICD-10-CM codes on submitted encounters (the encounter's codification
	table, and the codes of the Diagnosis records it names: Healthcare copies
	those only into an encounter whose table is empty) and on care plans."""
	return frappe.db.sql(
		f"""
		select pe.patient, ct.code, pe.encounter_date as on_date, 'Patient Encounter' as source_doctype, pe.name as source
		from `tabPatient Encounter` pe
		join `tabCodification Table` ct on ct.parent = pe.name and ct.parenttype = 'Patient Encounter'
		where pe.docstatus = 1 and pe.patient {in_population} and pe.encounter_date <= %(until)s
			and {ICD10_CM_CODING}
		union all
		select pe.patient, ct.code, pe.encounter_date, 'Patient Encounter', pe.name
		from `tabPatient Encounter` pe
		join `tabPatient Encounter Diagnosis` ped on ped.parent = pe.name and ped.parenttype = 'Patient Encounter'
		join `tabCodification Table` ct on ct.parent = ped.diagnosis and ct.parenttype = 'Diagnosis'
		where pe.docstatus = 1 and pe.patient {in_population} and pe.encounter_date <= %(until)s
			and {ICD10_CM_CODING}
		union all
		select cp.patient, c.icd10_code, coalesce(c.onset_date, date(c.added_on), cp.start_date), 'Care Plan', cp.name
		from `tabCare Plan` cp
		join `tabCare Plan Condition` c on c.parent = cp.name and c.parenttype = 'Care Plan'
		where cp.patient {in_population} and ifnull(c.icd10_code, '') != ''
			and coalesce(c.onset_date, date(c.added_on), cp.start_date) <= %(until)s
		""",
		params,
		as_dict=True,
	)


def blood_pressures(in_population: str, params: dict) -> list:
	"""Submitted Vital Signs outside an inpatient stay (CMS165 leaves out
	readings taken in hospital) and remote-monitoring readings (which CMS165
	accepts)."""
	return frappe.db.sql(
		f"""
		select vs.patient, timestamp(vs.signs_date, coalesce(vs.signs_time, '00:00:00')) as at,
			vs.bp_systolic as systolic, vs.bp_diastolic as diastolic, 'Vital Signs' as source_doctype, vs.name as source
		from `tabVital Signs` vs
		where vs.docstatus = 1 and vs.patient {in_population} and ifnull(vs.inpatient_record, '') = ''
			and vs.signs_date between %(since)s and %(until)s
			and ifnull(vs.bp_systolic, '') != '' and ifnull(vs.bp_diastolic, '') != ''
		union all
		select dr.patient, dr.measured_at, dr.value, dr.value_2, 'Device Reading', dr.name
		from `tabDevice Reading` dr
		where dr.reading_type = 'Blood Pressure' and dr.patient {in_population}
			and dr.measured_at between %(since_at)s and %(until_at)s and dr.value > 0 and dr.value_2 > 0
		""",
		params,
		as_dict=True,
	)


def hba1c_results(in_population: str, params: dict) -> list:
	"""Result rows of submitted Lab Tests named like an HbA1c (the core decides
	which names are), or of a single-result template coded with an HbA1c LOINC code."""
	return frappe.db.sql(
		f"""
		select lt.patient, timestamp(coalesce(lt.date, lt.result_date, date(lt.submitted_date)),
				coalesce(lt.time, '00:00:00')) as at,
			coalesce(nullif(r.lab_test_name, ''), r.lab_test_event) as test_name, r.result_value,
			r.lab_test_uom as uom, 'Lab Test' as source_doctype, lt.name as source, loinc.parent is not null as loinc
		from `tabLab Test` lt
		join `tabNormal Test Result` r on r.parent = lt.name and r.parenttype = 'Lab Test'
		left join (
			select distinct ct.parent from `tabCodification Table` ct
			join `tabLab Test Template` t on t.name = ct.parent and t.lab_test_template_type = 'Single'
			where ct.parenttype = 'Lab Test Template' and ct.code in %(loinc)s
		) loinc on loinc.parent = r.template
		where lt.docstatus = 1 and lt.status != 'Rejected' and lt.patient {in_population}
			and coalesce(lt.date, lt.result_date, date(lt.submitted_date)) between %(since)s and %(until)s
			and ifnull(r.result_value, '') != ''
			and (coalesce(nullif(r.lab_test_name, ''), r.lab_test_event) like '%%a1c%%'
				or coalesce(nullif(r.lab_test_name, ''), r.lab_test_event) like '%%glyc%%'
				or loinc.parent is not null)
		""",
		{**params, "loinc": HBA1C_LOINC},
		as_dict=True,
	)


def phq9_scores(in_population: str, params: dict) -> list:
	return frappe.db.sql(
		f"""
		select ns.patient, ns.screening_date as on_date, ns.total_score as score, 'Needs Screening' as source_doctype, ns.name as source
		from `tabNeeds Screening` ns
		where ns.docstatus = 1 and ns.patient {in_population} and ns.instrument like %(phq9)s
			and ns.screening_date between %(since)s and %(until)s and ns.total_score is not null
		""",
		{**params, "phq9": PHQ9_INSTRUMENTS},
		as_dict=True,
	)


def discharges(in_population: str, params: dict) -> list:
	"""Healthcare's discharged Inpatient Records, and Care Transitions from a
	hospital outside the practice (no Inpatient Record)."""
	return frappe.db.sql(
		f"""
		select ip.patient, date(ip.discharge_datetime) as on_date, 'Inpatient Record' as source_doctype, ip.name as source
		from `tabInpatient Record` ip
		where ip.status = 'Discharged' and ip.patient {in_population}
			and ip.discharge_datetime between %(since_at)s and %(until_at)s
		union all
		select ct.patient, ct.discharge_date, 'Care Transition', ct.name
		from `tabCare Transition` ct
		where ifnull(ct.inpatient_record, '') = '' and ct.status != 'Cancelled' and ct.patient {in_population}
			and ct.discharge_date between %(since)s and %(until)s
		""",
		params,
		as_dict=True,
	)


def admissions(in_population: str, params: dict) -> list:
	return frappe.db.sql(
		f"""
		select ip.patient, date(ip.admitted_datetime) as on_date, 'Inpatient Record' as source_doctype, ip.name as source
		from `tabInpatient Record` ip
		where ip.status in ('Admitted', 'Discharge Scheduled', 'Discharged') and ip.patient {in_population}
			and ip.admitted_datetime between %(since_at)s and %(until_at)s
		""",
		params,
		as_dict=True,
	)


def follow_ups(in_population: str, params: dict) -> list:
	"""Submitted outpatient encounters, attended appointments, and reached
	interactive contacts (Outreach Logs)."""
	return frappe.db.sql(
		f"""
		select pe.patient, pe.encounter_date as on_date, 'Patient Encounter' as source_doctype, pe.name as source
		from `tabPatient Encounter` pe
		where pe.docstatus = 1 and ifnull(pe.inpatient_record, '') = '' and pe.patient {in_population}
			and pe.encounter_date between %(since)s and %(until)s
		union all
		select pa.patient, pa.appointment_date, 'Patient Appointment', pa.name
		from `tabPatient Appointment` pa
		where pa.status in %(attended)s and ifnull(pa.inpatient_record, '') = '' and pa.patient {in_population}
			and pa.appointment_date between %(since)s and %(until)s
		union all
		select ol.patient, date(ol.start), 'Outreach Log', ol.name
		from `tabOutreach Log` ol
		where ol.docstatus = 1 and ol.outcome = 'Reached' and ol.interactive = 1 and ol.patient {in_population}
			and ol.start between %(since_at)s and %(until_at)s
		""",
		{**params, "attended": ATTENDED_APPOINTMENT},
		as_dict=True,
	)
