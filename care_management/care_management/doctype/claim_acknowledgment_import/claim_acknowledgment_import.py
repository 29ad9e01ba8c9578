# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A 999 or 277CA file from the clearinghouse: saving reads it and lists each claim's
answer; submitting records the answers on the Claim Exports that sent the claims.
The rules are in care_management/billing/claim_acknowledgments.py."""

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.billing import claim_acknowledgments
from care_management.bulk_children import BulkChildren


class ClaimAcknowledgmentImport(BulkChildren, Document):
	"""Its rows are read from the file on every save and submit, and written in bulk."""

	def validate(self):
		if not self.company:
			self.company = frappe.db.get_single_value("Care Management Settings", "company")
		if not self.company:
			frappe.throw(_("Company: choose the company whose claims the file acknowledges."))
		if self.docstatus == 0:
			claim_acknowledgments.read_into(self)

	def before_submit(self):
		# Read again, the Claim Export rows locked until this commits.
		claim_acknowledgments.read_into(self, locking=True)
		claim_acknowledgments.refuse_unrecordable(self)

	def on_submit(self):
		claim_acknowledgments.record(self)

	def on_cancel(self):
		claim_acknowledgments.cancel(self)
