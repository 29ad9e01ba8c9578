"""The care plan form's mixed-language warning: patient-facing texts that a
template put on the plan in English while the plan is read in another language,
and the action that writes them in the plan's language where the template has
them. Text the care team typed is never listed nor changed (the core decides
what counts: domain/care_plan_templates.rows_in_template_language)."""

import frappe
from frappe import _

from care_management.care_management.doctype.care_plan_template.care_plan_template import template_dict
from care_management.domain.care_plan_templates import (
	ACTION_PLAN_FIELDS,
	PATIENT_FACING_FIELDS,
	lines_of,
	rows_in_template_language,
	text_key,
)
from care_management.patient_language import plan_language


def templates_behind(plan) -> list[dict]:
	"""The templates the plan's rows came from, and those applied to it."""
	names = {row.template for row in plan.applied_templates}
	for table in PATIENT_FACING_FIELDS:
		names |= {row.source_template for row in plan.get(table) if row.source_template}
	names = [n for n in sorted(names) if frappe.db.exists("Care Plan Template", n)]
	return [template_dict(frappe.get_cached_doc("Care Plan Template", name)) for name in names]


def english_rows(plan) -> list[dict]:
	return rows_in_template_language(plan.as_dict(), templates_behind(plan), plan_language(plan))


@frappe.whitelist()
def template_text_in_other_language(name: str) -> dict:
	"""What the warning shows: the plan's language and each English row."""
	plan = frappe.get_doc("Care Plan", name)
	plan.check_permission("read")
	language = plan_language(plan)
	rows = english_rows(plan)
	meta = frappe.get_meta("Care Plan")
	for row in rows:
		table = row["table"]
		if table:
			child = frappe.get_meta(meta.get_field(table).options)
			row["where"] = _("{0}, row {1}, {2}").format(
				_(meta.get_label(table)), row["idx"], _(child.get_label(row["field"]))
			)
		else:
			row["where"] = _("{0}, line {1}").format(_(meta.get_label(row["field"])), row["idx"])
	language_name = frappe.db.get_value("Language", language, "language_name") or language
	return {"language": language, "language_name": language_name, "rows": rows}


@frappe.whitelist(methods=["POST"])
def write_template_text_in_plan_language(name: str) -> int:
	"""Replace each listed English text by the template's text in the plan's
	language, where the template has one; returns how many were replaced."""
	plan = frappe.get_doc("Care Plan", name)
	plan.check_permission("write")
	if plan.status == "Closed":
		frappe.throw(
			_("A closed care plan is not changed. Start a new plan to write it in another language.")
		)
	replaced, goals = 0, {}
	for found in english_rows(plan):
		if not found["translation"]:
			continue
		if found["table"]:
			row = next(r for r in plan.get(found["table"]) if r.idx == found["idx"])
			if text_key(row.get(found["field"])) == text_key(found["text"]):
				row.set(found["field"], found["translation"])
				replaced += 1
				if (found["table"], found["field"]) == ("goals", "goal"):
					goals[text_key(found["text"])] = found["translation"]
		elif found["field"] in ACTION_PLAN_FIELDS:
			lines = [
				found["translation"] if text_key(line) == text_key(found["text"]) else line
				for line in lines_of(plan.get(found["field"]))
			]
			plan.set(found["field"], "\n".join(lines))
			replaced += 1
	for row in plan.interventions:  # an intervention names its goal by the goal's text
		if text_key(row.linked_goal) in goals:
			row.linked_goal = goals[text_key(row.linked_goal)]
	if replaced:
		plan.save()
	return replaced
