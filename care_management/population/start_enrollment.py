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

from care_management import job_runs
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


def check_may_enroll(**_arguments) -> None:
	if not set(ENROLLING_ROLES) & set(frappe.get_roles()) and frappe.session.user != "Administrator":
		frappe.throw(
			_("Only a Care Management Supervisor starts enrollments from the Eligible Patients report."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


@frappe.whitelist()
def queue_start_enrollment(
	rows, billing_practitioner: str | None = None, care_manager: str | None = None
) -> dict:
	"""The report's Start Enrollment button: a background run; returns it at once.
	What is refused about the choices is said now, before anything is queued."""
	check_may_enroll()
	rows = parse_rows(rows)
	check_choices(billing_practitioner, care_manager)
	run = job_runs.start(
		"Start Enrollment",
		{"rows": rows, "billing_practitioner": billing_practitioner, "care_manager": care_manager},
		key=frappe.generate_hash(length=12),  # each selection is its own work; overlaps are refused per row
	)
	return job_runs.started_message(run, "Start Enrollment")


def run_start_enrollment(progress, rows, billing_practitioner=None, care_manager=None) -> None:
	"""The background run: each row committed with its report, so a run killed midway
	keeps the enrollments it made and, run again, finds those patients enrolled."""
	made = set(
		frappe.db.sql(
			"""select r.patient, e.program from `tabCare Job Run Row` r
			join `tabCare Program Enrollment` e on e.name = r.reference_name
			where r.parent = %s and r.outcome = 'Made'""",
			progress.run,
		)
	)
	rows = [row for row in rows if (row["patient"], row["program"]) not in made]  # an earlier attempt's
	if not rows:
		progress.summary = _("Every enrollment of this run was made by an earlier attempt.")
		return
	result = start_enrollment(rows, billing_practitioner, care_manager, progress=progress, commit=True)
	progress.summary = _("{0} enrollments started; {1} rows refused (see the rows for why).").format(
		len(result["created"]), len(result["skipped"])
	)


def start_enrollment(
	rows,
	billing_practitioner: str | None = None,
	care_manager: str | None = None,
	progress=None,
	commit: bool = False,
) -> dict:
	"""Pending Consent enrollments for ``rows``; refused rows reported, the others
	made. ``commit``: each row is committed (the background run); else savepoints
	in the caller's transaction. ``progress`` (job_runs.Progress) hears of each row."""
	check_may_enroll()
	rows = parse_rows(rows)
	check_choices(billing_practitioner, care_manager)
	if progress:
		progress.set_total(len(rows))

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
			report(progress, skipped[-1], None, commit)
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
			report(progress, skipped[-1], None, commit)
		else:
			frappe.db.release_savepoint(savepoint)
			report(progress, created[-1], enrollment.name, commit)
	return {"created": created, "skipped": skipped}


def report(progress, row: dict, enrollment: str | None, commit: bool) -> None:
	"""One row done: on the run (if any), then committed with it (``commit``)."""
	if progress:
		if enrollment:
			progress.made("Care Program Enrollment", enrollment, row["patient"])
		else:
			progress.fail(_("{0}: {1}").format(row["program"], row["reason"]), patient=row["patient"])
		progress.step()
	if commit:
		frappe.db.commit()
