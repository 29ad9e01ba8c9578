# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Patients who qualify for a program they are not in, with the evidence
(care_management.population.eligibility_scan). Care managers see their own
caseload; supervisors see every active patient and start enrollments."""

import frappe
from frappe import _

from care_management.phi_access_log import log_report_export
from care_management.population.eligibility_scan import scan
from care_management.report_links import links_the_user_may_follow


def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = scan(
		frappe.session.user,
		program=filters.get("program"),
		practitioner=filters.get("practitioner"),
		care_manager=filters.get("care_manager"),
	)
	log_report_export("Eligible Patients", filters, rows)
	return links_the_user_may_follow(columns()), rows, None, None, summary(rows)


def columns() -> list[dict]:
	return [
		{"fieldname": "patient", "label": _("Patient"), "fieldtype": "Link", "options": "Patient", "width": 130},
		{"fieldname": "patient_name", "label": _("Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "program", "label": _("Qualifies For"), "fieldtype": "Link", "options": "Care Program", "width": 110},
		# Add, or Switch from what it could only replace (the billing codes' exclusions), with what
		# a month brings more or less on the invoices' price list (population/program_offers.py).
		{"fieldname": "offer", "label": _("Offer"), "fieldtype": "Data", "width": 180},
		{"fieldname": "replaces", "label": _("Replaces"), "fieldtype": "Data", "width": 100},
		{"fieldname": "monthly_difference", "label": _("Monthly Difference"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "best", "label": _("In Best Combination"), "fieldtype": "Check", "width": 90},
		{"fieldname": "best_combination", "label": _("Best-Paying Combination"), "fieldtype": "Data", "width": 180},
		{"fieldname": "evidence", "label": _("Evidence"), "fieldtype": "Small Text", "width": 420},
		{"fieldname": "categories", "label": _("Chronic Categories"), "fieldtype": "Data", "width": 200},
		{"fieldname": "enrolled_in", "label": _("Already In"), "fieldtype": "Data", "width": 110},
		{"fieldname": "practitioner", "label": _("Practitioner"), "fieldtype": "Link", "options": "Healthcare Practitioner", "width": 140},
		{"fieldname": "care_manager", "label": _("Care Manager"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "risk_tier", "label": _("Risk Tier"), "fieldtype": "Data", "width": 90},
		{"fieldname": "risk_score", "label": _("Risk Score"), "fieldtype": "Int", "width": 90},
		{"fieldname": "hcc_score", "label": _("HCC Score"), "fieldtype": "Float", "precision": 3, "width": 90},
		{"fieldname": "hccs", "label": _("HCCs"), "fieldtype": "Data", "width": 220},
	]  # fmt: skip


def summary(rows) -> list[dict]:
	return [
		{
			"label": _("Patients"),
			"value": len({r.patient for r in rows}),
			"indicator": "Blue",
			"datatype": "Int",
		},
		{"label": _("Program Openings"), "value": len(rows), "indicator": "Green", "datatype": "Int"},
		{
			"label": _("Additions"),
			"value": sum(1 for r in rows if not r.replaces),
			"indicator": "Green",
			"datatype": "Int",
		},
		{
			"label": _("Switches"),
			"value": sum(1 for r in rows if r.replaces),
			"indicator": "Orange",
			"datatype": "Int",
		},
	]
