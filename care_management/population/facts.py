"""Facts about many patients at once, read from Healthcare's own records.

Every function takes a SQL sub-query of patient names (``patients``) and runs
one statement for the whole set: no query per patient. The eligibility scan
and the risk run share them.

Where the facts come from:
- diagnoses: ICD-10-CM codes on submitted Patient Encounters, in the
  encounter's Codification Table and in the Codification Table of each
  Diagnosis chosen on it; and the conditions on the patient's care plan;
- PHQ-9: submitted Needs Screenings of the PHQ-9 instrument;
- social needs: submitted Needs Screenings with positive domains;
- discharges: Inpatient Records with status Discharged;
- being seen: submitted Patient Encounters and attended Patient Appointments.
"""

from __future__ import annotations

from datetime import date

import frappe
from frappe.utils import add_days, add_months, getdate

from care_management.domain.eligibility import DatedFact, Diagnosis, PatientFacts, age_on
from care_management.domain.icd10 import (
	ICD10_CM_SYSTEM,
	is_icd10_cm,
	is_icd10_cm_code_system,
	normalise_icd10,
)

PHQ9_INSTRUMENT = "PHQ-9"
PHQ9_LOOKBACK_MONTHS = 12
# Depression screenings mark a "Mental Health" domain too; that is not a social need.
DEPRESSION_INSTRUMENTS = ("PHQ-2", "PHQ-9")
ATTENDED_APPOINTMENT = ("Checked In", "Checked Out", "Closed")
# A Codification Table row (alias ct) is ICD-10-CM when its code system is one
# (icd10_cm_params: the Code Systems the core's rule accepts) or its URI is the
# FHIR one. Healthcare fetches the code, the system and its URI onto the row, so
# the row alone answers, through the covering index of setup/healthcare_indexes.
ICD10_CM_CODING = "(ct.code_system in %(icd10_systems)s or ct.system = %(icd10_uri)s)"

# MariaDB keeps a GROUP BY's temporary table in memory up to 16 MiB by default. Grouping
# every patient's encounters (50,000 patients: ~112,000 patient-code groups on wide
# varchar keys) outgrows that and spills to disk, which took 4x as long; each grouping
# statement gets room for its table in memory, for that statement only.
GROUPING_MEMORY = 256 * 1024 * 1024


def grouped(sql: str) -> str:
	return (
		f"SET STATEMENT tmp_table_size = {GROUPING_MEMORY}, max_heap_table_size = {GROUPING_MEMORY} FOR {sql}"
	)


def icd10_cm_params() -> dict:
	"""The values ICD10_CM_CODING reads: the site's ICD-10-CM Code Systems (a handful of records)."""
	systems = [
		row.name
		for row in frappe.get_all("Code System", fields=["name", "uri"])
		if is_icd10_cm_code_system(row.name, row.uri)
	]
	return {"icd10_systems": systems or [""], "icd10_uri": ICD10_CM_SYSTEM}


# The patient sub-queries quote users with frappe.db.escape, which doubles each %
# for the driver to fold back; it folds only when values are passed, so a statement
# that has none passes these (else a caseload of "a%b@…" would match nobody).
SUBQUERY_ONLY: dict = {}


def active_patients_sql() -> str:
	return "(select name from `tabPatient` where status = 'Active')"


def patient_rows(patients: str) -> list[dict]:
	return frappe.db.sql(
		f"""select p.name as patient, p.patient_name, p.dob, p.sex, p.care_manager, p.care_risk_tier,
			p.lives_alone, p.care_risk_score, p.suggested_risk_tier,
			if(ifnull(p.cms_hcc_segment, '') = '', null, p.cms_hcc_score) as cms_hcc_score, p.cms_hccs,
			p.qualified_medicare_beneficiary
		from `tabPatient` p where p.name in {patients}""",
		SUBQUERY_ONLY,
		as_dict=True,
	)


def diagnoses(patients: str) -> dict[str, list[Diagnosis]]:
	"""Distinct ICD-10-CM codes per patient, each with its latest date and the
	record it was last recorded on."""
	rows = frappe.db.sql(
		grouped(f"""select patient, code, max(on_date) as last_date,
			substring_index(max(concat(on_date, '|', source)), '|', -1) as source
		from (
			select e.patient, ct.code, e.encounter_date as on_date, concat('Patient Encounter ', e.name) as source
			from `tabPatient Encounter` e
			join `tabCodification Table` ct on ct.parent = e.name and ct.parenttype = 'Patient Encounter'
			where e.docstatus = 1 and e.patient in {patients} and {ICD10_CM_CODING}
			union all
			select e.patient, ct.code, e.encounter_date, concat('Patient Encounter ', e.name)
			from `tabPatient Encounter` e
			join `tabPatient Encounter Diagnosis` d on d.parent = e.name and d.parenttype = 'Patient Encounter'
			join `tabCodification Table` ct on ct.parent = d.diagnosis and ct.parenttype = 'Diagnosis'
			where e.docstatus = 1 and e.patient in {patients} and {ICD10_CM_CODING}
			union all
			select cp.patient, c.icd10_code, coalesce(date(c.added_on), c.onset_date, cp.start_date),
				concat('Care Plan ', cp.name)
			from `tabCare Plan` cp
			join `tabCare Plan Condition` c on c.parent = cp.name and c.parenttype = 'Care Plan'
				and c.parentfield = 'conditions'
			where cp.status != 'Closed' and cp.patient in {patients} and ifnull(c.icd10_code, '') != ''
		) facts
		group by patient, code"""),
		icd10_cm_params(),
		as_dict=True,
	)
	found: dict[str, dict[str, Diagnosis]] = {}
	for row in rows:
		code = normalise_icd10(row.code)
		if not is_icd10_cm(code):
			continue
		last = getdate(row.last_date) if row.last_date else None
		known = found.setdefault(row.patient, {}).get(code)
		if not known or (last and (not known.last_date or last > known.last_date)):
			found[row.patient][code] = Diagnosis(code, last, row.source)
	return {patient: sorted(codes.values(), key=lambda d: d.code) for patient, codes in found.items()}


