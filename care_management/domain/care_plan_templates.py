"""Applying condition templates to a care plan without duplicating anything.

A care manager may apply several templates (diabetes and hypertension share
goals like "take medicines as prescribed"), or apply the same one twice; each
goal, intervention, education topic and condition lands on the plan once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta


def text_key(text: str | None) -> str:
	"""Two texts are the same item when they differ only in case, spacing or a
	trailing full stop."""
	return " ".join((text or "").split()).rstrip(".").casefold()


def merge_new(existing: Iterable[dict], incoming: Iterable[dict], key: Callable[[dict], str]) -> list[dict]:
	"""The incoming items whose key is neither on the plan nor earlier in ``incoming``."""
	seen = {key(item) for item in existing}
	added = []
	for item in incoming:
		k = key(item)
		if k and k not in seen:
			seen.add(k)
			added.append(item)
	return added


def goal_due_date(start: date, due_in_days: int | None) -> date | None:
	return start + timedelta(days=due_in_days) if due_in_days else None


def template_additions(plan: dict, templates: list[dict], start: date) -> dict[str, list[dict]]:
	"""Rows to append to the plan's tables, per table, for the given templates.

	``plan`` holds the plan's current rows (``conditions``, ``goals``,
	``interventions``, ``education_topics``); each template holds its
	``template_name``, ``condition_name``, ``icd10_code`` and its own rows.
	"""
	conditions, goals, interventions, topics = [], [], [], []
	for template in templates:
		source = template["template_name"]
		conditions.append(
			{
				"condition_name": template["condition_name"],
				"icd10_code": template.get("icd10_code") or "",
				"expected_12_months": 1,
				"source_template": source,
			}
		)
		for goal in template.get("goals", []):
			goals.append(
				{
					"goal": goal["goal"],
					"measure": goal.get("measure"),
					"target": goal.get("target"),
					"due_date": goal_due_date(start, goal.get("due_in_days")),
					"status": "In Progress",
					"source_template": source,
				}
			)
		for intervention in template.get("interventions", []):
			interventions.append(
				{
					"intervention": intervention["intervention"],
					"responsible": intervention["responsible"],
					"frequency": intervention.get("frequency"),
					"linked_goal": intervention.get("linked_goal"),
					"status": "Planned",
					"source_template": source,
				}
			)
		topics.extend({"topic": t, "source_template": source} for t in template.get("education_topics", []))

	def condition_key(row: dict) -> str:
		return (row.get("icd10_code") or "").upper() or text_key(row.get("condition_name"))

	return {
		"conditions": merge_new(plan.get("conditions", []), conditions, condition_key),
		"goals": merge_new(plan.get("goals", []), goals, lambda r: text_key(r.get("goal"))),
		"interventions": merge_new(
			plan.get("interventions", []), interventions, lambda r: text_key(r.get("intervention"))
		),
		"education_topics": merge_new(
			plan.get("education_topics", []), topics, lambda r: text_key(r.get("topic"))
		),
	}
