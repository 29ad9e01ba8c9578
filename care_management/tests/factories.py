"""Records the integration tests make for themselves."""

import frappe


def make_patient(first_name: str, **fields) -> "frappe.model.document.Document":
	for gender in ("Female", "Male"):
		if not frappe.db.exists("Gender", gender):
			frappe.get_doc({"doctype": "Gender", "gender": gender}).insert(ignore_permissions=True)
	patient = frappe.get_doc(
		{"doctype": "Patient", "first_name": first_name, "sex": "Female", **fields}
	)
	patient.insert(ignore_permissions=True)
	return patient
