# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html, formatdate, getdate, today

from care_management.billing.db_errors import explained_by
from care_management.domain.enrollment import (
	IN_FORCE_STATUSES,
	Consent,
	ConsentGap,
	consent_gaps,
	effective_end_date,
)
from care_management.message_html import desk_link
from care_management.setup.patient_sync import sync_patients

# A pending enrollment holds the patient's place in the program as much as an active one.
OVERLAP_STATUSES = ("Pending Consent", *IN_FORCE_STATUSES)


def consent_gap_message(gap: ConsentGap) -> str:
	return {
		ConsentGap.METHOD: _("Consent: choose Verbal or Written."),
		ConsentGap.DATE: _("Consent Date: enter the date the patient agreed."),
		ConsentGap.DATE_IN_FUTURE: _("Consent Date cannot be in the future."),
		ConsentGap.OBTAINED_BY: _("Consent Obtained By: choose the user who obtained the consent."),
		ConsentGap.SERVICE_AVAILABLE: _("Tick that the patient was told the service is available."),
		ConsentGap.COST_SHARING: _("Tick that the patient was told cost-sharing applies."),
		ConsentGap.ONE_PRACTITIONER_BILLS: _(
			"Tick that the patient was told only one practitioner can bill for it in a month."
		),
		ConsentGap.MAY_STOP_ANY_TIME: _("Tick that the patient was told they may stop at any time."),
		ConsentGap.WRITTEN_FORM: _("Signed Consent Form: attach the signed form for a written consent."),
	}[gap]


