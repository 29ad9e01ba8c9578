"""The risk score run: every enrolled patient's score, suggested tier and the
factors that made it, from Healthcare's records in a fixed number of
statements (one per kind of fact, not one per patient), scored by the core.

The run never changes a patient's Risk Tier unless Care Management Settings
say so (Apply Suggested Risk Tier Automatically); a care manager accepts the
suggestion from the Patient or the worklist. Either way the change is written
with a Version, as a change made in the form would be.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import frappe
from frappe import _
from frappe.utils import add_months, getdate, now_datetime, today

from care_management.domain.access import access_scope
from care_management.domain.eligibility import age_on, categorise
from care_management.domain.hcc_risk import HccScore
from care_management.domain.hcc_risk import hcc_scores as score_hccs
from care_management.domain.risk_scoring import Measure, bands_configured, score, tier_for
from care_management.permissions import CASELOAD_ENROLLMENT_STATUSES, in_caseload
from care_management.population import facts
from care_management.population.rules import chronic_categories, risk_factors, score_bands

WRITE_CHUNK = 1000
NUMBER = r"^[[:space:]]*[0-9]+(\.[0-9]+)?[[:space:]]*$"


def enrolled_patients_sql() -> str:
	statuses = ", ".join(frappe.db.escape(s) for s in CASELOAD_ENROLLMENT_STATUSES)
	return f"(select patient from `tabCare Program Enrollment` where status in ({statuses}))"


def one_patient_sql(patient: str) -> str:
	return f"(select name from `tabPatient` where name = {frappe.db.escape(patient)})"


# --------------------------------------------------------------- measurements
def counts_in_windows(
	patients: str,
	table: str,
	date_column: str,
	where: str,
	windows: dict[str, date],
	params: dict | None = None,
) -> dict[str, dict[str, int]]:
	"""factor name -> patient -> count since the factor's window start, one statement."""
	if not windows:
		return {}
	names = list(windows)
	sums = ", ".join(f"sum({date_column} >= %(since_{i})s)" for i in range(len(names)))
	values = {**(params or {}), **{f"since_{i}": windows[name] for i, name in enumerate(names)}}
	values["earliest"] = min(windows.values())
	rows = frappe.db.sql(
		facts.grouped(f"""select patient, {sums} from `{table}`
		where patient in {patients} and {where} and {date_column} >= %(earliest)s group by patient"""),
		values,
	)
	found: dict[str, dict[str, int]] = {name: {} for name in names}
	for row in rows:
		for i, name in enumerate(names):
			found[name][row[0]] = int(row[i + 1] or 0)
	return found


def last_systolic(patients: str) -> dict[str, float]:
	"""One pass, grouped by patient: the systolic value of the latest reading."""
	rows = frappe.db.sql(
		facts.grouped(f"""select patient,
			substring_index(max(concat(signs_date, ' ', ifnull(signs_time, ''), '|', name, '|', trim(bp_systolic))), '|', -1)
		from `tabVital Signs` where docstatus = 1 and patient in {patients} and bp_systolic regexp %(number)s
		group by patient"""),
		{"number": NUMBER},
	)
	return {patient: float(value) for patient, value in rows}


def last_lab_result(patients: str, name_contains: str) -> dict[str, float]:
	"""The latest numeric result whose row or test name contains the text, from submitted Lab Tests."""
	rows = frappe.db.sql(
		facts.grouped(f"""select patient, substring_index(max(concat(on_date, '|', result_value)), '|', -1)
		from (
			select t.patient, concat(coalesce(t.result_date, t.date), ' ', t.name) as on_date, r.result_value
			from `tabLab Test` t
			join `tabNormal Test Result` r on r.parent = t.name and r.parenttype = 'Lab Test'
			where t.docstatus = 1 and t.patient in {patients}
				and (r.lab_test_name like %(name)s or t.lab_test_name like %(name)s)
				and r.result_value regexp %(number)s
		) results group by patient"""),
		{"name": f"%{name_contains}%", "number": NUMBER},
	)
	return {patient: float(value) for patient, value in rows}


