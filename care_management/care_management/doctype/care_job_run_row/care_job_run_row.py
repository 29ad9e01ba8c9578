# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

from frappe.model.document import Document


class CareJobRunRow(Document):
	pass
