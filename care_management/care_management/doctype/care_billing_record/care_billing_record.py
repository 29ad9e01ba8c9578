# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class CareBillingRecord(Document):
	pass


def on_doctype_update():
	from care_management.billing.billing_key import ensure_billing_key

	frappe.db.add_index("Care Billing Record", ["month", "status"])
	# The unique key (month, patient, program, billing practitioner) serves the
	# lookups by month, patient and program; until it can be added, an index does.
	if not ensure_billing_key():
		frappe.db.add_index("Care Billing Record", ["month", "patient", "program"])
