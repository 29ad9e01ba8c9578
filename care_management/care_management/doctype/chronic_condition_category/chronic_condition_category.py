# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.eligibility import bad_code_entries, split_entries


class ChronicConditionCategory(Document):
	def validate(self):
		self.category_name = " ".join((self.category_name or "").split())
		bad = bad_code_entries(self.icd10_codes)
		if bad:
			frappe.throw(
				_(
					"ICD-10-CM Codes: {0} is not an ICD-10-CM code prefix or range. Enter prefixes such as E11 or I50.2, or ranges of the same length such as I20-I25, separated by commas."
				).format(", ".join(frappe.bold(frappe.utils.escape_html(entry)) for entry in bad)),
				title=_("Invalid ICD-10-CM Codes"),
			)
		if not split_entries(self.icd10_codes):
			frappe.throw(_("ICD-10-CM Codes: enter at least one code prefix or range."))
		self.icd10_codes = ", ".join(entry.upper() for entry in split_entries(self.icd10_codes))
