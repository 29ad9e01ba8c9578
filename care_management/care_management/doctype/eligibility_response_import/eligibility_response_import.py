# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A payer's 271 eligibility answers: saving reads the file and lists, per answer,
the coverage it updates or why it is refused; submitting updates the coverages,
all in one transaction. The rules are in care_management/billing/eligibility.py."""

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.billing import eligibility
from care_management.bulk_children import BulkChildren


class EligibilityResponseImport(BulkChildren, Document):
	"""Its rows are read from the file on every save and submit, and written in bulk."""

	def validate(self):
		if self.docstatus == 0:
			eligibility.read_into(self)

	def before_submit(self):
		eligibility.read_into(self)
		if not any(row.outcome == eligibility.READY for row in self.answers):
			frappe.throw(
				_("No answer of this file can be applied: {0}").format(
					"; ".join(
						frappe.utils.escape_html(f"{row.trace_number or '?'}: {row.reason}")
						for row in self.answers[:10]
					)
					or _("the file holds no answer.")
				),
				title=_("Nothing to Apply"),
			)

	def on_submit(self):
		eligibility.apply(self)
