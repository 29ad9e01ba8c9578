"""Existing sites: each billing line names the invoice that holds it, and the
unique key of Care Billing Record is added (duplicates removed where nothing
was invoiced; invoiced ones are kept and listed in an Error Log)."""

import frappe
from frappe import _

from care_management.billing.billing_key import ensure_billing_key


def execute():
	frappe.reload_doc("care_management", "doctype", "care_billing_line")
	frappe.reload_doc("care_management", "doctype", "care_month_close_chunk")
	frappe.reload_doc("care_management", "doctype", "care_month_close")
	backfill_line_claims()
	ensure_billing_key()


def backfill_line_claims():
	# A submitted invoice holds its lines before any draft does; of drafts, the newest.
	holders = frappe.db.sql(
		"""select i.reference_dn as line, i.parent as invoice, i.docstatus
		from `tabSales Invoice Item` i
		where i.reference_dt = 'Care Billing Line' and i.docstatus < 2
		order by i.reference_dn, i.docstatus desc, i.modified desc""",
		as_dict=True,
	)
	claimed, twice = {}, {}
	for row in holders:
		if row.line in claimed:
			if row.invoice != claimed[row.line]:
				twice.setdefault(row.line, [claimed[row.line]]).append(row.invoice)
			continue
		claimed[row.line] = row.invoice
	for line, invoice in claimed.items():
		frappe.db.sql(
			"update `tabCare Billing Line` set sales_invoice = %s where name = %s and sales_invoice is null",
			(invoice, line),
		)
	if twice:
		frappe.log_error(
			title=_("Care Billing Lines on more than one invoice"),
			message=_(
				"Each of these billing lines is on more than one draft or submitted Sales Invoice; the first "
				"named holds it. Cancel or delete the others.\n\n{0}"
			).format("\n".join(f"{line}: {', '.join(invoices)}" for line, invoices in twice.items())),
		)
