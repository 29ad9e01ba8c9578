"""This month's work so far, where the synthetic outreach leaves it thin (early in a
month): a few patients of each care manager already past CCM's first 20 minutes,
so each care manager's *Ready to Bill This Month* shows who is done, and, for a
care manager with no remote-monitoring red flag, a red flag raised on a call; and
for each care manager one patient whose follow-up falls today (*Due Today*).
Set-based."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import frappe

from care_management.demo.loader import _insert

PER_CARE_MANAGER = 3
MINUTES = 22
AT = time(17, 30)  # after the synthetic day's calls (8:00 to 17:00), so no two logs overlap


def first_working_day(today: date) -> date | None:
	day = today.replace(day=1)
	while day < today:
		if day.weekday() < 5:
			return day
		day += timedelta(days=1)
	return None


def load_this_month(spec, rows: list[dict], today: date) -> dict:
	day = first_working_day(today)
	if not day:
		return {"this_month_logs": 0}
	chosen, per_manager = [], {}
	for p in rows:
		if "CCM" in p["programs"] and per_manager.get(p["care_manager"], 0) < PER_CARE_MANAGER:
			per_manager[p["care_manager"]] = per_manager.get(p["care_manager"], 0) + 1
			chosen.append(p)
	logs = []
	for i, p in enumerate(chosen):
		# Back to back per care manager from 17:30.
		start = datetime.combine(day, AT) + timedelta(
			minutes=(MINUTES + 2) * (per_manager[p["care_manager"]] - 1)
		)
		per_manager[p["care_manager"]] -= 1
		logs.append({
			"name": f"{spec.prefix}-OLM-{i + 1:04d}", "naming_series": "OL-.YYYY.-", "patient": p["id"],
			"patient_name": f"{p['first_name']} {p['last_name']}", "care_plan": f"{p['id']}-PLAN",
			"enrollment": f"{p['id']}-CCM", "program": "CCM", "performed_by": p["care_manager"],
			"performer_type": "Clinical Staff", "activity_type": "Phone Call", "start": start,
			"end": start + timedelta(minutes=MINUTES), "duration_minutes": MINUTES, "paused_minutes": 0,
			"direction": "Outbound", "contacted_party": "Patient", "outcome": "Reached", "interactive": 1, "red_flag": 0,
		})  # fmt: skip
	flagged = set(
		frappe.db.sql_list(
			"""select distinct performed_by from `tabOutreach Log`
			where patient in %s and red_flag = 1 and red_flag_status = 'Open'""",
			[[p["id"] for p in rows]],
		)
	)
	for manager in dict.fromkeys(log["performed_by"] for log in logs):
		if manager in flagged:
			continue
		last = max((log for log in logs if log["performed_by"] == manager), key=lambda log: log["end"])
		start = last["end"] + timedelta(minutes=2)
		logs.append({
			**last, "name": f"{spec.prefix}-OLM-F{len(logs) + 1:03d}", "start": start,
			"end": start + timedelta(minutes=12), "duration_minutes": 12, "red_flag": 1, "red_flag_status": "Open",
			"red_flag_reason": "New chest pain on exertion since yesterday: told to call 911 if it comes back; "
			"practitioner to call today.",
		})  # fmt: skip
	_insert(
		"Outreach Log",
		[{"red_flag_status": None, "red_flag_reason": None, **log} for log in logs],
		docstatus=1,
	)
	return {"this_month_logs": len(logs), "due_today": follow_ups_due_today(rows, today)}


def follow_ups_due_today(rows: list[dict], today: date) -> int:
	"""The last patient of each care manager is due today: the follow-up their last
	contact proposed falls today (the worklist's next due is the latest follow-up)."""
	last = {p["care_manager"]: p["id"] for p in rows}
	patients = list(last.values())
	frappe.db.sql(
		"""update `tabOutreach Log` set next_follow_up = %(today)s
		where patient in %(patients)s and docstatus = 1 and next_follow_up > %(today)s""",
		{"today": today, "patients": patients},
	)
	latest = frappe.db.sql_list(
		"""select max(name) from `tabOutreach Log` where patient in %(patients)s and docstatus = 1
		and start < %(today)s group by patient""",
		{"today": today, "patients": patients},
	)
	if latest:
		frappe.db.sql(
			"update `tabOutreach Log` set next_follow_up = %(today)s where name in %(logs)s",
			{"today": today, "logs": latest},
		)
	return len(latest)
