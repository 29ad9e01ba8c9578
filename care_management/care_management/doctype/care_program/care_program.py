# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.eligibility import rule_problems, split_entries
from care_management.population.rules import rule_of_row, rules_problem_message


class CareProgram(Document):
	def validate(self):
		self.validate_eligibility_criteria()

	def validate_eligibility_criteria(self):
		for row in self.eligibility_criteria:
			row.categories = ", ".join(split_entries(row.categories)) or None
		known = set(frappe.get_all("Chronic Condition Category", pluck="name"))
		problems = rule_problems([rule_of_row(row) for row in self.eligibility_criteria], known)
		if problems:
			frappe.throw(
				"<br>".join(rules_problem_message(p) for p in problems),
				title=_("Invalid Eligibility Criteria"),
			)
