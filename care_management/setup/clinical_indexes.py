"""Indexes on Healthcare's tables that the eligibility scan, the risk run and
the quality measures read by patient. Healthcare indexes few of these
columns; an index changes no data and Healthcare's code never sees it."""

import frappe

CLINICAL_INDEXES = (
	("Vital Signs", ["patient", "signs_date"]),
	("Inpatient Record", ["patient", "status"]),
	("Inpatient Record", ["status", "discharge_datetime"]),
	("Patient Encounter", ["patient", "encounter_date"]),
	("Lab Test", ["patient", "docstatus"]),
	("Needs Screening", ["patient", "instrument", "screening_date"]),
)


def ensure_clinical_indexes() -> None:
	for doctype, columns in CLINICAL_INDEXES:
		if frappe.db.table_exists(doctype):
			frappe.db.add_index(doctype, columns)
