import pytest

from care_management.domain.fhir_care_plan import CARE_PLAN_STATUS, GOAL_LIFECYCLE, care_plan_bundle

PLAN = {
	"id": "CP-2026-00001",
	"status": "Active",
	"description": "Walking my granddaughter to school",
	"patient": {"id": "PID-00001", "name": "Jane Doe"},
	"start_date": "2026-01-05",
	"next_review_date": "2026-04-05",
	"created": "2026-01-05",
	"care_manager": {"id": "cm@example.org", "name": "Ann Care"},
	"supervising_practitioner": {"id": "HLC-PRAC-2026-00001", "name": "Dr Xu"},
	"conditions": [
		{"key": "1", "name": "Type 2 diabetes mellitus", "icd10_code": "E11.9", "expected_12_months": True}
	],
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
		}
	],
	"care_team": [
		{"name": "Dr Lee", "role": "Cardiologist", "organization": "Heart Clinic", "phone": "555-0100"}
	],
}
MINIMAL = {"id": "CP 2", "status": "Draft", "patient": {"id": "PID-2"}}


def resources(bundle, kind):
	return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_holds_one_care_plan_its_goals_and_conditions():
	bundle = care_plan_bundle(PLAN)
	assert bundle["type"] == "collection"
	(care_plan,) = resources(bundle, "CarePlan")
	assert len(resources(bundle, "Goal")) == 2
	(condition,) = resources(bundle, "Condition")
	assert care_plan["intent"] == "plan"
	assert care_plan["status"] == "active"
	assert care_plan["addresses"] == [{"reference": f"Condition/{condition['id']}"}]
	assert [g["reference"] for g in care_plan["goal"]] == [
		f"Goal/{g['id']}" for g in resources(bundle, "Goal")
	]
	assert care_plan["activity"][0]["detail"]["goal"] == [{"reference": care_plan["goal"][0]["reference"]}]
	assert condition["code"]["coding"][0] == {
		"system": "http://hl7.org/fhir/sid/icd-10-cm",
		"code": "E11.9",
		"display": "Type 2 diabetes mellitus",
	}


@pytest.mark.parametrize("status, code", sorted(CARE_PLAN_STATUS.items()))
def test_every_plan_status_maps_to_its_fhir_code(status, code):
	assert resources(care_plan_bundle({**MINIMAL, "status": status}), "CarePlan")[0]["status"] == code


@pytest.mark.parametrize("status, code", sorted(GOAL_LIFECYCLE.items()))
def test_every_goal_status_maps_to_its_lifecycle_code(status, code):
	plan = {**MINIMAL, "goals": [{"key": "1", "goal": "g", "status": status}]}
	assert resources(care_plan_bundle(plan), "Goal")[0]["lifecycleStatus"] == code


def test_goal_achievement_is_coded():
	goals = resources(care_plan_bundle(PLAN), "Goal")
	assert goals[1]["achievementStatus"]["coding"][0]["code"] == "achieved"
	assert goals[1]["note"][0]["text"].endswith("I want to walk to church")


def test_unknown_status_is_refused():
	with pytest.raises(ValueError, match="care plan status"):
		care_plan_bundle({**MINIMAL, "status": "Archived"})


def test_ids_are_valid_fhir_ids_and_output_is_deterministic():
	bundle = care_plan_bundle(MINIMAL)
	assert resources(bundle, "CarePlan")[0]["id"] == "CP-2"
	assert care_plan_bundle(PLAN) == care_plan_bundle(PLAN)


@pytest.mark.parametrize("plan", [PLAN, MINIMAL], ids=["full", "minimal"])
def test_bundle_validates_against_fhir_r4(plan):
	bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
	bundle_model.Bundle.model_validate(care_plan_bundle(plan))
