# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_first_day, getdate, today

from care_management.billing.close_guard import hold_month_lock, refuse_overlap
from care_management.billing.db_errors import explained_by


class CareMonthClose(Document):
	def validate(self):
		self.month = get_first_day(getdate(self.month))
		if self.is_new() and self.month > get_first_day(getdate(today())):
			frappe.throw(_("Month: {0} has not started yet.").format(self.month.strftime("%B %Y")))
		if self.is_new():
			# Race-free by the month's database lock, held until this insert commits.
			with explained_by(self.collision_messages):
				hold_month_lock(self.month)
				refuse_overlap(self.month, self.billing_practitioner or None)

	def after_insert(self):
		from care_management.billing.month_close import queue_chunks

		# A close run here (run_now) writes its records in this request; one that
		# meets another close's records says so in words (db_errors.py).
		with explained_by(self.collision_messages):
			queue_chunks(self, run_now=bool(self.flags.run_now))

	def collision_messages(self) -> dict:
		from care_management.billing.month_close import collision_messages

		return collision_messages(self.month, self.name)