def patients_without_caregiver(patients: str) -> set[str]:
	return set(
		frappe.db.sql_list(
			f"""select cp.patient from `tabCare Plan` cp
			where cp.status != 'Closed' and cp.patient in {patients}
				and not exists (select 1 from `tabCare Plan Caregiver` c
					where c.parent = cp.name and c.parenttype = 'Care Plan')""",
			facts.SUBQUERY_ONLY,
		)
	)


def measure_all(
	patients: str, factors: list, on: date
) -> tuple[list[dict], dict[str, dict[str, float | None]], dict[str, HccScore]]:
	"""The patients, for each one what every factor measured, and their CMS-HCC scores
	(computed for everyone, weighed only by a CMS-HCC Score factor)."""
	people = facts.patient_rows(patients)
	by_measure = defaultdict(list)
	for factor in factors:
		by_measure[factor.core.measure].append(factor)

	def since(factor) -> date:
		return getdate(add_months(on, -(factor.months or 0)))

	measured: dict[str, dict[str, float]] = {}  # factor name -> patient -> value
	measured.update(
		counts_in_windows(
			patients, "tabInpatient Record", "date(admitted_datetime)",
			"status not in ('Cancelled', 'Admission Scheduled') and admitted_datetime is not null",
			{f.name: since(f) for f in by_measure[Measure.ADMISSIONS]},
		)
	)  # fmt: skip
	for factor in by_measure[Measure.ED_VISITS]:
		measured.update(
			counts_in_windows(
				patients, "tabPatient Encounter", "encounter_date",
				"docstatus = 1 and medical_department = %(department)s",
				{factor.name: since(factor)}, {"department": factor.medical_department},
			)
		)  # fmt: skip
	measured.update(
		counts_in_windows(
			patients, "tabPatient Appointment", "appointment_date", "status = 'No Show'",
			{f.name: since(f) for f in by_measure[Measure.MISSED_APPOINTMENTS]},
		)
	)  # fmt: skip
	if by_measure[Measure.POSITIVE_HRSN_DOMAINS]:
		earliest = min(since(f) for f in by_measure[Measure.POSITIVE_HRSN_DOMAINS])
		screenings = facts.positive_social_needs(patients, earliest)
		for factor in by_measure[Measure.POSITIVE_HRSN_DOMAINS]:
			start = since(factor)
			measured[factor.name] = {
				patient: len(
					{d.strip() for s in found if s.on >= start for d in s.detail.split(",") if d.strip()}
				)
				for patient, found in screenings.items()
			}
	diagnoses = facts.diagnoses(patients)
	if by_measure[Measure.CHRONIC_CATEGORIES]:
		categories, memo = chronic_categories(), {}
		counts = {
			patient: sum(1 for m in categorise(codes, categories, memo) if m.category.lasts_12_months)
			for patient, codes in diagnoses.items()
		}
		for factor in by_measure[Measure.CHRONIC_CATEGORIES]:
			measured[factor.name] = counts
	if by_measure[Measure.PHQ9]:
		phq9 = {patient: fact.value for patient, fact in facts.latest_phq9(patients, on).items()}
		for factor in by_measure[Measure.PHQ9]:
			measured[factor.name] = phq9
	if by_measure[Measure.LAST_SYSTOLIC_BP]:
		systolic = last_systolic(patients)
		for factor in by_measure[Measure.LAST_SYSTOLIC_BP]:
			measured[factor.name] = systolic
	for text in {(f.lab_test_name or "").strip() for f in by_measure[Measure.LAST_HBA1C]}:
		results = last_lab_result(patients, text)
		for factor in by_measure[Measure.LAST_HBA1C]:
			if (factor.lab_test_name or "").strip() == text:
				measured[factor.name] = results
	if by_measure[Measure.NO_CAREGIVER]:
		alone = dict.fromkeys(patients_without_caregiver(patients), 1)
		for factor in by_measure[Measure.NO_CAREGIVER]:
			measured[factor.name] = alone

	hcc = hcc_scores(people, diagnoses, on)

	values: dict[str, dict[str, float | None]] = {}
	counted = counted_names(factors)
	for person in people:
		mine = {
			name: found.get(person.patient, 0 if name in counted else None)
			for name, found in measured.items()
		}
		for factor in by_measure[Measure.AGE]:
			mine[factor.name] = age_on(getdate(person.dob) if person.dob else None, on)
		for factor in by_measure[Measure.LIVES_ALONE]:
			mine[factor.name] = 1 if person.lives_alone else 0
		for factor in by_measure[Measure.CMS_HCC_SCORE]:
			found = hcc.get(person.patient)
			mine[factor.name] = found.score if found else None
		values[person.patient] = mine
	return people, values, hcc


