import copy
import xml.etree.ElementTree as ET

import pytest
import us_core_checks as checks

from care_management.domain.fhir_care_plan import (
	CARE_PLAN_STATUS,
	GOAL_LIFECYCLE,
	care_plan_bundle,
	need_condition_id,
)
from care_management.domain.fhir_us_core import is_npi

BASE = "https://clinic.example.org"
PATIENT = {
	"id": "PID-00001",
	"name": "Jane Doe",
	"first_name": "Jane",
	"last_name": "Doe",
	"gender": "Female",
	"birth_date": "1950-03-04",
	"mobile": "555-0101",
	"language": "en",
}
PRACTITIONER = {
	"id": "HLC-PRAC-2026-00001",
	"name": "Dr Xu Lin",
	"first_name": "Xu",
	"last_name": "Lin",
	"npi": "1234567893",
}
PLAN = {
	"id": "CP-2026-00001",
	"status": "Active",
	"description": "Walking my granddaughter to school",
	"patient": PATIENT,
	"start_date": "2026-01-05",
	"next_review_date": "2026-04-05",
	"created": "2026-01-05",
	"care_manager": {"id": "cm@example.org", "name": "Ann Care"},
	"supervising_practitioner": PRACTITIONER,
	"conditions": [
		{"key": "c1", "name": "Type 2 diabetes mellitus", "icd10_code": "E11.9", "recorded_on": "2026-01-05"}
	],
	"needs": [{"key": "n1", "category": "Food", "status": "Referred", "identified_on": "2026-01-06"}],
	"goals": [
		{
			"key": "1",
			"goal": "HbA1c below 7%",
			"status": "In Progress",
			"measure": "HbA1c",
			"target": "< 7%",
			"due_date": "2026-04-01",
		},
		{"key": "2", "goal": "Walk daily", "status": "Achieved", "patient_words": "I want to walk to church"},
	],
	"interventions": [
		{
			"key": "1",
			"intervention": "Monthly call",
			"status": "Planned",
			"responsible": "Care Manager",
			"frequency": "Monthly",
			"linked_goal_key": "1",
		},
		{
			"key": "2",
			"intervention": "Check sugar before breakfast",
			"status": "In Progress",
			"responsible": "Patient",
		},
		{"key": "3", "intervention": "Adjust medicines", "status": "Planned", "responsible": "Practitioner"},
	],
	"action_plan": {
		"call_clinic_when": "Sugar over 300\nor dizzy",
		"clinic_phone": "555-0100",
		"call_911_when": "Chest pain",
	},
	"care_team": [
		{"name": "Dr Lee", "role": "Cardiologist", "organization": "Heart Clinic", "phone": "555-0100"}
	],
}
MINIMAL = {"id": "CP 2", "status": "Draft", "patient": {"id": "PID-2", "name": "Sam", "first_name": "Sam"}}
MANY_GOALS = {
	**PLAN,
	"goals": [{"key": str(n), "goal": f"Goal {n}", "status": "In Progress", "due_date": "2026-06-01"} for n in range(40)],
	"interventions": [
		{"key": str(n), "intervention": f"Step {n}", "status": "Planned", "responsible": "Patient", "linked_goal_key": str(n)}
		for n in range(40)
	],
}  # fmt: skip
UNCODED = {
	**PLAN,
	"conditions": [
		{"key": "a", "name": "Chronic pain"},
		{"key": "b", "name": "Made-up code", "icd10_code": "123.X"},
		{"key": "c", "icd10_code": "not a code"},
		{"key": "d", "name": "Coded without the dot", "icd10_code": "i10"},
	],
}
HOSTILE = {
	**PLAN,
	"description": '<script>alert("x")</script> & <b onclick="steal()">bold</b>\x00\x1b',
	"patient": {**PATIENT, "name": "Ann <img src=x onerror=alert(1)>"},
	"goals": [{"key": "1", "goal": "]]><!-- <div>", "status": "Proposed", "target": "&nbsp;"}],
	"action_plan": {"call_911_when": "</div><p>injected</p>"},
}
PLANS = {"full": PLAN, "no goals or conditions": MINIMAL, "many goals": MANY_GOALS, "uncoded conditions": UNCODED, "hostile text": HOSTILE}  # fmt: skip


def bundle_of(plan):
	return care_plan_bundle(copy.deepcopy(plan), BASE)


