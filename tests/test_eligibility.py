"""Eligibility rules of the pure core: categories, criteria, boundary values."""

import json
from datetime import date
from pathlib import Path

import pytest

from care_management.domain.eligibility import (
	ANY_OF,
	ChronicCategory,
	Criterion,
	DatedFact,
	Diagnosis,
	PatientFacts,
	Rule,
	age_on,
	bad_code_entries,
	categorise,
	evaluate,
	parse_code_ranges,
	rule_problems,
	spread_by_spare_capacity,
)

TODAY = date(2026, 12, 1)
SEED = Path(__file__).parents[1] / "care_management" / "setup" / "seed_data"


def seeded_categories():
	rows = json.loads((SEED / "chronic_condition_categories.json").read_text())["categories"]
	return [
		ChronicCategory(
			r["category_name"],
			parse_code_ranges(r["icd10_codes"]),
			bool(r["lasts_12_months"]),
			bool(r["high_risk"]),
			bool(r["behavioral"]),
		)
		for r in rows
	]


def seeded_rules(program):
	rows = json.loads((SEED / "program_eligibility.json").read_text())[program]
	return [
		Rule(
			Criterion(r["criterion"]),
			r["combine"],
			r.get("value"),
			tuple(c.strip() for c in r.get("categories", "").split(",") if c.strip()),
		)
		for r in rows
	]


def facts(*codes, **kw):
	return PatientFacts(
		"P1", diagnoses=[Diagnosis(c, date(2026, 10, 1), "Patient Encounter E1") for c in codes], **kw
	)


def qualifies(program, patient):
	categories = seeded_categories()
	return evaluate(
		seeded_rules(program), patient, categorise(patient.diagnoses, categories), TODAY
	).qualifies


# ------------------------------------------------------------------ code lists
@pytest.mark.parametrize("text", ["E11", "I50.2", "I20-I25", "E78.0-E78.5", "e11, i10\nJ44", "F32.A"])
def test_valid_code_lists_are_accepted(text):
	assert bad_code_entries(text) == []


@pytest.mark.parametrize("text", ["11E", "E1", "I25-I20", "I20-I2", "E11-E13-E14", "diabetes", "E11.12345"])
def test_invalid_code_lists_are_named(text):
	assert bad_code_entries(text) == [text]


def test_a_range_covers_its_ends_and_not_beyond():
	(r,) = parse_code_ranges("I20-I25")
	assert r.matches("I20.0") and r.matches("I25.10") and r.matches("I2510")
	assert not r.matches("I19") and not r.matches("I26.0")


def test_a_prefix_with_a_dot_matches_codes_written_without_it():
	(r,) = parse_code_ranges("E78.0-E78.5")
	assert r.matches("E785") and r.matches("E78.01")
	assert not r.matches("E78.6") and not r.matches("E78")


@pytest.mark.parametrize(
	"code,category",
	[
		("E11.9", "Diabetes"), ("I10", "Hypertension"), ("I50.9", "Heart Failure"),
		("I25.10", "Ischemic Heart Disease"), ("I48.91", "Atrial Fibrillation"), ("J44.9", "COPD and Asthma"),
		("J45.40", "COPD and Asthma"), ("N18.3", "Chronic Kidney Disease"), ("F33.1", "Depression"),
		("F41.1", "Anxiety"), ("G30.9", "Dementia"), ("C50.911", "Cancer"), ("I63.9", "Stroke"),
		("E78.5", "Hyperlipidemia"), ("M17.11", "Arthritis"), ("E66.9", "Obesity"),
	],
)  # fmt: skip
def test_each_seeded_category_catches_a_typical_code(code, category):
	names = [m.category.name for m in categorise(facts(code).diagnoses, seeded_categories())]
	assert category in names


def test_an_unrelated_code_falls_in_no_category():
	assert categorise(facts("S52.501A", "Z00.00").diagnoses, seeded_categories()) == []


def test_the_shared_memo_gives_the_same_answer():
	memo = {}
	first = categorise(facts("E11.9", "I10").diagnoses, seeded_categories(), memo)
	again = categorise(facts("E11.9", "I10").diagnoses, seeded_categories(), memo)
	assert (
		[m.category.name for m in first] == [m.category.name for m in again] == ["Diabetes", "Hypertension"]
	)
	assert "E11.9" in memo


# --------------------------------------------------------------- program rules
def test_ccm_needs_two_chronic_categories_not_two_codes():
	assert not qualifies("CCM", facts("E11.9", "E11.65"))  # two codes, one category
	assert qualifies("CCM", facts("E11.9", "I10"))


def test_ccm_evidence_names_the_diagnoses_dates_and_encounters():
	categories = seeded_categories()
	patient = facts("E11.9", "I10")
	result = evaluate(seeded_rules("CCM"), patient, categorise(patient.diagnoses, categories), TODAY)
	assert "E11.9 (2026-10-01, Patient Encounter E1)" in result.evidence[0]
	assert result.evidence[0].startswith("2 chronic categories")


def test_a_category_not_lasting_12_months_does_not_count_for_ccm():
	short = ChronicCategory("Acute", parse_code_ranges("S52"), lasts_12_months=False)
	diabetes = ChronicCategory("Diabetes", parse_code_ranges("E11"))
	patient = facts("S52.5", "E11.9")
	matches = categorise(patient.diagnoses, [short, diabetes])
	assert not evaluate(seeded_rules("CCM"), patient, matches, TODAY).qualifies


