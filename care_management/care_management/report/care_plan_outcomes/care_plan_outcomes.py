# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Goal attainment by condition and care manager, and hospital use around
enrollment: Healthcare's Inpatient Records in the six months before a
patient's first enrollment against the six months after it."""

import frappe
from frappe import _
from frappe.utils import getdate, today

from care_management.report_links import links_the_user_may_follow


def execute(filters=None):
	filters = frappe._dict(filters or {})
	plans = frappe.get_list(
		"Care Plan", filters={"status": ("!=", "Closed")}, pluck="name", limit_page_length=0
	)
	if not plans:
		return links_the_user_may_follow(columns()), [], None, None, []
	goals = frappe.db.sql(
		"""
		select coalesce(cond.condition_name, %(none)s) as condition_name, p.care_manager,
			count(distinct g.name) as goals_set,
			count(distinct if(g.status = 'Achieved', g.name, null)) as achieved,
			count(distinct if(g.status in ('Proposed', 'In Progress') and g.due_date < %(today)s, g.name, null)) as overdue
		from `tabCare Plan` p
		join `tabCare Plan Goal` g on g.parent = p.name and g.parenttype = 'Care Plan'
		-- a goal belongs to the condition its template brought in
		left join `tabCare Plan Condition` cond on cond.parent = p.name and cond.parenttype = 'Care Plan'
			and cond.source_template = g.source_template
		where p.name in %(plans)s
		group by condition_name, p.care_manager
		order by condition_name, p.care_manager
		""",
		{"plans": plans, "today": getdate(today()), "none": _("Other goals")},
		as_dict=True,
	)
	for row in goals:
		row.attainment = round(100 * row.achieved / row.goals_set, 1) if row.goals_set else 0
	admissions = hospital_use(plans)
	return links_the_user_may_follow(columns()), goals, None, None, admissions


def hospital_use(plans: list[str]) -> list[dict]:
	"""Inpatient admissions 6 months before vs. after the first enrollment (one query)."""
	row = frappe.db.sql(
		"""
		select
			sum(ip.admitted_datetime >= date_sub(first.enrolled, interval 6 month) and ip.admitted_datetime < first.enrolled) as before_enrollment,
			sum(ip.admitted_datetime >= first.enrolled and ip.admitted_datetime < date_add(first.enrolled, interval 6 month)) as after_enrollment,
			count(distinct first.patient) as patients
		from (
			select e.patient, min(e.start_date) as enrolled from `tabCare Program Enrollment` e
			where e.patient in (select patient from `tabCare Plan` where name in %(plans)s) and e.status != 'Pending Consent'
			group by e.patient
		) first
		left join `tabInpatient Record` ip on ip.patient = first.patient and ip.admitted_datetime is not null
		""",
		{"plans": plans},
		as_dict=True,
	)[0]
	return [
		{"label": _("Enrolled Patients"), "value": row.patients or 0, "datatype": "Int", "indicator": "Blue"},
		{
			"label": _("Admissions, 6 Months Before Enrollment"),
			"value": int(row.before_enrollment or 0),
			"datatype": "Int",
			"indicator": "Orange",
		},
		{
			"label": _("Admissions, 6 Months After Enrollment"),
			"value": int(row.after_enrollment or 0),
			"datatype": "Int",
			"indicator": "Green",
		},
	]


def columns():
	return [
		{"fieldname": "condition_name", "label": _("Condition"), "fieldtype": "Data", "width": 240},
		{
			"fieldname": "care_manager",
			"label": _("Care Manager"),
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
		{"fieldname": "goals_set", "label": _("Goals Set"), "fieldtype": "Int", "width": 100},
		{"fieldname": "achieved", "label": _("Achieved"), "fieldtype": "Int", "width": 100},
		{"fieldname": "overdue", "label": _("Overdue"), "fieldtype": "Int", "width": 100},
		{"fieldname": "attainment", "label": _("Attainment %"), "fieldtype": "Percent", "width": 110},
	]
