"""The demo's care plans as a practice has them: the programs each plan serves,
plans in every state of the approval workflow (an earlier plan closed, drafts,
one under the practitioner's review, one on hold), and risk tiers that follow
from the patients' own records except for a few the care team set otherwise."""

from __future__ import annotations

from datetime import date, timedelta

import frappe
from frappe.utils import add_days

from care_management.demo.loader import _insert

# Plans the demo leaves outside Active: (workflow state, how many), the first patients of practitioner 1
# (whose user signs in as the supervising practitioner) taking the review.
STATES = (("Pending Practitioner Review", 2), ("Draft", 2), ("On Hold", 1))
CLOSED_EARLIER = 2  # patients with an earlier plan, closed when the current one replaced it
TIERS_SET_BY_HAND = 5  # patients whose tier the care team chose over the suggestion
REVIEW_WITHIN_DAYS = 180  # a plan is reviewed at least twice a year
OVERDUE_REVIEW_DAYS = (4, 9, 15)  # on purpose: one Active plan per care manager, days past its review


def add_programs(rows: list[dict]) -> int:
	"""Each plan's Programs: the programs the patient is enrolled in."""
	programs = [
		{
			"name": f"{p['id']}-PLAN-P{idx}", "parent": f"{p['id']}-PLAN", "parenttype": "Care Plan",
			"parentfield": "programs", "idx": idx, "program": program,
		}
		for p in rows
		for idx, program in enumerate(p["programs"], start=1)
	]  # fmt: skip
	_insert("Care Plan Program", programs)
	return len(programs)


def plan_states(rows: list[dict], physician_practitioner_id: str) -> dict[str, list[str]]:
	"""Patient ids per workflow state other than Active. Review and draft plans
	belong to the signing-in physician's patients; portal patients (the last
	rows) keep their Active plan."""
	theirs = [p["id"] for p in rows[: len(rows) - 8] if p["practitioner"] == physician_practitioner_id]
	states, start = {}, 1  # the first patient keeps an Active plan
	for state, count in STATES:
		states[state] = theirs[start : start + count]
		start += count
	return states


def set_plan_states(rows: list[dict], physician_practitioner_id: str) -> dict[str, int]:
	states = plan_states(rows, physician_practitioner_id)
	for state, patients in states.items():
		if patients:
			frappe.db.sql(
				"update `tabCare Plan` set workflow_state = %(state)s, status = %(state)s where name in %(plans)s",
				{"state": state, "plans": [f"{p}-PLAN" for p in patients]},
			)
	earlier = [p for p in rows[-CLOSED_EARLIER - 10 : -10]]
	_insert("Care Plan", [
		{
			"name": f"{p['id']}-PLAN0", "naming_series": "CP-.YYYY.-", "patient": p["id"],
			"patient_name": f"{p['first_name']} {p['last_name']}", "status": "Closed", "workflow_state": "Closed",
			"start_date": add_days(p["enrolled_on"], -365), "next_review_date": add_days(p["enrolled_on"], -185),
			"care_manager": p["care_manager"],
			"supervising_practitioner": frappe.db.get_value("Care Plan", f"{p['id']}-PLAN", "supervising_practitioner"),
			"call_911_when": "Chest pain, trouble breathing, fainting, or signs of a stroke.",
		}
		for p in earlier
	])  # fmt: skip
	return {state: len(patients) for state, patients in states.items()} | {"Closed": len(earlier)}


def review_dates(rows: list[dict], active: set[str], today: date) -> dict[str, date]:
	"""Each current plan's next review: spread over the coming half year, except the first
	Active plan of each of the first care managers, a few days overdue (the plan list shows
	*Review Overdue*, so a care manager sees what a missed review looks like)."""
	overdue, managers = {}, []
	for p in rows:
		if (
			p["id"] in active
			and p["care_manager"] not in managers
			and len(managers) < len(OVERDUE_REVIEW_DAYS)
		):
			managers.append(p["care_manager"])
			overdue[p["id"]] = today - timedelta(days=OVERDUE_REVIEW_DAYS[len(managers) - 1])
	return {
		p["id"]: overdue.get(p["id"]) or today + timedelta(days=7 + (i * 37) % (REVIEW_WITHIN_DAYS - 7))
		for i, p in enumerate(rows)
	}


def schedule_reviews(rows: list[dict], today: date) -> int:
	"""Set-based: every current plan's next review date, and its open goals' due dates;
	returns how many Active plans are overdue for review."""
	plans = {f"{p['id']}-PLAN": p["id"] for p in rows}
	active = {
		plans[name]
		for name in frappe.get_all(
			"Care Plan", {"name": ("in", list(plans)), "status": "Active"}, pluck="name"
		)
	}
	dates = review_dates(rows, active, today)
	frappe.db.sql(
		"update `tabCare Plan` set next_review_date = case name "
		+ " ".join(
			f"when {frappe.db.escape(name)} then {frappe.db.escape(str(dates[p]))}"
			for name, p in plans.items()
		)
		+ " end where name in %(plans)s",
		{"plans": list(plans)},
	)
	# A goal still being worked on falls due by the plan's next review (past it only where the
	# review itself is overdue), not months ago when the template's timeline started.
	frappe.db.sql(
		"""update `tabCare Plan Goal` g join `tabCare Plan` p on p.name = g.parent
		set g.due_date = p.next_review_date
		where g.parenttype = 'Care Plan' and g.parent in %(plans)s
			and g.status in ('Proposed', 'In Progress') and g.due_date < %(today)s""",
		{"plans": list(plans), "today": today},
	)
	return sum(1 for p in active if dates[p] < today)


def follow_suggested_tiers(rows: list[dict]) -> int:
	"""After the risk run: every patient's tier is the one its score suggests,
	except a few whose care team chose another (the worklist shows the suggestion beside it)."""
	ids = [p["id"] for p in rows]
	frappe.db.sql(
		"""update `tabPatient` set care_risk_tier = suggested_risk_tier
		where name in %(ids)s and ifnull(suggested_risk_tier, '') != ''""",
		{"ids": ids},
	)
	other = {"High": "Medium", "Medium": "High", "Low": "Medium"}
	chosen = ids[3 :: max(1, len(ids) // TIERS_SET_BY_HAND)][:TIERS_SET_BY_HAND]
	for patient in chosen:
		suggested = frappe.db.get_value("Patient", patient, "suggested_risk_tier") or "Low"
		frappe.db.set_value("Patient", patient, "care_risk_tier", other[suggested], update_modified=False)
	return len(chosen)
