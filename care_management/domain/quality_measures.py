"""Care quality measures, simplified from the CMS electronic clinical quality
measures and stated here in full, so that the report says exactly what it
counts. The measurement period is the 12 months ending with the chosen month
(CMS uses the calendar year); "before enrollment" is the 12 months before the
enrollment started.

Not modelled (a practice reporting to CMS must use certified eCQM logic):
exclusions (hospice, palliative care, pregnancy, ESRD, frailty and advanced
illness, long-term care), the requirement of an outpatient visit in the period,
and value sets: diagnoses come from the Chronic Condition Categories named below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Measure:
	key: str
	title: str
	definition: str
	lower_is_better: bool = False


BP_CONTROL = Measure(
	"bp_control",
	"Controlling High Blood Pressure (CMS165, simplified)",
	"Denominator: patients aged 18-85 at the end of the period with a diagnosis in the Hypertension "
	"category. Numerator: the last blood pressure in the period (Vital Signs) is below 140/90 "
	"(systolic < 140 and diastolic < 90). No reading in the period: not controlled.",
)
HBA1C_POOR = Measure(
	"hba1c_poor",
	"Diabetes: HbA1c Poor Control > 9% (CMS122, simplified)",
	"Denominator: patients aged 18-75 at the end of the period with a diagnosis in the Diabetes category. "
	"Numerator: the last HbA1c in the period (Lab Test result) is above 9.0 %, or there is none. "
	"A lower rate is better.",
	lower_is_better=True,
)
DEPRESSION_REMISSION = Measure(
	"depression_remission",
	"Depression Remission at 12 Months (CMS159, simplified)",
	"Denominator: patients aged 12 or more with an index PHQ-9 above 9 dated 10 to 14 months before the "
	"end of the period (the first such score). Numerator: a PHQ-9 below 5 dated 10 to 14 months after "
	"the index (the last one in that window).",
)
DISCHARGE_FOLLOW_UP = Measure(
	"discharge_follow_up",
	"Follow-Up Within 7 Days of Discharge",
	"Denominator: discharges (Inpatient Records) in the chosen month. Numerator: the patient had a "
	"submitted Patient Encounter, or a reached interactive Outreach Log, within 7 days after the "
	"discharge day (days 1 to 7).",
)
MEASURES = (BP_CONTROL, HBA1C_POOR, DEPRESSION_REMISSION, DISCHARGE_FOLLOW_UP)

BP_AGES, HBA1C_AGES, PHQ9_MIN_AGE = (18, 85), (18, 75), 12
FOLLOW_UP_DAYS = 7


@dataclass(frozen=True)
class Reading:
	on: date
	value: float
	second: float | None = None  # diastolic, for blood pressure
	source: str = ""


def last_in(readings: list[Reading], start: date, end: date) -> Reading | None:
	inside = [r for r in readings if start <= r.on <= end]
	return max(inside, key=lambda r: (r.on, r.source)) if inside else None


def bp_controlled(reading: Reading | None) -> bool:
	return bool(reading and reading.second is not None and reading.value < 140 and reading.second < 90)


def hba1c_poor(reading: Reading | None) -> bool:
	return reading is None or reading.value > 9.0


def in_age(age: int | None, ages: tuple[int, int]) -> bool:
	return age is not None and ages[0] <= age <= ages[1]


def months_before(day: date, months: int) -> date:
	year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
	month += 1
	from calendar import monthrange

	return date(year, month, min(day.day, monthrange(year, month)[1]))


def depression_index(phq9: list[Reading], period_end: date) -> Reading | None:
	"""The first PHQ-9 above 9 dated 10 to 14 months before the end of the period."""
	start, end = months_before(period_end, 14), months_before(period_end, 10)
	found = sorted((r for r in phq9 if start <= r.on <= end and r.value > 9), key=lambda r: (r.on, r.source))
	return found[0] if found else None


def in_remission(index: Reading, phq9: list[Reading]) -> Reading | None:
	"""The last PHQ-9 10 to 14 months after the index, when it is below 5."""
	start, end = months_before(index.on, -10), months_before(index.on, -14)
	last = last_in(phq9, start, end)
	return last if last and last.value < 5 else None


def followed_up(discharged: date, contacts: list[date]) -> date | None:
	"""The first contact on days 1 to 7 after the discharge day."""
	inside = sorted(d for d in contacts if discharged < d <= discharged + timedelta(days=FOLLOW_UP_DAYS))
	return inside[0] if inside else None


def rate(numerator: int, denominator: int) -> float | None:
	return round(100.0 * numerator / denominator, 1) if denominator else None
