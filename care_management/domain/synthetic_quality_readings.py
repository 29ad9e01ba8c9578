"""Blood pressures and HbA1c results for the demo practice's hypertensive and
diabetic patients, one before enrollment and one or two after it, a little
better after (as care management hopes), so that the Care Quality Measures
report shows a believable before/after. Deterministic for a spec."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from care_management.domain.synthetic_practice import PracticeSpec

HYPERTENSION_CODE = "I10"
DIABETES_PREFIX = "E11"


def _has_code(patient: dict, test) -> bool:
	return any(test(code) for _template, _name, code in patient["conditions"])


def quality_readings(spec: PracticeSpec, patient_rows: list[dict], today: date) -> dict[str, list[dict]]:
	rng = random.Random(f"{spec.seed}-quality")
	pressures, hba1c = [], []
	for p in patient_rows:
		enrolled = p["enrolled_on"]
		before = enrolled - timedelta(days=rng.randint(20, 120))
		after = [enrolled + timedelta(days=rng.randint(20, 80))]
		if rng.random() < 0.5:
			after.append(after[0] + timedelta(days=rng.randint(30, 90)))
		after = [day for day in after if day < today]
		if _has_code(p, lambda code: code == HYPERTENSION_CODE):
			pressures.append(_pressure(p, before, rng, systolic=(132, 168), diastolic=(80, 102)))
			pressures.extend(_pressure(p, day, rng, systolic=(118, 152), diastolic=(70, 94)) for day in after)
		if _has_code(p, lambda code: code.startswith(DIABETES_PREFIX)):
			hba1c.append(_hba1c(p, before, rng, low=7.0, high=11.5))
			hba1c.extend(_hba1c(p, day, rng, low=6.4, high=10.2) for day in after)
	return {"blood_pressures": pressures, "hba1c": hba1c}


def _pressure(p: dict, day: date, rng: random.Random, systolic, diastolic) -> dict:
	return {
		"patient": p["id"],
		"at": datetime.combine(day, time(rng.randint(8, 16), rng.choice((0, 15, 30, 45)))),
		"systolic": rng.randint(*systolic),
		"diastolic": rng.randint(*diastolic),
	}


def _hba1c(p: dict, day: date, rng: random.Random, low: float, high: float) -> dict:
	return {
		"patient": p["id"],
		"on": day,
		"percent": round(rng.uniform(low, high), 1),
	}
