# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class CareBillingRecord(Document):
	pass


def on_doctype_update():
	frappe.db.add_index("Care Billing Record", ["month", "patient", "program"])
	frappe.db.add_index("Care Billing Record", ["month", "status"])
	from care_management.billing.billing_key import ensure_billing_key

	ensure_billing_key()
