# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import date_diff, formatdate, getdate

from care_management.billing.holidays import practice_holidays
from care_management.domain.business_days import business_days_between
from care_management.domain.transitional_care import tcm_deadlines


class CareTransition(Document):
	def validate(self):
		discharge = getdate(self.discharge_date)
		holidays = practice_holidays()
		deadlines = tcm_deadlines(discharge, self.complexity, holidays)
		self.contact_due = deadlines.contact_due
		self.face_to_face_due = deadlines.face_to_face_due
		if not self.flags.from_adt_feed and self.has_value_changed("adt_message"):
			# Only the feed links its message; a client cannot claim one.
			before = self.get_doc_before_save()
			self.adt_message = before.adt_message if before else None
		for fieldname in ("first_contact_date", "face_to_face_date", "medication_reconciliation_date"):
			if self.get(fieldname) and getdate(self.get(fieldname)) < discharge:
				frappe.throw(
					_("{0} ({1}) is before the Discharge Date ({2}).").format(
						_(self.meta.get_label(fieldname)),
						formatdate(self.get(fieldname)),
						formatdate(discharge),
					)
				)
		if self.face_to_face_encounter and not self.face_to_face_date:
			self.face_to_face_date = frappe.db.get_value(
				"Patient Encounter", self.face_to_face_encounter, "encounter_date"
			)
		if self.first_contact_log and not self.first_contact_date:
			self.first_contact_date = getdate(
				frappe.db.get_value("Outreach Log", self.first_contact_log, "start")
			)
		self.business_days_to_contact = (
			business_days_between(discharge, getdate(self.first_contact_date), holidays)
			if self.first_contact_date
			else None
		)
		self.days_to_face_to_face = (
			date_diff(self.face_to_face_date, discharge) if self.face_to_face_date else None
		)
