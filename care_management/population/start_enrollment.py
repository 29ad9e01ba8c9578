"""Start Enrollment: Pending Consent enrollments for patients a supervisor
picked from the Eligible Patients report.

Each row is its own savepoint: one refused row (already enrolled, a program
switched off) is reported and the others still go in. Enrolling the same
patient twice is prevented by the enrollment itself, under a row lock on the
patient (Care Program Enrollment.validate_no_overlap), so two supervisors
pressing the button together still make one enrollment.
"""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.utils import strip_html, today

from care_management.domain.access import CASELOAD_ROLE
from care_management.domain.eligibility import spread_by_spare_capacity
from care_management.permissions import CASELOAD_ENROLLMENT_STATUSES

ENROLLING_ROLES = ("Care Management Supervisor", "System Manager")
DEFAULT_TARGET_CASELOAD = 200


def care_managers() -> list[str]:
	return frappe.db.sql_list(
		"""select distinct u.name from `tabUser` u
		join `tabHas Role` r on r.parent = u.name and r.parenttype = 'User' and r.role = %s
		where u.enabled = 1 order by u.name""",
		CASELOAD_ROLE,
	)


def caseload_sizes(managers: list[str]) -> dict[str, int]:
	"""Distinct patients in each care manager's caseload, one query."""
	if not managers:
		return {}
	rows = frappe.db.sql(
		"""select manager, count(distinct patient) from (
			select care_manager as manager, name as patient from `tabPatient` where care_manager in %(managers)s
			union select care_manager, patient from `tabCare Program Enrollment`
			where care_manager in %(managers)s and status in %(statuses)s
		) caseload group by manager""",
		{"managers": managers, "statuses": CASELOAD_ENROLLMENT_STATUSES},
	)
	sizes = dict.fromkeys(managers, 0)
	sizes.update({manager: int(count) for manager, count in rows})
	return sizes


def parse_rows(rows) -> list[dict]:
	if isinstance(rows, str):
		rows = json.loads(rows)
	parsed = []
	for row in rows or []:
		if row.get("patient") and row.get("program"):
			parsed.append(
				{
					"patient": row["patient"],
					"program": row["program"],
					"practitioner": row.get("practitioner"),
				}
			)
	if not parsed:
		frappe.throw(_("Select at least one patient and program in the report to start enrollment."))
	return parsed


def check_choices(billing_practitioner: str | None, care_manager: str | None) -> None:
	if billing_practitioner and not frappe.db.exists("Healthcare Practitioner", billing_practitioner):
		frappe.throw(
			_("Billing Practitioner: {0} does not exist. Pick an existing Healthcare Practitioner.").format(
				frappe.bold(frappe.utils.escape_html(billing_practitioner))
			)
		)
	if care_manager and care_manager not in care_managers():
		frappe.throw(
			_("Care Manager: {0} is not an enabled user with the Care Manager role. Pick one who is.").format(
				frappe.bold(frappe.utils.escape_html(care_manager))
			)
		)


@frappe.whitelist()
def start_enrollment(rows, billing_practitioner: str | None = None, care_manager: str | None = None) -> dict:
	if not set(ENROLLING_ROLES) & set(frappe.get_roles()) and frappe.session.user != "Administrator":
		frappe.throw(
			_("Only a Care Management Supervisor starts enrollments from the Eligible Patients report."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	rows = parse_rows(rows)
	check_choices(billing_practitioner, care_manager)

	patients = sorted({row["patient"] for row in rows})
	if care_manager:
		assigned = dict.fromkeys(patients, care_manager)
	else:
		keep = dict(
			frappe.db.sql(
				"select name, care_manager from `tabPatient` where name in %(p)s and ifnull(care_manager, '') != ''",
				{"p": patients},
			)
		)
		target = (
			frappe.db.get_single_value("Care Management Settings", "target_caseload")
			or DEFAULT_TARGET_CASELOAD
		)
		managers = care_managers()
		assigned = spread_by_spare_capacity(patients, caseload_sizes(managers), target, keep)
	default_practitioner = frappe.db.get_single_value(
		"Care Management Settings", "default_billing_practitioner"
	)
	disabled = set(frappe.get_all("Care Program", filters={"disabled": 1}, pluck="name"))

	created, skipped = [], []
	for row in rows:
		if row["program"] in disabled:
			skipped.append(
				{**row, "reason": _("{0} is disabled. Enable the Care Program first.").format(row["program"])}
			)
			continue
		savepoint = "start_enrollment"
		frappe.db.savepoint(savepoint)
		try:
			enrollment = frappe.get_doc(
				{
					"doctype": "Care Program Enrollment",
					"patient": row["patient"],
					"program": row["program"],
					"status": "Pending Consent",
					"start_date": today(),
					"billing_practitioner": billing_practitioner
					or row["practitioner"]
					or default_practitioner,
					"care_manager": assigned.get(row["patient"]),
				}
			)
			enrollment.insert()
			created.append(
				{"patient": row["patient"], "program": row["program"], "enrollment": enrollment.name,
				 "care_manager": enrollment.care_manager}
			)  # fmt: skip
		except (frappe.ValidationError, frappe.PermissionError) as error:
			frappe.db.rollback(save_point=savepoint)
			frappe.clear_last_message()
			skipped.append(
				{"patient": row["patient"], "program": row["program"], "reason": strip_html(str(error))}
			)
		else:
			frappe.db.release_savepoint(savepoint)
	return {"created": created, "skipped": skipped}
