# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""The claims of posted remittances that still need billing staff: denied, paid
short, reversed, not matched or not posted, with what the payer said (its
adjustment reason codes) and what the invoice still owes now. One statement."""

import frappe
from frappe import _

from care_management.domain import remittance_posting as posting
from care_management.phi_access_log import log_report_export
from care_management.report_columns import column
from care_management.report_links import links_the_user_may_follow

# One row per payment of an import (a file that repeats a trace number lists both, neither posted).
PAYMENTS = """select parent, trace_number, max(payment_date) as payment_date, max(payer) as payer
	from `tabRemittance Payment` group by parent, trace_number"""
TO_FOLLOW_UP = (posting.DENIED, posting.PAID_SHORT, posting.REVERSAL, posting.NOT_MATCHED, posting.NOT_POSTED)


def execute(filters=None):
	filters = frappe._dict(filters or {})
	claims = rows(filters)
	log_report_export("Remittance Follow-up", filters, claims)
	return links_the_user_may_follow(columns()), claims, None, None, summary(filters)


def conditions(filters) -> tuple[str, dict]:
	where = ["ri.docstatus = 1", "rc.outcome in %(outcomes)s"]
	values = {"outcomes": [filters.outcome] if filters.get("outcome") else list(TO_FOLLOW_UP)}
	for field, clause in (
		("company", "ri.company = %(company)s"),
		("payer", "rp.payer = %(payer)s"),
		("from_date", "rp.payment_date >= %(from_date)s"),
		("to_date", "rp.payment_date <= %(to_date)s"),
	):
		if filters.get(field):
			where.append(clause)
			values[field] = filters.get(field)
	return " and ".join(where), values


def rows(filters) -> list[dict]:
	where, values = conditions(filters)
	return frappe.db.sql(
		f"""select ri.name as remittance_import, rp.payment_date, rp.payer, rc.trace_number, rc.claim_id,
			rc.sales_invoice, rc.patient, rc.outcome, rc.claim_status, rc.charge, rc.paid, rc.allocated,
			si.outstanding_amount as still_owed, rc.patient_responsibility, rc.adjustments,
			rc.payer_claim_number, rc.reason
		from `tabRemittance Claim` rc
		join `tabRemittance Import` ri on ri.name = rc.parent and rc.parenttype = 'Remittance Import'
		join ({PAYMENTS}) rp on rp.parent = ri.name and rp.trace_number = rc.trace_number
		left join `tabSales Invoice` si on si.name = rc.sales_invoice
		where {where}
		order by rp.payment_date desc, ri.name, rc.idx""",
		values,
		as_dict=True,
	)


def summary(filters) -> list[dict]:
	where, values = conditions(filters)
	counts = dict(
		frappe.db.sql(
			f"""select rc.outcome, count(*) from `tabRemittance Claim` rc
			join `tabRemittance Import` ri on ri.name = rc.parent and rc.parenttype = 'Remittance Import'
			join ({PAYMENTS}) rp on rp.parent = ri.name and rp.trace_number = rc.trace_number
			where {where} group by rc.outcome""",
			values,
		)
	)
	indicator = {posting.DENIED: "Red", posting.PAID_SHORT: "Orange", posting.REVERSAL: "Orange"}
	return [
		{
			"label": _(outcome),
			"value": counts.get(outcome, 0),
			"datatype": "Int",
			"indicator": indicator.get(outcome, "Grey"),
		}
		for outcome in TO_FOLLOW_UP
	]


def columns() -> list[dict]:
	return [
		column("payment_date", _("Payment Date"), "Date", 100),
		column("payer", _("Payer"), "Link", 160, "Customer"),
		column("claim_id", _("Claim ID"), width=150),
		column("sales_invoice", _("Sales Invoice"), "Link", 150, "Sales Invoice"),
		column("patient", _("Patient"), "Link", 140, "Patient"),
		column("outcome", _("Outcome"), width=100),
		column("claim_status", _("Payer's Claim Status"), width=160),
		column("charge", _("Charge"), "Currency", 90),
		column("paid", _("Paid by Payer"), "Currency", 100),
		column("still_owed", _("Invoice Still Owes"), "Currency", 110),
		column("patient_responsibility", _("Patient Responsibility"), "Currency", 110),
		column("adjustments", _("Adjustments"), width=220),
		column("reason", _("Reason"), width=300),
		column("payer_claim_number", _("Payer Claim Number"), width=150),
		column("trace_number", _("Check or EFT Number"), width=140),
		column("remittance_import", _("Remittance Import"), "Link", 140, "Remittance Import"),
	]
