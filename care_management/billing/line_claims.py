"""A Care Billing Line is on one invoice per share at a time, whatever runs at once.

A line is billed in up to three shares, each on its own Sales Invoice: to the
primary payer (``sales_invoice``), to a secondary payer (``secondary_invoice``)
and to the patient (``patient_invoice``); the invoice's Care Management Share
(``care_billing_role``) says which, and a hand-made invoice without one bills the
primary share. Everything below holds per share.

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
from frappe.utils import escape_html

from care_management.billing.db_errors import explained
from care_management.message_html import desk_link

LINE = "Care Billing Line"
RECORD = "Care Billing Record"
PRIMARY_PAYER, SECONDARY_PAYER, PATIENT = "Primary Payer", "Secondary Payer", "Patient"
# The line's column that holds the claim of each share.
ROLE_COLUMNS = {
	PRIMARY_PAYER: "sales_invoice",
	SECONDARY_PAYER: "secondary_invoice",
	PATIENT: "patient_invoice",
}
CLAIM_COLUMNS = tuple(ROLE_COLUMNS.values())


def invoice_role(invoice) -> str:
	return invoice.get("care_billing_role") or PRIMARY_PAYER


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
		"""select l.name, l.code, l.units, l.sales_invoice, l.secondary_invoice, l.patient_invoice,
			l.parent, r.patient, r.month, r.held, r.held_because
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
	with lines_being_invoiced_elsewhere():
		lock_records_and_lines(sorted({item.reference_dn for item in referenced_lines(invoice)}))


def lines_being_invoiced_elsewhere():
	"""A lock wait or deadlock on the lines (Create Invoices or another clerk has them) in words."""
	return explained(
		duplicate=_(
			"These care-management lines were just put on another invoice. Refresh, then get items again."
		),
		busy=lines_busy_message(),
		title=_("Being Invoiced Elsewhere"),
	)


def lines_busy_message() -> str:
	return _(
		"These care-management lines are being invoiced by someone else right now (Create Invoices or "
		"another clerk). Wait a moment, then get items again: lines already on an invoice are left out."
	)


def claim_lines(invoice, method=None) -> None:
	"""Sales Invoice validate (runs on every save and on submit)."""
	items = referenced_lines(invoice)
	names = [item.reference_dn for item in items]
	role = invoice_role(invoice)
	if role not in ROLE_COLUMNS:
		frappe.throw(
			_("Care Management Share {0} is not one of {1}.").format(
				frappe.bold(frappe.utils.escape_html(role)),
				", ".join(_(r) for r in ROLE_COLUMNS),  # html-safe: the app's own share names
			)
		)
	column = ROLE_COLUMNS[role]
	if items:
		seen = {}
		for item in items:
			if item.reference_dn in seen:
				frappe.throw(
					_(
						"Row #{0}: Care Billing Line {1} is already on row #{2} of this invoice. Remove one of the two rows."
					).format(
						item.idx,
						frappe.utils.escape_html(item.reference_dn),
						seen[item.reference_dn],  # html-safe: a row number
					),
					title=_("Billing Line Twice on One Invoice"),
				)
			seen[item.reference_dn] = item.idx
		with lines_being_invoiced_elsewhere():
			lines = lock_records_and_lines(sorted(set(names)))
		holders = {line[column] for line in lines.values() if line[column]}
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
					).format(item.idx, frappe.utils.escape_html(item.reference_dn)),
					title=_("Billing Line Replaced"),
				)
			if line[column] != invoice.name and (line.held or not line.units):
				# A held record, or a code an adjustment dropped, is not billed by any invoice.
				frappe.throw(
					_("Row #{0}: Care Billing Line {1} is not to be invoiced: {2}").format(
						item.idx,
						escape_html(item.reference_dn),
						escape_html(line.held_because)
						if line.held
						else _("a Care Billing Adjustment dropped its code"),
					),
					title=_("Not to Be Invoiced"),
				)
			if line[column] in live_holders:
				frappe.throw(
					_(
						"Row #{0}: the {1} share of {2} of {3} for {4} is already on Sales Invoice {5}. A care-management service is invoiced once per share; cancel that invoice first or remove this row."
					).format(
						item.idx,
						_(role),  # html-safe: one of ROLE_COLUMNS, checked above
						frappe.utils.escape_html(line.code),
						frappe.utils.formatdate(line.month, "MMMM yyyy"),
						frappe.utils.escape_html(line.patient),
						desk_link("Sales Invoice", line[column]),
					),
					title=_("Already Invoiced"),
				)
			if invoice.get("patient") and line.patient != invoice.patient:
				frappe.throw(
					_(
						"Row #{0}: Care Billing Line {1} belongs to patient {2}, not to this invoice's patient {3}."
					).format(
						item.idx,
						frappe.utils.escape_html(item.reference_dn),
						frappe.utils.escape_html(line.patient),
						frappe.utils.escape_html(invoice.patient),
					),
					title=_("Billing Line of Another Patient"),
				)
		frappe.db.sql(
			f"update `tabCare Billing Line` set `{column}` = %(invoice)s where name in %(lines)s",
			{"invoice": invoice.name, "lines": names},
		)
	# Rows removed from a draft free their lines.
	frappe.db.sql(
		f"""update `tabCare Billing Line` set `{column}` = null
		where `{column}` = %(invoice)s and name not in %(lines)s""",
		{"invoice": invoice.name, "lines": names or [""]},
	)


def release_lines(invoice, method=None) -> None:
	"""Sales Invoice on_cancel / on_trash: its lines' share may go on one new invoice."""
	for column in CLAIM_COLUMNS:
		frappe.db.sql(
			f"update `tabCare Billing Line` set `{column}` = null where `{column}` = %(invoice)s",
			{"invoice": invoice.name},
		)


def before_submit(invoice, method=None) -> None:
	"""Sales Invoice before_submit: Healthcare's on_submit refuses a line whose
	``invoiced`` flag is set, which a line billed to the payer already has when its
	patient share is submitted. claim_lines (validate, just before) holds the
	lines' row locks and has checked this share is free, so the flag is cleared
	here, under those locks, and settle_invoiced_flags sets it right after
	Healthcare's on_submit."""
	names = sorted({item.reference_dn for item in referenced_lines(invoice)})
	if names:
		frappe.db.sql(
			"update `tabCare Billing Line` set invoiced = 0 where name in %(lines)s", {"lines": names}
		)


def settle_invoiced_flags(invoice, method=None) -> None:
	"""Sales Invoice on_submit / on_cancel, after Healthcare's: a line is invoiced
	once every share it owes is on a submitted invoice (the primary always; the
	secondary payer's and the patient's when they are more than zero)."""
	names = sorted({item.reference_dn for item in referenced_lines(invoice)})
	if not names:
		return
	frappe.db.sql(
		"""update `tabCare Billing Line` l
		left join `tabSales Invoice` p on p.name = l.sales_invoice and p.docstatus = 1
		left join `tabSales Invoice` s on s.name = l.secondary_invoice and s.docstatus = 1
		left join `tabSales Invoice` t on t.name = l.patient_invoice and t.docstatus = 1
		set l.invoiced = (p.name is not null
			and (coalesce(l.secondary_share, 0) = 0 or s.name is not null)
			and (coalesce(l.patient_share, 0) = 0 or t.name is not null))
		where l.name in %(lines)s""",
		{"lines": names},
	)
