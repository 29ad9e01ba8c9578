"""A closed-loop referral as one self-contained FHIR R4 Bundle in the shape of
the HL7 SDOH Clinical Care IG (Gravity Project): a ServiceRequest for the
service, the Task that asks the community organization to fulfil it, and the
Patient, the need (Condition), the practice and the organization they point at.
"""

from __future__ import annotations

from care_management.domain.fhir_us_core import (
	SDOHCC_CODES,
	BundleEntries,
	coded,
	drop_empty,
	fhir_id,
	need_condition_resource,
	organization_resource,
	patient_resource,
	sdoh_categories,
)
from care_management.domain.sdoh_service_codes import service_concept

TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
# Task.output.type of the activity a fulfilled task resulted in (SDOHCC PerformedActivityCode).
RESULTING_ACTIVITY = ("resulting-activity", "Resulting Activity")
# Referral workflow state -> (ServiceRequest.status, Task.status); the Task's are
# SDOHCC-ValueSetReferralTaskStatus codes.
STATUS = {
	"Draft": ("draft", "draft"),
	"Sent": ("active", "requested"),
	"Accepted": ("active", "accepted"),
	"Completed": ("completed", "completed"),
	"Declined": ("revoked", "rejected"),
	"Unable to Contact": ("revoked", "failed"),
	"Cancelled": ("revoked", "cancelled"),
}
# SDOHCC Task: these statuses must say why (statusReason.text).
TASK_STATUSES_WITH_REASON = ("rejected", "cancelled", "on-hold", "failed")


def _untranslated(message: str) -> str:
	return message


def referral_bundle(referral: dict, base_url: str, _=_untranslated) -> dict:
	"""``referral``: id, status, need (the app's need category), patient (see
	patient_resource), need_condition {id, status, identified_on, notes} (the
	care plan's need, else one made for the referral), resource {name,
	organization (see organization_resource), taxonomy: the 211 terms {code, name}
	it carries for the need}, practice (the referring
	practice's organization), referred_by (a name), authored (date), outcome,
	notes."""
	if referral["status"] not in STATUS:
		raise ValueError(
			f"referral status: {referral['status']!r} has no FHIR equivalent; expected one of {sorted(STATUS)}"
		)
	request_status, task_status = STATUS[referral["status"]]
	base = fhir_id(referral["id"])
	entries = BundleEntries(base_url)

	patient = patient_resource(referral["patient"], base_url)
	subject = entries.reference(patient, referral["patient"].get("name"))
	need = referral.get("need_condition") or {}
	need_condition = need_condition_resource(
		{
			"id": fhir_id(base, "need"),
			**need,
			# A need not on the care plan was recorded when the referral was made.
			"identified_on": need.get("identified_on") or referral.get("authored"),
			"category": referral["need"],
			"label": _(referral["need"]),
		},
		subject,
	)
	organization = organization_resource(referral["resource"]["organization"], base_url)
	owner = entries.reference(organization, organization["name"])
	practice = organization_resource(referral["practice"], base_url)
	requester = entries.reference(practice, practice["name"])

	code = service_concept(
		referral["need"], referral["resource"]["name"], referral["resource"].get("taxonomy")
	)
	outputs = (
		[{"type": {"text": _("Outcome")}, "valueString": _(referral["outcome"])}]
		if referral.get("outcome")
		else []
	)
	if task_status == "completed":
		# What was done, coded as the request was (SDOHCC output:PerformedActivityCode).
		outputs.append(
			{
				"type": coded(SDOHCC_CODES, *RESULTING_ACTIVITY),
				"valueCodeableConcept": {"coding": code["coding"]},
			}
		)
	notes = [
		{"text": _("Referred by {0}").format(referral["referred_by"])}
		if referral.get("referred_by")
		else None,
		{"text": referral["notes"]} if referral.get("notes") else None,
	]
	service_request = drop_empty(
		{
			"resourceType": "ServiceRequest",
			"id": f"{base}-request",
			"status": request_status,
			"intent": "order",
			"category": sdoh_categories(referral["need"]),
			# SNOMED CT from the need's domain and what the service is; its name kept as text.
			"code": code,
			"subject": subject,
			"authoredOn": referral.get("authored"),
			"requester": requester,
			"performer": [owner],
			"reasonReference": [entries.reference(need_condition, _(referral["need"]))],
			"note": [note for note in notes if note],
		}
	)
	task = drop_empty(
		{
			"resourceType": "Task",
			"id": f"{base}-task",
			"status": task_status,
			"statusReason": {"text": _(referral["status"])}
			if task_status in TASK_STATUSES_WITH_REASON
			else None,
			"intent": "order",
			"code": coded(TASK_CODE, "fulfill", "Fulfill the focal request"),
			"focus": entries.reference(service_request),
			"for": subject,
			"authoredOn": referral.get("authored"),
			"requester": requester,
			"owner": owner,
			"output": outputs,
		}
	)
	for resource in (service_request, task, patient, need_condition, organization, practice):
		entries.add(resource)
	return entries.bundle(f"{base}-bundle")
