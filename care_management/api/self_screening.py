"""What a patient's self-completion link may see: the questions of the
instrument their care team chose. Reached without a login (the token is the
credential), so it says nothing about the patient beyond a first name."""

import frappe
from frappe.rate_limiter import rate_limit

from care_management.care_management.doctype.screening_instrument.screening_instrument import (
	load_instrument,
)
from care_management.care_management.doctype.screening_invitation.screening_invitation import (
	open_invitation,
)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=30, seconds=60 * 10)
def get_self_completion_form(token: str) -> dict:
	invitation = open_invitation(token)
	instrument = load_instrument(invitation.instrument)
	first_name = frappe.db.get_value("Patient", invitation.patient, "first_name")
	return {
		"instrument": invitation.instrument,
		"patient_first_name": first_name,
		"expires_on": str(invitation.expires_on),
		"questions": [
			{
				"key": question.key,
				"text": question.text,
				"multiple": question.multiple,
				"options": [label for label, _score in question.options],
			}
			for question in instrument.questions
		],
	}
