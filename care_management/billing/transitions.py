"""Transitions of care: opened when Healthcare discharges an inpatient or a
hospital's ADT feed reports a discharge (care_management/adt/)."""

import frappe
from frappe import _
from frappe.utils import formatdate, getdate


def open_transition_on_discharge(inpatient_record, method=None):
	"""doc_event on Inpatient Record: a discharge opens the TCM record and tells
	the care manager, so the two-business-day contact is not missed."""
	if inpatient_record.status != "Discharged":
		return
	if frappe.db.exists("Care Transition", {"inpatient_record": inpatient_record.name}):
		return
	return open_transition(
		patient=inpatient_record.patient,
		patient_name=inpatient_record.patient_name,
		discharge_date=getdate(inpatient_record.discharge_datetime or frappe.utils.now_datetime()),
		facility=inpatient_record.company,
		inpatient_record=inpatient_record.name,
	)


def open_transition(
	patient: str,
	discharge_date,
	facility: str | None,
	patient_name: str | None = None,
	inpatient_record: str | None = None,
	adt_message: str | None = None,
):
	"""The Care Transition (whose validate sets the contact and visit deadlines)
	and a high-priority ToDo for the patient's care manager due on the contact deadline."""
	care_manager = frappe.db.get_value("Patient", patient, "care_manager")
	transition = frappe.get_doc(
		{
			"doctype": "Care Transition",
			"patient": patient,
			"inpatient_record": inpatient_record,
			"adt_message": adt_message,
			"discharge_date": discharge_date,
			"facility": facility,
			"care_manager": care_manager,
		}
	)
	transition.flags.from_adt_feed = bool(adt_message)
	transition.insert(ignore_permissions=True)
	if care_manager:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": care_manager,
				"reference_type": "Care Transition",
				"reference_name": transition.name,
				"priority": "High",
				"date": transition.contact_due,
				"description": _("{0} was discharged on {1}. Make an interactive contact by {2}.").format(
					frappe.utils.escape_html(patient_name or transition.patient_name or patient),
					formatdate(transition.discharge_date),
					formatdate(transition.contact_due),
				),
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)
	return transition


def cancel_transition(transition_name: str, reason: str) -> None:
	"""A discharge the hospital cancelled (A13): the TCM window and its ToDo go away."""
	transition = frappe.get_doc("Care Transition", transition_name)
	if transition.status != "Cancelled":
		transition.status = "Cancelled"
		transition.notes = "\n".join(filter(None, [transition.notes, reason]))
		transition.save(ignore_permissions=True)
	for todo in frappe.get_all(
		"ToDo",
		filters={"reference_type": "Care Transition", "reference_name": transition_name, "status": "Open"},
		pluck="name",
	):
		frappe.db.set_value("ToDo", todo, "status", "Cancelled")
