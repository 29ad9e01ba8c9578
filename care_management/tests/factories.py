"""Records the integration tests make for themselves."""

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest.mock import patch

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, add_months, today

from care_management.domain.icd10 import ICD10_CM_CODE_SYSTEM, ICD10_CM_SYSTEM


def make_patient(first_name: str, **fields):
	for gender in ("Female", "Male"):
		if not frappe.db.exists("Gender", gender):
			frappe.get_doc({"doctype": "Gender", "gender": gender}).insert(ignore_permissions=True)
	patient = frappe.get_doc({"doctype": "Patient", "first_name": first_name, "sex": "Female", **fields})
	patient.insert(ignore_permissions=True)
	return patient


def make_user(email: str, roles: list[str], user_type: str = "System User") -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": user_type,
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	if roles:
		frappe.get_doc("User", email).add_roles(*roles)
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


def outreach_log_values(patient: str, performer: str, start: datetime, minutes: int = 10, **fields) -> dict:
	"""An interactive phone call of ``minutes`` by clinical staff, Reached unless told."""
	return {
		"doctype": "Outreach Log",
		"patient": patient,
		"performed_by": performer,
		"performer_type": "Clinical Staff",
		"activity_type": "Phone Call",
		"start": start,
		"end": start + timedelta(minutes=minutes),
		"duration_minutes": minutes,
		"outcome": "Reached",
		"interactive": 1,
		**fields,
	}


def submit_outreach_log(patient: str, performer: str, start: datetime, minutes: int = 10, **fields):
	"""outreach_log_values, inserted and submitted."""
	log = frappe.get_doc(outreach_log_values(patient, performer, start, minutes, **fields))
	log.insert(ignore_permissions=True)
	log.submit()
	return log


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


# The Care Plan controller dates its history with this clock.
PLAN_CLOCK = "care_management.care_management.doctype.care_plan.care_plan.now_datetime"


def moment(month, day: int, hour: int = 10) -> datetime:
	return datetime.combine(month, time.min) + timedelta(days=day - 1, hours=hour)


@contextmanager
def plan_clock(when: datetime):
	with patch(PLAN_CLOCK, return_value=when):
		yield


def make_approved_plan(patient: str, practitioner: str, approver: str, month, codes=("E11.9", "I10")):
	"""A plan entered at the start of the month before ``month`` and approved by its
	supervising practitioner (user ``approver``) through the workflow, so that its
	dated history has it Active all through ``month``."""
	before = add_months(month, -1)
	with plan_clock(moment(before, 1)):
		plan = make_care_plan(
			patient,
			practitioner,
			start_date=before,
			next_review_date=add_months(month, 3),
			conditions=[{"condition_name": f"Condition {code}", "icd10_code": code} for code in codes],
		)
	with plan_clock(moment(before, 2)):
		plan = apply_workflow(frappe.get_doc("Care Plan", plan.name), "Send for Review")
	user = frappe.session.user
	frappe.set_user(approver)
	try:
		with plan_clock(moment(before, 3)):
			plan = apply_workflow(frappe.get_doc("Care Plan", plan.name), "Approve")
	finally:
		frappe.set_user(user)
	return plan


def make_website_user(email: str, roles: list[str] | None = None) -> str:
	"""A portal user (no desk), as Healthcare makes one when it invites a patient."""
	return make_user(email, roles or [], user_type="Website User")


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


