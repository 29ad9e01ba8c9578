# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate, getdate

from care_management.domain.care_plan_templates import template_additions, text_key
from care_management.domain.icd10 import is_icd10_cm, normalise_icd10

TEMPLATE_TABLES = ("conditions", "goals", "interventions", "education_topics")


class CarePlan(Document):
	def validate(self):
		if not self.care_manager:
			self.care_manager = frappe.db.get_value("Patient", self.patient, "care_manager")
		self.validate_one_current_plan()
		self.validate_dates()
		self.validate_conditions()
		self.validate_caregivers()

	def validate_one_current_plan(self):
		if self.status == "Closed":
			return
		other = frappe.db.get_value(
			"Care Plan",
			{"patient": self.patient, "status": ("!=", "Closed"), "name": ("!=", self.name or "")},
			["name", "status"],
			as_dict=True,
		)
		if other:
			frappe.throw(
				_(
					"{0} already has a current care plan, {1} ({2}). Update that plan, or close it before starting a new one."
				).format(
					frappe.bold(self.patient_name or self.patient),
					frappe.get_desk_link("Care Plan", other.name),
					_(other.status),
				),
				title=_("Care Plan Exists"),
			)

	def validate_dates(self):
		start = getdate(self.start_date)
		if self.next_review_date and getdate(self.next_review_date) <= start:
			frappe.throw(
				_("Next Review Date {0} must be after the Start Date {1}.").format(
					formatdate(self.next_review_date), formatdate(self.start_date)
				),
				title=_("Invalid Next Review Date"),
			)
		for goal in self.goals:
			if goal.due_date and getdate(goal.due_date) < start:
				frappe.throw(
					_(
						"Goals, row {0}: Due Date {1} is before the plan starts ({2}). Move the due date or the Start Date."
					).format(goal.idx, formatdate(goal.due_date), formatdate(self.start_date)),
					title=_("Invalid Goal Due Date"),
				)

	def validate_conditions(self):
		for row in self.conditions:
			if not row.icd10_code:
				continue
			row.icd10_code = normalise_icd10(row.icd10_code)
			if not is_icd10_cm(row.icd10_code):
				frappe.throw(
					_(
						"Chronic Conditions, row {0}: {1} is not an ICD-10-CM code. Enter a code such as E11.9 or I10."
					).format(row.idx, frappe.bold(row.icd10_code)),
					title=_("Invalid ICD-10 Code"),
				)

	def validate_caregivers(self):
		for row in self.caregivers:
			if row.consent_to_share and not row.consent_date:
				frappe.throw(
					_(
						"Caregivers, row {0}: enter the date {1} consented to share information with {2}."
					).format(
						row.idx,
						frappe.bold(self.patient_name or self.patient),
						frappe.bold(row.caregiver_name),
					)
				)

	@frappe.whitelist()
	def apply_templates(self, templates):
		"""Fill the plan from condition templates, adding only what it lacks."""
		if isinstance(templates, str):
			templates = json.loads(templates)
		names = [t for t in dict.fromkeys(templates or []) if t]
		if not names:
			frappe.throw(_("Choose at least one Care Plan Template to apply."))
		found = frappe.get_all(
			"Care Plan Template", filters={"name": ("in", names), "disabled": 0}, pluck="name"
		)
		missing = [n for n in names if n not in found]
		if missing:
			frappe.throw(
				_("Care Plan Template not found or disabled: {0}").format(
					", ".join(frappe.bold(n) for n in missing)
				)
			)
		additions = template_additions(
			{table: [row.as_dict() for row in self.get(table)] for table in TEMPLATE_TABLES},
			[template_as_dict(name) for name in names],
			getdate(self.start_date),
		)
		for table, rows in additions.items():
			for row in rows:
				self.append(table, row)
		applied = {row.template for row in self.applied_templates}
		for name in names:
			if name not in applied:
				self.append("applied_templates", {"template": name})
		self.save()
		return {table: len(rows) for table, rows in additions.items()}


def template_as_dict(name: str) -> dict:
	template = frappe.get_cached_doc("Care Plan Template", name)
	return {
		"template_name": template.name,
		"condition_name": template.condition_name,
		"icd10_code": template.icd10_code,
		"goals": [row.as_dict() for row in template.goals],
		"interventions": [row.as_dict() for row in template.interventions],
		"education_topics": [row.topic for row in template.education_topics],
	}


@frappe.whitelist()
def get_fhir_bundle(name: str) -> dict:
	"""The plan as a FHIR R4 Bundle of CarePlan, Goal and Condition."""
	from care_management.domain.fhir_care_plan import care_plan_bundle

	plan = frappe.get_doc("Care Plan", name)
	plan.check_permission("read")
	return care_plan_bundle(fhir_input(plan))


def fhir_input(plan: CarePlan) -> dict:
	"""Plain data for the core's FHIR mapping."""

	def iso(value):
		return str(getdate(value)) if value else None

	goal_keys = {}
	goals = []
	for row in plan.goals:
		key = str(row.idx)
		goal_keys.setdefault(text_key(row.goal), key)
		goals.append(
			{
				"key": key,
				"goal": row.goal,
				"status": row.status,
				"measure": row.measure,
				"target": row.target,
				"due_date": iso(row.due_date),
				"patient_words": row.patient_words,
			}
		)
	care_manager = plan.care_manager
	return {
		"id": plan.name,
		"status": plan.status,
		"description": plan.what_matters_most,
		"patient": {"id": plan.patient, "name": plan.patient_name},
		"start_date": iso(plan.start_date),
		"next_review_date": iso(plan.next_review_date),
		"created": iso(plan.creation),
		"care_manager": {"id": care_manager, "name": frappe.utils.get_fullname(care_manager)}
		if care_manager
		else None,
		"supervising_practitioner": {"id": plan.supervising_practitioner, "name": plan.practitioner_name}
		if plan.supervising_practitioner
		else None,
		"conditions": [
			{
				"key": str(row.idx),
				"name": row.condition_name,
				"icd10_code": row.icd10_code,
				"expected_12_months": bool(row.expected_12_months),
				"onset_date": iso(row.onset_date),
			}
			for row in plan.conditions
		],
		"goals": goals,
		"interventions": [
			{
				"key": str(row.idx),
				"intervention": row.intervention,
				"status": row.status,
				"responsible": row.responsible,
				"frequency": row.frequency,
				"linked_goal_key": goal_keys.get(text_key(row.linked_goal)),
			}
			for row in plan.interventions
		],
		"care_team": [
			{
				"name": row.member_name,
				"role": row.role,
				"organization": row.organization,
				"phone": row.phone,
				"email": row.email,
			}
			for row in plan.care_team
		],
	}
