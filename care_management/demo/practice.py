"""The whole demo practice (`care-management demo`), every capability with data:
the synthetic practice of loader.py and quality_readings.py, then plans, social
needs, transitions, devices, sign-ins and billing, in one transaction the
command commits. Loaded once: a second run finds the patients and changes nothing."""

from __future__ import annotations

from datetime import date

import frappe
from frappe.utils import add_months, get_first_day, getdate, today

from care_management.demo import (
	billing_months,
	devices,
	plans,
	practitioner_work,
	sign_ins,
	social_needs,
	this_month,
	transitions,
)
from care_management.demo.loader import load_practice
from care_management.demo.quality_readings import load_quality_readings
from care_management.demo.timing import Phases
from care_management.domain.synthetic_practice import ClinicalSpec, PracticeSpec, patients, practitioners


def demo_spec(
	patient_count: int, care_managers: int = 3, months: int = 3, prefix: str = "CM-DEMO"
) -> PracticeSpec:
	return PracticeSpec(
		patients=patient_count,
		care_managers=care_managers,
		months=months,
		last_month=getdate(get_first_day(add_months(today(), -1))),
		through=getdate(today()),
		prefix=prefix,
	)


def billed_months(spec: PracticeSpec) -> list[date]:
	"""The months the demo closes and bills: last month. (Each invoice is an ERPNext Sales
	Invoice saved and submitted one by one, the slowest part of the load; a second
	month would double it.)"""
	return [spec.last_month]


def load_demo(spec: PracticeSpec, force: bool = False) -> dict:
	"""Counts of what was loaded, the seconds it took, or {"already_loaded": n}."""
	from care_management.population.risk_run import run as score_risks

	timed = Phases()
	result = load_practice(
		spec,
		force=force,
		with_templates=spec.patients <= 500,
		clinical=ClinicalSpec(today=getdate(today())),
		timed=timed,
	)
	if "already_loaded" in result:
		return result
	with timed("quality readings"):
		result.update(load_quality_readings(spec))
	rows = patients(spec)
	doctors = {
		d["id"]: frappe.db.get_value(
			"Healthcare Practitioner", {"first_name": d["first_name"], "last_name": d["last_name"]}
		)
		for d in practitioners(spec)
	}
	physician = doctors[practitioners(spec)[0]["id"]]
	with timed("plans"):
		result["care_plan_programs"] = plans.add_programs(rows)
		result["care_plan_states"] = plans.set_plan_states(rows, practitioners(spec)[0]["id"])
		result["care_plan_reviews_overdue"] = plans.schedule_reviews(rows, getdate(today()))
	result.update(social_needs.load_social_needs(spec, rows, timed))
	spanish = frappe.get_all(
		"Patient", {"name": ("in", [p["id"] for p in rows]), "language": "es"}, pluck="name"
	)
	with timed("transitions"):
		result.update(transitions.load_transitions(spec, rows, doctors, spec.last_month, getdate(today())))
	with timed("devices"):
		result.update(devices.load_device_readings(spec, rows, spec.last_month, getdate(today())))
	with timed("this month"):
		result.update(this_month.load_this_month(spec, rows, getdate(today())))
	with timed("sign-ins"):
		result.update(sign_ins.create_sign_ins(spec, rows, physician, spanish))
	with timed("practitioner work"):
		result.update(
			practitioner_work.load_practitioner_work(spec, rows, physician, spec.last_month, getdate(today()))
		)
	with timed("risk tiers"):
		result["risk_scores"] = score_risks()["scored"]
		result["tiers_set_by_hand"] = plans.follow_suggested_tiers(rows)
	company = frappe.db.get_single_value("Care Management Settings", "company")
	if company:
		billing_months.ready_to_send_claims(company)
		for month in billed_months(spec):
			for key, value in billing_months.bill_month(
				month, sorted(set(doctors.values())), [p["id"] for p in rows], spec.prefix, timed
			).items():
				result[key] = result.get(key, 0) + value
	result["phases"] = timed.rounded()
	result["seconds"] = round(timed.total(), 1)
	return result
