from datetime import date

from care_management.domain.care_plan_templates import (
	action_plan_additions,
	patient_language,
	rows_in_template_language,
	template_additions,
	text_key,
	translation_table,
	translator,
)

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


# --- texts per language ----------------------------------------------------


def spanish(pairs: dict[str, str], language: str = "es") -> list[dict]:
	return [{"language": language, "source_text": en, "translated_text": es} for en, es in pairs.items()]


DIABETES_ES = {
	**DIABETES,
	"call_911_when": "Passing out\nConfusion",
	"translations": spanish(
		{
			"Type 2 diabetes mellitus": "Diabetes tipo 2",
			"HbA1c below 7%": "HbA1c por debajo de 7%",
			"HbA1c": "HbA1c",
			"Take medicines as prescribed": "Tomar mis medicinas como me las recetaron",
			"Monthly check-in call": "Llamada de control cada mes",
			"Monthly": "Cada mes",
			"Healthy eating": "Comer sano",
			"Passing out": "Me desmayo",
		}
	),
}


def test_patient_language_is_the_patients_unless_it_is_only_the_site_default():
	assert patient_language("es", "en", "en") == "es"
	assert patient_language("en", "es", "en") == "es"  # Healthcare wrote the site's language
	assert patient_language("en", None, "en") == "en"
	assert patient_language(None, None, "en") == "en"
	assert patient_language(None, "es", None) == "es"


def test_texts_are_written_in_the_plans_language_where_the_template_has_them():
	added = template_additions(EMPTY_PLAN, [DIABETES_ES], START, "es")
	assert goals(added) == ["HbA1c por debajo de 7%", "Tomar mis medicinas como me las recetaron"]
	assert added["goals"][0]["measure"] == "HbA1c"
	assert added["interventions"][0]["intervention"] == "Llamada de control cada mes"
	assert added["interventions"][0]["frequency"] == "Cada mes"
	assert [t["topic"] for t in added["education_topics"]] == ["Comer sano", "Foot care"]  # no Spanish yet
	assert added["conditions"][0]["condition_name"] == "Diabetes tipo 2"


def test_english_and_unknown_languages_get_the_templates_own_text():
	for language in ("en", None, "fr"):
		added = template_additions(EMPTY_PLAN, [DIABETES_ES], START, language)
		assert goals(added) == ["HbA1c below 7%", "Take medicines as prescribed"]


def test_a_regional_language_reads_the_general_one():
	tr = translator(translation_table(DIABETES_ES["translations"]), "es-MX")
	assert tr("Healthy eating") == "Comer sano"
	regional = translation_table(
		spanish({"Healthy eating": "Comer saludable"}, "es-MX") + DIABETES_ES["translations"]
	)
	assert translator(regional, "es-MX")("Healthy eating") == "Comer saludable"
	assert translator(regional, "es")("Healthy eating") == "Comer sano"


def test_an_item_on_the_plan_in_another_language_is_not_added_again():
	english = template_additions(EMPTY_PLAN, [DIABETES_ES], START, "en")
	again = template_additions(english, [DIABETES_ES], START, "es")
	assert all(rows == [] for rows in again.values())


def test_action_plan_defaults_add_missing_lines_in_the_plans_language_and_keep_typed_text():
	plan = {"call_911_when": "Chest pain (typed by the nurse)"}
	changed = action_plan_additions(plan, [DIABETES_ES], "es")
	assert changed == {"call_911_when": "Chest pain (typed by the nurse)\nMe desmayo\nConfusion"}
	assert action_plan_additions({"call_911_when": "passing out."}, [DIABETES_ES], "es") == {
		"call_911_when": "passing out.\nConfusion"
	}
	assert action_plan_additions(changed, [DIABETES_ES], "es") == {}


def test_warning_lists_english_template_text_on_a_spanish_plan_and_not_typed_text():
	english = template_additions(EMPTY_PLAN, [DIABETES_ES], START, "en")
	english["goals"].append({"goal": "Walk to church on Sundays"})  # typed, no template
	english["call_911_when"] = "Passing out\nConfusion"
	found = rows_in_template_language(english, [DIABETES_ES], "es")
	listed = {(f["table"], f["field"], f["text"]) for f in found}
	assert ("goals", "goal", "HbA1c below 7%") in listed
	assert ("goals", "measure", "HbA1c") not in listed  # the same word in Spanish
	assert ("education_topics", "topic", "Foot care") in listed
	assert (None, "call_911_when", "Passing out") in listed
	assert not any(f["text"] == "Walk to church on Sundays" for f in found)
	goal = next(f for f in found if f["text"] == "HbA1c below 7%")
	assert goal["translation"] == "HbA1c por debajo de 7%" and goal["idx"] == 1
	assert next(f for f in found if f["text"] == "Foot care")["translation"] is None

	spanish_plan = template_additions(EMPTY_PLAN, [DIABETES_ES], START, "es")
	left = rows_in_template_language(spanish_plan, [DIABETES_ES], "es")
	assert {f["text"] for f in left} == {"< 7%", "Foot care"}  # only what the template lacks in Spanish
	assert rows_in_template_language(english, [DIABETES_ES], "en") == []