def make_deposit_account(company: str, name: str = "Remittance Test Bank") -> str:
	"""A bank ledger of the company that payer payments are received into."""
	abbr = frappe.get_cached_value("Company", company, "abbr")
	account = f"{name} - {abbr}"
	if frappe.db.exists("Account", account):
		return account
	parent = frappe.db.get_value(
		"Account", {"company": company, "account_type": "Bank", "is_group": 1}, "name"
	) or frappe.db.get_value("Account", {"company": company, "root_type": "Asset", "is_group": 1}, "name")
	return (
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": name,
				"company": company,
				"parent_account": parent,
				"account_type": "Bank",
				"is_group": 0,
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


# --- Healthcare's own clinical records, made through its doctypes.
ICD10_CM, ICD10_CM_URI = ICD10_CM_CODE_SYSTEM, ICD10_CM_SYSTEM


def make_icd10_code(code: str, display: str | None = None) -> str:
	"""A Code Value of the ICD-10-CM Code System (both made when missing)."""
	if not frappe.db.exists("Code System", ICD10_CM):
		frappe.get_doc({"doctype": "Code System", "code_system": ICD10_CM, "uri": ICD10_CM_URI}).insert(
			ignore_permissions=True
		)
	name = frappe.db.get_value("Code Value", {"code_system": ICD10_CM, "code_value": code})
	if name:
		return name
	return (
		frappe.get_doc(
			{"doctype": "Code Value", "code_system": ICD10_CM, "code_value": code, "display": display or code}
		)
		.insert(ignore_permissions=True)
		.name
	)


def codification_row(code: str) -> dict:
	return {
		"code_value": make_icd10_code(code),
		"code": code,
		"code_system": ICD10_CM,
		"system": ICD10_CM_URI,
		"display": code,
	}


def make_diagnosis(name: str, code: str) -> str:
	"""A Healthcare Diagnosis carrying its ICD-10-CM code."""
	if not frappe.db.exists("Diagnosis", name):
		frappe.get_doc(
			{"doctype": "Diagnosis", "diagnosis": name, "codification_table": [codification_row(code)]}
		).insert(ignore_permissions=True)
	return name


def make_encounter(
	patient: str,
	practitioner: str,
	codes: list[str] = (),
	on=None,
	diagnoses: list[str] = (),
	submit: bool = True,
	**fields,
):
	"""A Patient Encounter with ICD-10-CM codes in its Codification Table and,
	optionally, Diagnoses chosen on it."""
	encounter = frappe.get_doc(
		{
			"doctype": "Patient Encounter",
			"patient": patient,
			"practitioner": practitioner,
			"encounter_date": on or today(),
			"encounter_time": "10:00:00",
			"codification_table": [codification_row(code) for code in codes],
			"diagnosis": [{"diagnosis": d} for d in diagnoses],
			**fields,
		}
	)
	encounter.insert(ignore_permissions=True)
	if submit:
		encounter.submit()
	return encounter


def make_discharge(patient: str, admitted, discharged):
	"""An Inpatient Record admitted and then discharged (which opens a Care Transition)."""
	stay = frappe.get_doc(
		{
			"doctype": "Inpatient Record",
			"patient": patient,
			"status": "Admitted",
			"scheduled_date": admitted.date() if hasattr(admitted, "date") else admitted,
			"admitted_datetime": admitted,
			"expected_length_of_stay": 3,
			"company": frappe.db.get_single_value("Care Management Settings", "company"),
		}
	)
	stay.insert(ignore_permissions=True, ignore_mandatory=True)
	if discharged:
		stay.status = "Discharged"
		stay.discharge_datetime = discharged
		stay.save(ignore_permissions=True)
	return stay


def make_vital_signs(patient: str, systolic: int, diastolic: int, on=None):
	vitals = frappe.get_doc(
		{
			"doctype": "Vital Signs",
			"patient": patient,
			"signs_date": on or today(),
			"signs_time": "09:00:00",
			"bp_systolic": str(systolic),
			"bp_diastolic": str(diastolic),
		}
	)
	vitals.insert(ignore_permissions=True)
	vitals.submit()
	return vitals


def make_hba1c_template() -> str:
	from care_management.demo.loader import hba1c_template

	return hba1c_template()


def make_hba1c(patient: str, value: float, on=None):
	"""A submitted Lab Test with one HbA1c result row."""
	template = make_hba1c_template()
	test = frappe.get_doc(
		{
			"doctype": "Lab Test",
			"patient": patient,
			"patient_sex": frappe.db.get_value("Patient", patient, "sex") or "Female",
			"template": template,
			"date": on or today(),
			"result_date": on or today(),
		}
	)
	test.insert(ignore_permissions=True)  # Healthcare adds the template's result row
	for row in test.normal_test_items:
		row.result_value = str(value)
	test.save(ignore_permissions=True)
	test.submit()
	return test
