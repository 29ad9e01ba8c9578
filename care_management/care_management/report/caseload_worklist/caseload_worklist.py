# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Who a care manager should contact next: one set-based query for the whole
caseload, then pure arithmetic (thresholds) on the rows it returns."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, getdate, today

from care_management.billing.facts import counted_minutes
from care_management.care_management.doctype.resource_referral.resource_referral import OPEN_STATUSES
from care_management.domain.access import access_scope
from care_management.domain.billing.minutes import program_minutes
from care_management.domain.thresholds import DEFAULT_LADDERS, minutes_to_next_threshold
from care_management.permissions import CASELOAD_ENROLLMENT_STATUSES
from care_management.phi_access_log import log_report_export
from care_management.report_links import links_the_user_may_follow

APPOINTMENT_OPEN = ("Scheduled", "Open", "Confirmed")
RECENT_MISSED_DAYS = 30
NEAR_THRESHOLD_MINUTES = 5


def execute(filters=None):
	filters = frappe._dict(filters or {})
	care_manager = resolve_care_manager(filters.get("care_manager"))
	rows = worklist_rows(care_manager, getdate(filters.get("as_of") or today()))
	rows = apply_view(rows, filters.get("view"))
	log_report_export("Caseload Worklist", filters, rows)
	return links_the_user_may_follow(columns()), rows, None, None, summary(rows)


def resolve_care_manager(requested: str | None) -> str:
	"""Care managers see their own worklist; supervisors may pick anyone."""
	user = frappe.session.user
	if not requested or requested == user:
		return user
	if access_scope(frappe.get_roles(user)).all_patients:
		return requested
	frappe.throw(
		_("You can only open your own worklist. Ask a Care Management Supervisor to see {0}'s.").format(
			frappe.utils.escape_html(requested)
		),
		frappe.PermissionError,
	)


def caseload_of(care_manager: str) -> list[str]:
	return frappe.db.sql_list(
		"""select name from `tabPatient` where care_manager = %(cm)s
		union select patient from `tabCare Program Enrollment` where care_manager = %(cm)s and status in %(statuses)s""",
		{"cm": care_manager, "statuses": CASELOAD_ENROLLMENT_STATUSES},
	)


# One statement for the whole caseload. Each figure is a sub-query on the
# patient's own rows through an index that holds everything it reads (the
# newest log, the newest reached log: one index entry each; see
# outreach_log.on_doctype_update), so the cost follows the caseload's size, not
# the practice's; and the caseload's names are sent once, not once per figure
# (a list of 200 names in ten places cost the optimizer more than the reading).
# The month's minutes come apart (billing/facts.counted_minutes): counted as the
# close counts them, inside consent and with simultaneous staff once. Next due
# is arithmetic on these columns (finish_row). (The benchmark times it bare as the floor.)
WORKLIST_SQL = """
select
	p.name as patient, p.patient_name, p.care_risk_tier as risk_tier,
	p.suggested_risk_tier, p.care_risk_score as risk_score, p.risk_score_factors,
	if(ifnull(p.cms_hcc_segment, '') = '', null, p.cms_hcc_score) as hcc_score, p.cms_hccs as hccs,
	coalesce(tier.idx, 999) as risk_rank, coalesce(tier.cadence_days, 30) as cadence_days,
	p.active_care_programs as programs,
	(select l.start from `tabOutreach Log` l
		where l.patient = p.name and l.docstatus = 1 and l.outcome = 'Reached'
		order by l.start desc limit 1) as last_reached,
	-- the follow-up the newest log asked for (of two logs started together, the later follow-up)
	(select l.next_follow_up from `tabOutreach Log` l where l.patient = p.name and l.docstatus = 1
		order by l.start desc, l.next_follow_up desc limit 1) as next_follow_up,
	(select count(*) from `tabOutreach Log` l where l.patient = p.name and l.docstatus = 1
		and l.red_flag = 1 and l.red_flag_status = 'Open') as open_red_flags,
	(select count(*) from `tabResource Referral` r
		where r.patient = p.name and r.status in %(open_referral_statuses)s) as open_referrals,
	(select min(r.follow_up_date) from `tabResource Referral` r where r.patient = p.name
		and r.status in %(open_referral_statuses)s and r.follow_up_date < %(as_of)s) as overdue_referral_follow_up,
	(select min(a.appointment_date) from `tabPatient Appointment` a where a.patient = p.name
		and a.status in %(appointment_open)s and a.appointment_date >= %(as_of)s) as next_appointment,
	(select max(a.appointment_date) from `tabPatient Appointment` a where a.patient = p.name
		and a.status = 'No Show' and a.appointment_date >= %(missed_since)s) as last_missed_appointment,
	(select count(*) from `tabPatient Care Plan Update` u
		where u.patient = p.name and u.status = 'New') as patient_updates,
	p.hospital_status, p.hospital_facility,
	(select min(t.contact_due) from `tabCare Transition` t
		where t.patient = p.name and t.status = 'Open' and t.first_contact_date is null) as tcm_contact_by
from `tabPatient` p
left join `tabCare Management Risk Tier` tier
	on tier.parent = 'Care Management Settings' and tier.tier = p.care_risk_tier
where p.name in %(patients)s
"""


