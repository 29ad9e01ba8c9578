"""Transitions of care: opened when Healthcare discharges an inpatient."""

import frappe
from frappe import _
from frappe.utils import getdate


def open_transition_on_discharge(inpatient_record, method=None):
	"""doc_event on Inpatient Record: a discharge opens the TCM record and tells
	the care manager, so the two-business-day contact is not missed."""
	if inpatient_record.status != "Discharged":
		return
	if frappe.db.exists("Care Transition", {"inpatient_record": inpatient_record.name}):
		return
	care_manager = frappe.db.get_value("Patient", inpatient_record.patient, "care_manager")
	transition = frappe.get_doc(
		{
			"doctype": "Care Transition",
			"patient": inpatient_record.patient,
			"inpatient_record": inpatient_record.name,
			"discharge_date": getdate(inpatient_record.discharge_datetime or frappe.utils.now_datetime()),
			"facility": inpatient_record.company,
			"care_manager": care_manager,
		}
	).insert(ignore_permissions=True)
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
					inpatient_record.patient_name or inpatient_record.patient,
					frappe.utils.formatdate(transition.discharge_date),
					frappe.utils.formatdate(transition.contact_due),
				),
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)
	return transition
