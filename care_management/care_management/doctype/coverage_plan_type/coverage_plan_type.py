# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class CoveragePlanType(Document):
	def validate(self):
		for field in ("payer_share_percent", "secondary_share_percent"):
			value = self.get(field)
			if value is None or not 0 <= float(value) <= 100:
				frappe.throw(
					_("{0} must be between 0 and 100; it is {1}.").format(
						_(self.meta.get_label(field)), frappe.bold(frappe.utils.escape_html(value))
					),
					title=_("Invalid Share"),
				)
