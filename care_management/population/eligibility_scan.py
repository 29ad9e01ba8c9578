"""Who qualifies for which program and is not in it yet: the facts of every
patient in view (population/facts.py, set-based), judged by the core against
the programs' criteria and the chronic condition categories."""

from __future__ import annotations

from datetime import date

import frappe
from frappe.utils import getdate, today

from care_management.domain.access import access_scope
from care_management.domain.eligibility import Criterion, categorise, evaluate
from care_management.domain.program_offers import Candidate, offers
from care_management.permissions import (
	CASELOAD_ENROLLMENT_STATUSES,
	caseload_patients_sql,
	practitioners_sql,
)
from care_management.population import facts
from care_management.population.program_offers import catalogue, offer_text
from care_management.population.rules import chronic_categories, program_rules


def patients_in_view(user: str, care_manager: str | None = None) -> str:
	"""Active patients the user may see (the caseload rule of permissions.py),
	narrowed to one care manager's caseload when asked."""
	scope = access_scope(frappe.get_roles(user))
	conditions = ["status = 'Active'"]
	if not scope.all_patients:
		ors = []
		if scope.own_caseload:
			ors.append(f"name in {caseload_patients_sql(user)}")
		if scope.as_practitioner:
			mine = practitioners_sql(user)
			ors.append(
				f"name in (select patient from `tabPatient Encounter` where docstatus = 1 and practitioner in {mine}"
				f" union select patient from `tabCare Plan` where supervising_practitioner in {mine})"
			)
		conditions.append("(" + " or ".join(ors) + ")" if ors else "1=0")
	if care_manager:
		conditions.append(f"name in {caseload_patients_sql(care_manager)}")
	return f"(select name from `tabPatient` where {' and '.join(conditions)})"


def enrolled_programs(patients: str, on: date) -> dict[str, set[str]]:
	"""Programs each patient is already in or pending for (an ended enrollment
	counts until its end date)."""
	rows = frappe.db.sql(
		f"""select patient, program from `tabCare Program Enrollment`
		where patient in {patients}
			and (status in %(statuses)s or (status = 'Ended' and end_date >= %(on)s))""",
		{"statuses": CASELOAD_ENROLLMENT_STATUSES, "on": on},
	)
	found: dict[str, set[str]] = {}
	for patient, program in rows:
		found.setdefault(patient, set()).add(program)
	return found


def longest(rules: dict, criterion: Criterion, default: int) -> int:
	values = [int(r.value or 0) for program in rules.values() for r in program if r.criterion is criterion]
	return max(values, default=default)


def scan(
	user: str,
	program: str | None = None,
	practitioner: str | None = None,
	care_manager: str | None = None,
	on: date | None = None,
) -> list[frappe._dict]:
	"""One row per patient and program they qualify for and are not in, each an
	addition or a switch (program_offers) and marked when it belongs to the patient's
	best-paying combination; ``program`` narrows the rows, not the combination."""
	on = getdate(on or today())
	rules = program_rules()
	if not rules or (program and program not in rules):
		return []
	patients = patients_in_view(user, care_manager)
	people = {p.patient: p for p in facts.patient_rows(patients)}
	gathered = facts.gather(
		patients,
		on,
		discharge_days=longest(rules, Criterion.DISCHARGE_WITHIN_DAYS, 30),
		social_need_months=longest(rules, Criterion.POSITIVE_HRSN_WITHIN_MONTHS, 12),
		people=list(people.values()),
	)
	enrolled = enrolled_programs(patients, on)
	practitioners = facts.latest_practitioners(patients)
	categories = chronic_categories()
	billing = catalogue(on)
	memo: dict = {}
	offer_memo: dict = {}
	rows = []
	for patient, patient_facts in gathered.items():
		if practitioner and practitioners.get(patient) != practitioner:
			continue
		matches = categorise(patient_facts.diagnoses, categories, memo)
		current = tuple(sorted(enrolled.get(patient, ())))
		qualifying = {}
		for name, program_rule in rules.items():
			if name in current:
				continue
			result = evaluate(program_rule, patient_facts, matches, on)
			if result.qualifies:
				qualifying[name] = result
		if not qualifying:
			continue
		person = people[patient]
		key = (current, tuple(qualifying), bool(person.qualified_medicare_beneficiary), len(matches))
		if key not in offer_memo:
			found, best = offers(Candidate(*key), billing)
			offer_memo[key] = ([(offer, offer_text(offer)) for offer in found], best)
		found, best = offer_memo[key]
		for offer, text in found:
			if program and offer.program != program:
				continue
			rows.append(
				frappe._dict(
					patient=patient,
					patient_name=person.patient_name,
					program=offer.program,
					offer=text,
					replaces=", ".join(offer.replaces),
					monthly_difference=offer.monthly_difference,
					best=1 if offer.best else 0,
					best_combination=" + ".join(best),
					evidence="\n".join(qualifying[offer.program].evidence),
					categories=", ".join(m.category.name for m in matches),
					practitioner=practitioners.get(patient),
					care_manager=person.care_manager,
					risk_tier=person.care_risk_tier,
					risk_score=person.care_risk_score,
					hcc_score=person.cms_hcc_score,
					hccs=person.cms_hccs,
					enrolled_in=", ".join(current),
				)
			)
	rows.sort(key=lambda r: (-(r.risk_score or 0), r.patient_name or "", r.program))
	return rows
