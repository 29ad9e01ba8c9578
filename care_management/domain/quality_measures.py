"""Care quality measures: four electronic clinical quality measures (eCQMs),
simplified so that they run on what a Frappe Health practice records.

Each measure is data (a ``Measure``): which eCQM it simplifies, the ICD-10-CM
codes that put a patient in its denominator or exclude them, its age range and
thresholds. ``evaluate`` turns one patient's plain facts (diagnoses, blood
pressures, HbA1c results, PHQ-9 scores, discharges, follow-up contacts) and a
measurement window into ``Case``s: in the denominator or not, in the
numerator or not, excluded or not, and the reason, with the record that
decided it.

The code sets are the ICD-10-CM part of the value sets (NLM VSAC, by OID
below) that the CMS eCQMs CMS165, CMS122 and CMS159 use, cut down to code
prefixes. They are the measures' own value sets, not the CMS Chronic
Conditions Warehouse groups the eligibility finder uses, so a practice that
edits its chronic condition categories does not change its quality results.

What is simplified, for every measure: no SNOMED CT or CPT value sets (the
practice's diagnoses are ICD-10-CM on encounters and care plans); no hospice,
frailty-and-advanced-illness or nursing-home exclusions (not recorded in
Frappe Health), except palliative care coded Z51.5; no qualifying visit in
the period is required; a diagnosis on record by the period's end counts,
whether or not it "overlaps" the period.

Before and after enrollment: ``before_enrollment`` is a window as long as the
reporting period, ending the day before the patient's enrollment start;
``after_enrollment`` is the reporting period from the enrollment start on. A
diagnosis on record by the end of the reporting period puts the patient in
both (``measure_cases``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from care_management.domain.icd10 import normalise_icd10

# The record a fact comes from: (doctype, name).
Source = tuple[str, ...]

# --- Facts, as the report gathers them for each patient (plain values)


@dataclass(frozen=True)
class Diagnosis:
	code: str
	on: date
	source: Source = ()


@dataclass(frozen=True)
class BloodPressure:
	at: datetime
	systolic: float
	diastolic: float
	source: Source = ()


@dataclass(frozen=True)
class LabResult:
	"""An HbA1c result already converted to percent (NGSP)."""

	at: datetime
	percent: float
	source: Source = ()


@dataclass(frozen=True)
class Score:
	on: date
	score: int
	source: Source = ()


@dataclass(frozen=True)
class Event:
	"""A discharge, an admission, or a follow-up contact (``kind`` says which contact)."""

	on: date
	source: Source = ()
	kind: str = ""  # a follow-up's doctype


@dataclass(frozen=True)
class PatientFacts:
	patient: str
	birth_date: date | None = None
	diagnoses: tuple[Diagnosis, ...] = ()
	blood_pressures: tuple[BloodPressure, ...] = ()
	hba1c: tuple[LabResult, ...] = ()
	phq9: tuple[Score, ...] = ()
	discharges: tuple[Event, ...] = ()
	admissions: tuple[Event, ...] = ()
	follow_ups: tuple[Event, ...] = ()
	enrollment_start: date | None = None


# --- Code sets


@dataclass(frozen=True)
class CodeSet:
	"""ICD-10-CM code prefixes (E11 matches E11, E11.9 and E119)."""

	name: str
	prefixes: tuple[str, ...]
	# False: a code recorded at any time before the window's end counts
	# (end-stage renal disease); True: only one recorded in the window (pregnancy).
	in_window_only: bool = False

	def matches(self, code: str) -> bool:
		bare = normalise_icd10(code).replace(".", "")
		return any(bare.startswith(prefix.replace(".", "")) for prefix in self.prefixes)


# CMS165 "Essential Hypertension" (2.16.840.1.113883.3.464.1003.104.12.1011): ICD-10-CM I10 only;
# hypertensive heart or kidney disease (I11-I16) is not in the eCQM's value set.
ESSENTIAL_HYPERTENSION = CodeSet("Essential Hypertension", ("I10",))
# CMS122 "Diabetes" (2.16.840.1.113883.3.464.1003.103.12.1001): type 1, type 2, other specified,
# and pre-existing diabetes in pregnancy; not gestational diabetes (O24.4).
DIABETES = CodeSet("Diabetes", ("E10", "E11", "E13", "O24.0", "O24.1", "O24.3", "O24.8"))
# CMS159 "Major Depression Including Remission" (2.16.840.1.113883.3.67.1.101.3.2444) and
# "Dysthymia" (2.16.840.1.113883.3.67.1.101.1.254).
DEPRESSION = CodeSet(
	"Major Depression or Dysthymia",
	("F32.0", "F32.1", "F32.2", "F32.3", "F32.4", "F32.5", "F32.9", "F32.A", "F33", "F34.1"),
)

# Exclusions: CMS165 "End Stage Renal Disease", "Chronic Kidney Disease, Stage 5", "Kidney
# Transplant Recipient", "Dialysis Services" (as dialysis status Z99.2) and "Pregnancy".
END_STAGE_RENAL = CodeSet(
	"End-Stage Renal Disease, CKD 5, Dialysis or Kidney Transplant", ("N18.5", "N18.6", "Z99.2", "Z94.0")
)
PREGNANCY = CodeSet("Pregnancy", ("O", "Z33.1", "Z34"), in_window_only=True)
# All three: "Palliative Care Encounter" (2.16.840.1.113883.3.600.1.1575), ICD-10-CM Z51.5.
PALLIATIVE_CARE = CodeSet("Palliative Care", ("Z51.5",), in_window_only=True)
# CMS159 "Bipolar Disorder", "Personality Disorder Emotionally Labile", "Schizophrenia or
# Psychotic Disorder" (the F20-F29 block) and "Pervasive Developmental Disorder".
BIPOLAR_PSYCHOTIC = CodeSet(
	"Bipolar, Psychotic, Emotionally Labile Personality or Pervasive Developmental Disorder",
	("F31", "F20", "F21", "F22", "F23", "F24", "F25", "F28", "F29", "F60.3", "F84"),
)

# --- The measures

HIGH_BLOOD_PRESSURE = "controlling_high_blood_pressure"
DIABETES_POOR_CONTROL = "diabetes_hba1c_poor_control"
DEPRESSION_REMISSION = "depression_remission_12_months"
DISCHARGE_FOLLOW_UP = "follow_up_7_days_after_discharge"


@dataclass(frozen=True)
class Measure:
	id: str
	title: str
	ecqm: str  # the measure it simplifies, or "" when it follows no single eCQM
	denominator: CodeSet | None = None  # None: the denominator is an event (a discharge)
	exclusions: tuple[CodeSet, ...] = ()
	min_age: int | None = None
	max_age: int | None = None
	# Lower is better (a poor-control measure): the report says so next to the rate.
	inverse: bool = False
	# Measure-specific thresholds.
	systolic_below: float | None = None
	diastolic_below: float | None = None
	hba1c_above: float | None = None
	index_score_above: int | None = None
	remission_below: int | None = None
	remission_days: int | None = None
	remission_tolerance_days: int | None = None
	follow_up_days: int | None = None

	@property
	def index_shift_days(self) -> int:
		"""How far before the window the index event is looked for. CMS159's
		denominator identification period ends 14 months before the measurement
		period does, so every remission window has closed by its end."""
		if self.remission_days is None:
			return 0
		return self.remission_days + (self.remission_tolerance_days or 0)


MEASURES: tuple[Measure, ...] = (
	Measure(
		HIGH_BLOOD_PRESSURE,
		"Controlling High Blood Pressure",
		"CMS165",
		denominator=ESSENTIAL_HYPERTENSION,
		exclusions=(END_STAGE_RENAL, PREGNANCY, PALLIATIVE_CARE),
		min_age=18,
		max_age=85,
		systolic_below=140,
		diastolic_below=90,
	),
	Measure(
		DIABETES_POOR_CONTROL,
		"Diabetes: HbA1c Poor Control (> 9%)",
		"CMS122",
		denominator=DIABETES,
		exclusions=(PALLIATIVE_CARE,),
		min_age=18,
		max_age=75,
		inverse=True,
		hba1c_above=9.0,
	),
	Measure(
		DEPRESSION_REMISSION,
		"Depression Remission at Twelve Months",
		"CMS159",
		denominator=DEPRESSION,
		exclusions=(BIPOLAR_PSYCHOTIC, PALLIATIVE_CARE),
		min_age=12,
		index_score_above=9,
		remission_below=5,
		remission_days=365,
		remission_tolerance_days=60,
	),
	Measure(
		DISCHARGE_FOLLOW_UP,
		"Follow-Up Within 7 Days of Discharge",
		"",
		follow_up_days=7,
	),
)
MEASURES_BY_ID = {m.id: m for m in MEASURES}


# --- Windows


@dataclass(frozen=True)
class Window:
	"""Inclusive dates."""

	start: date
	end: date

	def __contains__(self, day: date) -> bool:
		return self.start <= day <= self.end

	@property
	def days(self) -> int:
		return (self.end - self.start).days + 1


def add_months(day: date, months: int) -> date:
	month = day.month - 1 + months
	year = day.year + month // 12
	month = month % 12 + 1
	last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
	return date(year, month, min(day.day, last))


def reporting_window(last_month: date, months: int) -> Window:
	"""The ``months`` calendar months ending with the month of ``last_month``."""
	first = add_months(date(last_month.year, last_month.month, 1), -(months - 1))
	return Window(first, add_months(date(last_month.year, last_month.month, 1), 1) - timedelta(days=1))


def before_enrollment(period: Window, enrollment_start: date | None) -> Window | None:
	"""As many days as the reporting period, ending the day before enrollment."""
	if enrollment_start is None or enrollment_start > period.end:
		return None
	end = enrollment_start - timedelta(days=1)
	return Window(end - timedelta(days=period.days - 1), end)


def after_enrollment(period: Window, enrollment_start: date | None) -> Window | None:
	"""The reporting period from the enrollment start on."""
	if enrollment_start is None or enrollment_start > period.end:
		return None
	return Window(max(period.start, enrollment_start), period.end)


# --- Evaluation


class Reason(StrEnum):
	AGE = "age"  # detail: age
	EXCLUDED = "excluded"  # detail: code set name, code, date
	BP_CONTROLLED = "bp_controlled"  # detail: systolic, diastolic, date
	BP_NOT_CONTROLLED = "bp_not_controlled"
	NO_BP = "no_bp"
	HBA1C_POOR = "hba1c_poor"  # detail: percent, date
	HBA1C_NOT_POOR = "hba1c_not_poor"
	NO_HBA1C = "no_hba1c"
	REMISSION = "remission"  # detail: index score, index date, score, date
	NO_REMISSION = "no_remission"
	NO_REMISSION_SCORE = "no_remission_score"  # detail: index score, index date, window start, end
	REMISSION_PENDING = "remission_pending"  # detail: index score, index date, window end
	FOLLOWED_UP = "followed_up"  # detail: discharge date, kind, contact date, days
	NOT_FOLLOWED_UP = "not_followed_up"  # detail: discharge date
	READMITTED = "readmitted"  # detail: discharge date, readmission date
	FOLLOW_UP_PENDING = "follow_up_pending"  # detail: discharge date, window end


@dataclass(frozen=True)
class Case:
	"""One patient (or, for discharges, one discharge) in one measure."""

	measure: str
	patient: str
	in_denominator: bool
	in_numerator: bool
	excluded: bool
	reason: Reason
	detail: tuple = ()
	on: date | None = None  # the date of the fact that decided it
	source: Source = ()  # the record that decided it
	index: Source = ()  # what the case is about: the index screening, the discharge


def age_on(birth_date: date | None, day: date) -> int | None:
	if birth_date is None:
		return None
	return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def in_age_range(measure: Measure, age: int | None) -> bool:
	if measure.min_age is None and measure.max_age is None:
		return True
	if age is None:
		return False
	return (measure.min_age is None or age >= measure.min_age) and (
		measure.max_age is None or age <= measure.max_age
	)


def has_diagnosis(facts: PatientFacts, codes: CodeSet, by: date) -> bool:
	return any(d.on <= by and codes.matches(d.code) for d in facts.diagnoses)


def exclusion(measure: Measure, facts: PatientFacts, window: Window) -> tuple[CodeSet, Diagnosis] | None:
	"""The first diagnosis that takes the patient out of the measure."""
	for codes in measure.exclusions:
		for d in sorted(facts.diagnoses, key=lambda d: d.on):
			recorded = d.on in window if codes.in_window_only else d.on <= window.end
			if recorded and codes.matches(d.code):
				return codes, d
	return None


def evaluate(
	measure: Measure,
	facts: PatientFacts,
	window: Window,
	as_of: date,
	not_before: date | None = None,
	diagnosed_by: date | None = None,
) -> list[Case]:
	"""The patient's cases in ``measure`` over ``window``; facts after ``as_of``
	(today) do not exist yet. An empty list: the measure is not about this
	patient (no diagnosis, no index screening, no discharge). ``not_before``
	(the enrollment start, measuring after enrollment) keeps a depression index
	that the moved-back index window would find before it out; ``diagnosed_by``
	(default: the window's end) is the date by which the diagnosis must be on record."""
	if measure.id == DISCHARGE_FOLLOW_UP:
		return evaluate_follow_up(measure, facts, window, as_of)
	if measure.id == DEPRESSION_REMISSION:
		return evaluate_remission(measure, facts, window, as_of, not_before, diagnosed_by)
	if not has_diagnosis(facts, measure.denominator, diagnosed_by or window.end):
		return []
	case = patient_case(measure, facts.patient)
	age = age_on(facts.birth_date, window.end)
	if not in_age_range(measure, age):
		return [case(False, False, False, Reason.AGE, (age,))]
	excluded = exclusion(measure, facts, window)
	if excluded:
		codes, d = excluded
		return [case(False, False, True, Reason.EXCLUDED, (codes.name, d.code, d.on), d.on, d.source)]
	if measure.id == HIGH_BLOOD_PRESSURE:
		return [blood_pressure_case(measure, facts, window, case)]
	if measure.id == DIABETES_POOR_CONTROL:
		return [hba1c_case(measure, facts, window, case)]
	raise ValueError(f"no evaluation for measure {measure.id}")


def patient_case(measure: Measure, patient: str):
	def case(denominator, numerator, excluded, reason, detail=(), on=None, source=(), index=()):
		return Case(measure.id, patient, denominator, numerator, excluded, reason, detail, on, source, index)

	return case


def last_blood_pressure(readings, window: Window) -> tuple[float, float, date, Source] | None:
	"""CMS165: the most recent day with a reading; of several that day, the
	lowest systolic and the lowest diastolic (they may come from different readings)."""
	in_window = [r for r in readings if r.at.date() in window]
	if not in_window:
		return None
	day = max(r.at.date() for r in in_window)
	that_day = [r for r in in_window if r.at.date() == day]
	lowest_systolic = min(that_day, key=lambda r: r.systolic)
	return lowest_systolic.systolic, min(r.diastolic for r in that_day), day, lowest_systolic.source


def blood_pressure_case(measure: Measure, facts: PatientFacts, window: Window, case) -> Case:
	last = last_blood_pressure(facts.blood_pressures, window)
	if last is None:
		return case(True, False, False, Reason.NO_BP)
	systolic, diastolic, day, source = last
	controlled = systolic < measure.systolic_below and diastolic < measure.diastolic_below
	reason = Reason.BP_CONTROLLED if controlled else Reason.BP_NOT_CONTROLLED
	return case(True, controlled, False, reason, (systolic, diastolic, day), day, source)


def hba1c_case(measure: Measure, facts: PatientFacts, window: Window, case) -> Case:
	"""Inverse: the numerator is poor control, a last result above 9 % or none."""
	in_window = [r for r in facts.hba1c if r.at.date() in window]
	if not in_window:
		return case(True, True, False, Reason.NO_HBA1C)
	last = max(in_window, key=lambda r: r.at)
	poor = last.percent > measure.hba1c_above
	reason = Reason.HBA1C_POOR if poor else Reason.HBA1C_NOT_POOR
	return case(True, poor, False, reason, (last.percent, last.at.date()), last.at.date(), last.source)


def index_window(measure: Measure, window: Window, not_before: date | None = None) -> Window:
	shift = timedelta(days=measure.index_shift_days)
	start = window.start - shift
	if not_before and not_before > start:
		start = not_before
	return Window(start, window.end - shift)


def evaluate_remission(
	measure: Measure,
	facts: PatientFacts,
	window: Window,
	as_of: date,
	not_before: date | None = None,
	diagnosed_by: date | None = None,
) -> list[Case]:
	"""CMS159: the index is the first PHQ-9 above 9 in the index window (the
	window moved back by 12 months + 60 days); remission is the most recent
	PHQ-9 from 12 months - 60 days to 12 months + 60 days after it below 5."""
	looked_in = index_window(measure, window, not_before)
	if looked_in.start > looked_in.end:
		return []
	index_scores = sorted(
		(s for s in facts.phq9 if s.on in looked_in and s.score > measure.index_score_above),
		key=lambda s: s.on,
	)
	if not index_scores:
		return []
	index = index_scores[0]
	if not has_diagnosis(facts, measure.denominator, diagnosed_by or window.end):
		return []
	case = patient_case(measure, facts.patient)
	age = age_on(facts.birth_date, index.on)
	if not in_age_range(measure, age):
		return [case(False, False, False, Reason.AGE, (age,), index=index.source)]
	excluded = exclusion(measure, facts, Window(index.on, window.end))
	if excluded:
		codes, d = excluded
		return [
			case(
				False, False, True, Reason.EXCLUDED, (codes.name, d.code, d.on), d.on, d.source, index.source
			)
		]
	remission = Window(
		index.on + timedelta(days=measure.remission_days - measure.remission_tolerance_days),
		index.on + timedelta(days=measure.remission_days + measure.remission_tolerance_days),
	)
	if remission.end > as_of:
		return [
			case(
				False, False, False, Reason.REMISSION_PENDING, (index.score, index.on, remission.end),
				index.on, index.source, index.source,
			)
		]  # fmt: skip
	in_remission_window = [s for s in facts.phq9 if s.on in remission]
	if not in_remission_window:
		detail = (index.score, index.on, remission.start, remission.end)
		return [
			case(True, False, False, Reason.NO_REMISSION_SCORE, detail, index.on, index.source, index.source)
		]
	last = max(in_remission_window, key=lambda s: s.on)
	remitted = last.score < measure.remission_below
	reason = Reason.REMISSION if remitted else Reason.NO_REMISSION
	detail = (index.score, index.on, last.score, last.on)
	return [case(True, remitted, False, reason, detail, last.on, last.source, index.source)]


def evaluate_follow_up(measure: Measure, facts: PatientFacts, window: Window, as_of: date) -> list[Case]:
	"""One case per discharge day in the window: followed up when an encounter,
	an attended appointment or a reached interactive contact falls on the day
	of discharge or in the 7 days after it. A readmission in those days before
	any follow-up excludes the discharge; one whose 7 days have not passed is pending."""
	case = patient_case(measure, facts.patient)
	cases = []
	seen = set()
	for discharge in sorted(facts.discharges, key=lambda d: d.on):
		if discharge.on not in window or discharge.on in seen:
			continue
		seen.add(discharge.on)
		due = discharge.on + timedelta(days=measure.follow_up_days)
		contacts = sorted(
			(c for c in facts.follow_ups if discharge.on <= c.on <= due and c.on <= as_of), key=lambda c: c.on
		)
		readmissions = sorted(
			(a for a in facts.admissions if discharge.on < a.on <= due and a.on <= as_of), key=lambda a: a.on
		)
		first = contacts[0] if contacts else None
		readmitted = readmissions[0] if readmissions else None
		if first and not (readmitted and readmitted.on < first.on):
			detail = (discharge.on, first.kind, first.on, (first.on - discharge.on).days)
			cases.append(
				case(True, True, False, Reason.FOLLOWED_UP, detail, first.on, first.source, discharge.source)
			)
		elif readmitted:
			detail = (discharge.on, readmitted.on)
			cases.append(
				case(
					False, False, True, Reason.READMITTED, detail, readmitted.on, readmitted.source,
					discharge.source,
				)
			)  # fmt: skip
		elif due > as_of:
			detail = (discharge.on, due)
			cases.append(
				case(False, False, False, Reason.FOLLOW_UP_PENDING, detail, None, (), discharge.source)
			)
		else:
			cases.append(
				case(True, False, False, Reason.NOT_FOLLOWED_UP, (discharge.on,), None, (), discharge.source)
			)
	return cases


PERIOD, BEFORE, AFTER = "period", "before", "after"


def measure_cases(
	measure: Measure, facts: PatientFacts, period: Window, as_of: date
) -> dict[str, list[Case]]:
	"""The patient's cases in the reporting period, before enrollment and after
	it. The same patients in all three: a diagnosis on record by the end of the
	reporting period counts before enrollment too (a care plan often records at
	enrollment a condition the patient has had for years); the readings, ages
	and exclusions are each window's own."""
	before = before_enrollment(period, facts.enrollment_start)
	after = after_enrollment(period, facts.enrollment_start)
	return {
		PERIOD: evaluate(measure, facts, period, as_of),
		BEFORE: evaluate(measure, facts, before, as_of, diagnosed_by=period.end) if before else [],
		AFTER: evaluate(measure, facts, after, as_of, facts.enrollment_start, period.end) if after else [],
	}


def earliest_fact_needed(period: Window, enrollment_starts) -> date:
	"""How far back the facts must go for every window of every measure."""
	starts = [period.start]
	for start in enrollment_starts:
		before = before_enrollment(period, start)
		if before:
			starts.append(before.start)
	return min(starts) - timedelta(days=max(m.index_shift_days for m in MEASURES))


def latest_fact_needed(period: Window) -> date:
	"""A discharge on the period's last day is followed up in the days after it."""
	return period.end + timedelta(days=max(m.follow_up_days or 0 for m in MEASURES))


# --- Totals


@dataclass
class Tally:
	denominator: int = 0
	numerator: int = 0
	excluded: int = 0

	def add(self, cases: list[Case]) -> None:
		for c in cases:
			self.denominator += c.in_denominator
			self.numerator += c.in_numerator
			self.excluded += c.excluded

	@property
	def rate(self) -> float | None:
		return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


# --- HbA1c results as labs write them


_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
IFCC_ABOVE = 25
HBA1C_MMOL_PER_MOL = re.compile(r"mmol\s*/\s*mol", re.IGNORECASE)


def hba1c_percent(result_value: str | None, unit: str | None = None) -> float | None:
	"""A result value as typed ("9.2", "9,2 %", "<4.0", ">14") in percent (NGSP).
	An IFCC result in mmol/mol is converted (NGSP = 0.09148 * IFCC + 2.152): one
	whose unit says so, or a number above 25, which no percent result reaches.
	Anything without a number is no result."""
	match = _NUMBER.search(result_value or "")
	if not match:
		return None
	value = float(match.group().replace(",", "."))
	if HBA1C_MMOL_PER_MOL.search(f"{unit or ''} {result_value or ''}") or value > IFCC_ABOVE:
		return round(0.09148 * value + 2.152, 1)
	return value


HBA1C_TEST_NAME = re.compile(r"a1c|glyc(?:osyl)?ated\s*ha?emoglobin", re.IGNORECASE)
# LOINC codes of HbA1c results (Hemoglobin A1c/Hemoglobin.total in Blood: plain, by HPLC, by
# electrophoresis, by IFCC protocol), for a Lab Test Template that carries its LOINC code.
HBA1C_LOINC = ("4548-4", "17856-6", "4549-2", "59261-8")


def is_hba1c_test(name: str | None) -> bool:
	return bool(HBA1C_TEST_NAME.search(name or ""))


def blood_pressure_value(text: str | None) -> float | None:
	"""Vital Signs keep systolic and diastolic as typed text."""
	match = _NUMBER.search(text or "")
	if not match:
		return None
	value = float(match.group().replace(",", "."))
	return value if value > 0 else None