def test_pcm_needs_one_high_risk_category():
	assert qualifies("PCM", facts("I50.9"))
	assert not qualifies("PCM", facts("I10", "E78.5"))


def test_bhi_by_behavioral_category_or_phq9_of_ten():
	assert qualifies("BHI", facts("F41.1"))
	assert qualifies("BHI", facts(latest_phq9=DatedFact(date(2026, 11, 1), 10, "Needs Screening S1")))
	assert not qualifies("BHI", facts(latest_phq9=DatedFact(date(2026, 11, 1), 9, "Needs Screening S1")))


def test_rpm_for_the_listed_categories_only():
	assert qualifies("RPM", facts("I10"))
	assert qualifies("RPM", facts("J44.9"))
	assert not qualifies("RPM", facts("F32.9", "N18.3"))


def test_tcm_discharge_within_30_days_boundary():
	on_30 = DatedFact(date(2026, 11, 1), None, "Inpatient Record IP1")  # 30 days before TODAY
	on_31 = DatedFact(date(2026, 10, 31), None, "Inpatient Record IP1")
	assert qualifies("TCM", facts(untransitioned_discharges=[on_30]))
	assert not qualifies("TCM", facts(untransitioned_discharges=[on_31]))


def test_chi_positive_social_need_within_12_months_boundary():
	inside = DatedFact(date(2025, 12, 2), 1, "Needs Screening S1", "Food Insecurity")
	outside = DatedFact(date(2025, 12, 1), 1, "Needs Screening S1", "Food Insecurity")
	assert qualifies("CHI", facts(positive_hrsn=[inside]))
	assert not qualifies("CHI", facts(positive_hrsn=[outside]))


def test_apcm_for_a_patient_seen_in_the_last_three_years():
	assert qualifies("APCM", facts(last_seen=DatedFact(date(2024, 1, 5), None, "Patient Encounter E1")))
	assert not qualifies("APCM", facts(last_seen=DatedFact(date(2023, 11, 30), None, "Patient Encounter E1")))
	assert not qualifies("APCM", facts())


def test_age_criteria_are_inclusive():
	rules = [Rule(Criterion.AGE_AT_LEAST, value=65), Rule(Criterion.AGE_AT_MOST, value=90)]
	assert evaluate(rules, facts(age=65), [], TODAY).qualifies
	assert evaluate(rules, facts(age=90), [], TODAY).qualifies
	assert not evaluate(rules, facts(age=64), [], TODAY).qualifies
	assert not evaluate(rules, facts(age=91), [], TODAY).qualifies
	assert not evaluate(rules, facts(), [], TODAY).qualifies


def test_required_and_any_of_combine():
	rules = [
		Rule(Criterion.AGE_AT_LEAST, value=65),
		Rule(Criterion.BEHAVIORAL_CATEGORY, ANY_OF),
		Rule(Criterion.PHQ9_AT_LEAST, ANY_OF, 10),
	]
	depressed = facts("F32.9", age=70)
	matches = categorise(depressed.diagnoses, seeded_categories())
	assert evaluate(rules, depressed, matches, TODAY).qualifies
	young = facts("F32.9", age=40)
	assert not evaluate(rules, young, categorise(young.diagnoses, seeded_categories()), TODAY).qualifies
	assert not evaluate(rules, facts(age=70), [], TODAY).qualifies


def test_a_program_without_criteria_qualifies_no_one():
	assert not evaluate([], facts("E11.9", "I10"), [], TODAY).qualifies


def test_rule_problems_name_the_field():
	problems = rule_problems(
		[
			Rule(Criterion.CHRONIC_CATEGORIES),
			Rule(Criterion.PHQ9_AT_LEAST, value=-1),
			Rule(Criterion.CATEGORY_IN),
			Rule(Criterion.CATEGORY_IN, categories=("Diabetis",)),
			Rule(Criterion.HIGH_RISK_CATEGORY, combine="Sometimes"),
		],
		{"Diabetes"},
	)
	assert [(p.row, p.field, p.kind) for p in problems] == [
		(1, "value", "missing_value"),
		(2, "value", "negative_value"),
		(3, "categories", "missing_categories"),
		(4, "categories", "unknown_category"),
		(5, "combine", "bad_combine"),
	]


def test_age_on_birthday_boundary():
	assert age_on(date(1946, 12, 1), TODAY) == 80
	assert age_on(date(1946, 12, 2), TODAY) == 79
	assert age_on(None, TODAY) is None


# ------------------------------------------------------------ spreading work
def test_patients_go_to_the_care_manager_with_most_room():
	assigned = spread_by_spare_capacity(["a", "b", "c"], {"x@p": 199, "y@p": 197}, 200)
	assert assigned == {"a": "y@p", "b": "y@p", "c": "x@p"}


def test_a_patient_keeps_their_care_manager_and_is_not_counted_twice():
	assigned = spread_by_spare_capacity(["a", "b"], {"x@p": 10, "y@p": 10}, 200, keep={"a": "y@p"})
	assert assigned == {"a": "y@p", "b": "x@p"}


def test_full_caseloads_still_get_the_least_loaded_and_no_managers_gives_none():
	assert spread_by_spare_capacity(["a"], {"x@p": 250, "y@p": 210}, 200) == {"a": "y@p"}
	assert spread_by_spare_capacity(["a"], {}, 200) == {"a": None}
