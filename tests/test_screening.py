"""Every positive rule of the AHC HRSN core and PHQ-2/PHQ-9 as standards.md gives them."""

import json
from pathlib import Path

import pytest

from care_management.domain.screening import instrument_from_dict, score

SEED = (
	Path(__file__).resolve().parent.parent
	/ "care_management"
	/ "setup"
	/ "seed_data"
	/ "screening_instruments.json"
)
INSTRUMENTS = {data["instrument_name"]: instrument_from_dict(data) for data in json.loads(SEED.read_text())}
AHC, PHQ2, PHQ9 = INSTRUMENTS["AHC HRSN Core"], INSTRUMENTS["PHQ-2"], INSTRUMENTS["PHQ-9"]
STEADY = "I have a steady place to live"
WORRIED = "I have a place to live today, but I am worried about losing it in the future"
NO_HOME = AHC.questions[0].options[2][0]
CLEAR = {
	"q1": STEADY, "q2": ["None of the above"], "q3": "Never true", "q4": "Never true", "q5": "No", "q6": "No",
	"q7": "Never", "q8": "Never", "q9": "Never", "q10": "Never",
}  # fmt: skip


def positive(answers, instrument=AHC):
	return score(instrument, answers).positive_domains


def test_no_needs():
	result = score(AHC, CLEAR)
	assert result.positive_domains == [] and result.unanswered == [] and result.invalid == []


@pytest.mark.parametrize("answer, is_positive", [(STEADY, False), (WORRIED, True), (NO_HOME, True)])
def test_living_situation_positive_on_either_of_the_last_two_answers(answer, is_positive):
	assert ("Living Situation" in positive({**CLEAR, "q1": answer})) is is_positive


def test_housing_quality_positive_on_any_problem():
	assert positive({**CLEAR, "q2": ["Mold", "Water leaks"]}) == ["Housing Quality"]
	assert score(AHC, {**CLEAR, "q2": ["Mold"]}).need_categories == ["Housing"]


@pytest.mark.parametrize(
	"q3, q4, is_positive",
	[
		("Often true", "Never true", True),
		("Never true", "Sometimes true", True),
		("Never true", "Never true", False),
	],
)
def test_food_positive_on_often_or_sometimes_on_either(q3, q4, is_positive):
	assert ("Food Insecurity" in positive({**CLEAR, "q3": q3, "q4": q4})) is is_positive


def test_transportation_positive_on_yes():
	assert positive({**CLEAR, "q5": "Yes"}) == ["Transportation"]


@pytest.mark.parametrize("answer, is_positive", [("Yes", True), ("Already shut off", True), ("No", False)])
def test_utilities_positive_on_yes_or_already_shut_off(answer, is_positive):
	assert ("Utilities" in positive({**CLEAR, "q6": answer})) is is_positive


def test_safety_positive_only_when_the_sum_is_over_ten():
	ten = {**CLEAR, "q7": "Rarely", "q8": "Sometimes", "q9": "Rarely", "q10": "Sometimes"}  # 2+3+2+3 = 10
	assert score(AHC, ten).domain_scores["Interpersonal Safety"] == 10
	assert "Interpersonal Safety" not in positive(ten)
	eleven = {**ten, "q10": "Fairly often"}
	assert "Interpersonal Safety" in positive(eleven)


def test_unanswered_and_unknown_answers_are_reported():
	result = score(AHC, {"q1": "Maybe", "q5": ["Yes", "No"]})
	assert ("q1", "Maybe") in result.invalid
	assert ("q5", "Yes | No") in result.invalid
	assert "q3" in result.unanswered


@pytest.mark.parametrize(
	"a, b, is_positive",
	[
		("Several days", "Several days", False),
		("More than half the days", "Several days", True),
		("Nearly every day", "Not at all", True),
	],
)
def test_phq2_positive_at_three(a, b, is_positive):
	assert (positive({"q1": a, "q2": b}, PHQ2) == ["Depression"]) is is_positive


@pytest.mark.parametrize(
	"total, severity",
	[
		(0, "None-minimal"),
		(4, "None-minimal"),
		(5, "Mild"),
		(9, "Mild"),
		(10, "Moderate"),
		(15, "Moderately severe"),
		(20, "Severe"),
		(27, "Severe"),
	],
)
def test_phq9_severity_bands(total, severity):
	points = {0: "Not at all", 1: "Several days", 2: "More than half the days", 3: "Nearly every day"}
	answers, left = {}, total
	for i in range(9):
		step = min(3, left)
		answers[f"q{i + 1}"] = points[step]
		left -= step
	result = score(PHQ9, answers)
	assert (result.total_score, result.severity) == (total, severity)
	assert ("Depression" in result.positive_domains) is (total >= 10)
