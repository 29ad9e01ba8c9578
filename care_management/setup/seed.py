"""Records the app ships with: programs and condition templates.

Each seed creates what is missing and never overwrites a record an admin has
changed, so it is safe in after_install and in patches alike.
"""

import json
from pathlib import Path

import frappe

SEED_DATA = Path(__file__).parent / "seed_data"


def load(name: str) -> list[dict]:
	return json.loads((SEED_DATA / name).read_text())


def seed_care_programs() -> None:
	for program in load("care_programs.json"):
		if not frappe.db.exists("Care Program", program["program_name"]):
			frappe.get_doc({"doctype": "Care Program", **program}).insert(ignore_permissions=True)


def seed_care_plan_templates() -> None:
	for template in load("care_plan_templates.json"):
		if frappe.db.exists("Care Plan Template", template["template_name"]):
			continue
		frappe.get_doc(
			{
				"doctype": "Care Plan Template",
				"template_name": template["template_name"],
				"condition_name": template["condition_name"],
				"icd10_code": template.get("icd10_code"),
				"description": template.get("description"),
				"goals": template["goals"],
				"interventions": template["interventions"],
				"education_topics": [{"topic": topic} for topic in template["education_topics"]],
			}
		).insert(ignore_permissions=True)


def seed_outreach_lists() -> None:
	for activity in load("outreach_activity_types.json"):
		if not frappe.db.exists("Outreach Activity Type", activity["activity_type"]):
			frappe.get_doc({"doctype": "Outreach Activity Type", **activity}).insert(ignore_permissions=True)
	for topic in load("education_topics.json"):
		if not frappe.db.exists("Education Topic", topic):
			frappe.get_doc({"doctype": "Education Topic", "topic": topic}).insert(ignore_permissions=True)
