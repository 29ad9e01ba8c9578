# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from care_management.care_management.doctype.resource_referral.resource_referral import OPEN_NEED_STATUSES
from care_management.care_management.doctype.screening_instrument.screening_instrument import (
	lines,
	load_instrument,
)
from care_management.care_management.doctype.screening_invitation.screening_invitation import (
	mark_completed,
	open_invitation,
)
from care_management.domain.screening import score


def answer_text(posted) -> str:
	"""One posted answer (or the list of a multiple-choice one) as the answers table keeps it."""
	chosen = posted if isinstance(posted, list) else [posted] if posted not in (None, "") else []
	return "\n".join(str(answer) for answer in chosen)


class NeedsScreening(Document):
	def before_insert(self):
		if self.self_completion_token:
			self.take_self_completed_answers()

	def take_self_completed_answers(self):
		"""A patient's answers from the web form become a draft for the care
		team: patient and instrument come from the link, never from the post."""
		# Locked until this save commits: a second post of the same link waits, then finds it used.
		invitation = open_invitation(self.self_completion_token, for_update=True)
		try:
			posted = json.loads(self.self_completion_answers or "{}")
		except ValueError:
			posted = None
		if not isinstance(posted, dict):
			frappe.throw(_("The answers could not be read. Please reload the page and answer again."))
		instrument = load_instrument(invitation.instrument)
		self.update(
			{
				"patient": invitation.patient,
				# Link fetches ran before this hook; fill the fetched name here.
				"patient_name": frappe.db.get_value("Patient", invitation.patient, "patient_name"),
				"instrument": invitation.instrument,
				"method": "Patient Self-Completed",
				"screened_by": None,
				"screening_date": today(),
				"screening_invitation": invitation.name,
				"self_completion_token": None,
				"self_completion_answers": None,
				"docstatus": 0,
			}
		)
		self.set(
			"answers",
			[
				{
					"question_key": q.key,
					"question": q.text,
					"answer": answer_text(posted.get(q.key)),
				}
				for q in instrument.questions
			],
		)
		self.flags.invitation = invitation

	def after_insert(self):
		if self.flags.invitation:
			mark_completed(self.flags.invitation.name, self.name)
			self.ask_for_review(self.flags.invitation.sent_by)

	def ask_for_review(self, care_manager: str | None):
		"""A ToDo for whoever sent the link, so the draft is reviewed and submitted."""
		from frappe.desk.form.assign_to import add as assign

		if care_manager and frappe.db.get_value("User", care_manager, "enabled"):
			assign(
				{
					"assign_to": [care_manager],
					"doctype": self.doctype,
					"name": self.name,
					# A to-do's description is shown as HTML.
					"description": _("Review the screening {0} completed and submit it.").format(
						frappe.utils.escape_html(self.patient_name or self.patient)
					),
				},
				ignore_permissions=True,
			)

	def validate(self):
		instrument = load_instrument(self.instrument)
		if not self.answers:
			self.set("answers", [{"question_key": q.key, "question": q.text} for q in instrument.questions])
		answers = {row.question_key: lines(row.answer) for row in self.answers}
		result = score(
			instrument, {key: value if len(value) != 1 else value[0] for key, value in answers.items()}
		)
		if result.invalid:
			key, answer = result.invalid[0]
			row = next(r for r in self.answers if r.question_key == key)
			options = dict(next(q for q in instrument.questions if q.key == key).options)
			frappe.throw(
				_("Answers, row {0}: {1} is not an answer to this question. Choose one of: {2}").format(
					row.idx,
					frappe.bold(frappe.utils.escape_html(answer)),
					"; ".join(frappe.utils.escape_html(option) for option in options),
				),
				title=_("Invalid Answer"),
			)
		scores = {q.key: dict(q.options) for q in instrument.questions}
		for row in self.answers:
			row.score = sum(scores.get(row.question_key, {}).get(a) or 0 for a in lines(row.answer))
		self.positive_domains = "\n".join(result.positive_domains)
		self.need_categories = "\n".join(result.need_categories)
		self.total_score = result.total_score
		self.severity = result.severity
		self.flags.unanswered = result.unanswered

	def before_submit(self):
		# A self-completed screening counts for the care manager who reviewed it.
		if not self.screened_by:
			self.screened_by = frappe.session.user
		if self.flags.unanswered:
			frappe.throw(
				_("Answer every question before submitting; unanswered: {0}").format(
					", ".join(frappe.utils.escape_html(key) for key in self.flags.unanswered)
				),
				title=_("Screening Incomplete"),
			)

	def on_submit(self):
		self.add_needs_to_care_plan()

	def add_needs_to_care_plan(self):
		"""Each positive need goes on the current care plan once while it is open."""
		needs = lines(self.need_categories)
		plan_name = frappe.db.get_value("Care Plan", {"patient": self.patient, "status": ("!=", "Closed")})
		if not needs or not plan_name:
			return
		plan = frappe.get_doc("Care Plan", plan_name)
		open_needs = {row.need_category for row in plan.needs if row.status in OPEN_NEED_STATUSES}
		domain_of = {}
		for rule in load_instrument(self.instrument).rules:
			domain_of.setdefault(rule.need_category, rule.domain)
		added = False
		for need in needs:
			if need in open_needs:
				continue
			plan.append(
				"needs",
				{
					"need_category": need,
					"domain": domain_of.get(need),
					"status": "Open",
					"identified_on": getdate(self.screening_date),
					"source_screening": self.name,
				},
			)
			added = True
		if added:
			plan.flags.ignore_permissions = True
			plan.save()
		self.db_set("care_plan", plan_name)


def on_doctype_update():
	add_indexes()


def add_indexes():
	# The eligibility scan, the risk run and the quality measures read each
	# patient's screenings by instrument and date. Also run by a patch: an
	# unchanged doctype is not synced again on migrate.
	frappe.db.add_index("Needs Screening", ["patient", "instrument", "screening_date"])
