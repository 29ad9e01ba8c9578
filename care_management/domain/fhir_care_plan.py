"""A care plan as one self-contained FHIR R4 Bundle shaped to US Core 6.1:
CarePlan (with its narrative), Goal, Condition (chronic conditions as problems,
social needs as SDOH health concerns), and the Patient and Practitioner they
reference.

Plain dicts in, plain JSON-able dicts out. The mapping of the app's statuses
to FHIR codes is data below; unknown statuses are refused rather than guessed.
``_`` translates the narrative's labels (the caller passes the desk's
translator; left out, they stay English).
"""

from __future__ import annotations

from care_management.domain import fhir_narrative as xhtml
from care_management.domain.fhir_us_core import (
	CONDITION_CATEGORY,
	CONDITION_CLINICAL,
	CONDITION_VERIFICATION,
	BundleEntries,
	coded,
	condition_code,
	drop_empty,
	fhir_id,
	mapped,
	need_condition_resource,
	patient_resource,
	practitioner_resource,
)

GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"

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
GOAL_ACHIEVEMENT_CODE = {
	"In Progress": ("in-progress", "In Progress"),
	"Achieved": ("achieved", "Achieved"),
	"Not Achieved": ("not-achieved", "Not Achieved"),
}
ACTIVITY_STATUS = {
	"Planned": "not-started",
	"In Progress": "in-progress",
	"Completed": "completed",
	"Stopped": "stopped",
}
# The symptom action plan is standing advice: it applies while the plan does.
ACTION_PLAN_STATUS = {
	"draft": "not-started",
	"active": "in-progress",
	"on-hold": "on-hold",
	"completed": "completed",
}


def _untranslated(message: str) -> str:
	return message


def need_condition_id(plan_id: str, need_key: str) -> str:
	"""The Condition id of a care plan's need: the referral export uses the same one."""
	return fhir_id(plan_id, "need", need_key)