def resources(bundle, kind):
	return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def full_url(bundle, resource):
	return next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is resource)


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
@pytest.mark.parametrize(
	"rule", checks.rules_for("CarePlan", "Goal", "Condition", "Patient", "Practitioner"), ids=lambda r: r.name
)
def test_bundle_meets_the_us_core_rule(plan, rule):
	assert checks.problems(bundle_of(plan), only=rule) == []


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_bundle_validates_against_fhir_r4b(plan):
	bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
	bundle_model.Bundle.model_validate(bundle_of(plan))


def test_bundle_holds_the_care_plan_and_everything_it_references():
	bundle = bundle_of(PLAN)
	(care_plan,) = resources(bundle, "CarePlan")
	(patient,) = resources(bundle, "Patient")
	(practitioner,) = resources(bundle, "Practitioner")
	goals = resources(bundle, "Goal")
	assert len(goals) == 2 and len(resources(bundle, "Condition")) == 2
	assert care_plan["subject"]["reference"] == full_url(bundle, patient)
	assert care_plan["author"]["reference"] == full_url(bundle, practitioner)
	assert [g["reference"] for g in care_plan["goal"]] == [full_url(bundle, g) for g in goals]
	assert care_plan["activity"][0]["detail"]["goal"] == [care_plan["goal"][0]]


def test_a_plan_with_no_goals_or_conditions_still_carries_its_patient():
	bundle = bundle_of(MINIMAL)
	assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["CarePlan", "Patient"]
	assert "goal" not in resources(bundle, "CarePlan")[0]


def test_many_goals_each_become_a_goal_linked_from_its_intervention():
	bundle = bundle_of(MANY_GOALS)
	(care_plan,) = resources(bundle, "CarePlan")
	assert len(resources(bundle, "Goal")) == len(care_plan["goal"]) == 40
	linked = [a["detail"]["goal"][0]["reference"] for a in care_plan["activity"] if "goal" in a["detail"]]
	assert linked == [g["reference"] for g in care_plan["goal"]]


