"""A closed-loop referral as FHIR R4: ServiceRequest + Task, the shape of the
HL7 SDOH Clinical Care IG (Gravity Project)."""

from __future__ import annotations

from care_management.domain.fhir_care_plan import _drop_empty, _entry, fhir_id

SDOH_CATEGORY = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
# Referral status -> (ServiceRequest.status, Task.status)
STATUS = {
	"Draft": ("draft", "draft"),
	"Sent": ("active", "requested"),
	"Accepted": ("active", "accepted"),
	"Completed": ("completed", "completed"),
	"Declined": ("revoked", "rejected"),
	"Unable to Contact": ("revoked", "failed"),
	"Cancelled": ("revoked", "cancelled"),
}
# The IG's SDOH category codes for the app's needs (others are sent as text).
CATEGORY_CODES = {
	"Food": "food-insecurity",
	"Housing": "housing-instability",
	"Transportation": "transportation-insecurity",
	"Utilities": "utility-insecurity",
	"Interpersonal Safety": "intimate-partner-violence",
	"Financial Strain": "financial-insecurity",
	"Employment": "employment-status",
	"Education": "educational-attainment",
	"Social Isolation": "social-connection",
	"Disability": "disabilities",
	"Legal": "legal-status",
}


def referral_bundle(referral: dict) -> dict:
	"""``referral``: id, status, need, patient {id, name}, resource {id, name, organization},
	referred_by, authored (date), outcome, notes."""
	if referral["status"] not in STATUS:
		raise ValueError(
			f"referral status: {referral['status']!r} has no FHIR equivalent; expected one of {sorted(STATUS)}"
		)
	request_status, task_status = STATUS[referral["status"]]
	base = fhir_id(referral["id"])
	subject = _drop_empty(
		{
			"reference": f"Patient/{fhir_id(referral['patient']['id'])}",
			"display": referral["patient"].get("name"),
		}
	)
	code = CATEGORY_CODES.get(referral["need"])
	category = (
		{"coding": [{"system": SDOH_CATEGORY, "code": code, "display": referral["need"]}]}
		if code
		else {"text": referral["need"]}
	)
	organization = referral["resource"].get("organization") or referral["resource"]["name"]
	service_request = _drop_empty(
		{
			"resourceType": "ServiceRequest",
			"id": f"{base}-request",
			"status": request_status,
			"intent": "order",
			"category": [category],
			"code": {"text": referral["resource"]["name"]},
			"subject": subject,
			"authoredOn": referral.get("authored"),
			"requester": {"display": referral.get("referred_by")} if referral.get("referred_by") else None,
			"performer": [{"display": organization}],
			"note": [{"text": referral["notes"]}] if referral.get("notes") else None,
		}
	)
	task = _drop_empty(
		{
			"resourceType": "Task",
			"id": f"{base}-task",
			"status": task_status,
			"intent": "order",
			"code": {
				"coding": [
					{
						"system": "http://hl7.org/fhir/CodeSystem/task-code",
						"code": "fulfill",
						"display": "Fulfill the focal request",
					}
				]
			},
			"focus": {"reference": f"ServiceRequest/{base}-request"},
			"for": subject,
			"authoredOn": referral.get("authored"),
			"owner": {"display": organization},
			"output": [{"type": {"text": "outcome"}, "valueString": referral["outcome"]}]
			if referral.get("outcome")
			else None,
		}
	)
	return {
		"resourceType": "Bundle",
		"id": f"{base}-bundle",
		"type": "collection",
		"entry": [_entry(service_request), _entry(task)],
	}