def condition_resource(plan_id: str, subject: dict, condition: dict) -> dict:
	return drop_empty(
		{
			"resourceType": "Condition",
			"id": fhir_id(plan_id, "condition", condition["key"]),
			"clinicalStatus": coded(CONDITION_CLINICAL, "active"),
			"verificationStatus": coded(CONDITION_VERIFICATION, "confirmed"),
			"category": [coded(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")],
			"code": condition_code(condition.get("name"), condition.get("icd10_code")),
			"subject": subject,
			"onsetDateTime": condition.get("onset_date"),
			"recordedDate": condition.get("recorded_on"),
			"note": [{"text": condition["notes"]}] if condition.get("notes") else None,
		}
	)


def goal_resource(plan_id: str, subject: dict, goal: dict, _=_untranslated) -> dict:
	status = goal.get("status")
	achievement = GOAL_ACHIEVEMENT_CODE.get(status)
	# gol-1: a target's detail needs its measure, so a target without a measure is a note.
	target = drop_empty(
		{
			"measure": {"text": goal["measure"]} if goal.get("measure") else None,
			"detailString": goal.get("target") if goal.get("measure") else None,
			"dueDate": goal.get("due_date"),
		}
	)
	notes = []
	if goal.get("target") and not goal.get("measure"):
		notes.append({"text": _("Target: {0}").format(goal["target"])})
	if goal.get("patient_words"):
		notes.append({"text": _("In the patient's words: {0}").format(goal["patient_words"])})
	return drop_empty(
		{
			"resourceType": "Goal",
			"id": fhir_id(plan_id, "goal", goal["key"]),
			"lifecycleStatus": mapped(GOAL_LIFECYCLE, status, "goal status"),
			"achievementStatus": coded(GOAL_ACHIEVEMENT, *achievement) if achievement else None,
			"description": {"text": goal["goal"]},
			"subject": subject,
			"target": [target] if target else None,
			"expressedBy": subject if goal.get("patient_words") else None,
			"note": notes,
		}
	)


def care_plan_bundle(plan: dict, base_url: str, _=_untranslated) -> dict:
	"""``plan``: id, status, description, start_date, next_review_date, created,
	patient (see patient_resource), supervising_practitioner (see
	practitioner_resource), care_manager {id, name}, conditions, needs, goals,
	interventions, action_plan {call_clinic_when, clinic_phone,
	after_hours_phone, call_911_when}, care_team."""
	entries = BundleEntries(base_url)
	plan_id = fhir_id(plan["id"])
	status = mapped(CARE_PLAN_STATUS, plan.get("status"), "care plan status")
	patient = patient_resource(plan["patient"], base_url)
	subject = entries.reference(patient, plan["patient"].get("name"))

	practitioner = None
	author = None
	if plan.get("supervising_practitioner"):
		practitioner = practitioner_resource(plan["supervising_practitioner"], base_url)
		author = entries.reference(practitioner, plan["supervising_practitioner"].get("name"))
	care_manager = plan.get("care_manager")
	care_manager_name = (care_manager.get("name") or care_manager["id"]) if care_manager else None

	# US Core 6.1 SHALL support Condition.recordedDate: a row that does not say when it
	# was recorded (one made before rows were dated) was recorded by the plan's start.
	started = plan.get("start_date")
	conditions = [
		condition_resource(plan_id, subject, {**c, "recorded_on": c.get("recorded_on") or started})
		for c in plan.get("conditions") or []
	]
	needs = [
		need_condition_resource(
			{
				**need,
				"id": need_condition_id(plan_id, need["key"]),
				"label": _(need["category"]),
				"identified_on": need.get("identified_on") or started,
			},
			subject,
		)
		for need in plan.get("needs") or []
	]
	goals = [goal_resource(plan_id, subject, g, _) for g in plan.get("goals") or []]
	goal_refs = {
		g["key"]: entries.reference(resource)
		for g, resource in zip(plan.get("goals") or [], goals, strict=True)
	}

	def performer(responsible: str | None) -> list[dict] | None:
		if responsible == "Patient":
			return [subject]
		if responsible == "Practitioner" and author:
			return [author]
		if responsible == "Care Manager" and care_manager_name:
			return [{"display": care_manager_name}]
		return [{"display": _(responsible)}] if responsible else None

	activities = [
		{
			"detail": drop_empty(
				{
					"kind": "Task",
					"status": mapped(ACTIVITY_STATUS, item.get("status"), "intervention status"),
					"description": item["intervention"],
					"goal": [goal_refs[item["linked_goal_key"]]]
					if item.get("linked_goal_key") in goal_refs
					else None,
					"performer": performer(item.get("responsible")),
					"scheduledString": item.get("frequency"),
				}
			)
		}
		for item in plan.get("interventions") or []
	]
	advice = action_plan_lines(plan.get("action_plan") or {}, _)
	activities += [
		{
			"detail": {
				"kind": "CommunicationRequest",
				"status": ACTION_PLAN_STATUS[status],
				"description": line,
				"performer": [subject],
			}
		}
		for line in advice
	]

	contained = []
	team = plan.get("care_team") or []
	if team:
		contained.append(
			{
				"resourceType": "CareTeam",
				"id": "careteam",
				"participant": [
					drop_empty(
						{
							"role": [{"text": member["role"]}] if member.get("role") else None,
							"member": {
								"display": member.get("name")
								or member.get("organization")
								or _("Care team member")
							},
						}
					)
					for member in team
				],
			}
		)

	contributors = [author] if author else []
	if care_manager_name:
		contributors.append({"display": care_manager_name})
	care_plan = drop_empty(
		{
			"resourceType": "CarePlan",
			"id": plan_id,
			"text": {"status": "additional", "div": care_plan_narrative(plan, advice, _)},
			"contained": contained,
			"status": status,
			"intent": "plan",
			"category": [coded(CAREPLAN_CATEGORY, "assess-plan", "Assessment and Plan of Treatment")],
			"title": plan.get("title"),
			"description": plan.get("description"),
			"subject": subject,
			"period": drop_empty({"start": plan.get("start_date")}),
			"created": plan.get("created"),
			"author": author,
			"contributor": contributors,
			"careTeam": [{"reference": "#careteam"}] if team else None,
			"addresses": [entries.reference(c) for c in conditions + needs],
			"goal": list(goal_refs.values()),
			"activity": activities,
			"note": [{"text": _("Next review: {0}").format(plan["next_review_date"])}]
			if plan.get("next_review_date")
			else None,
		}
	)
	for resource in (care_plan, patient, practitioner, *conditions, *needs, *goals):
		if resource:
			entries.add(resource)
	return entries.bundle(fhir_id(plan_id, "bundle"))


def action_plan_lines(action_plan: dict, _=_untranslated) -> list[str]:
	"""The symptom action plan as the patient reads it, one line per instruction."""
	lines = []
	if action_plan.get("call_clinic_when"):
		phones = [
			_("Clinic: {0}").format(action_plan["clinic_phone"]) if action_plan.get("clinic_phone") else "",
			_("After hours: {0}").format(action_plan["after_hours_phone"])
			if action_plan.get("after_hours_phone")
			else "",
		]
		line = _("Call the clinic if: {0}").format(action_plan["call_clinic_when"])
		lines.append(" ".join([line, *filter(None, phones)]))
	if action_plan.get("call_911_when"):
		lines.append(_("Call 911 right away if: {0}").format(action_plan["call_911_when"]))
	return lines


def care_plan_narrative(plan: dict, advice: list[str], _=_untranslated) -> str:
	"""What a clinician on the other side reads: the content of the patient
	print, in the order a care plan is read, every value escaped."""
	patient = plan["patient"]
	practitioner = plan.get("supervising_practitioner") or {}
	care_manager = plan.get("care_manager") or {}
	summary = [
		xhtml.labelled(_("Status"), _(plan.get("status") or "")),
		xhtml.labelled(_("Start Date"), plan.get("start_date")) if plan.get("start_date") else "",
		xhtml.labelled(_("Next Review Date"), plan.get("next_review_date"))
		if plan.get("next_review_date")
		else "",
	]
	team = [
		xhtml.labelled(_("Supervising Practitioner"), practitioner.get("name") or practitioner.get("id"))
		if practitioner
		else "",
		xhtml.labelled(_("Care Manager"), care_manager.get("name") or care_manager.get("id"))
		if care_manager
		else "",
	]

	def joined(parts: list[str]) -> str:
		return "; ".join(part for part in parts if part)

	conditions = [
		xhtml.text(c.get("name") or c.get("icd10_code"))
		+ (f" ({xhtml.text(c['icd10_code'])})" if c.get("icd10_code") and c.get("name") else "")
		for c in plan.get("conditions") or []
	]
	needs = [
		xhtml.text(_(n["category"])) + (f": {xhtml.text(_(n['status']))}" if n.get("status") else "")
		for n in plan.get("needs") or []
	]
	goals = [
		joined(
			[
				f"<b>{xhtml.text(g['goal'])}</b>",
				xhtml.labelled(_("Status"), _(g["status"])) if g.get("status") else "",
				xhtml.labelled(_("Target"), g["target"]) if g.get("target") else "",
				xhtml.labelled(_("Due Date"), g["due_date"]) if g.get("due_date") else "",
				xhtml.labelled(_("In the patient's words"), g["patient_words"])
				if g.get("patient_words")
				else "",
			]
		)
		for g in plan.get("goals") or []
	]
	interventions = [
		joined(
			[
				xhtml.text(i["intervention"]),
				xhtml.labelled(_("Responsible"), _(i["responsible"])) if i.get("responsible") else "",
				xhtml.labelled(_("Frequency"), i["frequency"]) if i.get("frequency") else "",
				xhtml.labelled(_("Status"), _(i["status"])) if i.get("status") else "",
			]
		)
		for i in plan.get("interventions") or []
	]
	care_team = [
		joined(
			[
				xhtml.text(m.get("name") or m.get("organization") or _("Care team member")),
				xhtml.text(m["role"]) if m.get("role") else "",
				xhtml.text(m["organization"]) if m.get("organization") and m.get("name") else "",
				xhtml.labelled(_("Phone"), m["phone"]) if m.get("phone") else "",
			]
		)
		for m in plan.get("care_team") or []
	]
	return xhtml.div(
		[
			xhtml.element(
				"h2", xhtml.text(_("Care plan for {0}").format(patient.get("name") or patient["id"]))
			),
			xhtml.element("p", joined(summary)),
			xhtml.element("p", joined(team)) if any(team) else "",
			xhtml.element("h3", xhtml.text(_("What matters most")))
			+ xhtml.element("p", xhtml.text(plan["description"]))
			if plan.get("description")
			else "",
			xhtml.section(_("Conditions"), conditions),
			xhtml.section(_("Social needs"), needs),
			xhtml.section(_("Goals"), goals),
			xhtml.section(_("Interventions"), interventions),
			xhtml.section(_("When to call"), [xhtml.text(line) for line in advice]),
			xhtml.section(_("Care team"), care_team),
		]
	)
