"""Which language a patient reads: what the plan, the portal, the patient's
printed copy and every message to the patient are written in.

The rule is the core's (domain/care_plan_templates.patient_language); this
module only reads the records it needs.
"""

import frappe

from care_management.domain.care_plan_templates import patient_language


def language_of_patient(patient: str | None) -> str:
	"""Healthcare's Patient.language, else the patient's portal user's language, else the site's."""
	site = frappe.db.get_single_value("System Settings", "language") or "en"
	if not patient:
		return site
	row = frappe.db.get_value("Patient", patient, ["language", "user_id"], as_dict=True) or frappe._dict()
	user_language = row.user_id and frappe.db.get_value("User", row.user_id, "language")
	return patient_language(row.language, user_language, site)


def plan_language(plan) -> str:
	"""The language the plan's patient-facing copy is written in: the one the
	care team chose on the plan, else the patient's."""
	return plan.get("preferred_language") or language_of_patient(plan.get("patient"))


def language_for_patient_messages(patient: str | None) -> str:
	"""The language of a message to the patient: their latest open plan's, else theirs."""
	chosen = patient and frappe.db.get_value(
		"Care Plan",
		{"patient": patient, "status": ("!=", "Closed"), "preferred_language": ("is", "set")},
		"preferred_language",
		order_by="modified desc",
	)
	return chosen or language_of_patient(patient)