def hcc_scores(people: list, diagnoses: dict, on: date) -> dict[str, HccScore]:
	"""Each patient's CMS-HCC V28 community score from the diagnoses (encounters' codings
	and care plan conditions, facts.diagnoses) recorded in the 12 months up to ``on``;
	none without a birth date or sex."""
	since = getdate(add_months(on, -12))
	return score_hccs(
		(
			person.patient,
			[d.code for d in diagnoses.get(person.patient, ()) if d.last_date and since <= d.last_date <= on],
			age_on(getdate(person.dob), on) if person.dob else None,
			person.sex,
		)
		for person in people
	)


def counted_names(factors) -> set[str]:
	"""Counts are zero when nothing was found; a missing measurement is unknown."""
	counted = {Measure.ADMISSIONS, Measure.ED_VISITS, Measure.MISSED_APPOINTMENTS, Measure.POSITIVE_HRSN_DOMAINS,
			   Measure.CHRONIC_CATEGORIES}  # fmt: skip
	return {f.name for f in factors if f.core.measure in counted}


# ---------------------------------------------------------------------- run
def run(patients: str | None = None, on: date | None = None) -> dict:
	"""Score the patients (default: everyone with an enrollment in force or
	pending) and store the result. Returns counts."""
	on = getdate(on or today())
	patients = patients or enrolled_patients_sql()
	factors = risk_factors()
	bands = score_bands()
	people, values, hcc = measure_all(patients, factors, on)
	cores = [f.core for f in factors]
	results = []
	for person in people:
		result = score(cores, values[person.patient])
		suggested = tier_for(result.points, bands) if bands_configured(bands) else None
		results.append((person, result.points, suggested, result.explanation, hcc.get(person.patient)))
	store(results)
	applied = 0
	if frappe.db.get_single_value("Care Management Settings", "apply_suggested_tier"):
		changes = [
			(p.patient, p.care_risk_tier, tier)
			for p, _pts, tier, _why, _hcc in results
			if tier and tier != p.care_risk_tier
		]
		change_tiers(changes)
		applied = len(changes)
	return {"scored": len(results), "tiers_applied": applied}


def store(results) -> None:
	"""Write score, suggestion, explanation and the CMS-HCC score with its HCCs and
	segment, in chunks of one statement each. A patient the model cannot score (no
	birth date or sex) gets no segment and no HCCs, and a score of 0 (Frappe's Float
	columns are never null), which the reports show as empty: not a stale score."""
	stamp = now_datetime()
	for start in range(0, len(results), WRITE_CHUNK):
		chunk = results[start : start + WRITE_CHUNK]
		selects, params = [], {"stamp": stamp}
		for i, (person, points, suggested, why, hcc) in enumerate(chunk):
			selects.append(
				f"select %(p{i})s as name, %(s{i})s as score, %(t{i})s as tier, %(w{i})s as why,"
				f" %(h{i})s as hcc_score, %(l{i})s as hccs, %(g{i})s as segment"
			)
			params.update(
				{
					f"p{i}": person.patient,
					f"s{i}": points,
					f"t{i}": suggested,
					f"w{i}": why or None,
					f"h{i}": hcc.score if hcc else 0,
					f"l{i}": (hcc.explanation() or None) if hcc else None,
					f"g{i}": hcc.segment if hcc else None,
				}
			)
		frappe.db.sql(
			f"""update `tabPatient` p join ({" union all ".join(selects)}) v on v.name = p.name
			set p.care_risk_score = v.score, p.suggested_risk_tier = v.tier, p.risk_score_factors = v.why,
				p.cms_hcc_score = v.hcc_score, p.cms_hccs = v.hccs, p.cms_hcc_segment = v.segment,
				p.risk_scored_on = %(stamp)s""",
			params,
		)


