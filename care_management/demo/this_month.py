"""This month's work so far, where the synthetic outreach leaves it thin (early in a
month): a few patients of each care manager already past CCM's first 20 minutes,
so each care manager's *Ready to Bill This Month* shows who is done. Set-based."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

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
	_insert("Outreach Log", logs, docstatus=1)
	return {"this_month_logs": len(logs)}
