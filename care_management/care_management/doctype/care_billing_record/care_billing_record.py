# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from care_management.billing.engine_writes import refuse_unless_engine


class CareBillingRecord(Document):
	"""Written by the month close, invoicing and billing adjustments only (billing/engine_writes.py)."""

	def before_insert(self):
		refuse_unless_engine(self, "create")

	def validate(self):
		refuse_unless_engine(self, "change")

	def on_trash(self):
		refuse_unless_engine(self, "delete")

	def before_rename(self, old, new, merge=False):
		refuse_unless_engine(self, "rename")


def on_doctype_update():
	from care_management.billing.billing_key import ensure_billing_key

	frappe.db.add_index("Care Billing Record", ["month", "status"])
	# The unique key (month, patient, program, billing practitioner) serves the
	# lookups by month, patient and program; until it can be added, an index does.
	if not ensure_billing_key():
		frappe.db.add_index("Care Billing Record", ["month", "patient", "program"])
