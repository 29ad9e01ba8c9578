# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_first_day, getdate, today


class CareMonthClose(Document):
	def validate(self):
		self.month = get_first_day(getdate(self.month))
		if self.is_new() and self.month > get_first_day(getdate(today())):
			frappe.throw(_("Month: {0} has not started yet.").format(self.month.strftime("%B %Y")))
		if self.is_new():
			running = frappe.db.get_value(
				"Care Month Close",
				{
					"month": self.month,
					"status": ("in", ("Queued", "Running")),
					"billing_practitioner": self.billing_practitioner,
				},
			)
			if running:
				frappe.throw(
					_("{0} is already being closed ({1}). Wait for it to finish.").format(
						self.month.strftime("%B %Y"), frappe.get_desk_link("Care Month Close", running)
					)
				)

	def after_insert(self):
		from care_management.billing.month_close import queue_chunks

		queue_chunks(self, run_now=bool(self.flags.run_now))
