"""Risk scores from the facts the practice keeps, and the tier they suggest.

Each risk factor an admin defines measures one thing (admissions in the last
N months, the last systolic pressure, …) and adds its points when the measured
value is at least its threshold. The total falls in one tier's score band; that
tier is the *suggestion*. The explanation lists every factor that counted, so a
care manager can see why before accepting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from itertools import pairwise


class Measure(Enum):
	ADMISSIONS = "Admissions In Months"
	ED_VISITS = "ED Visits In Months"
	CHRONIC_CATEGORIES = "Chronic Categories"
	PHQ9 = "Last PHQ-9 Score"
	POSITIVE_HRSN_DOMAINS = "Positive Social Need Domains In Months"
	MISSED_APPOINTMENTS = "Missed Appointments In Months"
	LAST_SYSTOLIC_BP = "Last Systolic BP"
	LAST_HBA1C = "Last HbA1c"
	AGE = "Age"
	LIVES_ALONE = "Lives Alone"
	NO_CAREGIVER = "No Caregiver On Care Plan"
	# CMS-HCC V28 community score from the last 12 months' diagnoses (domain/hcc_risk.py).
	CMS_HCC_SCORE = "CMS-HCC Score"


# Measures counted over a window of months, and yes/no flags (threshold 1).
WINDOWED = {Measure.ADMISSIONS, Measure.ED_VISITS, Measure.POSITIVE_HRSN_DOMAINS, Measure.MISSED_APPOINTMENTS}
FLAGS = {Measure.LIVES_ALONE, Measure.NO_CAREGIVER}


@dataclass(frozen=True)
class RiskFactor:
	name: str
	measure: Measure
	at_least: float
	points: int
	months: int | None = None


@dataclass(frozen=True)
class FactorProblem:
	field: str
	kind: str  # "points_not_positive", "threshold_missing", "months_missing", "threshold_negative"


def factor_problems(
	measure: Measure, at_least: float | None, points: float | None, months: int | None
) -> list[FactorProblem]:
	problems = []
	if points is None or points != int(points) or points <= 0:
		problems.append(FactorProblem("points", "points_not_positive"))
	if measure not in FLAGS:
		if at_least is None:
			problems.append(FactorProblem("at_least", "threshold_missing"))
		elif at_least < 0:
			problems.append(FactorProblem("at_least", "threshold_negative"))
	if measure in WINDOWED and (not months or months <= 0):
		problems.append(FactorProblem("months", "months_missing"))
	return problems


def measured_value(factor: RiskFactor, values: dict[str, float | None]) -> float | None:
	"""values: factor name -> what that factor measured for the patient (None:
	nothing recorded, so the factor cannot count)."""
	return values.get(factor.name)


def describe(factor: RiskFactor, value: float) -> str:
	shown = f"{value:g}" if isinstance(value, float) else str(value)
	m = factor.measure
	one = value == 1
	if m is Measure.ADMISSIONS:
		text = f"{shown} {'admission' if one else 'admissions'} in {factor.months} months"
	elif m is Measure.ED_VISITS:
		text = f"{shown} {'ED visit' if one else 'ED visits'} in {factor.months} months"
	elif m is Measure.MISSED_APPOINTMENTS:
		text = f"{shown} missed {'appointment' if one else 'appointments'} in {factor.months} months"
	elif m is Measure.POSITIVE_HRSN_DOMAINS:
		text = f"{shown} positive social need {'domain' if one else 'domains'} in {factor.months} months"
	elif m is Measure.CHRONIC_CATEGORIES:
		text = f"{shown} chronic categories"
	elif m is Measure.PHQ9:
		text = f"PHQ-9 {shown}"
	elif m is Measure.LAST_SYSTOLIC_BP:
		text = f"last systolic BP {shown}"
	elif m is Measure.LAST_HBA1C:
		text = f"last HbA1c {shown}"
	elif m is Measure.AGE:
		text = f"age {shown}"
	elif m is Measure.LIVES_ALONE:
		text = "lives alone"
	elif m is Measure.CMS_HCC_SCORE:
		text = f"CMS-HCC score {value:.3f}"
	else:
		text = "no caregiver on the care plan"
	return f"{text}: +{factor.points}"


@dataclass(frozen=True)
class Score:
	points: int
	reasons: tuple[str, ...]

	@property
	def explanation(self) -> str:
		return "; ".join(self.reasons)


def score(factors: list[RiskFactor], values: dict[str, float | None]) -> Score:
	points, reasons = 0, []
	for factor in factors:
		value = measured_value(factor, values)
		if value is None:
			continue
		threshold = 1 if factor.measure in FLAGS else factor.at_least
		if value >= threshold:
			points += factor.points
			reasons.append(describe(factor, value))
	return Score(points, tuple(reasons))


# ------------------------------------------------------------------- bands
@dataclass(frozen=True)
class Band:
	tier: str
	min_score: int | None
	max_score: int | None  # None: no upper limit


@dataclass(frozen=True)
class BandProblem:
	row: int
	tier: str
	kind: str  # "missing_min", "max_below_min", "overlap", "gap", "not_from_zero", "open_end", "two_open", "order"
	other: str = ""


def bands_configured(bands: list[Band]) -> bool:
	return any(b.min_score is not None or b.max_score is not None for b in bands)


def band_problems(bands: list[Band]) -> list[BandProblem]:
	"""Bands must cover every score from 0 up, once each: no overlap, no gap,
	one open-ended top band. The tiers are listed highest risk first, so a
	higher row must have the higher band. No bands at all is allowed: then
	nothing is suggested."""
	if not bands_configured(bands):
		return []
	problems = []
	rows = list(enumerate(bands, start=1))
	for row, band in rows:
		if band.min_score is None:
			problems.append(BandProblem(row, band.tier, "missing_min"))
		elif band.min_score < 0:
			problems.append(BandProblem(row, band.tier, "not_from_zero"))
		elif band.max_score is not None and band.max_score < band.min_score:
			problems.append(BandProblem(row, band.tier, "max_below_min"))
	if problems:
		return problems
	ordered = sorted(rows, key=lambda r: r[1].min_score)
	if ordered[0][1].min_score != 0:
		problems.append(BandProblem(ordered[0][0], ordered[0][1].tier, "not_from_zero"))
	open_ended = [r for r in rows if r[1].max_score is None]
	if len(open_ended) > 1:
		problems.append(BandProblem(open_ended[1][0], open_ended[1][1].tier, "two_open"))
	for (_row, low), (row, high) in pairwise(ordered):
		if low.max_score is None or high.min_score <= low.max_score:
			problems.append(BandProblem(row, high.tier, "overlap", low.tier))
		elif high.min_score > low.max_score + 1:
			problems.append(BandProblem(row, high.tier, "gap", low.tier))
	if ordered[-1][1].max_score is not None and not open_ended:
		problems.append(BandProblem(ordered[-1][0], ordered[-1][1].tier, "open_end"))
	if not problems and [r for r, _b in ordered] != sorted((r for r, _b in rows), reverse=True):
		problems.append(BandProblem(ordered[-1][0], ordered[-1][1].tier, "order"))
	return problems


def tier_for(points: int, bands: list[Band]) -> str | None:
	for band in bands:
		if band.min_score is None:
			continue
		if points >= band.min_score and (band.max_score is None or points <= band.max_score):
			return band.tier
	return None