def test_the_patient_and_practitioner_carry_identifiers_names_gender_and_npi():
	bundle = bundle_of(PLAN)
	(patient,) = resources(bundle, "Patient")
	assert patient["identifier"][0]["system"] == f"{BASE}/app/patient"
	assert patient["identifier"][0]["value"] == "PID-00001"
	assert patient["name"][0]["family"] == "Doe" and patient["name"][0]["given"] == ["Jane"]
	assert (patient["gender"], patient["birthDate"]) == ("female", "1950-03-04")
	assert "extension" not in patient  # no race or ethnicity recorded, so none sent
	(practitioner,) = resources(bundle, "Practitioner")
	assert {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"} in practitioner["identifier"]


@pytest.mark.parametrize(
	"gender, code",
	[("Male", "male"), ("Female", "female"), ("Genderqueer", "other"), ("Prefer not to say", "unknown"), (None, "unknown")],
)  # fmt: skip
def test_gender_maps_to_administrative_gender(gender, code):
	bundle = bundle_of({**MINIMAL, "patient": {**MINIMAL["patient"], "gender": gender}})
	assert resources(bundle, "Patient")[0]["gender"] == code


def test_the_patient_address_is_sent_when_there_is_one():
	address = {"line": ["12 Elm St", None], "city": "Springfield", "state": "IL", "postal_code": "62704"}
	bundle = bundle_of({**MINIMAL, "patient": {**MINIMAL["patient"], "address": address}})
	assert resources(bundle, "Patient")[0]["address"] == [
		{"use": "home", "line": ["12 Elm St"], "city": "Springfield", "state": "IL", "postalCode": "62704"}
	]
	assert "address" not in resources(bundle_of(MINIMAL), "Patient")[0]


def test_race_and_ethnicity_are_sent_as_us_core_extensions_only_when_recorded():
	bundle = bundle_of({**MINIMAL, "patient": {**MINIMAL["patient"], "race": "Asian", "ethnicity": ""}})
	(extension,) = resources(bundle, "Patient")[0]["extension"]
	assert extension["url"] == "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
	assert extension["extension"] == [{"url": "text", "valueString": "Asian"}]


def test_a_practitioner_without_a_valid_npi_or_last_name_says_so_instead_of_inventing():
	plan = {
		**PLAN,
		"supervising_practitioner": {"id": "PR-2", "name": "Xu", "first_name": "Xu", "npi": "1234567890"},
	}
	(practitioner,) = resources(bundle_of(plan), "Practitioner")
	assert [i["system"] for i in practitioner["identifier"]] == [f"{BASE}/app/healthcare-practitioner"]
	assert "family" not in practitioner["name"][0]
	assert practitioner["name"][0]["_family"]["extension"][0]["valueCode"] == "unknown"


def test_npi_check_digit():
	assert is_npi("1234567893")
	assert (
		not is_npi("1234567890") and not is_npi("123456789") and not is_npi(None) and not is_npi("12345678a3")
	)


def test_conditions_are_coded_icd10_cm_only_when_the_code_has_its_shape():
	by_id = {c["id"].rsplit("-", 1)[1]: c["code"] for c in resources(bundle_of(UNCODED), "Condition")}
	assert by_id["a"] == {"text": "Chronic pain"}
	assert by_id["b"] == {"text": "Made-up code"}
	assert by_id["c"] == {"text": "not a code"}
	assert by_id["d"]["coding"] == [
		{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10", "display": "Coded without the dot"}
	]


def test_a_social_need_is_an_sdoh_health_concern_with_its_sdohcc_category():
	bundle = bundle_of(PLAN)
	need = next(
		c for c in resources(bundle, "Condition") if c["id"] == need_condition_id("CP-2026-00001", "n1")
	)
	categories = [
		(c["system"].rsplit("/", 1)[1], c["code"]) for cat in need["category"] for c in cat["coding"]
	]
	assert categories == [
		("condition-category", "health-concern"),
		("us-core-category", "sdoh"),
		("SDOHCC-CodeSystemTemporaryCodes", "food-insecurity"),
	]
	assert need["clinicalStatus"]["coding"][0]["code"] == "active"
	met = bundle_of({**PLAN, "needs": [{"key": "n1", "category": "Legal", "status": "Met"}]})
	legal = next(c for c in resources(met, "Condition") if "need" in c["id"])
	assert legal["clinicalStatus"]["coding"][0]["code"] == "resolved"
	assert legal["category"][2]["coding"][0]["code"] == "sdoh-category-unspecified"


def test_interventions_and_the_symptom_action_plan_are_activities():
	bundle = bundle_of(PLAN)
	(care_plan,) = resources(bundle, "CarePlan")
	(patient,) = resources(bundle, "Patient")
	(practitioner,) = resources(bundle, "Practitioner")
	details = [a["detail"] for a in care_plan["activity"]]
	assert [(d["kind"], d["status"]) for d in details] == [
		("Task", "not-started"),
		("Task", "in-progress"),
		("Task", "not-started"),
		("CommunicationRequest", "in-progress"),
		("CommunicationRequest", "in-progress"),
	]
	assert details[0]["performer"] == [{"display": "Ann Care"}]
	assert details[1]["performer"][0]["reference"] == full_url(bundle, patient)
	assert details[2]["performer"][0]["reference"] == full_url(bundle, practitioner)
	assert details[3]["description"] == "Call the clinic if: Sugar over 300\nor dizzy Clinic: 555-0100"
	assert details[4]["description"] == "Call 911 right away if: Chest pain"


def test_the_narrative_is_the_plan_a_clinician_reads():
	(care_plan,) = resources(bundle_of(PLAN), "CarePlan")
	text = "".join(ET.fromstring(care_plan["text"]["div"]).itertext())
	for expected in ("Jane Doe", "Type 2 diabetes mellitus (E11.9)", "HbA1c below 7%", "Monthly call", "Chest pain", "Dr Lee", "Food"):  # fmt: skip
		assert expected in text


def test_the_narrative_escapes_everything_it_is_given():
	(care_plan,) = resources(bundle_of(HOSTILE), "CarePlan")
	root = ET.fromstring(care_plan["text"]["div"])
	tags = {node.tag.split("}")[1] for node in root.iter()}
	assert not tags & {"script", "img", "div"} - {"div"} and list(
		root.iter("{http://www.w3.org/1999/xhtml}div")
	) == [root]
	text = "".join(root.itertext())
	assert '<script>alert("x")</script>' in text and "<img src=x onerror=alert(1)>" in text
	assert "</div><p>injected</p>" in text and "&nbsp;" in text
	assert "\x00" not in care_plan["text"]["div"] and "\x1b" not in care_plan["text"]["div"]


def test_a_goal_target_without_a_measure_is_a_note_not_a_detail():
	(goal,) = resources(bundle_of(HOSTILE), "Goal")
	assert "target" not in goal and goal["note"] == [{"text": "Target: &nbsp;"}]


def test_the_narrative_labels_are_translated_by_the_caller():
	french = {"Care plan for {0}": "Plan de soins de {0}", "Goals": "Objectifs"}
	bundle = care_plan_bundle(copy.deepcopy(PLAN), BASE, lambda m: french.get(m, m))
	div = resources(bundle, "CarePlan")[0]["text"]["div"]
	assert "Plan de soins de Jane Doe" in div and "<h3>Objectifs</h3>" in div


@pytest.mark.parametrize("status, code", sorted(CARE_PLAN_STATUS.items()))
def test_every_plan_status_maps_to_its_fhir_code(status, code):
	assert resources(bundle_of({**MINIMAL, "status": status}), "CarePlan")[0]["status"] == code


@pytest.mark.parametrize("status, code", sorted(GOAL_LIFECYCLE.items()))
def test_every_goal_status_maps_to_its_lifecycle_code(status, code):
	plan = {**MINIMAL, "goals": [{"key": "1", "goal": "g", "status": status}]}
	assert resources(bundle_of(plan), "Goal")[0]["lifecycleStatus"] == code


def test_goal_achievement_is_coded_from_the_goal_achievement_code_system():
	goals = resources(bundle_of(PLAN), "Goal")
	assert goals[1]["achievementStatus"]["coding"][0] == {
		"system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
		"code": "achieved",
		"display": "Achieved",
	}
	assert goals[1]["note"][0]["text"].endswith("I want to walk to church")
	assert (
		goals[1]["expressedBy"]["reference"]
		== resources(bundle_of(PLAN), "CarePlan")[0]["subject"]["reference"]
	)


def test_unknown_status_is_refused():
	with pytest.raises(ValueError, match="care plan status"):
		bundle_of({**MINIMAL, "status": "Archived"})


def test_ids_are_valid_fhir_ids_and_output_is_deterministic():
	assert resources(bundle_of(MINIMAL), "CarePlan")[0]["id"] == "CP-2"
	assert bundle_of(PLAN) == bundle_of(PLAN)


def test_the_same_patient_has_the_same_full_url_on_one_site_and_another_on_another():
	one = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle_of(PLAN)["entry"]}
	other = {e["resource"]["resourceType"]: e["fullUrl"] for e in care_plan_bundle(copy.deepcopy(PLAN), "https://other.example.org")["entry"]}  # fmt: skip
	assert one["Patient"] == {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle_of(MINIMAL | {"patient": PATIENT})["entry"]}["Patient"]  # fmt: skip
	assert one["Patient"] != other["Patient"]


# The checks themselves must be able to fail: each broken bundle is caught by the rule it breaks.
BREAKAGES = {
	"CarePlan.category:AssessPlan": lambda b: resources(b, "CarePlan")[0].pop("category"),
	"CarePlan.text": lambda b: resources(b, "CarePlan")[0]["text"].update(div="<div><script>x</script></div>"),
	"Reference.reference resolves": lambda b: b["entry"].pop(1),
	"meta.profile": lambda b: resources(b, "Goal")[0].pop("meta"),
	"Coding.system": lambda b: resources(b, "Condition")[0]["code"]["coding"][0].update(system="http://example.org/icd"),
	"Goal.achievementStatus": lambda b: resources(b, "Goal")[1]["achievementStatus"]["coding"][0].update(code="done"),
	"Condition.category (SDOHCC": lambda b: resources(b, "Condition")[1]["category"][2]["coding"][0].update(code="legal-status"),
	"Patient.gender": lambda b: resources(b, "Patient")[0].update(gender="F"),
	"Practitioner.name": lambda b: resources(b, "Practitioner")[0]["name"][0].pop("family"),
	"Condition.recordedDate": lambda b: resources(b, "Condition")[0].pop("recordedDate"),
	"CarePlan.activity.detail": lambda b: resources(b, "CarePlan")[0]["activity"][0]["detail"].update(kind="Call"),
}  # fmt: skip


@pytest.mark.parametrize("element, breakage", BREAKAGES.items(), ids=BREAKAGES.keys())
def test_each_check_catches_the_rule_it_names(element, breakage):
	bundle = bundle_of(PLAN)
	breakage(bundle)
	assert any(p.startswith(element) for p in checks.problems(bundle)), checks.problems(bundle)


def test_a_condition_without_its_recorded_date_is_dated_from_the_plan_start():
	plan = copy.deepcopy(PLAN)
	plan["conditions"] = [
		{"key": "c1", "name": "Type 2 diabetes mellitus", "icd10_code": "E11.9", "recorded_on": "2026-02-10"},
		{"key": "c2", "name": "Essential (primary) hypertension", "icd10_code": "I10", "recorded_on": None},
	]
	conditions = [c for c in resources(care_plan_bundle(plan, BASE), "Condition") if c["code"].get("coding")]
	assert [c["recordedDate"] for c in conditions] == ["2026-02-10", "2026-01-05"]
