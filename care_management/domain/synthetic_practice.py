"""A believable synthetic practice, as plain rows: for the demo site and the
benchmark. Deterministic for a seed; no Frappe, no database.

The shape follows what care managers report: caseloads of up to a few hundred
patients, two to four contacts a month per enrolled patient, most contacts
reaching the patient, a fifth going to voicemail, and a care manager's day
filled with back-to-back calls that never overlap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

FIRST_NAMES = [
	"Rosa", "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Maria",
	"Luis", "Mei", "Ahmed", "Fatima", "Olga", "Kwame", "Aiko", "Hector", "Grace", "Samuel", "Ruth", "Walter",
]  # fmt: skip
LAST_NAMES = [
	"Alvarez", "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
	"Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Lee",
	"Nguyen", "Patel", "Kim", "Okafor", "Cohen", "Rossi", "Novak", "Haddad", "Silva", "Yamamoto",
]  # fmt: skip
CONDITIONS = [
	("Type 2 Diabetes", "Type 2 diabetes mellitus", "E11.9"),
	("Hypertension", "Essential (primary) hypertension", "I10"),
	("Heart Failure", "Heart failure, unspecified", "I50.9"),
	("COPD", "Chronic obstructive pulmonary disease, unspecified", "J44.9"),
	("Chronic Kidney Disease", "Chronic kidney disease, unspecified", "N18.9"),
	("Depression", "Depression, unspecified", "F32.A"),
]
TIERS = [("High", 0.2), ("Medium", 0.45), ("Low", 0.35)]
OUTCOMES = [
	("Reached", 0.6),
	("Left Voicemail", 0.2),
	("No Answer", 0.12),
	("Wrong Number", 0.02),
	("Declined", 0.01),
	("Not Applicable", 0.05),
]
ACTIVITY_BY_OUTCOME = {"Not Applicable": ["Chart Review", "Care Coordination", "Medication Review"]}
CONTACT_ACTIVITIES = [
	"Phone Call",
	"Phone Call",
	"Phone Call",
	"Video Visit",
	"Secure Message",
	"Caregiver Contact",
]
DAY_START, DAY_END = 8, 17


@dataclass(frozen=True)
class PracticeSpec:
	patients: int = 60
	care_managers: int = 3
	months: int = 3
	last_month: date = date(2026, 10, 1)  # the most recent full month generated
	# When set, the month after last_month is generated too, up to the day before
	# this one (the demo runs up to today, so this month's numbers are not empty).
	through: date | None = None
	logs_per_patient_month: float = 3.0
	seed: int = 7
	prefix: str = "CM-DEMO"


def _weighted(rng: random.Random, pairs):
	return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _months(spec: PracticeSpec) -> list[date]:
	months = []
	year, month = spec.last_month.year, spec.last_month.month
	for _ in range(spec.months):
		months.append(date(year, month, 1))
		year, month = (year, month - 1) if month > 1 else (year - 1, 12)
	return sorted(months)


def _working_days(month: date, before: date | None = None) -> list[date]:
	day, days = month, []
	while day.month == month.month and (before is None or day < before):
		if day.weekday() < 5:
			days.append(day)
		day += timedelta(days=1)
	return days


def _partial_month(spec: PracticeSpec) -> date | None:
	"""The month in progress, when ``through`` reaches into it."""
	if not spec.through:
		return None
	following = date(spec.last_month.year + spec.last_month.month // 12, spec.last_month.month % 12 + 1, 1)
	return following if spec.through > following else None


def care_managers(spec: PracticeSpec) -> list[dict]:
	return [
		{
			"email": f"{spec.prefix.lower()}-cm{i + 1}@example.org",
			"first_name": f"{FIRST_NAMES[(i * 7) % len(FIRST_NAMES)]}",
			"last_name": "Care",
		}
		for i in range(spec.care_managers)
	]


def practitioners(spec: PracticeSpec) -> list[dict]:
	count = max(1, spec.care_managers // 2 + 1)
	return [
		{
			"id": f"{spec.prefix}-PRAC-{i + 1:03d}",
			"first_name": FIRST_NAMES[(i * 5 + 3) % len(FIRST_NAMES)],
			"last_name": f"{LAST_NAMES[(i * 3) % len(LAST_NAMES)]}, MD",
		}
		for i in range(count)
	]


def patients(spec: PracticeSpec) -> list[dict]:
	rng = random.Random(spec.seed)
	managers = care_managers(spec)
	doctors = practitioners(spec)
	first_month = _months(spec)[0]
	rows = []
	for i in range(spec.patients):
		first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
		conditions = rng.sample(CONDITIONS, k=_weighted(rng, [(1, 0.15), (2, 0.5), (3, 0.3), (4, 0.05)]))
		programs = ["CCM"] if len(conditions) >= 2 else ["PCM"]
		if rng.random() < 0.25:
			programs.append("RPM")
		if any(c[0] == "Depression" for c in conditions) and rng.random() < 0.5:
			programs.append("BHI")
		start = first_month - timedelta(days=rng.randint(0, 300))
		rows.append(
			{
				"id": f"{spec.prefix}-{i + 1:06d}",
				"first_name": first,
				"last_name": last,
				"sex": rng.choice(["Female", "Male"]),
				"dob": date(1935 + rng.randint(0, 35), rng.randint(1, 12), rng.randint(1, 28)),
				"care_manager": managers[i % len(managers)]["email"],
				"practitioner": doctors[i % len(doctors)]["id"],
				"risk_tier": _weighted(rng, TIERS),
				"conditions": conditions,
				"programs": programs,
				"enrolled_on": start,
				"qmb": rng.random() < 0.1,
			}
		)
	return rows


def outreach_logs(spec: PracticeSpec, patient_rows: list[dict]) -> list[dict]:
	"""Logs for every month, scheduled back to back per care manager so none overlap."""
	rng = random.Random(spec.seed + 1)
	by_manager: dict[str, list[dict]] = {}
	for patient in patient_rows:
		by_manager.setdefault(patient["care_manager"], []).append(patient)
	logs = []
	partial = _partial_month(spec)
	for month in _months(spec) + ([partial] if partial else []):
		days = _working_days(month, before=spec.through if month == partial else None)
		if not days:
			continue
		# The month in progress has the share of a month's work its elapsed working days make.
		share = len(days) / len(_working_days(month))
		for manager, caseload in by_manager.items():
			work = []
			for patient in caseload:
				count = max(0, round(rng.gauss(spec.logs_per_patient_month * share, 1.0 * share)))
				work.extend([patient] * count)
			rng.shuffle(work)
			# Spread the month's work evenly over its working days, back to back within a day.
			per_day = max(1, -(-len(work) // len(days)))
			for index, patient in enumerate(work):
				day = days[min(index // per_day, len(days) - 1)]
				if index % per_day == 0:
					cursor = datetime.combine(day, datetime.min.time()) + timedelta(hours=DAY_START)
				outcome = _weighted(rng, OUTCOMES)
				if outcome == "Reached":
					minutes = max(3, min(60, round(rng.gauss(12, 6))))
				elif outcome == "Not Applicable":
					minutes = rng.randint(5, 20)
				else:
					minutes = rng.randint(1, 3)
				activity = rng.choice(ACTIVITY_BY_OUTCOME.get(outcome, CONTACT_ACTIVITIES))
				program = patient["programs"][0] if rng.random() < 0.8 else rng.choice(patient["programs"])
				logs.append(
					{
						"patient": patient["id"],
						"performed_by": manager,
						"program": program,
						"activity_type": activity,
						"start": cursor,
						"end": cursor + timedelta(minutes=minutes),
						"duration_minutes": minutes,
						"outcome": outcome,
						"interactive": 1
						if outcome == "Reached" and activity in ("Phone Call", "Video Visit")
						else 0,
						"contacted_party": "None" if outcome == "Not Applicable" else "Patient",
					}
				)
				cursor += timedelta(minutes=minutes + rng.randint(1, 4))
	return logs


# ------------------------------------------------- clinical records (Healthcare)
@dataclass(frozen=True)
class ClinicalSpec:
	"""How much of Healthcare's own record a synthetic practice has: visits
	with their diagnoses, vital signs at each visit, HbA1c for diabetics, and
	admissions (more among high-risk patients)."""

	encounters_per_patient: int = 3
	today: date = date(2026, 12, 1)
	seed: int = 11


def clinical_records(
	spec: PracticeSpec, clinical: ClinicalSpec, patient_rows: list[dict]
) -> dict[str, list[dict]]:
	"""encounters (each with its ICD-10-CM codes), vitals, hba1c and admissions, as plain rows."""
	rng = random.Random(clinical.seed + spec.seed)
	encounters, vitals, hba1c, admissions = [], [], [], []
	for patient in patient_rows:
		codes = [code for _template, _name, code in patient["conditions"]]
		hypertensive = "I10" in codes
		diabetic = "E11.9" in codes
		for n in range(clinical.encounters_per_patient):
			on = clinical.today - timedelta(days=rng.randint(1, 360))
			# The first visit records every condition; later ones what was addressed.
			visit_codes = codes if n == 0 else rng.sample(codes, k=rng.randint(1, len(codes)))
			encounters.append(
				{
					"patient": patient["id"],
					"practitioner": patient["practitioner"],
					"on": on,
					"codes": visit_codes,
				}
			)
			systolic = round(rng.gauss(148 if hypertensive else 126, 14))
			vitals.append(
				{
					"patient": patient["id"],
					"on": on,
					"systolic": systolic,
					"diastolic": max(50, round(systolic * 0.62 + rng.gauss(0, 6))),
				}
			)
			if diabetic and n % 2 == 0:
				hba1c.append(
					{"patient": patient["id"], "on": on, "value": round(max(5.2, rng.gauss(8.0, 1.4)), 1)}
				)
		stays = rng.choices(
			[0, 1, 2], weights=[50, 35, 15] if patient["risk_tier"] == "High" else [90, 9, 1]
		)[0]
		for _ in range(stays):
			days_back = rng.randint(5, 300)
			admitted = datetime.combine(clinical.today - timedelta(days=days_back), datetime.min.time())
			admitted += timedelta(hours=rng.randint(0, 23))
			stay = timedelta(days=min(rng.randint(1, 6), days_back - 1))  # discharged before today
			admissions.append({"patient": patient["id"], "admitted": admitted, "discharged": admitted + stay})
	return {"encounters": encounters, "vitals": vitals, "hba1c": hba1c, "admissions": admissions}
