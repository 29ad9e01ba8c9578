"""What a patient's self-completion link may see: the questions of the
instrument their care team chose. Reached without a login (the token is the
credential), so it says nothing about the patient beyond a first name."""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from care_management.care_management.doctype.screening_instrument.screening_instrument import (
	load_instrument,
	translations_for,
)
from care_management.care_management.doctype.screening_invitation.screening_invitation import (
	open_invitation,
	token_hash,
)
from care_management.patient_language import language_for_patient_messages
from care_management.phi_access_log import SELF_SCREENING_FORM, log_phi_access


def reading_language(token: str | None) -> str:
	"""A signed-in user reads in their own language; a patient on a link, in
	their language (their care plan's, else Healthcare's Patient.language or
	their user's), else the browser's. The site's language is what Healthcare
	records for every patient unless someone chose otherwise, so it does not
	override the browser."""
	if frappe.session.user != "Guest" or not token:
		return frappe.local.lang
	patient = frappe.db.get_value("Screening Invitation", {"token_hash": token_hash(token)}, "patient")
	chosen = patient and language_for_patient_messages(patient)
	site = frappe.db.get_single_value("System Settings", "language") or "en"
	return chosen if chosen and chosen != site else frappe.local.lang


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=30, seconds=60 * 10)
def get_self_completion_form(token: str) -> dict:
	invitation = open_invitation(token)
	frappe.local.lang = reading_language(token)
	instrument = load_instrument(invitation.instrument)
	first_name = frappe.db.get_value("Patient", invitation.patient, "first_name")
	translated = translations_for(
		frappe.get_cached_doc("Screening Instrument", invitation.instrument), frappe.local.lang
	)
	questions = []
	for question in instrument.questions:
		options = [label for label, _score in question.options]
		text, labels = translated.get(question.key, (question.text, options))
		questions.append(
			{
				"key": question.key,
				"text": text,
				"multiple": question.multiple,
				# What is posted and scored is the option itself; the label is what the patient reads.
				"options": options,
				"labels": labels if len(labels) == len(options) else options,
			}
		)
	# Read on a link, without a login: the entry's user is Guest, the invitation says whose link it was.
	log_phi_access(
		SELF_SCREENING_FORM, [invitation.patient], doctype="Screening Invitation", document=invitation.name
	)
	return {
		"instrument": _(invitation.instrument),
		"patient_first_name": first_name,
		"expires_on": str(invitation.expires_on),
		"questions": questions,
	}