def latest_phq9(patients: str, today: date) -> dict[str, DatedFact]:
	rows = frappe.db.sql(
		f"""select s.patient, s.total_score, s.screening_date, s.name
		from `tabNeeds Screening` s
		join (
			select patient, max(concat(screening_date, '|', name)) as last_key from `tabNeeds Screening`
			where docstatus = 1 and instrument = %(instrument)s and screening_date >= %(since)s
				and patient in {patients}
			group by patient
		) latest on latest.patient = s.patient and concat(s.screening_date, '|', s.name) = latest.last_key""",
		{"instrument": PHQ9_INSTRUMENT, "since": add_months(today, -PHQ9_LOOKBACK_MONTHS)},
		as_dict=True,
	)
	return {
		r.patient: DatedFact(
			getdate(r.screening_date), float(r.total_score or 0), f"Needs Screening {r.name}", PHQ9_INSTRUMENT
		)
		for r in rows
	}


def positive_social_needs(patients: str, since: date) -> dict[str, list[DatedFact]]:
	"""Screenings since ``since`` with at least one positive domain; value is
	the number of positive domains."""
	rows = frappe.db.sql(
		f"""select patient, screening_date, name, positive_domains from `tabNeeds Screening`
		where docstatus = 1 and screening_date >= %(since)s and ifnull(positive_domains, '') != ''
			and instrument not in %(depression)s and patient in {patients}
		order by screening_date""",
		{"since": since, "depression": DEPRESSION_INSTRUMENTS},
		as_dict=True,
	)
	found: dict[str, list[DatedFact]] = {}
	for r in rows:
		domains = [d.strip() for d in r.positive_domains.replace("\n", ",").split(",") if d.strip()]
		found.setdefault(r.patient, []).append(
			DatedFact(
				getdate(r.screening_date), len(domains), f"Needs Screening {r.name}", ", ".join(domains)
			)
		)
	return found


def untransitioned_discharges(patients: str, since: date) -> dict[str, list[DatedFact]]:
	"""Discharges since ``since`` that nobody has acted on: no Care Transition,
	or one still Open with no contact logged (a discharge opens one by itself,
	billing/transitions.py, so "opened" means someone started on it)."""
	rows = frappe.db.sql(
		f"""select ir.patient, ir.name, date(ir.discharge_datetime) as discharged
		from `tabInpatient Record` ir
		where ir.status = 'Discharged' and ir.discharge_datetime >= %(since)s and ir.patient in {patients}
			and not exists (
				select 1 from `tabCare Transition` t where t.inpatient_record = ir.name
					and (t.status != 'Open' or ifnull(t.first_contact_log, '') != '')
			)""",
		{"since": since},
		as_dict=True,
	)
	found: dict[str, list[DatedFact]] = {}
	for r in rows:
		found.setdefault(r.patient, []).append(
			DatedFact(getdate(r.discharged), None, f"Inpatient Record {r.name}")
		)
	return found


def last_seen(patients: str) -> dict[str, DatedFact]:
	rows = frappe.db.sql(
		grouped(f"""select patient, max(on_date) as on_date,
			substring_index(max(concat(on_date, '|', source)), '|', -1) as source
		from (
			select patient, encounter_date as on_date, concat('Patient Encounter ', name) as source
			from `tabPatient Encounter` where docstatus = 1 and patient in {patients}
			union all
			select patient, appointment_date, concat('Patient Appointment ', name)
			from `tabPatient Appointment` where status in %(attended)s and patient in {patients}
		) seen group by patient"""),
		{"attended": ATTENDED_APPOINTMENT},
		as_dict=True,
	)
	return {r.patient: DatedFact(getdate(r.on_date), None, r.source) for r in rows if r.on_date}


def latest_practitioners(patients: str) -> dict[str, str]:
	"""The practitioner of each patient's latest submitted encounter."""
	rows = frappe.db.sql(
		grouped(f"""select patient, substring_index(max(concat(encounter_date, '|', practitioner)), '|', -1)
		from `tabPatient Encounter` where docstatus = 1 and patient in {patients} group by patient"""),
		SUBQUERY_ONLY,
	)
	return dict(rows)


def gather(
	patients: str, today: date, discharge_days: int = 30, social_need_months: int = 12, people=None
) -> dict[str, PatientFacts]:
	"""Every fact the eligibility rules read, for every patient of the set
	(``people``: their patient_rows, when the caller has them already)."""
	people = patient_rows(patients) if people is None else people
	codes = diagnoses(patients)
	phq9 = latest_phq9(patients, today)
	discharges = untransitioned_discharges(patients, add_days(today, -discharge_days))
	needs = positive_social_needs(patients, add_months(today, -social_need_months))
	seen = last_seen(patients)
	return {
		p.patient: PatientFacts(
			patient=p.patient,
			age=age_on(getdate(p.dob) if p.dob else None, today),
			diagnoses=codes.get(p.patient, []),
			latest_phq9=phq9.get(p.patient),
			untransitioned_discharges=discharges.get(p.patient, []),
			positive_hrsn=needs.get(p.patient, []),
			last_seen=seen.get(p.patient),
		)
		for p in people
	}
