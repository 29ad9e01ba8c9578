# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A named person's documented decision about what a billing record bills.

Billing staff propose it (hold, release, drop a code, reduce units, add a
code) with a reason and the documentation it rests on. One that bills more
than the record would without it needs approval by the record's billing
practitioner or a Care Management Supervisor, never by its author. It takes
effect when it is submitted in the Approved state (the workflow Care Billing
Adjustment Approval, made by install code); its effect on the record's lines
is billing/adjustments.py's, the rules the pure core's.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html, flt, get_first_day, get_last_day, getdate, now_datetime

from care_management.billing import adjustments as engine
from care_management.domain.billing import adjustments as rules
from care_management.workflow_meaning import follow_workflow_state

DRAFT, PENDING, APPROVED, REJECTED, NEEDS_REVIEW, CANCELLED = (
	"Draft",
	"Pending Approval",
	"Approved",
	"Rejected",
	"Needs Review",
	"Cancelled",
)
PROPOSERS = ("Care Management Billing", "Care Management Supervisor", "System Manager")
SUPERVISOR = "Care Management Supervisor"
# What the proposal is; once sent for approval it changes only by withdrawing it.
CONTENT = (
	"record",
	"kind",
	"code",
	"units",
	"date_of_service",
	"reason",
	"outreach_log",
	"patient_encounter",
	"attachment",
)
# Set by this controller (and the approval), never taken from the client.
DERIVED = ("proposed_by", "approved_by", "approved_on", "review_reason")


