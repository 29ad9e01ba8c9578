# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html

from care_management.domain.care_plan_templates import source_keys, text_key
from care_management.domain.icd10 import normalise_icd10
from care_management.icd10_codes import refuse_unless_billable


class CarePlanTemplate(Document):
	def validate(self):
		if self.icd10_code:
			self.icd10_code = normalise_icd10(self.icd10_code)
			refuse_unless_billable(self.icd10_code, _("ICD-10 Code"))
		goals = set()
		for row in self.goals:
			if text_key(row.goal) in goals:
				frappe.throw(_("Goals, row {0}: this goal is already in the template.").format(row.idx))
			goals.add(text_key(row.goal))
			if row.due_in_days is not None and row.due_in_days < 0:
				frappe.throw(_("Goals, row {0}: Due in (Days) cannot be negative.").format(row.idx))
		for row in self.interventions:
			if row.linked_goal and text_key(row.linked_goal) not in goals:
				frappe.throw(
					_(
						"Interventions, row {0}: its Goal is not one of this template's goals. Copy the goal's text exactly."
					).format(row.idx)
				)
		self.validate_translations()

	def validate_translations(self):
		known = source_keys(template_dict(self))
		seen = set()
		for row in self.translations:
			key = (row.language, text_key(row.source_text))
			if key[1] not in known:
				frappe.throw(
					_(
						"Texts in Other Languages, row {0}: its Template Text is not one of this template's texts. Copy a goal, measure, target, intervention, frequency, topic, condition or action plan line exactly, or delete the row."
					).format(row.idx)
				)
			if key in seen:
				frappe.throw(
					_("Texts in Other Languages, row {0}: this text is translated into {1} twice.").format(
						row.idx, frappe.bold(escape_html(row.language))
					)
				)
			seen.add(key)


def template_dict(template) -> dict:
	"""The template as the core's plain data (domain/care_plan_templates.py)."""
	return {
		"template_name": template.name,
		"condition_name": template.condition_name,
		"icd10_code": template.icd10_code,
		"goals": [row.as_dict() for row in template.goals],
		"interventions": [row.as_dict() for row in template.interventions],
		"education_topics": [row.topic for row in template.education_topics],
		"call_clinic_when": template.get("call_clinic_when"),
		"call_911_when": template.get("call_911_when"),
		"translations": [
			{"language": r.language, "source_text": r.source_text, "translated_text": r.translated_text}
			for r in template.get("translations") or []
		],
	}
