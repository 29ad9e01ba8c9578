"""A Care Billing Line is on one invoice at a time, whatever runs at once.

Healthcare's own guard reads the line's ``invoiced`` flag on submit and then
writes it: two invoices submitted together both pass. So every Sales Invoice
that references a billing line *claims* it while it is saved (draft or
submitted): the line's row is locked (``FOR UPDATE``), its holder read again
under the lock, and the claim written in the same transaction. A second
invoice waits for the first to commit, then finds the line taken and is
refused, naming the invoice that holds it. Cancelling or deleting an invoice
frees its lines for exactly one new invoice.

Lock order is always: the lines' Care Billing Records by name, then the lines
by name, then whatever inserting and submitting the invoice locks (its naming
series first). The month close and Create Invoices take the same order, so two
transactions never wait for each other in a cycle.
"""

from __future__ import annotations

import frappe
from frappe import _

LINE = "Care Billing Line"
RECORD = "Care Billing Record"


def referenced_lines(invoice) -> list:
	return [item for item in invoice.items if item.reference_dt == LINE and item.reference_dn]


def lock_records_and_lines(line_names: list[str]) -> dict[str, frappe._dict]:
	"""Lock the lines' records, then the lines; returns the lines as they are now."""
	if not line_names:
		return {}
	records = frappe.db.sql_list(
		"select distinct parent from `tabCare Billing Line` where name in %(lines)s", {"lines": line_names}
	)
	if records:
		frappe.db.sql(
			"select name from `tabCare Billing Record` where name in %(records)s order by name for update",
			{"records": records},
		)
	rows = frappe.db.sql(
		"""select l.name, l.code, l.sales_invoice, l.parent, r.patient, r.month
		from `tabCare Billing Line` l join `tabCare Billing Record` r on r.name = l.parent
		where l.name in %(lines)s and l.parenttype = 'Care Billing Record'
		order by l.name for update""",
		{"lines": line_names},
		as_dict=True,
	)
	return {row.name: row for row in rows}


def lock_before_naming(invoice, method=None) -> None:
	"""Sales Invoice before_insert: take the records' and lines' locks before the
	naming series' row lock that naming the invoice takes next, as Create
	Invoices does (it locks them, then inserts), so the two never deadlock."""
	lock_records_and_lines(sorted({item.reference_dn for item in referenced_lines(invoice)}))


def claim_lines(invoice, method=None) -> None:
	"""Sales Invoice validate (runs on every save and on submit)."""
	items = referenced_lines(invoice)
	names = [item.reference_dn for item in items]
	if items:
		seen = {}
		for item in items:
			if item.reference_dn in seen:
				frappe.throw(
					_(
						"Row #{0}: Care Billing Line {1} is already on row #{2} of this invoice. Remove one of the two rows."
					).format(item.idx, item.reference_dn, seen[item.reference_dn]),
					title=_("Billing Line Twice on One Invoice"),
				)
			seen[item.reference_dn] = item.idx
		lines = lock_records_and_lines(sorted(set(names)))
		holders = {line.sales_invoice for line in lines.values() if line.sales_invoice}
		holders.discard(invoice.name)
		live_holders = set()
		if holders:
			# A holder that was deleted or cancelled behind our back (e.g. by SQL) no longer holds.
			# A locking read: this transaction's snapshot may be older than the holder's commit.
			live_holders = set(
				frappe.db.sql_list(
					"""select name from `tabSales Invoice` where name in %(names)s and docstatus < 2
					lock in share mode""",
					{"names": list(holders)},
				)
			)
		for item in items:
			line = lines.get(item.reference_dn)
			if not line:
				frappe.throw(
					_(
						"Row #{0}: Care Billing Line {1} no longer exists: the month was closed again after these items were fetched. Remove the row and use Get Items From → Care Management again."
					).format(item.idx, item.reference_dn),
					title=_("Billing Line Replaced"),
				)
			if line.sales_invoice in live_holders:
				frappe.throw(
					_(
						"Row #{0}: {1} of {2} for {3} is already on Sales Invoice {4}. A care-management service is invoiced once; cancel that invoice first or remove this row."
					).format(
						item.idx,
						line.code,
						frappe.utils.formatdate(line.month, "MMMM yyyy"),
						line.patient,
						frappe.get_desk_link("Sales Invoice", line.sales_invoice),
					),
					title=_("Already Invoiced"),
				)
			if invoice.get("patient") and line.patient != invoice.patient:
				frappe.throw(
					_(
						"Row #{0}: Care Billing Line {1} belongs to patient {2}, not to this invoice's patient {3}."
					).format(item.idx, item.reference_dn, line.patient, invoice.patient),
					title=_("Billing Line of Another Patient"),
				)
		frappe.db.sql(
			"update `tabCare Billing Line` set sales_invoice = %(invoice)s where name in %(lines)s",
			{"invoice": invoice.name, "lines": names},
		)
	# Rows removed from a draft free their lines.
	frappe.db.sql(
		"""update `tabCare Billing Line` set sales_invoice = null
		where sales_invoice = %(invoice)s and name not in %(lines)s""",
		{"invoice": invoice.name, "lines": names or [""]},
	)


def release_lines(invoice, method=None) -> None:
	"""Sales Invoice on_cancel / on_trash: its lines may go on one new invoice."""
	frappe.db.sql(
		"update `tabCare Billing Line` set sales_invoice = null where sales_invoice = %(invoice)s",
		{"invoice": invoice.name},
	)
