"""The Care Management section of the Patient form.

Created on install and removed on uninstall from install code (as frappe/hrms
does), so that uninstalling leaves the Patient doctype as Healthcare ships it.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

RISK_TIER_FIELD = "care_risk_tier"


def patient_custom_fields(risk_tiers: list[str]) -> dict:
	return {
		"Patient": [
			{
				"fieldname": "care_management_section",
				"fieldtype": "Section Break",
				"label": "Care Management",
				"insert_after": "language",
			},
			{
				"fieldname": "care_manager",
				"fieldtype": "Link",
				"label": "Care Manager",
				"options": "User",
				"insert_after": "care_management_section",
				"search_index": 1,
				"description": "The care manager whose caseload this patient is in.",
			},
			{
				"fieldname": "care_management_column_break",
				"fieldtype": "Column Break",
				"insert_after": "care_manager",
			},
			{
				"fieldname": RISK_TIER_FIELD,
				"fieldtype": "Select",
				"label": "Risk Tier",
				"options": "\n".join(["", *risk_tiers]),
				"insert_after": "care_management_column_break",
				"search_index": 1,
				"in_standard_filter": 1,
				"description": "Sets how often the patient is contacted (Care Management Settings).",
			},
			{
				"fieldname": "qualified_medicare_beneficiary",
				"fieldtype": "Check",
				"label": "Qualified Medicare Beneficiary",
				"insert_after": RISK_TIER_FIELD,
				"description": "Enrolled in the QMB program; some care-management codes (e.g. G0558) depend on it.",
			},
			{
				"fieldname": "active_care_programs",
				"fieldtype": "Small Text",
				"label": "Active Care Programs",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "qualified_medicare_beneficiary",
				"description": "Kept up to date from the patient's program enrollments.",
			},
			{
				"fieldname": "lives_alone",
				"fieldtype": "Check",
				"label": "Lives Alone",
				"insert_after": "active_care_programs",
				"description": "Counts toward the risk score when a Care Risk Factor measures it.",
			},
			{
				"fieldname": "care_risk_score_section",
				"fieldtype": "Section Break",
				"label": "Risk Score",
				"insert_after": "lives_alone",
				"collapsible": 1,
			},
			{
				"fieldname": "care_risk_score",
				"fieldtype": "Int",
				"label": "Risk Score",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "care_risk_score_section",
				"description": "From the Care Risk Factors, computed daily for enrolled patients.",
			},
			{
				"fieldname": "suggested_risk_tier",
				"fieldtype": "Data",
				"label": "Suggested Risk Tier",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "care_risk_score",
			},
			{
				"fieldname": "risk_scored_on",
				"fieldtype": "Datetime",
				"label": "Risk Scored On",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "suggested_risk_tier",
			},
			{
				"fieldname": "care_risk_score_column_break",
				"fieldtype": "Column Break",
				"insert_after": "risk_scored_on",
			},
			{
				"fieldname": "risk_score_factors",
				"fieldtype": "Small Text",
				"label": "Why This Score",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "care_risk_score_column_break",
			},
			# Written by the risk run for every patient it scores (population/risk_run.py).
			{
				"fieldname": "cms_hcc_score",
				"fieldtype": "Float",
				"label": "CMS-HCC Score",
				"precision": "3",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "risk_score_factors",
				"description": "CMS-HCC model V28, 2026 coefficients, from the ICD-10-CM codes of the last 12 months.",
			},
			{
				"fieldname": "cms_hccs",
				"fieldtype": "Small Text",
				"label": "HCCs Behind the Score",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "cms_hcc_score",
			},
			{
				"fieldname": "cms_hcc_segment",
				"fieldtype": "Data",
				"label": "CMS-HCC Segment",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "cms_hccs",
			},
		]
	}


def patient_custom_fieldnames() -> list[str]:
	return [field["fieldname"] for field in patient_custom_fields([])["Patient"]]


def create_patient_fields(risk_tiers: list[str]) -> None:
	create_custom_fields(patient_custom_fields(risk_tiers), ignore_validate=True, update=True)


def delete_patient_fields() -> None:
	"""Remove our Custom Field records (and their property setters).

	The columns stay in tabPatient, as with frappe/hrms: dropping them would
	destroy caseload assignments a practice may want back on reinstall, and a
	column no Custom Field describes is invisible to Frappe.
	"""
	names = patient_custom_fieldnames()
	frappe.db.delete("Property Setter", {"doc_type": "Patient", "field_name": ("in", names)})
	frappe.db.delete("Custom Field", {"dt": "Patient", "fieldname": ("in", names)})
	frappe.clear_cache(doctype="Patient")


def sync_risk_tier_options(risk_tiers: list[str]) -> None:
	"""Keep the Patient's Risk Tier dropdown equal to the tiers in Settings."""
	name = frappe.db.get_value("Custom Field", {"dt": "Patient", "fieldname": RISK_TIER_FIELD})
	if not name:
		return
	options = "\n".join(["", *risk_tiers])
	if frappe.db.get_value("Custom Field", name, "options") != options:
		field = frappe.get_doc("Custom Field", name)
		field.options = options
		field.save(ignore_permissions=True)
