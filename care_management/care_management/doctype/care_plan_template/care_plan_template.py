# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.care_plan_templates import text_key
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
