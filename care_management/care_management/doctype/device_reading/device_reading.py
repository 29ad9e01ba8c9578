# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class DeviceReading(Document):
	pass


def on_doctype_update():
	"""A vendor's reading id is unique (repeated posts are no-ops); day counts scan by patient and time."""
	frappe.db.add_unique(
		"Device Reading", ["vendor", "vendor_reading_id"], constraint_name="unique_vendor_reading"
	)
	frappe.db.add_index("Device Reading", ["patient", "measured_at"])
