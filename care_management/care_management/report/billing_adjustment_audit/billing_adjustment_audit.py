# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Every billing adjustment, hold and release proposed or put in effect in a
period: who proposed it and when, why, on what documentation, who approved it
(when it billed more than the engine computed) and the money it moved. Two
statements (proposed in the period; put in effect in it), read through the
user's permissions (frappe.get_list)."""

import frappe
from frappe import _
from frappe.utils import add_days, getdate

from care_management.report_links import links_the_user_may_follow

FIELDS = [
	"name", "status", "kind", "patient", "patient_name", "month", "program", "billing_practitioner",
	"code", "units_before", "units_change", "rate", "amount_change", "reason", "outreach_log",
	"patient_encounter", "attachment", "proposed_by", "creation", "needs_approval", "approved_by",
	"approved_on", "review_reason", "record", "docstatus",
]  # fmt: skip


def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = adjustments(filters)
	for row in rows:
		row.documentation = ", ".join(
			value for value in (row.outreach_log, row.patient_encounter, row.attachment) if value
		)
		# An approver is someone other than the author, for what billed more; the rest took effect by their author.
		row.approver = (
			row.approved_by if row.needs_approval and row.status in ("Approved", "Needs Review") else ""
		)
		row.in_effect_by = row.approved_by if not row.needs_approval else ""
		row.kind_label = _(row.kind)
		row.status_label = _(row.status)
	return links_the_user_may_follow(columns()), rows, None, None, summary(rows)


def adjustments(filters) -> list:
	if not filters.get("from_date") or not filters.get("to_date"):
		frappe.throw(_("Choose the period: From and To."))
	start, end = getdate(filters.from_date), getdate(filters.to_date)
	if end < start:
		frappe.throw(_("To: choose a day on or after From."))
	conditions = {}
	for field in ("kind", "status", "billing_practitioner", "patient"):
		if filters.get(field):
			conditions[field] = filters[field]
	# Proposed, or put in effect, within the period (whole days).
	period = [
		["creation", ">=", start],
		["creation", "<", add_days(end, 1)],
	]
	in_effect = [
		["approved_on", ">=", start],
		["approved_on", "<", add_days(end, 1)],
	]
	proposed = frappe.get_list(
		"Care Billing Adjustment",
		filters=[*([k, "=", v] for k, v in conditions.items()), *period],
		fields=FIELDS,
		order_by="creation",
		limit_page_length=0,
	)
	effective = frappe.get_list(
		"Care Billing Adjustment",
		filters=[*([k, "=", v] for k, v in conditions.items()), *in_effect],
		fields=FIELDS,
		order_by="creation",
		limit_page_length=0,
	)
	seen = {row.name for row in proposed}
	rows = proposed + [row for row in effective if row.name not in seen]
	return sorted(rows, key=lambda row: (row.creation, row.name))


def columns() -> list[dict]:
	return [
		{"fieldname": "name", "label": _("Adjustment"), "fieldtype": "Link", "options": "Care Billing Adjustment", "width": 140},
		{"fieldname": "status_label", "label": _("Status"), "fieldtype": "Data", "width": 120},
		{"fieldname": "kind_label", "label": _("Kind"), "fieldtype": "Data", "width": 110},
		{"fieldname": "patient", "label": _("Patient"), "fieldtype": "Link", "options": "Patient", "width": 120},
		{"fieldname": "patient_name", "label": _("Name"), "fieldtype": "Data", "width": 150},
		{"fieldname": "month", "label": _("Month Billed"), "fieldtype": "Date", "width": 100},
		{"fieldname": "program", "label": _("Program"), "fieldtype": "Data", "width": 80},
		{"fieldname": "billing_practitioner", "label": _("Practitioner"), "fieldtype": "Link", "options": "Healthcare Practitioner", "width": 130},
		{"fieldname": "code", "label": _("Code"), "fieldtype": "Data", "width": 70},
		{"fieldname": "units_before", "label": _("Units Before"), "fieldtype": "Int", "width": 80},
		{"fieldname": "units_change", "label": _("Units Change"), "fieldtype": "Int", "width": 80},
		{"fieldname": "amount_change", "label": _("Money Moved"), "fieldtype": "Currency", "width": 110},
		{"fieldname": "reason", "label": _("Why"), "fieldtype": "Data", "width": 280},
		{"fieldname": "documentation", "label": _("Documentation"), "fieldtype": "Data", "width": 200},
		{"fieldname": "proposed_by", "label": _("Proposed By"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "creation", "label": _("Proposed On"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "approver", "label": _("Approved By"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "in_effect_by", "label": _("Applied By"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "approved_on", "label": _("In Effect Since"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "review_reason", "label": _("Why It Needs Review"), "fieldtype": "Data", "width": 240},
		{"fieldname": "record", "label": _("Billing Record"), "fieldtype": "Link", "options": "Care Billing Record", "width": 110},
	]  # fmt: skip


def summary(rows) -> list[dict]:
	in_effect = [row for row in rows if row.status == "Approved"]
	return [
		{"label": _("Adjustments"), "value": len(rows), "datatype": "Int", "indicator": "Blue"},
		{
			"label": _("Waiting for Approval"),
			"value": sum(1 for row in rows if row.status == "Pending Approval"),
			"datatype": "Int",
			"indicator": "Orange",
		},
		{
			"label": _("Needs Review"),
			"value": sum(1 for row in rows if row.status == "Needs Review"),
			"datatype": "Int",
			"indicator": "Red",
		},
		{
			"label": _("Money Moved (in effect, codes)"),
			"value": sum(row.amount_change or 0 for row in in_effect if row.kind not in ("Hold", "Release")),
			"datatype": "Currency",
			"indicator": "Green",
		},
	]
