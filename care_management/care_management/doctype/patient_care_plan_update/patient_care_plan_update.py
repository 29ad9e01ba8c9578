# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A patient's (or caregiver's) word from the portal, waiting for the care manager.

Created only by care_management.api.patient_portal, as the server's record of
who sent what; the desk never edits what was written. Accepting a goal's
progress records it on the plan's goal; until then the plan is untouched.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, getdate, now_datetime, today

from care_management.domain.patient_updates import plain_text

REVIEW_NOTE_MAX_CHARS = 1000
# Kept as the portal recorded them (REST could otherwise write read-only fields).
WRITTEN_BY_THE_SENDER = (
	"patient",
	"care_plan",
	"update_type",
	"care_plan_goal",
	"goal",
	"progress",
	"note",
	"submitted_by",
	"submitted_as",
	"caregiver_name",
	"submitted_on",
)


def as_stored(doc, fieldname: str):
	"""A value as the database holds it: a form sends datetimes back as text."""
	value = doc.get(fieldname)
	if value and doc.meta.get_field(fieldname).fieldtype == "Datetime":
		return get_datetime(value)
	return value or None


class PatientCarePlanUpdate(Document):
	def validate(self):
		before = self.get_doc_before_save()
		if not before:
			return
		changed = [f for f in WRITTEN_BY_THE_SENDER if as_stored(self, f) != as_stored(before, f)]
		if changed:
			frappe.throw(
				_("{0}: what the patient sent is kept as they sent it and cannot be changed.").format(
					", ".join(_(self.meta.get_label(f)) for f in changed)
				),
				title=_("Not Editable"),
			)
		if self.status != before.status and not self.flags.reviewing:
			frappe.throw(
				_("Status: use Accept or Dismiss on the form to review this update."),
				title=_("Not Editable"),
			)

	def after_insert(self):
		self.open_todo()

	def open_todo(self) -> None:
		"""The care manager's to-do; the worklist counts the updates still New."""
		if not self.care_manager:
			return
		what = (
			_("Patient update on a goal ({0}): {1}").format(_(self.progress), self.goal or "")
			if self.update_type == "Goal Progress"
			else _("Message from the patient: {0}").format(self.note or "")
		)
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": self.care_manager,
				"reference_type": self.doctype,
				"reference_name": self.name,
				"description": frappe.utils.escape_html(f"{self.patient_name or self.patient}: {what}"[:500]),
				"date": today(),
				"priority": "High" if self.progress == "Struggling" else "Medium",
				"assigned_by": self.submitted_by,
			}
		).insert(ignore_permissions=True)

	def close_todos(self) -> None:
		frappe.db.set_value(
			"ToDo",
			{"reference_type": self.doctype, "reference_name": self.name, "status": "Open"},
			"status",
			"Closed",
		)

	def claim_for_review(self, review_note: str | None) -> str:
		"""Checked under the row's lock, so two care managers cannot both review it."""
		self.check_permission("write")
		status, reviewed_by = frappe.db.get_value(
			self.doctype, self.name, ["status", "reviewed_by"], for_update=True
		)
		if status != "New":
			frappe.throw(
				_("This update was already {0} by {1}.").format(
					frappe.utils.escape_html(_(status)), frappe.utils.escape_html(reviewed_by)
				),
				title=_("Already Reviewed"),
			)
		self.reload()  # the stored update, not whatever the form sent with the call
		note = plain_text(review_note)
		if len(note) > REVIEW_NOTE_MAX_CHARS:
			frappe.throw(_("Review Note: keep it to {0} characters or fewer.").format(REVIEW_NOTE_MAX_CHARS))
		return note

	def finish_review(self, status: str, note: str) -> None:
		self.status = status
		self.reviewed_by = frappe.session.user
		self.reviewed_on = now_datetime()
		self.review_note = note
		self.flags.reviewing = True
		self.save()
		self.close_todos()

	@frappe.whitelist()
	def accept(self, review_note: str | None = None) -> None:
		"""Goal progress goes onto the plan's goal, under the care manager's own
		permission on the plan; a message is acknowledged."""
		note = self.claim_for_review(review_note)
		if self.update_type == "Goal Progress":
			self.record_on_goal()
		self.finish_review("Accepted", note)

	@frappe.whitelist()
	def dismiss(self, review_note: str | None = None) -> None:
		self.finish_review("Dismissed", self.claim_for_review(review_note))

	def record_on_goal(self) -> None:
		plan = frappe.get_doc("Care Plan", self.care_plan)
		plan.check_permission("write")
		if plan.status == "Closed":
			frappe.throw(
				_("Care Plan {0} is closed; dismiss this update instead of accepting it.").format(
					frappe.bold(frappe.utils.escape_html(plan.name))
				),
				title=_("Care Plan Closed"),
			)
		goal = next((row for row in plan.goals if row.name == self.care_plan_goal), None)
		if not goal:
			frappe.throw(
				_("The goal this update is about was removed from Care Plan {0}; dismiss the update.").format(
					frappe.bold(frappe.utils.escape_html(plan.name))
				),
				title=_("Goal Not on the Plan"),
			)
		goal.patient_progress = self.progress
		goal.patient_progress_note = self.note
		goal.patient_progress_on = getdate(self.submitted_on or now_datetime())
		plan.save()
