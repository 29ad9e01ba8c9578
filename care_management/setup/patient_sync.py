"""Keep the Care Management fields on Patient in step with enrollments."""

import frappe
from frappe.utils import today

ACTIVE_STATUSES = ("Active", "Ended")  # "Ended" runs until its month-end end date


def _refresh_active_programs(patient_filter_sql: str, params: dict) -> None:
	"""One UPDATE ... JOIN for every selected patient: no query per patient."""
	frappe.db.sql(
		f"""
		update `tabPatient` p
		left join (
			select e.patient, group_concat(distinct e.program order by e.program separator ', ') as programs
			from `tabCare Program Enrollment` e
			where e.status in %(statuses)s and e.start_date <= %(on)s
				and (e.end_date is null or e.end_date >= %(on)s)
			group by e.patient
		) active on active.patient = p.name
		set p.active_care_programs = coalesce(active.programs, '')
		where {patient_filter_sql}
		""",
		{"statuses": ACTIVE_STATUSES, "on": today(), **params},
	)


def sync_patients(patients: list[str], care_manager_from=None) -> None:
	"""Recompute the active programs shown on these patients.

	When an active enrollment names a care manager and the patient has none,
	the patient joins that care manager's caseload.
	"""
	patients = sorted({p for p in patients if p})
	if not patients:
		return
	_refresh_active_programs("p.name in %(patients)s", {"patients": patients})
	source = care_manager_from
	if source and source.status == "Active" and source.care_manager:
		if not frappe.db.get_value("Patient", source.patient, "care_manager"):
			frappe.db.set_value(
				"Patient", source.patient, "care_manager", source.care_manager, update_modified=False
			)


def refresh_all_active_programs() -> None:
	"""Daily: month-end disenrollments and future start dates take effect."""
	_refresh_active_programs(
		"(p.active_care_programs != '' or p.name in (select patient from `tabCare Program Enrollment`))", {}
	)