def worklist_params(patients: list[str], as_of) -> dict:
	month_start = get_first_day(as_of)
	return {
		"patients": patients,
		"as_of": as_of,
		"month_start": month_start,
		"next_month": add_months(month_start, 1),
		"appointment_open": APPOINTMENT_OPEN,
		"open_referral_statuses": OPEN_STATUSES,
		"missed_since": frappe.utils.add_days(as_of, -RECENT_MISSED_DAYS),
	}


def worklist_rows(care_manager: str, as_of) -> list[dict]:
	"""The caseload first, then WORKLIST_SQL, so the cost follows the
	caseload's size, not the practice's."""
	patients = caseload_of(care_manager)
	if not patients:
		return []
	rows = frappe.db.sql(WORKLIST_SQL, worklist_params(patients, as_of), as_dict=True)
	counted = counted_minutes(patients, as_of)
	families = {
		p.name: p.billing_family or p.name
		for p in frappe.get_all("Care Program", fields=["name", "billing_family"])
	}
	for row in rows:
		row.family_minutes = program_minutes(counted[row.patient]) if row.patient in counted else {}
		finish_row(row, as_of, families)
	# A discharge waiting for its TCM contact comes first, the nearest deadline first
	# (the contact must be within 2 business days or the month's TCM is lost);
	# inside a tier, the higher risk score first (population/risk_run.py).
	rows.sort(
		key=lambda r: (
			r.tcm_contact_by is None,
			r.tcm_contact_by or as_of,
			-(r.days_overdue or 0),
			r.risk_rank,
			-(r.risk_score or 0),
			r.next_due,
			r.patient_name or "",
		)
	)
	return rows


def finish_row(row, as_of, families: dict[str, str]) -> None:
	"""Arithmetic per row on data already fetched: no queries here."""
	row.next_due = next_due(row, as_of)
	row.days_overdue = max(0, (as_of - row.next_due).days)
	# Kept as data for the workspace's cards (dashboard_metrics.py).
	minutes = row.family_minutes
	row.minutes_this_month = sum(minutes.values())
	row.minutes_by_program = ", ".join(f"{family}: {m}" for family, m in sorted(minutes.items()) if family)
	to_next = {}
	enrolled = {families.get(p.strip(), p.strip()) for p in (row.programs or "").split(",") if p.strip()}
	row.enrolled_families = sorted(enrolled)
	for family in sorted((enrolled | set(minutes)) - {""}):
		ladder = DEFAULT_LADDERS.get(family)
		if ladder:
			remaining = minutes_to_next_threshold(minutes.get(family, 0), ladder)
			if remaining is not None:
				to_next[family] = remaining
	row.minutes_to_next_threshold = ", ".join(f"{family}: {m}" for family, m in sorted(to_next.items()))
	row.nearest_threshold = min(to_next.values()) if to_next else None


def next_due(row, as_of):
	"""The follow-up the newest log asked for; else a tier's cadence after the
	patient was last reached; else now (never reached, nothing planned)."""
	if row.next_follow_up:
		return getdate(row.next_follow_up)
	if row.last_reached:
		return getdate(row.last_reached) + timedelta(days=row.cadence_days)
	return as_of


