# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Per care manager and month: caseload, contacts attempted and reached, reach
rate, minutes by program, patients billable and minutes per billable patient.
One grouped query per measure, whatever the number of care managers."""

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, getdate, today

from care_management.domain.access import access_scope
from care_management.domain.outreach import COUNTED_OUTCOMES
from care_management.permissions import CASELOAD_ENROLLMENT_STATUSES
from care_management.report_links import links_the_user_may_follow

CONTACT_OUTCOMES = ("Reached", "Left Voicemail", "No Answer", "Wrong Number", "Declined")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	month = get_first_day(getdate(filters.get("month") or today()))
	params = {
		"start": month,
		"next": add_months(month, 1),
		"counted": COUNTED_OUTCOMES,
		"contacts": CONTACT_OUTCOMES,
	}
	only = "" if access_scope(frappe.get_roles()).all_patients else "and {field} = %(me)s"
	params["me"] = frappe.session.user

	contacts = frappe.db.sql(
		f"""select performed_by as care_manager, count(*) as attempted, sum(outcome = 'Reached') as reached,
			group_concat(distinct program) as programs
		from `tabOutreach Log` where docstatus = 1 and start >= %(start)s and start < %(next)s
			and outcome in %(contacts)s {only.format(field="performed_by")}
		group by performed_by""",
		params,
		as_dict=True,
	)
	minutes = frappe.db.sql(
		f"""select performed_by as care_manager, coalesce(program, '') as program, sum(duration_minutes) as minutes
		from `tabOutreach Log` where docstatus = 1 and start >= %(start)s and start < %(next)s
			and outcome in %(counted)s {only.format(field="performed_by")}
		group by performed_by, program""",
		params,
		as_dict=True,
	)
	caseloads = frappe.db.sql(
		f"""select care_manager, count(distinct patient) as caseload from (
			select care_manager, name as patient from `tabPatient` where care_manager is not null and care_manager != ''
			union select care_manager, patient from `tabCare Program Enrollment`
			where status in %(caseload_statuses)s and care_manager is not null
		) caseload where 1=1 {only.format(field="care_manager")} group by care_manager""",
		{**params, "caseload_statuses": CASELOAD_ENROLLMENT_STATUSES},
		as_dict=True,
	)
	billable = frappe.db.sql(
		f"""select care_manager, count(distinct patient) as patients from `tabCare Billing Record`
		where month = %(start)s and status in ('Ready', 'Invoiced') {only.format(field="care_manager")}
		group by care_manager""",
		params,
		as_dict=True,
	)

	rows = {}

	def row(manager):
		return rows.setdefault(
			manager,
			frappe._dict(
				care_manager=manager, caseload=0, attempted=0, reached=0, minutes=0, by_program={}, billable=0
			),
		)

	for r in caseloads:
		row(r.care_manager).caseload = r.caseload
	for r in contacts:
		row(r.care_manager).update(attempted=r.attempted, reached=int(r.reached or 0))
	for r in minutes:
		entry = row(r.care_manager)
		entry.minutes += int(r.minutes or 0)
		entry.by_program[r.program or _("No Program")] = int(r.minutes or 0)
	for r in billable:
		row(r.care_manager).billable = r.patients
	data = []
	for entry in sorted(rows.values(), key=lambda e: e.care_manager or ""):
		entry.reach_rate = round(100 * entry.reached / entry.attempted, 1) if entry.attempted else 0
		entry.minutes_by_program = ", ".join(f"{p}: {m}" for p, m in sorted(entry.by_program.items()))
		entry.minutes_per_billable = round(entry.minutes / entry.billable, 1) if entry.billable else None
		data.append(entry)
	return links_the_user_may_follow(columns()), data, None, chart(data)


def columns():
	return [
		{
			"fieldname": "care_manager",
			"label": _("Care Manager"),
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
		{"fieldname": "caseload", "label": _("Caseload"), "fieldtype": "Int", "width": 90},
		{"fieldname": "attempted", "label": _("Contacts Attempted"), "fieldtype": "Int", "width": 130},
		{"fieldname": "reached", "label": _("Reached"), "fieldtype": "Int", "width": 90},
		{"fieldname": "reach_rate", "label": _("Reach Rate %"), "fieldtype": "Percent", "width": 110},
		{"fieldname": "minutes", "label": _("Minutes"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "minutes_by_program",
			"label": _("Minutes by Program"),
			"fieldtype": "Data",
			"width": 200,
		},
		{"fieldname": "billable", "label": _("Patients Billable"), "fieldtype": "Int", "width": 120},
		{
			"fieldname": "minutes_per_billable",
			"label": _("Minutes per Billable Patient"),
			"fieldtype": "Float",
			"width": 170,
		},
	]


def chart(data):
	return {
		"data": {
			"labels": [d.care_manager for d in data],
			"datasets": [
				{"name": _("Reached"), "values": [d.reached for d in data]},
				{"name": _("Attempted"), "values": [d.attempted for d in data]},
			],
		},
		"type": "bar",
	}
