"""Risk factors, score bands and the suggested tier (pure core)."""

import json
from pathlib import Path

import pytest

from care_management.domain.risk_scoring import (
	Band,
	Measure,
	RiskFactor,
	band_problems,
	factor_problems,
	score,
	tier_for,
)

SEED = Path(__file__).parents[1] / "care_management" / "setup" / "seed_data"
BANDS = [Band("High", 8, None), Band("Medium", 4, 7), Band("Low", 0, 3)]


def seeded_factors():
	return [
		RiskFactor(
			f["factor_name"],
			Measure(f["measure"]),
			float(f.get("at_least") or 0),
			f["points"],
			f.get("months"),
		)
		for f in json.loads((SEED / "risk_factors.json").read_text())
	]


def kinds(bands):
	return [(p.row, p.kind) for p in band_problems(bands)]


# ------------------------------------------------------------------- factors
def test_a_factor_counts_from_its_threshold_exactly():
	bp = RiskFactor("BP", Measure.LAST_SYSTOLIC_BP, 160, 2)
	assert score([bp], {"BP": 160}).points == 2
	assert score([bp], {"BP": 159}).points == 0
	assert score([bp], {"BP": None}).points == 0
	assert score([bp], {}).points == 0


def test_the_explanation_names_each_factor_that_counted():
	admissions = RiskFactor("Adm", Measure.ADMISSIONS, 2, 4, months=6)
	phq9 = RiskFactor("PHQ", Measure.PHQ9, 10, 3)
	age = RiskFactor("Age", Measure.AGE, 80, 1)
	result = score([admissions, phq9, age], {"Adm": 2, "PHQ": 16.0, "Age": 79})
	assert result.points == 7
	assert result.explanation == "2 admissions in 6 months: +4; PHQ-9 16: +3"


def test_yes_no_measures_count_when_recorded_yes():
	alone = RiskFactor("Alone", Measure.LIVES_ALONE, 0, 1)
	assert score([alone], {"Alone": 1}).explanation == "lives alone: +1"
	assert score([alone], {"Alone": 0}).points == 0


def test_seeded_factors_add_up_for_a_high_risk_patient():
	values = {
		"Two or more admissions in 6 months": 2,
		"An admission in 12 months": 2,
		"Last systolic BP 160 or more": 172,
		"Last HbA1c 9 or more": 9.4,
	}
	assert score(seeded_factors(), values).points == 10
	assert tier_for(10, BANDS) == "High"


@pytest.mark.parametrize(
	"measure,at_least,points,months,problem",
	[
		(Measure.AGE, 80, 0, None, ("points", "points_not_positive")),
		(Measure.AGE, 80, -1, None, ("points", "points_not_positive")),
		(Measure.AGE, 80, 1.5, None, ("points", "points_not_positive")),
		(Measure.AGE, 80, None, None, ("points", "points_not_positive")),
		(Measure.AGE, None, 1, None, ("at_least", "threshold_missing")),
		(Measure.LAST_HBA1C, -1, 1, None, ("at_least", "threshold_negative")),
		(Measure.ADMISSIONS, 1, 1, None, ("months", "months_missing")),
		(Measure.ADMISSIONS, 1, 1, 0, ("months", "months_missing")),
	],
)
def test_invalid_factors_name_the_field(measure, at_least, points, months, problem):
	assert problem in [(p.field, p.kind) for p in factor_problems(measure, at_least, points, months)]


def test_a_valid_factor_and_a_flag_without_threshold_pass():
	assert factor_problems(Measure.ADMISSIONS, 2, 4, 6) == []
	assert factor_problems(Measure.LIVES_ALONE, None, 1, None) == []


# --------------------------------------------------------------------- bands
@pytest.mark.parametrize(
	"points,tier", [(0, "Low"), (3, "Low"), (4, "Medium"), (7, "Medium"), (8, "High"), (99, "High")]
)
def test_band_edges(points, tier):
	assert tier_for(points, BANDS) == tier


def test_good_bands_and_no_bands_pass():
	assert band_problems(BANDS) == []
	assert band_problems([Band("High", None, None), Band("Low", None, None)]) == []


def test_overlapping_bands_are_refused():
	assert kinds([Band("High", 7, None), Band("Medium", 4, 7), Band("Low", 0, 3)]) == [(1, "overlap")]


def test_a_gap_between_bands_is_refused():
	assert kinds([Band("High", 9, None), Band("Medium", 4, 7), Band("Low", 0, 3)]) == [(1, "gap")]


def test_bands_must_start_at_zero_and_have_an_open_top():
	assert kinds([Band("High", 8, None), Band("Medium", 4, 7), Band("Low", 1, 3)]) == [(3, "not_from_zero")]
	assert kinds([Band("High", 8, 20), Band("Medium", 4, 7), Band("Low", 0, 3)]) == [(1, "open_end")]
	assert (2, "two_open") in kinds([Band("High", 8, None), Band("Medium", 4, None), Band("Low", 0, 3)])


def test_a_tier_without_a_band_or_an_upside_down_band_is_refused():
	assert kinds([Band("High", 8, None), Band("Medium", None, None), Band("Low", 0, 3)]) == [
		(2, "missing_min")
	]
	assert kinds([Band("High", 8, None), Band("Medium", 7, 4), Band("Low", 0, 3)]) == [(2, "max_below_min")]


def test_the_highest_risk_tier_must_have_the_highest_scores():
	assert [k for _r, k in kinds([Band("High", 0, 3), Band("Medium", 4, 7), Band("Low", 8, None)])] == [
		"order"
	]


def test_one_admission_reads_in_the_singular():
	factor = RiskFactor("Adm", Measure.ADMISSIONS, 1, 2, months=12)
	assert score([factor], {"Adm": 1}).explanation == "1 admission in 12 months: +2"


def test_a_cms_hcc_score_factor_counts_from_its_threshold():
	hcc = RiskFactor("HCC", Measure.CMS_HCC_SCORE, 1.5, 3)
	assert score([hcc], {"HCC": 1.733}).explanation == "CMS-HCC score 1.733: +3"
	assert score([hcc], {"HCC": 1.499}).points == 0
	assert score([hcc], {"HCC": None}).points == 0  # no birth date or sex: not scored
	assert factor_problems(Measure.CMS_HCC_SCORE, 1.5, 3, None) == []
