"""Patient fields the hospital ADT feed reads and writes (care_management/adt/).

Made by install code and a patch, removed on uninstall, like setup/patient_fields.py.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

HOSPITAL_STATUSES = ("Inpatient", "Emergency Visit")


def adt_custom_fields() -> dict:
	return {
		"Patient": [
			{
				"fieldname": "hospital_section",
				"fieldtype": "Section Break",
				"label": "Hospital Stays",
				"insert_after": "risk_score_factors",
				"collapsible": 1,
			},
			{
				"fieldname": "hospital_status",
				"fieldtype": "Select",
				"label": "In Hospital",
				"options": "\n".join(["", *HOSPITAL_STATUSES]),
				"read_only": 1,
				"no_copy": 1,
				"in_standard_filter": 1,
				"search_index": 1,
				"insert_after": "hospital_section",
				"description": "Set by the hospitals' admission notifications; cleared by the discharge.",
			},
			{
				"fieldname": "hospital_since",
				"fieldtype": "Date",
				"label": "In Hospital Since",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "hospital_status",
			},
			{
				"fieldname": "hospital_facility",
				"fieldtype": "Data",
				"label": "Hospital",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "hospital_since",
			},
			{
				"fieldname": "hospital_column_break",
				"fieldtype": "Column Break",
				"insert_after": "hospital_facility",
			},
			{
				"fieldname": "facility_mrns",
				"fieldtype": "Table",
				"label": "Hospital MRNs",
				"options": "Patient Facility MRN",
				"insert_after": "hospital_column_break",
				"description": "The patient's record number at each hospital (PID-3 and its assigning authority); "
				"the ADT feed matches on it first.",
			},
		]
	}


def adt_custom_fieldnames() -> list[str]:
	return [field["fieldname"] for field in adt_custom_fields()["Patient"]]


def create_adt_fields() -> None:
	create_custom_fields(adt_custom_fields(), ignore_validate=True, update=True)
	# The feed looks an MRN up by its authority and number on every message.
	if not frappe.db.has_index("tabPatient Facility MRN", "authority_mrn"):
		frappe.db.add_index("Patient Facility MRN", ["assigning_authority", "mrn"], "authority_mrn")


def delete_adt_fields() -> None:
	names = adt_custom_fieldnames()
	frappe.db.delete("Property Setter", {"doc_type": "Patient", "field_name": ("in", names)})
	frappe.db.delete("Custom Field", {"dt": "Patient", "fieldname": ("in", names)})
	frappe.clear_cache(doctype="Patient")