class CareProgramEnrollment(Document):
	def validate(self):
		self.set_defaults()
		self.validate_dates()
		self.validate_consent()
		self.validate_initiating_visit()
		with explained_by(self.collision_messages):
			self.validate_no_overlap()

	def set_defaults(self):
		if not self.billing_practitioner:
			self.billing_practitioner = frappe.db.get_single_value(
				"Care Management Settings", "default_billing_practitioner"
			)
		if not self.care_manager:
			self.care_manager = frappe.db.get_value("Patient", self.patient, "care_manager")

	def validate_dates(self):
		if self.status == "Ended" or self.end_date:
			# Disenrollment takes effect at the end of the month.
			end = effective_end_date(getdate(self.end_date) if self.end_date else None, getdate(today()))
			self.end_date = end
		if self.end_date and getdate(self.end_date) < getdate(self.start_date):
			frappe.throw(
				_(
					"End Date {0} is before Start Date {1}. An enrollment ends on or after the day it starts."
				).format(formatdate(self.end_date), formatdate(self.start_date)),
				title=_("Invalid End Date"),
			)

	def validate_consent(self):
		"""Billing counts an in-force enrollment (Active, Paused, or Ended until its
		end date) as consented as soon as it has a consent method and date, so each
		of those statuses needs the whole consent, not Active alone. An enrollment
		ended before the patient consented (no method, no date) is never billed."""
		if self.status not in IN_FORCE_STATUSES:
			return
		if self.status == "Ended" and not (self.consent_method or self.consent_date):
			return
		if not frappe.db.get_value("Care Program", self.program, "requires_consent"):
			return
		gaps = consent_gaps(
			Consent(
				method=self.consent_method,
				consent_date=getdate(self.consent_date) if self.consent_date else None,
				obtained_by=self.consent_obtained_by,
				told_service_available=bool(self.told_service_available),
				told_cost_sharing=bool(self.told_cost_sharing),
				told_one_practitioner_bills=bool(self.told_one_practitioner_bills),
				told_may_stop_any_time=bool(self.told_may_stop_any_time),
				form_attached=bool(self.consent_form),
			),
			today=getdate(today()),
		)
		if gaps:
			frappe.throw(
				_("The enrollment cannot be {0} without the patient's consent:").format(
					escape_html(_(self.status))
				)
				+ "<ul>"
				+ "".join(
					f"<li>{consent_gap_message(gap)}</li>"  # html-safe: fixed sentences
					for gap in gaps
				)
				+ "</ul>"
				+ (
					_(
						"If the patient never consented, clear Consent Method and Consent Date: an enrollment ended with a partial consent would be billed as consented until its end."
					)
					if self.status == "Ended"
					else ""
				),
				title=_("Consent Missing"),
			)

	def validate_initiating_visit(self):
		"""Community health integration starts with a visit in which the billing
		practitioner identified the patient's social needs. It is recorded here,
		on the enrollment, because a Patient Encounter cannot say which of its
		findings started CHI: linking the visit is that statement. The month
		close reads only the date, so a visit kept outside Healthcare is
		entered as a date alone."""
		if not self.initiating_visit:
			if self.initiating_visit_date and getdate(self.initiating_visit_date) > getdate(today()):
				frappe.throw(
					_(
						"Initiating Visit Date {0} is in the future. Enter the date the visit took place."
					).format(formatdate(self.initiating_visit_date)),
					title=_("Invalid Initiating Visit"),
				)
			return
		visit = frappe.db.get_value(
			"Patient Encounter",
			self.initiating_visit,
			["patient", "practitioner", "encounter_date", "docstatus"],
			as_dict=True,
		)
		if visit.patient != self.patient:
			frappe.throw(
				_("Initiating Visit: {0} is another patient's visit. Choose a visit of {1}.").format(
					frappe.bold(frappe.utils.escape_html(self.initiating_visit)),
					frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient)),
				),
				title=_("Invalid Initiating Visit"),
			)
		if visit.docstatus == 2:
			frappe.throw(
				_("Initiating Visit: {0} is cancelled. Choose the visit that took place.").format(
					frappe.bold(frappe.utils.escape_html(self.initiating_visit))
				),
				title=_("Invalid Initiating Visit"),
			)
		# The practitioner who bills CHI is the one who held the initiating visit.
		if self.billing_practitioner and visit.practitioner != self.billing_practitioner:
			frappe.throw(
				_(
					"Initiating Visit: {0} was with {1}, but {2} bills this enrollment. Choose a visit with the Billing Practitioner, or change the Billing Practitioner."
				).format(
					frappe.bold(frappe.utils.escape_html(self.initiating_visit)),
					frappe.bold(frappe.utils.escape_html(visit.practitioner)),
					frappe.bold(frappe.utils.escape_html(self.billing_practitioner)),
				),
				title=_("Invalid Initiating Visit"),
			)
		self.initiating_visit_date = visit.encounter_date

	def validate_no_overlap(self):
		"""One enrollment per patient and program at a time, pending ones included.

		Two saves at once (two supervisors, a bulk Start Enrollment and a form)
		must not both pass: the patient's row is locked first, so the second
		save waits for the first to commit and its locking read then sees it."""
		if self.status not in OVERLAP_STATUSES:
			return
		frappe.db.sql("select name from `tabPatient` where name = %s for update", self.patient)
		enrollment = frappe.qb.DocType("Care Program Enrollment")
		query = (
			frappe.qb.from_(enrollment)
			.select(enrollment.name, enrollment.start_date, enrollment.end_date, enrollment.status)
			.where(
				(enrollment.patient == self.patient)
				& (enrollment.program == self.program)
				& (enrollment.name != (self.name or ""))
				& enrollment.status.isin(OVERLAP_STATUSES)
				& ((enrollment.end_date.isnull()) | (enrollment.end_date >= self.start_date))
			)
			.for_update()
		)
		if self.end_date:
			query = query.where(enrollment.start_date <= self.end_date)
		clash = query.limit(1).run(as_dict=True)
		if clash:
			other = clash[0]
			frappe.throw(
				_(
					"{0} is already enrolled in {1} from {2} to {3} ({4}, {5}). End that enrollment or change the Start Date."
				).format(
					frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient)),
					frappe.bold(frappe.utils.escape_html(self.program)),
					formatdate(other.start_date),
					formatdate(other.end_date) if other.end_date else _("open-ended"),
					desk_link("Care Program Enrollment", other.name),
					frappe.utils.escape_html(_(other.status)),
				),
				title=_("Overlapping Enrollment"),
			)

	def on_update(self):
		with explained_by(self.collision_messages):
			sync_patients([self.patient], care_manager_from=self)

	def collision_messages(self) -> dict:
		"""Another save of this patient's enrollments (a second supervisor, a bulk Start
		Enrollment) holding or having just written the same rows."""
		patient = frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient or ""))
		return {
			"duplicate": _(
				"{0} was enrolled in {1} by someone else at the same moment, so this enrollment was not "
				"saved. Open the patient's enrollments to see theirs."
			).format(patient, frappe.bold(frappe.utils.escape_html(self.program or ""))),
			"busy": _(
				"{0}'s enrollments are being changed by someone else right now. Wait a minute, then save "
				"again: nothing was saved."
			).format(patient),
			"title": _("Patient Being Enrolled Elsewhere"),
		}

	def on_trash(self):
		sync_patients([self.patient])


def on_doctype_update():
	"""The caseload sub-query looks enrollments up by care manager and status."""
	frappe.db.add_index("Care Program Enrollment", ["care_manager", "status"])
	frappe.db.add_index("Care Program Enrollment", ["patient", "program"])