def apply_view(rows: list[dict], view: str | None) -> list[dict]:
	if view == "Due Today":
		return [r for r in rows if r.days_overdue == 0 and r.next_due <= getdate(today())]
	if view == "Patient Updates":
		return [r for r in rows if r.patient_updates]
	if view == "Overdue":
		return [r for r in rows if r.days_overdue > 0]
	if view == "Near Threshold":
		return [
			r
			for r in rows
			if r.nearest_threshold is not None and r.nearest_threshold <= NEAR_THRESHOLD_MINUTES
		]
	return rows


def columns() -> list[dict]:
	return [
		{
			"fieldname": "patient",
			"label": _("Patient"),
			"fieldtype": "Link",
			"options": "Patient",
			"width": 130,
		},
		{"fieldname": "patient_name", "label": _("Name"), "fieldtype": "Data", "width": 160},
		# From the hospitals' ADT feed (care_management/adt/): discharged, contact by; or in hospital now.
		{"fieldname": "tcm_contact_by", "label": _("TCM Contact By"), "fieldtype": "Date", "width": 120},
		{"fieldname": "hospital_status", "label": _("In Hospital"), "fieldtype": "Data", "width": 110},
		{"fieldname": "risk_tier", "label": _("Risk Tier"), "fieldtype": "Data", "width": 90},
		{"fieldname": "suggested_risk_tier", "label": _("Suggested Tier"), "fieldtype": "Data", "width": 110},
		{"fieldname": "risk_score", "label": _("Risk Score"), "fieldtype": "Int", "width": 90},
		{"fieldname": "risk_score_factors", "label": _("Why This Score"), "fieldtype": "Data", "width": 220},
		# CMS-HCC V28 (population/risk_run.py); the HCCs behind it also show on hovering the score.
		{
			"fieldname": "hcc_score",
			"label": _("HCC Score"),
			"fieldtype": "Float",
			"precision": 3,
			"width": 90,
		},
		{"fieldname": "hccs", "label": _("HCCs"), "fieldtype": "Data", "width": 220},
		{"fieldname": "programs", "label": _("Programs"), "fieldtype": "Data", "width": 120},
		{"fieldname": "last_reached", "label": _("Last Reached"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "next_due", "label": _("Next Due"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_overdue", "label": _("Days Overdue"), "fieldtype": "Int", "width": 100},
		# What patients sent from the portal and no one has reviewed yet.
		{"fieldname": "patient_updates", "label": _("Patient Updates"), "fieldtype": "Int", "width": 150},
		{
			"fieldname": "minutes_by_program",
			"label": _("Minutes This Month"),
			"fieldtype": "Data",
			"width": 150,
		},
		{
			"fieldname": "minutes_to_next_threshold",
			"label": _("To Next Threshold"),
			"fieldtype": "Data",
			"width": 150,
		},
		{"fieldname": "open_red_flags", "label": _("Open Red Flags"), "fieldtype": "Int", "width": 110},
		{"fieldname": "open_referrals", "label": _("Open Referrals"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "overdue_referral_follow_up",
			"label": _("Referral Follow-Up Overdue Since"),
			"fieldtype": "Date",
			"width": 170,
		},
		{"fieldname": "next_appointment", "label": _("Next Appointment"), "fieldtype": "Date", "width": 120},
		{
			"fieldname": "last_missed_appointment",
			"label": _("Missed Appointment"),
			"fieldtype": "Date",
			"width": 130,
		},
	]


def summary(rows) -> list[dict]:
	return [
		{"label": _("Patients"), "value": len(rows), "indicator": "Blue", "datatype": "Int"},
		{
			"label": _("Overdue"),
			"value": sum(1 for r in rows if r.days_overdue > 0),
			"indicator": "Red",
			"datatype": "Int",
		},
		{
			"label": _("Within 5 Minutes of a Threshold"),
			"value": sum(
				1
				for r in rows
				if r.nearest_threshold is not None and r.nearest_threshold <= NEAR_THRESHOLD_MINUTES
			),
			"indicator": "Orange",
			"datatype": "Int",
		},
		{
			"label": _("Patient Updates to Review"),
			"value": sum(r.patient_updates or 0 for r in rows),
			"indicator": "Orange",
			"datatype": "Int",
		},
	]
