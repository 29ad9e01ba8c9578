"""Numbers for the workspace's cards. A care manager's numbers are their own
caseload's; supervisors and billing see the practice's."""

import calendar

import frappe
from frappe.utils import getdate, today

from care_management.care_management.report.caseload_worklist.caseload_worklist import worklist_rows
from care_management.care_management.report.caseload_worklist.overdue_digest import care_managers
from care_management.domain.access import access_scope
from care_management.domain.thresholds import DEFAULT_LADDERS

MONTH_END_DAYS = 5


def visible_rows() -> list:
	as_of = getdate(today())
	user = frappe.session.user
	if access_scope(frappe.get_roles(user)).all_patients:
		return [row for manager in care_managers() for row in worklist_rows(manager, as_of)]
	return worklist_rows(user, as_of)


def _card(value: int, view: str | None = None) -> dict:
	route_options = {"view": view} if view else {}
	return {
		"value": value,
		"fieldtype": "Int",
		"route_options": route_options,
		"route": ["query-report", "Caseload Worklist"],
	}


@frappe.whitelist()
def due_today(filters=None) -> dict:
	return _card(
		sum(1 for r in visible_rows() if r.days_overdue == 0 and r.next_due <= getdate(today())), "Due Today"
	)


@frappe.whitelist()
def overdue(filters=None) -> dict:
	return _card(sum(1 for r in visible_rows() if r.days_overdue > 0), "Overdue")


def _first_steps(row) -> dict[str, int]:
	"""Each enrolled family's first billing threshold, and the minutes logged toward it."""
	return {
		family: (DEFAULT_LADDERS[family][0], row.family_minutes.get(family, 0))
		for family in row.enrolled_families
		if family in DEFAULT_LADDERS
	}


@frappe.whitelist()
def under_threshold_month_ending(filters=None) -> dict:
	"""Patients still under a program's first billing threshold when fewer than
	five days of the month are left (0 earlier in the month: there is time)."""
	day = getdate(today())
	days_left = calendar.monthrange(day.year, day.month)[1] - day.day
	if days_left >= MONTH_END_DAYS:
		return _card(0, "Near Threshold")
	count = sum(1 for row in visible_rows() if any(m < step for step, m in _first_steps(row).values()))
	return _card(count, "Near Threshold")


@frappe.whitelist()
def ready_to_bill(filters=None) -> dict:
	"""Patients who reached the first billing threshold of a program this month."""
	count = sum(1 for row in visible_rows() if any(m >= step for step, m in _first_steps(row).values()))
	return _card(count)
