# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Exported claims that need billing staff before any remittance can come: those the
clearinghouse or payer rejected (999 or 277CA), with the reason and what to fix,
until the claim (or an amendment of its invoice) goes out in a later Claim Export;
or pending, or with no answer at all. One statement."""

import frappe
from frappe import _
from frappe.utils import get_first_day, getdate

from care_management.phi_access_log import log_report_export
from care_management.report_columns import column
from care_management.report_links import links_the_user_may_follow

NO_ANSWER = "No Answer"
SHOWN = ("Rejected", "Pending", NO_ANSWER)


def execute(filters=None):
	filters = frappe._dict(filters or {})
	claims = rows(filters)
	log_report_export("Claim Follow-up", filters, claims)
	return links_the_user_may_follow(columns()), claims, None, None, summary(claims)


def rows(filters) -> list[dict]:
	shown = filters.get("acknowledgment") or "Rejected"
	if shown not in SHOWN:
		frappe.throw(_("Acknowledgment: choose Rejected, Pending or No Answer."), title=_("Claim Follow-up"))
	where = ["x.docstatus = 1", "e.status = 'Exported'"]
	values = {}
	if shown == NO_ANSWER:
		where.append("coalesce(e.acknowledgment, '') in ('', 'File Accepted')")
		where.append("coalesce(e.payer_claim_number, '') = ''")
		where.append("e.claim_frequency != '8'")
	else:
		where.append("e.acknowledgment = %(acknowledgment)s")
		values["acknowledgment"] = shown
	for field, clause in (
		("company", "x.company = %(company)s"),
		("payer", "e.payer = %(payer)s"),
		("month", "x.month = %(month)s"),
	):
		if filters.get(field):
			where.append(clause)
			values[field] = filters.get(field)
	if values.get("month"):
		values["month"] = get_first_day(getdate(values["month"]))
	# A claim sent again later (itself, or an amendment of its invoice) is followed up there.
	return frappe.db.sql(
		f"""select x.name as claim_export, x.month, x.interchange_control_number, e.sales_invoice, e.patient,
			e.payer, e.claim_frequency, e.charge, e.acknowledgment, e.acknowledgment_reason,
			e.acknowledgment_fix, e.acknowledged_by, e.payer_claim_number
		from `tabClaim Export Invoice` e
		join `tabClaim Export` x on x.name = e.parent and e.parenttype = 'Claim Export'
		where {" and ".join(where)} and not exists (
			select 1 from `tabClaim Export Invoice` later
			join `tabClaim Export` lx on lx.name = later.parent and lx.docstatus = 1
			left join `tabSales Invoice` si on si.name = later.sales_invoice
			where later.status = 'Exported' and lx.interchange_control_number > x.interchange_control_number
				and (later.sales_invoice = e.sales_invoice or si.amended_from = e.sales_invoice))
		order by x.month desc, x.interchange_control_number desc, e.idx""",
		values,
		as_dict=True,
	)


def summary(claims: list[dict]) -> list[dict]:
	return [
		{
			"label": _("Claims"),
			"value": len(claims),
			"datatype": "Int",
			"indicator": "Red" if claims else "Green",
		},
		{
			"label": _("Charge"),
			"value": sum(row.charge or 0 for row in claims),
			"datatype": "Currency",
			"indicator": "Grey",
		},
	]


def columns() -> list[dict]:
	return [
		# Text, not a link: billing staff without ERPNext's Accounts User read this report too, and
		# Frappe's report runner refuses a link column to a doctype the user cannot read.
		column("sales_invoice", _("Claim (Sales Invoice)"), width=150),
		column("patient", _("Patient"), "Link", 140, "Patient"),
		column("payer", _("Payer"), "Link", 150, "Customer"),
		column("month", _("Month"), "Date", 100),
		column("acknowledgment", _("Acknowledgment"), width=110),
		column("acknowledgment_reason", _("Reason"), width=320),
		column("acknowledgment_fix", _("What to Fix"), width=320),
		column("charge", _("Charge"), "Currency", 90),
		column("claim_frequency", _("Claim Frequency"), width=80),
		column("claim_export", _("Claim Export"), "Link", 140, "Claim Export"),
		column("acknowledged_by", _("Acknowledged By"), "Link", 140, "Claim Acknowledgment Import"),
		column("payer_claim_number", _("Payer Claim Number"), width=140),
	]
