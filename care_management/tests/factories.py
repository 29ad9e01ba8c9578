"""Records the integration tests make for themselves."""

import frappe
from frappe.utils import add_days, today


def make_patient(first_name: str, **fields):
	for gender in ("Female", "Male"):
		if not frappe.db.exists("Gender", gender):
			frappe.get_doc({"doctype": "Gender", "gender": gender}).insert(ignore_permissions=True)
	patient = frappe.get_doc({"doctype": "Patient", "first_name": first_name, "sex": "Female", **fields})
	patient.insert(ignore_permissions=True)
	return patient


def make_user(email: str, roles: list[str]) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": "System User",
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.add_roles(*roles)
	return email


def make_practitioner(first_name: str, user: str | None = None) -> str:
	existing = frappe.db.get_value("Healthcare Practitioner", {"first_name": first_name})
	if existing:
		return existing
	practitioner = frappe.get_doc(
		{"doctype": "Healthcare Practitioner", "first_name": first_name, "status": "Active", "user_id": user}
	)
	practitioner.insert(ignore_permissions=True)
	return practitioner.name


FULL_CONSENT = {
	"consent_method": "Verbal",
	"consent_obtained_by": "Administrator",
	"told_service_available": 1,
	"told_cost_sharing": 1,
	"told_one_practitioner_bills": 1,
	"told_may_stop_any_time": 1,
}


def make_enrollment(patient: str, practitioner: str, program: str = "CCM", status: str = "Active", **fields):
	values = {"consent_date": today(), **FULL_CONSENT} if status == "Active" else {}
	enrollment = frappe.get_doc(
		{
			"doctype": "Care Program Enrollment",
			"patient": patient,
			"program": program,
			"billing_practitioner": practitioner,
			"status": status,
			"start_date": today(),
			**values,
			**fields,
		}
	)
	enrollment.insert(ignore_permissions=True)
	return enrollment


def make_care_plan(patient: str, practitioner: str, **fields):
	plan = frappe.get_doc(
		{
			"doctype": "Care Plan",
			"patient": patient,
			"supervising_practitioner": practitioner,
			"start_date": today(),
			"next_review_date": add_days(today(), 90),
			**fields,
		}
	)
	plan.insert(ignore_permissions=True)
	return plan


def make_website_user(email: str, roles: list[str] | None = None) -> str:
	"""A portal user (no desk), as Healthcare makes one when it invites a patient."""
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": "Website User",
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	if roles:
		frappe.get_doc("User", email).add_roles(*roles)
	return email


def link_patient_user(patient: str, user: str) -> None:
	"""Healthcare's Patient <-> User link (Patient.user_id), as its invite sets it."""
	frappe.db.set_value("Patient", patient, "user_id", user)


def activate_care_plan(plan: str) -> None:
	"""Active without walking the approval workflow (its own tests do that)."""
	frappe.db.set_value("Care Plan", plan, {"status": "Active", "workflow_state": "Active"})
# CMS's published example MBI and NPI (both pass their checks).
EXAMPLE_MBI = "1EG4TE5MK73"
EXAMPLE_NPI = "1234567893"


def make_payer(name: str = "Medicare Part B Test Payer", payer_id: str = "TESTMCR") -> str:
	"""A Customer marked as a payer."""
	if frappe.db.exists("Customer", name):
		return name
	return (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_type": "Company",
				"is_payer": 1,
				"payer_id": payer_id,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_coverage(
	patient: str,
	payer: str | None = None,
	plan_type: str = "Medicare Part B",
	member_id: str = EXAMPLE_MBI,
	order: str = "Primary",
	effective_from="2025-01-01",
	effective_to=None,
	qmb: int = 0,
):
	return frappe.get_doc(
		{
			"doctype": "Patient Coverage",
			"patient": patient,
			"payer": payer or make_payer(),
			"plan_type": plan_type,
			"member_id": member_id,
			"coverage_order": order,
			"effective_from": effective_from,
			"effective_to": effective_to,
			"qualified_medicare_beneficiary": qmb,
		}
	).insert(ignore_permissions=True)