class CareBillingAdjustment(Document):
	def validate(self):
		before = self.get_doc_before_save()
		self.keep_derived_fields(before)
		if self.workflow_state:
			follow_workflow_state(self)
		self.refuse_content_changes(before)
		if self.status != REJECTED:  # validate runs on save and on submit
			self.check_documentation()
			self.compute_effect()

	def before_update_after_submit(self):
		before = self.get_doc_before_save()
		self.keep_derived_fields(before)
		if self.workflow_state:
			follow_workflow_state(self)
		if before and before.status == NEEDS_REVIEW and self.status == APPROVED:
			# Confirmed against the record as the re-close left it.
			self.compute_effect()

	def before_submit(self):
		before = self.get_doc_before_save()
		if before and before.status == REJECTED:
			frappe.throw(
				_("Adjustment {0} was rejected. Propose a new one.").format(escape_html(self.name)),
				title=_("Rejected"),
			)
		self.status = APPROVED

	def on_submit(self):
		self.take_effect()

	def on_update_after_submit(self):
		before = self.get_doc_before_save()
		if before and before.status != APPROVED and self.status == APPROVED:
			self.take_effect()

	def before_cancel(self):
		self.status = CANCELLED

	def on_cancel(self):
		self.db_set({"status": CANCELLED, "workflow_state": CANCELLED if self.workflow_state else None})
		if frappe.db.exists("Care Billing Record", self.record):
			engine.apply_to_record(self.record)

	def on_trash(self):
		if self.status not in (DRAFT, None, ""):
			frappe.throw(
				_(
					"Adjustment {0} is {1}: it stays for the audit. Only a draft that was never sent for approval can be deleted."
				).format(escape_html(self.name), escape_html(_(self.status))),
				title=_("Kept for the Audit"),
			)

	# --- validation

	def keep_derived_fields(self, before) -> None:
		for field in DERIVED:
			self.set(field, before.get(field) if before else None)
		# The status follows the workflow state (follow_workflow_state) or the
		# controller's own steps, never what the client sent.
		self.status = before.status if before else DRAFT
		if not before:
			self.proposed_by = frappe.session.user

	def refuse_content_changes(self, before) -> None:
		if not before:
			self.refuse_unless_proposer()
			return
		changed = [field for field in CONTENT if str(self.get(field) or "") != str(before.get(field) or "")]
		if not changed:
			return
		label = ", ".join(_(self.meta.get_label(field)) for field in changed)
		if before.status == PENDING:
			frappe.throw(
				_(
					"{0}: the adjustment is waiting for approval as it was sent. Withdraw it to change it, then send it again."
				).format(escape_html(label)),
				title=_("Waiting for Approval"),
			)
		if before.status == REJECTED:
			frappe.throw(
				_("{0}: a rejected adjustment is kept as it was. Propose a new one.").format(
					escape_html(label)
				),
				title=_("Rejected"),
			)
		self.refuse_unless_proposer()

	def refuse_unless_proposer(self) -> None:
		if not set(PROPOSERS) & set(frappe.get_roles()):
			frappe.throw(
				_(
					"Only billing staff or a Care Management Supervisor propose billing adjustments; the practitioner approves or rejects them."
				),
				frappe.PermissionError,
			)

	def check_documentation(self) -> None:
		record = frappe.db.get_value(
			"Care Billing Record", self.record, ["patient", "month", "billing_practitioner"], as_dict=True
		)
		if not record:
			frappe.throw(_("Care Billing Record: {0} does not exist.").format(escape_html(self.record or "")))
		self.reason = (self.reason or "").strip()
		if not self.reason:
			frappe.throw(
				_("Reason: say why, in plain words; it goes on the invoice line and into the audit.")
			)
		if self.kind == rules.ADD_CODE and not (
			self.outreach_log or self.patient_encounter or self.attachment
		):
			frappe.throw(
				_(
					"Add Code bills time the Month Close did not count: link the Outreach Log or Patient Encounter it rests on, or attach the document."
				),
				title=_("Documentation Needed"),
			)
		month = getdate(record.month)
		if self.outreach_log:
			log = frappe.db.get_value(
				"Outreach Log", self.outreach_log, ["patient", "docstatus"], as_dict=True
			)
			if not log or log.patient != record.patient or log.docstatus != 1:
				frappe.throw(
					_(
						"Outreach Log: {0} is not a submitted log of patient {1}. Choose one of theirs."
					).format(escape_html(self.outreach_log), escape_html(record.patient))
				)
		if self.patient_encounter:
			encounter = frappe.db.get_value(
				"Patient Encounter", self.patient_encounter, ["patient", "docstatus"], as_dict=True
			)
			if not encounter or encounter.patient != record.patient or encounter.docstatus != 1:
				frappe.throw(
					_(
						"Patient Encounter: {0} is not a submitted encounter of patient {1}. Choose one of theirs."
					).format(escape_html(self.patient_encounter), escape_html(record.patient))
				)
		if self.date_of_service and not (
			get_first_day(month) <= getdate(self.date_of_service) <= get_last_day(month)
		):
			frappe.throw(
				_("Date of Service: choose a day of {0}, the record's month.").format(month.strftime("%B %Y"))
			)
		if self.kind == rules.ADD_CODE:
			self.code = (self.code or "").strip().upper()
			if self.code and not engine.billing_code_in_force(self.code, month):
				frappe.throw(
					_(
						"Code: {0} is not a Billing Code in force in {1}. Choose one from the Billing Code list."
					).format(escape_html(self.code), month.strftime("%B %Y"))
				)

	def compute_effect(self) -> None:
		"""Units before and after, the money moved, whether approval is needed: from
		the record as the other adjustments in effect leave it. Whatever the client
		sent for these is replaced."""
		record, lines, adjusted = engine.current_record(self.record, excluding=self.name)
		if self.kind not in rules.CODE_KINDS:
			self.code, self.units, self.date_of_service = None, 0, None
		if self.kind in (rules.DROP_CODE,):
			self.units = 0
		self.units = int(self.units or 0)
		problem = rules.problem(self.kind, self.code, self.units, adjusted)
		if problem:
			frappe.throw(self.problem_text(problem, adjusted), title=_("Adjustment Does Not Fit the Record"))
		before_units = adjusted.units_of(self.code) if self.code else 0
		self.units_before = before_units
		self.units_change = rules.units_change(self.kind, before_units, self.units)
		self.needs_approval = 1 if rules.needs_approval(self.kind, before_units, self.units) else 0
		rate = next((flt(line.rate) for line in lines if line.code == self.code), None)
		if rate is None and self.code:
			rate = engine.code_prices([self.code], getdate(record.month)).get(self.code, (None, 0))[1]
		self.rate = rate or 0
		billed = sum(
			flt(next((line.rate for line in lines if line.code == each.code), 0)) * each.units
			for each in adjusted.lines
		)
		if self.kind == rules.HOLD:
			self.amount_change = -billed
		elif self.kind == rules.RELEASE:
			self.amount_change = billed
		else:
			self.amount_change = flt(self.rate) * self.units_change
		self.record_hash = frappe.db.get_value("Care Billing Record", self.record, "content_hash")

	def problem_text(self, problem: str, adjusted) -> str:
		code = escape_html(self.code or "")
		if problem == rules.NO_CODE:
			return _("Code: enter the code this adjustment is about.")
		if problem == rules.NOT_BILLED:
			codes = ", ".join(line.code for line in adjusted.lines if line.units > 0) or _("none")
			return _("Code: {0} is not billed on Care Billing Record {1}. Its codes: {2}.").format(
				code, self.record, codes
			)
		if problem == rules.UNITS_NOT_POSITIVE:
			return _("Units: enter at least 1. To bill none of a code, use Drop Code.")
		if problem == rules.NOT_A_REDUCTION:
			return _(
				"Units: the record bills {0} of {1}; a reduction must be fewer. To bill more, use Add Code, which needs approval."
			).format(adjusted.units_of(self.code), code)
		if problem == rules.ALREADY_HELD:
			return _("Care Billing Record {0} is already held. Release it first.").format(self.record)
		if problem == rules.NOT_HELD:
			return _("Care Billing Record {0} is not held: there is nothing to release.").format(self.record)
		return _("Kind: choose one of Hold, Release, Drop Code, Reduce Units, Add Code.")

	# --- taking effect

	def take_effect(self) -> None:
		if self.needs_approval:
			self.authorize_approval()
		now = now_datetime()
		self.db_set(
			{
				"status": APPROVED,
				"approved_by": frappe.session.user,
				"approved_on": now,
				"review_reason": None,
			}
		)
		engine.apply_to_record(self.record)

	def authorize_approval(self) -> None:
		"""Server-side, whatever path the approval came by (workflow, submit, REST)."""
		user = frappe.session.user
		if user in (self.proposed_by, self.owner):
			frappe.throw(
				_(
					"You proposed adjustment {0}: it bills more than the Month Close computed, so the billing practitioner or a Care Management Supervisor approves it, not its author."
				).format(escape_html(self.name)),
				frappe.PermissionError,
				title=_("Self-Approval Refused"),
			)
		practitioner_user = (
			frappe.db.get_value("Healthcare Practitioner", self.billing_practitioner, "user_id")
			if self.billing_practitioner
			else None
		)
		if user != practitioner_user and SUPERVISOR not in frappe.get_roles(user):
			frappe.throw(
				_(
					"Adjustment {0} bills more than the Month Close computed: only the record's billing practitioner ({1}) or a Care Management Supervisor approves it."
				).format(escape_html(self.name), escape_html(self.billing_practitioner or _("none"))),
				frappe.PermissionError,
				title=_("Approval Refused"),
			)
