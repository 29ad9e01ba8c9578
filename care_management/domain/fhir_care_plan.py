"""A care plan as a FHIR R4 Bundle: CarePlan, Goal and Condition resources.

Plain dicts in, plain JSON-able dicts out. The mapping of the app's statuses
to FHIR codes is data below; unknown statuses are refused rather than guessed.
"""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, uuid5

ICD10_CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

CARE_PLAN_STATUS = {
	"Draft": "draft",
	"Pending Practitioner Review": "draft",
	"Active": "active",
	"On Hold": "on-hold",
	"Closed": "completed",
}
GOAL_LIFECYCLE = {
	"Proposed": "proposed",
	"In Progress": "active",
	"Achieved": "completed",
	"Not Achieved": "completed",
	"Cancelled": "cancelled",
}
GOAL_ACHIEVEMENT_CODE = {"In Progress": "in-progress", "Achieved": "achieved", "Not Achieved": "not-achieved"}
ACTIVITY_STATUS = {
	"Planned": "not-started",
	"In Progress": "in-progress",
	"Completed": "completed",
	"Stopped": "stopped",
}


def fhir_id(*parts: str) -> str:
	"""A valid FHIR id ([A-Za-z0-9-.]{1,64}) made from the app's names."""
	return re.sub(r"[^A-Za-z0-9\-.]", "-", "-".join(str(p) for p in parts))[:64]


def _mapped(mapping: dict[str, str], value: str | None, field: str) -> str:
	if value not in mapping:
		raise ValueError(f"{field}: {value!r} has no FHIR equivalent; expected one of {sorted(mapping)}")
	return mapping[value]


def _entry(resource: dict) -> dict:
	return {
		"fullUrl": f"urn:uuid:{uuid5(NAMESPACE_URL, resource['resourceType'] + '/' + resource['id'])}",
		"resource": resource,
	}


def _drop_empty(data: dict) -> dict:
	return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def condition_resource(plan_id: str, subject: dict, condition: dict) -> dict:
	code = _drop_empty({"text": condition.get("name") or condition.get("icd10_code")})
	if condition.get("icd10_code"):
		code["coding"] = [
			_drop_empty(
				{"system": ICD10_CM_SYSTEM, "code": condition["icd10_code"], "display": condition.get("name")}
			)
		]
	return _drop_empty(
		{
			"resourceType": "Condition",
			"id": fhir_id(plan_id, "condition", condition["key"]),
			"clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
			"verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": "confirmed"}]},
			"category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
			"code": code,
			"subject": subject,
			"onsetDateTime": condition.get("onset_date"),
		}
	)


def goal_resource(plan_id: str, subject: dict, goal: dict) -> dict:
	status = goal.get("status")
	achievement = GOAL_ACHIEVEMENT_CODE.get(status)
	target = _drop_empty(
		{
			"measure": {"text": goal["measure"]} if goal.get("measure") else None,
			"detailString": goal.get("target"),
			"dueDate": goal.get("due_date"),
		}
	)
	return _drop_empty(
		{
			"resourceType": "Goal",
			"id": fhir_id(plan_id, "goal", goal["key"]),
			"lifecycleStatus": _mapped(GOAL_LIFECYCLE, status, "goal status"),
			"achievementStatus": {"coding": [{"system": GOAL_ACHIEVEMENT, "code": achievement}]}
			if achievement
			else None,
			"description": {"text": goal["goal"]},
			"subject": subject,
			"target": [target] if target else None,
			"note": [{"text": f"In the patient's words: {goal['patient_words']}"}]
			if goal.get("patient_words")
			else None,
		}
	)


def care_plan_bundle(plan: dict) -> dict:
	plan_id = fhir_id(plan["id"])
	subject = _drop_empty(
		{"reference": f"Patient/{fhir_id(plan['patient']['id'])}", "display": plan["patient"].get("name")}
	)
	conditions = [condition_resource(plan_id, subject, c) for c in plan.get("conditions") or []]
	goals = [goal_resource(plan_id, subject, g) for g in plan.get("goals") or []]
	goal_ids = {g["key"]: fhir_id(plan_id, "goal", g["key"]) for g in plan.get("goals") or []}

	practitioner = plan.get("supervising_practitioner")
	author = (
		_drop_empty(
			{"reference": f"Practitioner/{fhir_id(practitioner['id'])}", "display": practitioner.get("name")}
		)
		if practitioner
		else None
	)
	care_manager = plan.get("care_manager")
	contributors = [author] if author else []
	if care_manager:
		contributors.append({"display": care_manager.get("name") or care_manager["id"]})

	activities = []
	for item in plan.get("interventions") or []:
		detail = _drop_empty(
			{
				"status": _mapped(ACTIVITY_STATUS, item.get("status"), "intervention status"),
				"description": item["intervention"],
				"goal": [{"reference": f"Goal/{goal_ids[item['linked_goal_key']]}"}]
				if item.get("linked_goal_key") in goal_ids
				else None,
				"performer": [{"display": item["responsible"]}] if item.get("responsible") else None,
				"scheduledString": item.get("frequency"),
			}
		)
		activities.append({"detail": detail})

	contained = []
	team = plan.get("care_team") or []
	if team:
		contained.append(
			{
				"resourceType": "CareTeam",
				"id": "careteam",
				"participant": [
					_drop_empty(
						{
							"role": [{"text": member["role"]}] if member.get("role") else None,
							"member": {
								"display": member.get("name")
								or member.get("organization")
								or "Care team member"
							},
						}
					)
					for member in team
				],
			}
		)

	care_plan = _drop_empty(
		{
			"resourceType": "CarePlan",
			"id": plan_id,
			"contained": contained,
			"status": _mapped(CARE_PLAN_STATUS, plan.get("status"), "care plan status"),
			"intent": "plan",
			"title": plan.get("title"),
			"description": plan.get("description"),
			"subject": subject,
			"period": _drop_empty({"start": plan.get("start_date")}),
			"created": plan.get("created"),
			"author": author,
			"contributor": contributors,
			"careTeam": [{"reference": "#careteam"}] if team else None,
			"addresses": [{"reference": f"Condition/{c['id']}"} for c in conditions],
			"goal": [{"reference": f"Goal/{g['id']}"} for g in goals],
			"activity": activities,
			"note": [{"text": f"Next review: {plan['next_review_date']}"}]
			if plan.get("next_review_date")
			else None,
		}
	)
	return {
		"resourceType": "Bundle",
		"id": fhir_id(plan_id, "bundle"),
		"type": "collection",
		"entry": [_entry(care_plan), *(_entry(g) for g in goals), *(_entry(c) for c in conditions)],
	}
