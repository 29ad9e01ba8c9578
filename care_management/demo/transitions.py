"""The demo's transitions of care: Inpatient Records discharged last month with
their Care Transition, the interactive contact (an Outreach Log) inside two
business days for most and late for some, and the face-to-face visit (a
Patient Encounter) within 7 or 14 days, so the month bills TCM where it should
and not where it should not. Two discharges of this week still wait for their
contact. Set-based; deadlines from the same core the form uses."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import frappe

from care_management.billing.holidays import practice_holidays
from care_management.demo.loader import _insert
from care_management.domain.business_days import add_business_days, business_days_between
from care_management.domain.transitional_care import tcm_deadlines

# (complexity, business days to the contact or None, days to the face-to-face or None)
SCENARIOS = (
	("High", 1, 6),  # 99496
	("Moderate", 2, 11),  # 99495
	("Moderate", 1, 13),
	("High", 2, 5),
	("Moderate", 4, 9),  # contact late: no TCM
	("High", 1, None),  # contacted, never seen: no TCM
	("Moderate", 3, 12),  # contact late: no TCM
)
TIMELY_CONTACT_DAYS = 2
# The interactive contact is TCM work: its minutes count toward no CCM or PCM enrollment
# (TCM needs none), and the charts grouping time by program show it as TCM.
TCM_PROGRAM = "TCM"


def scenario_of(index: int) -> tuple:
	return SCENARIOS[index % len(SCENARIOS)]


def stay_row(name: str, p: dict, discharged: date, company: str) -> dict:
	"""A three-day inpatient stay ending on ``discharged``."""
	admitted = datetime.combine(discharged - timedelta(days=3), time(14))
	return {
		"name": name, "naming_series": "HLC-INP-.YYYY.-", "patient": p["id"],
		"patient_name": f"{p['first_name']} {p['last_name']}", "status": "Discharged",
		"scheduled_date": admitted.date(), "admitted_datetime": admitted,
		"discharge_datetime": datetime.combine(discharged, time(11)), "company": company,
	}  # fmt: skip


def load_transitions(spec, rows: list[dict], doctors: dict, last_month: date, today: date) -> dict:
	holidays = practice_holidays()
	company = frappe.db.get_single_value("Care Management Settings", "company")
	# Every eighth patient (more often in a small practice, so each scenario is there),
	# discharged the first week of last month (a 14-day visit stays in the month).
	step = max(1, min(8, len(rows) // len(SCENARIOS)))
	chosen = [p for i, p in enumerate(rows) if i % step == 2 % step]
	stays, transitions, logs, encounters = [], [], [], []
	for i, p in enumerate(chosen):
		complexity, contact_days, visit_days = scenario_of(i)
		discharged = last_month + timedelta(days=1 + i % 5)
		if discharged.weekday() >= 5:
			discharged += timedelta(days=7 - discharged.weekday())
		stay, name = f"{spec.prefix}-INPT-{i + 1:05d}", f"{spec.prefix}-CT-{i + 1:05d}"
		patient_name = f"{p['first_name']} {p['last_name']}"
		stays.append(stay_row(stay, p, discharged, company))
		deadlines = tcm_deadlines(discharged, complexity, holidays)
		row = {
			"name": name, "patient": p["id"], "patient_name": patient_name, "inpatient_record": stay,
			"facility": "Memorial Medical Center", "discharge_date": discharged, "care_manager": p["care_manager"],
			"complexity": complexity, "contact_due": deadlines.contact_due, "face_to_face_due": deadlines.face_to_face_due,
				"status": "Open", "first_contact_log": None, "first_contact_date": None, "face_to_face_encounter": None,
			"face_to_face_date": None, "medication_reconciliation_date": None,
		}  # fmt: skip
		contact = add_business_days(discharged, contact_days, holidays)
		log = f"{spec.prefix}-OLT-{i + 1:05d}"
		start = datetime.combine(contact, time(9, 30))
		logs.append({
			"name": log, "naming_series": "OL-.YYYY.-", "patient": p["id"], "patient_name": patient_name,
			"care_plan": f"{p['id']}-PLAN", "program": TCM_PROGRAM, "performed_by": p["care_manager"],
			"performer_type": "Clinical Staff", "activity_type": "Phone Call", "start": start, "end": start + timedelta(minutes=18), "duration_minutes": 18,
			"paused_minutes": 0, "direction": "Outbound", "contacted_party": "Patient", "outcome": "Reached",
			"interactive": 1, "red_flag": 0,
		})  # fmt: skip
		row.update(
			first_contact_log=log,
			first_contact_date=contact,
			business_days_to_contact=business_days_between(discharged, contact, holidays),
			status="Contacted",
		)
		if visit_days is not None:
			seen = discharged + timedelta(days=visit_days)
			encounter = f"{spec.prefix}-ENCT-{i + 1:05d}"
			encounters.append({
				"name": encounter, "naming_series": "HLC-ENC-.YYYY.-", "patient": p["id"], "patient_name": patient_name,
				"practitioner": doctors[p["practitioner"]], "encounter_date": seen, "encounter_time": "10:00:00",
				"company": company, "status": "Completed", "title": patient_name,
			})  # fmt: skip
			row.update(
				face_to_face_encounter=encounter,
				face_to_face_date=seen,
				days_to_face_to_face=visit_days,
				medication_reconciled=1,
				medication_reconciliation_date=seen,
				status="Completed",
			)
		transitions.append(row)
	# This week's discharges, contact still due: what the care manager's worklist shows.
	for n, p in enumerate([p for i, p in enumerate(rows) if i % 8 == 5][:2], start=1):
		discharged = today - timedelta(days=1)
		stay = f"{spec.prefix}-INPT-N{n}"
		patient_name = f"{p['first_name']} {p['last_name']}"
		stays.append(stay_row(stay, p, discharged, company))
		deadlines = tcm_deadlines(discharged, "Moderate", holidays)
		transitions.append({
			"name": f"{spec.prefix}-CT-N{n}", "patient": p["id"], "patient_name": patient_name, "inpatient_record": stay,
			"facility": "Memorial Medical Center", "discharge_date": discharged, "care_manager": p["care_manager"],
			"complexity": "Moderate", "contact_due": deadlines.contact_due, "face_to_face_due": deadlines.face_to_face_due,
			"status": "Open",
		})  # fmt: skip
	_insert("Inpatient Record", stays)
	_insert("Outreach Log", logs, docstatus=1)
	_insert("Patient Encounter", encounters, docstatus=1)
	# One column list for every row: the open transitions' counts are zero, as the form saves them.
	blank = {"business_days_to_contact": 0, "days_to_face_to_face": 0, "medication_reconciled": 0}
	_insert("Care Transition", [{**blank, **t} for t in transitions])
	timely = [
		t["patient"]
		for t in transitions
		if t.get("face_to_face_date") and t["business_days_to_contact"] <= TIMELY_CONTACT_DAYS
	]
	return {"care_transitions": len(transitions), "tcm_timely_patients": timely}