def change_tiers(changes: list[tuple[str, str | None, str]]) -> None:
	"""Set Risk Tier and record each change as a Version of the Patient."""
	if not changes:
		return
	now, user = now_datetime(), frappe.session.user
	by_tier = defaultdict(list)
	for patient, _old, new in changes:
		by_tier[new].append(patient)
	for tier, patients in by_tier.items():
		frappe.db.sql(
			"update `tabPatient` set care_risk_tier = %(tier)s, modified = %(now)s, modified_by = %(user)s where name in %(p)s",
			{"tier": tier, "now": now, "user": user, "p": patients},
		)
	fields = [
		"name",
		"ref_doctype",
		"docname",
		"data",
		"owner",
		"modified_by",
		"creation",
		"modified",
		"docstatus",
	]
	rows = [
		[
			frappe.generate_hash(length=12), "Patient", patient,
			json.dumps({"changed": [["care_risk_tier", old or "", new]], "added": [], "removed": [], "row_changed": []}),
			user, user, now, now, 0,
		]
		for patient, old, new in changes
	]  # fmt: skip
	frappe.db.bulk_insert("Version", fields, rows)


# The Patient fields only the run writes (store), with what a new patient has.
RUN_FIELDS = {
	"care_risk_score": 0,
	"suggested_risk_tier": None,
	"risk_score_factors": None,
	"risk_scored_on": None,
	"cms_hcc_score": 0,
	"cms_hccs": None,
	"cms_hcc_segment": None,
}


def keep_what_the_run_wrote(doc, method=None) -> None:
	"""Patient validate (hooks.py): a form or the REST API cannot set a score; the
	values the run stored stay (Frappe does not enforce read_only on the server)."""
	before = None if doc.is_new() else doc.get_doc_before_save()
	for field, empty in RUN_FIELDS.items():
		doc.set(field, before.get(field) if before else empty)


# ------------------------------------------------------------ entry points
def score_on_schedule() -> None:
	"""Daily (hooks.py)."""
	run()


@frappe.whitelist()
def compute_now(patient: str | None = None) -> dict | None:
	"""The button: one patient at once (Patient form), everyone in the background (Settings)."""
	if patient:
		check_may_change(patient)
		return run(one_patient_sql(patient))
	check_may_score_everyone()
	from care_management import job_runs

	run_name = job_runs.start("Risk Scores", {}, key="everyone")
	return job_runs.started_message(run_name, "Risk Scores")


def check_may_score_everyone(**_arguments) -> None:
	if not access_scope(frappe.get_roles()).all_patients:
		frappe.throw(
			_("Only a Care Management Supervisor recomputes everyone's risk score."), frappe.PermissionError
		)


def run_risk_scores(progress) -> None:
	"""The background run of everyone's scores: set-based, so one step; run again, it scores again."""
	counts = run()
	progress.set_total(counts["scored"])
	progress.step(counts["scored"])
	progress.summary = _("{0} patients scored; {1} risk tiers changed.").format(
		counts["scored"], counts["tiers_applied"]
	)


def check_may_change(patient: str) -> None:
	user = frappe.session.user
	scope = access_scope(frappe.get_roles(user))
	if scope.all_patients or (scope.own_caseload and in_caseload(patient, user)):
		return
	frappe.throw(
		_(
			"{0} is not in your caseload. Ask a Care Management Supervisor to assign the patient to you."
		).format(frappe.bold(frappe.utils.escape_html(patient))),
		frappe.PermissionError,
		title=_("Not in Your Caseload"),
	)


@frappe.whitelist()
def accept_suggested_tier(patients) -> dict:
	"""Set each patient's Risk Tier to the suggested one (from the Patient form or the worklist)."""
	if isinstance(patients, str):
		patients = json.loads(patients) if patients.startswith("[") else [patients]
	if not patients:
		frappe.throw(_("Choose at least one patient whose suggested tier to accept."))
	for patient in patients:
		check_may_change(patient)
	rows = frappe.get_all(
		"Patient",
		filters={"name": ("in", patients)},
		fields=["name", "care_risk_tier", "suggested_risk_tier"],
	)
	changes = [(r.name, r.care_risk_tier, r.suggested_risk_tier) for r in rows
			   if r.suggested_risk_tier and r.suggested_risk_tier != r.care_risk_tier]  # fmt: skip
	without = sorted(r.name for r in rows if not r.suggested_risk_tier)
	change_tiers(changes)
	return {"changed": [c[0] for c in changes], "without_suggestion": without}
