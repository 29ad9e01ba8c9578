"""What a readable ADT event does: match the patient, then admit, discharge, update or cancel.

The rules (which patient, which action, which deadlines) are in
care_management/domain/adt_events.py; this file reads and writes the records.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import escape_html, formatdate

from care_management.billing.transitions import cancel_transition, open_transition
from care_management.domain.adt_events import (
	ADMIT,
	CANCEL_ADMISSION,
	CANCEL_DISCHARGE,
	DISCHARGE,
	NOTHING,
	UPDATE,
	Candidate,
	Match,
	action_for,
	admission_date,
	discharge_date,
	match_patient,
)
from care_management.domain.adt_message import AdtEvent, PatientIdentity

# A04 registers an emergency or outpatient visit; A01 admits.
HOSPITAL_STATUS = {"A01": "Inpatient", "A04": "Emergency Visit"}


def apply(message: str, event: AdtEvent, patient: str | None = None, matched_by: str | None = None):
	"""(outcome, reason) for the stored ``message``. ``patient`` is given when a person matched it."""
	action = action_for(event)
	if action == NOTHING:
		return "Not Used", f"{event.event or 'This event'} is not an event the practice acts on."
	if not patient:
		match = find_patient(event.patient)
		if not match.found:
			return "Needs Review", match.review_reason
		patient, matched_by = match.patient, match.matched_by
	frappe.db.set_value(
		"ADT Message", message, {"patient": patient, "matched_by": matched_by}, update_modified=False
	)
	return ACTIONS[action](message, event, patient)


def find_patient(identity: PatientIdentity) -> Match:
	by_mrn = []
	if identity.mrn:
		by_mrn = frappe.get_all(
			"Patient Facility MRN",
			filters={
				"parenttype": "Patient",
				"assigning_authority": identity.assigning_authority,
				"mrn": identity.mrn,
			},
			pluck="parent",
		)
	candidates = []
	if not by_mrn and identity.has_demographics:
		rows = frappe.db.sql(
			"""select patient.name, (select mrn.mrn from `tabPatient Facility MRN` mrn
					where mrn.parent = patient.name and mrn.parenttype = 'Patient'
					and mrn.assigning_authority = %(authority)s limit 1) as mrn
			from `tabPatient` patient
			where patient.last_name = %(family)s and patient.first_name = %(given)s
				and patient.dob = %(dob)s and patient.sex = %(sex)s""",
			{
				"authority": identity.assigning_authority,
				"family": identity.family_name,
				"given": identity.given_name,
				"dob": identity.birth_date,
				"sex": identity.sex,
			},
			as_dict=True,
		)
		candidates = [Candidate(row.name, row.mrn) for row in rows]
	return match_patient(identity, by_mrn, candidates)


def remember_mrn(patient: str, identity: PatientIdentity) -> None:
	"""After a person matched a message: its MRN finds the patient next time."""
	if not identity.mrn or not identity.assigning_authority:
		return
	if frappe.db.exists(
		"Patient Facility MRN",
		{"parent": patient, "assigning_authority": identity.assigning_authority, "mrn": identity.mrn},
	):
		return
	row = frappe.get_doc(
		{
			"doctype": "Patient Facility MRN",
			"parenttype": "Patient",
			"parentfield": "facility_mrns",
			"parent": patient,
			"assigning_authority": identity.assigning_authority,
			"mrn": identity.mrn,
			"idx": (frappe.db.count("Patient Facility MRN", {"parent": patient}) or 0) + 1,
		}
	)
	row.db_insert()


def admit(message: str, event: AdtEvent, patient: str):
	since = admission_date(event)
	status = HOSPITAL_STATUS.get(event.event, "Inpatient")
	frappe.db.set_value(
		"Patient",
		patient,
		{"hospital_status": status, "hospital_since": since, "hospital_facility": event.facility[:140]},
		update_modified=False,
	)
	frappe.db.set_value("ADT Message", message, "event_date", since, update_modified=False)
	notify_care_manager(
		patient,
		_("{0}: {1} at {2} since {3}").format(
			escape_html(_patient_name(patient)), _(status), escape_html(event.facility), formatdate(since)
		),
	)
	return "Processed", f"{status} at {event.facility} since {since.isoformat()}."


def discharge(message: str, event: AdtEvent, patient: str):
	discharged = discharge_date(event)
	_clear_hospital_status(patient)
	frappe.db.set_value("ADT Message", message, "event_date", discharged, update_modified=False)
	existing = frappe.db.get_value(
		"Care Transition",
		{"patient": patient, "discharge_date": discharged, "status": ("!=", "Cancelled")},
		"name",
	)
	if existing:
		# Typed by hand or opened by an Inpatient Record: one TCM window per stay.
		frappe.db.set_value("ADT Message", message, "care_transition", existing, update_modified=False)
		return "Processed", f"Discharged {discharged.isoformat()}; Care Transition {existing} already open."
	transition = open_transition(
		patient=patient,
		discharge_date=discharged,
		facility=event.facility[:140],
		patient_name=_patient_name(patient),
		adt_message=message,
	)
	frappe.db.set_value("ADT Message", message, "care_transition", transition.name, update_modified=False)
	return "Processed", f"Discharged {discharged.isoformat()}; contact due {transition.contact_due}."


def update(message: str, event: AdtEvent, patient: str):
	"""A08: a corrected discharge date moves the window the discharge opened."""
	transition = _transition_of_visit(message, event, patient)
	if transition and event.discharged_at:
		corrected = discharge_date(event)
		doc = frappe.get_doc("Care Transition", transition)
		if (
			doc.status != "Cancelled"
			and doc.discharge_date
			and str(doc.discharge_date) != corrected.isoformat()
		):
			doc.discharge_date = corrected
			doc.save(ignore_permissions=True)
			return "Processed", f"Discharge date of {transition} corrected to {corrected.isoformat()}."
	if event.facility and frappe.db.get_value("Patient", patient, "hospital_status"):
		frappe.db.set_value(
			"Patient", patient, "hospital_facility", event.facility[:140], update_modified=False
		)
	return "Processed", "Patient information updated; nothing to change."


def cancel_admission(message: str, event: AdtEvent, patient: str):
	_clear_hospital_status(patient)
	return "Processed", "Admission cancelled; the patient is no longer shown in hospital."


def cancel_discharge(message: str, event: AdtEvent, patient: str):
	transition = _transition_of_visit(message, event, patient)
	frappe.db.set_value(
		"Patient",
		patient,
		{"hospital_status": "Inpatient", "hospital_facility": event.facility[:140]},
		update_modified=False,
	)
	if not transition:
		return (
			"Processed",
			"No discharge from this hospital to cancel; the patient is shown in hospital again.",
		)
	cancel_transition(transition, _("Discharge cancelled by the hospital (ADT Message {0}).").format(message))
	frappe.db.set_value("ADT Message", message, "care_transition", transition, update_modified=False)
	return "Processed", f"Discharge cancelled; Care Transition {transition} cancelled."


ACTIONS = {
	ADMIT: admit,
	DISCHARGE: discharge,
	UPDATE: update,
	CANCEL_ADMISSION: cancel_admission,
	CANCEL_DISCHARGE: cancel_discharge,
}


def _transition_of_visit(message: str, event: AdtEvent, patient: str) -> str | None:
	"""The transition the same hospital's latest discharge of this visit (or, without a
	visit number, of this patient) opened."""
	sender = frappe.db.get_value("ADT Message", message, "sender")
	filters = {
		"sender": sender,
		"patient": patient,
		"event": "A03",
		"care_transition": ("is", "set"),
		"name": ("!=", message),
	}
	if event.visit_number:
		filters["visit_number"] = event.visit_number
	rows = frappe.get_all(
		"ADT Message",
		filters=filters,
		fields=["care_transition"],
		order_by="received desc, creation desc",
		limit=1,
	)
	return rows[0].care_transition if rows else None


def _clear_hospital_status(patient: str) -> None:
	frappe.db.set_value(
		"Patient",
		patient,
		{"hospital_status": None, "hospital_since": None, "hospital_facility": None},
		update_modified=False,
	)


def _patient_name(patient: str) -> str:
	return frappe.db.get_value("Patient", patient, "patient_name") or patient


def notify_care_manager(patient: str, subject: str) -> None:
	care_manager = frappe.db.get_value("Patient", patient, "care_manager")
	if not care_manager:
		return
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": care_manager,
			"type": "Alert",
			"subject": subject,
			"document_type": "Patient",
			"document_name": patient,
		}
	).insert(ignore_permissions=True)
