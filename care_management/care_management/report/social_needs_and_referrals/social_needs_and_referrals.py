# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Per care manager and month: needs found by domain, referrals by status,
the closed-loop rate and the days a closed referral took. Set-based; the
caseload rule applies (frappe.get_list)."""

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, getdate, today

from care_management.report_links import links_the_user_may_follow

CLOSED = ("Completed", "Declined", "Unable to Contact", "Cancelled")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	month = get_first_day(getdate(filters.get("month") or today()))
	period = ["between", [month, add_months(month, 1)]]
	screenings = frappe.get_list(
		"Needs Screening",
		fields=["screened_by", "need_categories"],
		filters={"docstatus": 1, "screening_date": period},
		limit_page_length=0,
	)
	referrals = frappe.get_list(
		"Resource Referral",
		fields=[
			"referred_by",
			"status",
			"count(name) as referrals",
			"avg(datediff(modified, creation)) as days",
		],
		filters={"creation": period},
		group_by="referred_by, status",
		limit_page_length=0,
	)
	rows = {}

	def row(user):
		return rows.setdefault(
			user,
			frappe._dict(
				care_manager=user, needs={}, by_status={}, referrals=0, closed=0, completed=0, days=[]
			),
		)

	for screening in screenings:
		entry = row(screening.screened_by)
		for need in (screening.need_categories or "").splitlines():
			entry.needs[need] = entry.needs.get(need, 0) + 1
	for r in referrals:
		entry = row(r.referred_by)
		entry.by_status[r.status] = r.referrals
		entry.referrals += r.referrals
		if r.status in CLOSED:
			entry.closed += r.referrals
			entry.days.extend([float(r.days or 0)] * r.referrals)
		if r.status == "Completed":
			entry.completed += r.referrals
	data = []
	for entry in sorted(rows.values(), key=lambda e: e.care_manager or ""):
		entry.needs_found = ", ".join(f"{k}: {v}" for k, v in sorted(entry.needs.items()))
		entry.referrals_by_status = ", ".join(f"{_(k)}: {v}" for k, v in sorted(entry.by_status.items()))
		entry.closed_loop_rate = round(100 * entry.completed / entry.referrals, 1) if entry.referrals else 0
		entry.days_to_close = round(sum(entry.days) / len(entry.days), 1) if entry.days else None
		data.append(entry)
	return links_the_user_may_follow(columns()), data


def columns():
	return [
		{
			"fieldname": "care_manager",
			"label": _("Care Manager"),
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
		{"fieldname": "needs_found", "label": _("Needs Found by Domain"), "fieldtype": "Data", "width": 260},
		{"fieldname": "referrals", "label": _("Referrals"), "fieldtype": "Int", "width": 90},
		{"fieldname": "referrals_by_status", "label": _("By Status"), "fieldtype": "Data", "width": 260},
		{
			"fieldname": "closed_loop_rate",
			"label": _("Closed-Loop Rate %"),
			"fieldtype": "Percent",
			"width": 140,
		},
		{
			"fieldname": "days_to_close",
			"label": _("Average Days to Close"),
			"fieldtype": "Float",
			"width": 150,
		},
	]
