from datetime import date

from care_management.domain.care_plan_templates import template_additions, text_key

START = date(2026, 1, 10)
DIABETES = {
	"template_name": "Type 2 Diabetes",
	"condition_name": "Type 2 diabetes mellitus",
	"icd10_code": "E11.9",
	"goals": [
		{"goal": "HbA1c below 7%", "measure": "HbA1c", "target": "< 7%", "due_in_days": 90},
		{"goal": "Take medicines as prescribed", "due_in_days": None},
	],
	"interventions": [
		{"intervention": "Monthly check-in call", "responsible": "Care Manager", "frequency": "Monthly"},
	],
	"education_topics": ["Healthy eating", "Foot care"],
}
HYPERTENSION = {
	"template_name": "Hypertension",
	"condition_name": "Essential hypertension",
	"icd10_code": "I10",
	"goals": [
		{"goal": "Take medicines as prescribed.", "due_in_days": 30},
		{"goal": "Blood pressure below 130/80", "due_in_days": 90},
	],
	"interventions": [
		{"intervention": "monthly  check-in call", "responsible": "Care Manager"},
		{"intervention": "Check blood pressure at home", "responsible": "Patient"},
	],
	"education_topics": ["Healthy eating", "Low-salt diet"],
}
EMPTY_PLAN = {"conditions": [], "goals": [], "interventions": [], "education_topics": []}


def goals(additions):
	return [g["goal"] for g in additions["goals"]]


def test_one_template_fills_an_empty_plan_with_due_dates_from_the_start():
	added = template_additions(EMPTY_PLAN, [DIABETES], START)
	assert goals(added) == ["HbA1c below 7%", "Take medicines as prescribed"]
	assert added["goals"][0]["due_date"] == date(2026, 4, 10)
	assert added["goals"][1]["due_date"] is None
	assert added["conditions"][0]["icd10_code"] == "E11.9"
	assert [t["topic"] for t in added["education_topics"]] == ["Healthy eating", "Foot care"]
	assert all(row["source_template"] == "Type 2 Diabetes" for table in added.values() for row in table)


def test_two_templates_share_items_only_once():
	added = template_additions(EMPTY_PLAN, [DIABETES, HYPERTENSION], START)
	assert goals(added) == ["HbA1c below 7%", "Take medicines as prescribed", "Blood pressure below 130/80"]
	assert [i["intervention"] for i in added["interventions"]] == [
		"Monthly check-in call",
		"Check blood pressure at home",
	]
	assert [t["topic"] for t in added["education_topics"]] == ["Healthy eating", "Foot care", "Low-salt diet"]
	assert [c["icd10_code"] for c in added["conditions"]] == ["E11.9", "I10"]


def test_applying_a_template_again_adds_nothing():
	first = template_additions(EMPTY_PLAN, [DIABETES], START)
	again = template_additions(first, [DIABETES], START)
	assert all(rows == [] for rows in again.values())


def test_items_already_typed_on_the_plan_are_not_repeated():
	plan = {**EMPTY_PLAN, "goals": [{"goal": "hba1c  below 7%."}], "conditions": [{"icd10_code": "e11.9"}]}
	added = template_additions(plan, [DIABETES], START)
	assert goals(added) == ["Take medicines as prescribed"]
	assert added["conditions"] == []


def test_text_key_ignores_case_spacing_and_final_stop():
	assert text_key(" Take  medicines as prescribed. ") == text_key("take medicines as prescribed")
