# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A hospital's ADT message as received (care_management/adt/intake.py stores it).

Nothing on it is typed by a person: the feed writes it, and a person only
matches a message that needs review to a patient, or dismisses it.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html

from care_management.domain.adt_message import Refused, read_event

REVIEWABLE = ("Needs Review",)


class ADTMessage(Document):
	def validate(self):
		if not self.flags.from_adt_feed:
			frappe.throw(
				_(
					"ADT Messages are written by the hospital feed. Use Match Patient or Dismiss on one that needs review."
				),
				title=_("Not Editable"),
			)


def _reviewable(message: str) -> Document:
	doc = frappe.get_doc("ADT Message", message)
	doc.check_permission("write")
	if doc.outcome not in REVIEWABLE:
		frappe.throw(
			_("ADT Message {0} is {1}; only a message that Needs Review can be matched or dismissed.").format(
				escape_html(doc.name), escape_html(_(doc.outcome))
			)
		)
	return doc


@frappe.whitelist(methods=["POST"])
def match_patient(message: str, patient: str, remember_mrn: int = 1):
	"""A person says which patient the message is about; the event then takes effect."""
	from care_management.adt.effects import apply
	from care_management.adt.effects import remember_mrn as keep_mrn

	doc = _reviewable(message)
	if not patient or not frappe.db.exists("Patient", patient):
		frappe.throw(
			_("Patient: {0} does not exist. Choose an existing patient.").format(escape_html(patient or ""))
		)
	if not frappe.has_permission("Patient", "read", patient):
		frappe.throw(_("Patient: you may not read {0}.").format(escape_html(patient)), frappe.PermissionError)
	# Lock the message so two reviewers cannot both apply it.
	frappe.db.get_value("ADT Message", message, "name", for_update=True)
	if frappe.db.get_value("ADT Message", message, "outcome") not in REVIEWABLE:
		frappe.throw(_("ADT Message {0} was reviewed by someone else.").format(escape_html(message)))
	try:
		event = read_event(doc.raw_message.encode("utf-8"))
	except Refused as refused:
		frappe.throw(
			_("ADT Message {0} cannot be read: {1}").format(escape_html(message), escape_html(refused.reason))
		)
	outcome, reason = apply(message, event, patient=patient, matched_by="Person")
	if int(remember_mrn or 0):
		keep_mrn(patient, event.patient)
	frappe.db.set_value(
		"ADT Message",
		message,
		{
			"outcome": "Matched" if outcome == "Processed" else outcome,
			"reason": f"{reason} Matched by {frappe.session.user}.",
		},
	)
	return frappe.db.get_value(
		"ADT Message", message, ["outcome", "reason", "patient", "care_transition"], as_dict=True
	)


@frappe.whitelist(methods=["POST"])
def dismiss(message: str, reason: str | None = None):
	"""Not one of the practice's patients (or a duplicate person): kept, but nothing happens."""
	_reviewable(message)
	if not (reason or "").strip():
		frappe.throw(_("Reason: say why the message is dismissed, e.g. not a patient of the practice."))
	frappe.db.set_value(
		"ADT Message",
		message,
		{
			"outcome": "Dismissed",
			"reason": f"{escape_html(reason.strip()[:500])} (dismissed by {frappe.session.user})",
		},
	)
	return "Dismissed"
