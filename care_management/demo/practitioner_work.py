"""The supervising practitioner's side of the demo, once their user is linked
(sign_ins.py): the open red flags of the patients whose plans they supervise are
escalated to them as the Outreach Log form does (Escalated To and a high-priority
ToDo), and they have logged their own time (Physician/QHP medication reviews) in
the month before the billed one and, after its first working day, this month.
Their workspace then counts what they do: their minutes, the red flags waiting
for them. Set-based but for the few ToDos."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import frappe
from frappe.utils import add_months, getdate

from care_management.demo.loader import _insert
from care_management.demo.this_month import first_working_day

REVIEWED_PATIENTS = 4
MINUTES = 15
AT = time(12, 0)  # the practitioner's own logs, apart from the care managers' (8:00 to 17:00 by others)


def escalate_red_flags(patients: list[str], practitioner: str, user: str) -> int:
	flags = frappe.db.sql(
		"""select l.name, l.patient_name, l.red_flag_reason, l.performed_by from `tabOutreach Log` l
		join `tabCare Plan` p on p.name = l.care_plan
		where l.patient in %(patients)s and l.red_flag = 1 and l.red_flag_status = 'Open'
			and l.docstatus = 1 and p.supervising_practitioner = %(practitioner)s""",
		{"patients": patients, "practitioner": practitioner},
		as_dict=True,
	)
	for flag in flags:
		frappe.db.set_value("Outreach Log", flag.name, "escalated_to", user, update_modified=False)
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"reference_type": "Outreach Log",
				"reference_name": flag.name,
				"priority": "High",
				"date": getdate(),
				"description": frappe._("Red flag for {0}: {1}").format(
					flag.patient_name, flag.red_flag_reason
				),
				"assigned_by": flag.performed_by,
			}
		).insert(ignore_permissions=True)
	return len(flags)


def review_days(last_month: date, today: date) -> list[date]:
	"""A weekday of the month before the billed one (not billed, so the demo's bills stay
	the care managers'), and this month's first working day once it has passed."""
	earlier = add_months(last_month, -1) + timedelta(days=9)
	while earlier.weekday() >= 5:
		earlier += timedelta(days=1)
	return [earlier] + [day for day in [first_working_day(today)] if day]


def practitioner_logs(spec, rows: list[dict], practitioner: str, user: str, days: list[date]) -> list[dict]:
	supervised = set(
		frappe.get_all(
			"Care Plan",
			{
				"supervising_practitioner": practitioner,
				"status": "Active",
				"patient": ("in", [p["id"] for p in rows]),
			},
			pluck="patient",
		)
	)
	chosen = [p for p in rows if p["id"] in supervised and "CCM" in p["programs"]][:REVIEWED_PATIENTS]
	logs = []
	for d, day in enumerate(days):
		for i, p in enumerate(chosen):
			start = datetime.combine(day, AT) + timedelta(minutes=(MINUTES + 5) * i)
			logs.append({
				"name": f"{spec.prefix}-OLP-{d + 1}{i + 1:03d}", "naming_series": "OL-.YYYY.-", "patient": p["id"],
				"patient_name": f"{p['first_name']} {p['last_name']}", "care_plan": f"{p['id']}-PLAN",
				"enrollment": f"{p['id']}-CCM", "program": "CCM", "performed_by": user,
				"performer_type": "Physician/QHP", "activity_type": "Medication Review", "start": start,
				"end": start + timedelta(minutes=MINUTES), "duration_minutes": MINUTES, "paused_minutes": 0,
				"direction": "Outbound", "contacted_party": "None", "outcome": "Not Applicable", "interactive": 0,
				"red_flag": 0,
			})  # fmt: skip
	return logs


def load_practitioner_work(spec, rows: list[dict], practitioner: str, last_month: date, today: date) -> dict:
	user = frappe.db.get_value("Healthcare Practitioner", practitioner, "user_id")
	if not user:
		return {"escalated_red_flags": 0, "practitioner_logs": 0}
	escalated = escalate_red_flags([p["id"] for p in rows], practitioner, user)
	logs = practitioner_logs(spec, rows, practitioner, user, review_days(last_month, today))
	_insert("Outreach Log", logs, docstatus=1)
	return {"escalated_red_flags": escalated, "practitioner_logs": len(logs)}
