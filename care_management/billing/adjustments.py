"""Approved Care Billing Adjustments applied on top of the month close's lines.

The engine's units stay on each line (``engine_units``); ``units`` is what is
billed: the engine's with the adjustments in effect applied by the pure rules
(domain/billing/adjustments.py), in the order they took effect. A code only an
adjustment adds is a line of its own (``added_by``). Each changed line says how
and why (``adjustment_note``), which the invoice item repeats. A held record
stays off invoices (``held``).

Applying takes the record's lock, then its lines', in name order, as the close
and Create Invoices do (line_claims.py), and refuses a record with a line on an
invoice: a change to what is billed never slips between an invoice's reads.

A re-close that replaces a record (its facts changed: another content hash)
writes the engine's lines afresh and flags the adjustments that were in effect
Needs Review (flag_for_review): they no longer apply, and the record is held,
until someone confirms or cancels each of them.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import escape_html, flt, formatdate, get_last_day, getdate, now_datetime

from care_management.billing.engine_writes import engine_writes
from care_management.domain.billing import adjustments as rules

RECORD = "Care Billing Record"
LINE = "Care Billing Line"
ADJUSTMENT = "Care Billing Adjustment"
APPROVED, NEEDS_REVIEW = "Approved", "Needs Review"
CLAIMS = ("sales_invoice", "secondary_invoice", "patient_invoice")


def units_text(delta: int) -> str:
	if delta == 1:
		return _("+1 unit")
	if delta == -1:
		return _("−1 unit")
	if delta > 0:
		return _("+{0} units").format(delta)
	return _("−{0} units").format(-delta)


def change_note(changes: list[rules.Change]) -> str:
	""" "adjusted: -1 unit, reason …" for each change of a line."""
	return "; ".join(
		_("adjusted: {0}, reason {1}").format(units_text(change.delta), change.reason) for change in changes
	)


def lock_record(record: str):
	"""The record and its lines, locked (record first, then lines by name)."""
	row = frappe.db.sql(
		"""select name, month, status, invoiced, company, total_amount from `tabCare Billing Record`
		where name = %(record)s for update""",
		{"record": record},
		as_dict=True,
	)
	if not row:
		frappe.throw(
			_(
				"Care Billing Record {0} no longer exists: the month was closed again without it. Cancel this adjustment."
			).format(frappe.bold(escape_html(record))),
			title=_("Billing Record Gone"),
		)
	lines = frappe.db.sql(
		"""select name, idx, code, units, engine_units, added_by, item, rate, date_of_service, minutes,
			sales_invoice, secondary_invoice, patient_invoice
		from `tabCare Billing Line` where parent = %(record)s and parenttype = 'Care Billing Record'
		order by name for update""",
		{"record": record},
		as_dict=True,
	)
	return row[0], sorted(lines, key=lambda line: line.idx)


def invoice_holding(record, lines) -> str | None:
	"""The invoice (draft or submitted) one of the record's lines is on, if any."""
	for line in lines:
		for column in CLAIMS:
			if line[column]:
				return line[column]
	return record.get("sales_invoice") if record.get("invoiced") else None


def refuse_if_invoiced(record, lines) -> None:
	holder = invoice_holding(record, lines)
	if holder or record.invoiced:
		frappe.throw(
			_(
				"Care Billing Record {0} is on Sales Invoice {1}. Cancel that invoice first (or remove its rows from the draft); then adjust the record and invoice it again."
			).format(frappe.bold(escape_html(record.name)), frappe.bold(escape_html(holder or ""))),
			title=_("Already Invoiced"),
		)


def engine_lines(lines) -> list[rules.EngineLine]:
	# Lines written before adjustments existed carry no engine units: theirs are their units.
	return [
		rules.EngineLine(line.code, line.engine_units or line.units) for line in lines if not line.added_by
	]


def in_effect(record: str, excluding: str | None = None) -> list[frappe._dict]:
	"""The record's approved adjustments, in the order they took effect."""
	return frappe.db.sql(
		"""select name, kind, code, units, reason, date_of_service, approved_on from `tabCare Billing Adjustment`
		where record = %(record)s and docstatus = 1 and status = %(approved)s and name != %(excluding)s
		order by approved_on, name""",
		{"record": record, "approved": APPROVED, "excluding": excluding or ""},
		as_dict=True,
	)


def as_rule(row) -> rules.Adjustment:
	return rules.Adjustment(row.name, row.kind, row.code, int(row.units or 0), row.reason or "")


def current_record(record: str, excluding: str | None = None):
	"""(record, lines, the record as the adjustments in effect leave it, ``excluding`` one of them)."""
	row, lines = lock_record(record)
	adjusted = rules.apply(engine_lines(lines), [as_rule(a) for a in in_effect(record, excluding)])
	return row, lines, adjusted


def needing_review(record: str) -> list[str]:
	return frappe.get_all(
		ADJUSTMENT,
		filters={"record": record, "docstatus": 1, "status": NEEDS_REVIEW},
		pluck="name",
		order_by="name",
	)


def review_hold_text(names: list[str]) -> str:
	return _(
		"Adjustment {0} needs review: the month was closed again and the record's facts changed. Confirm or cancel it."
	).format(", ".join(names))


def apply_to_record(record: str) -> None:
	"""Write the record's lines, hold and summary as its adjustments in effect make them."""
	row, lines = lock_record(record)
	refuse_if_invoiced(row, lines)
	effective = in_effect(record)
	adjusted = rules.apply(engine_lines(lines), [as_rule(a) for a in effective])
	by_name = {a.name: a for a in effective}
	existing = {line.code: line for line in lines}
	month = getdate(row.month)
	prices = None
	last_idx = max((line.idx for line in lines), default=0)
	with engine_writes():
		for line in adjusted.lines:
			old = existing.get(line.code)
			note = change_note(line.changes)
			if old is not None:
				frappe.db.sql(
					"""update `tabCare Billing Line` set units = %(units)s, engine_units = %(engine)s,
						amount = %(units)s * coalesce(rate, 0), adjustment_note = %(note)s
					where name = %(name)s""",
					{
						"units": line.units,
						"engine": line.engine_units,
						"note": note or None,
						"name": old.name,
					},
				)
				continue
			# A code only an adjustment bills: a line of its own, priced as the close prices it.
			added_by = line.changes[0].adjustment
			source = by_name[added_by]
			if prices is None:
				prices = code_prices([a.code for a in effective if a.code], month)
			item, rate = prices.get(line.code, (None, 0))
			last_idx += 1
			frappe.db.sql(
				"""insert into `tabCare Billing Line` (name, parent, parenttype, parentfield, idx, code, units,
					engine_units, item, rate, amount, date_of_service, minutes, added_by, adjustment_note,
					creation, modified, owner, modified_by, docstatus, invoiced)
				values (%(name)s, %(record)s, 'Care Billing Record', 'lines', %(idx)s, %(code)s, %(units)s, 0,
					%(item)s, %(rate)s, %(amount)s, %(date)s, 0, %(added_by)s, %(note)s,
					%(now)s, %(now)s, %(user)s, %(user)s, 0, 0)""",
				{
					"name": frappe.generate_hash(length=10),
					"record": record,
					"idx": last_idx,
					"code": line.code,
					"units": line.units,
					"item": item,
					"rate": rate,
					"amount": flt(rate) * line.units,
					"date": source.date_of_service or latest_service_date(lines, month),
					"added_by": added_by,
					"note": note,
					"now": now_datetime(),
					"user": frappe.session.user,
				},
			)
		# Added codes no adjustment in effect bills any more.
		kept = {line.code for line in adjusted.lines}
		gone = [line.name for line in lines if line.added_by and line.code not in kept]
		if gone:
			frappe.db.delete(LINE, {"name": ("in", gone)})
		review = needing_review(record)
		held_because = None
		if review:
			held_because = review_hold_text(review)
		elif adjusted.held:
			held_because = _("Held by adjustment {0}: {1}").format(
				adjusted.held_by.name, adjusted.held_by.reason
			)
		frappe.db.sql(
			"""update `tabCare Billing Record` r set
				total_amount = (select coalesce(sum(l.amount), 0) from `tabCare Billing Line` l
					where l.parent = r.name and l.parenttype = 'Care Billing Record'),
				status = %(status)s, held = %(held)s, held_because = %(held_because)s,
				adjustment_summary = %(summary)s, modified = %(now)s
			where name = %(record)s""",
			{
				"status": "Ready" if adjusted.billable else "Not Billable",
				"held": 1 if held_because else 0,
				"held_because": held_because,
				"summary": summary(effective) or None,
				"now": now_datetime(),
				"record": record,
			},
		)


def summary(effective: list) -> str:
	"""The record's adjustments in effect, one a line, in the order they took effect."""
	out = []
	for a in effective:
		what = _(a.kind) + (f" {a.code}" if a.code else "")
		if a.kind in (rules.REDUCE_UNITS, rules.ADD_CODE):
			what += f" ({a.units})"
		out.append(_("{0}: {1}, reason {2}").format(a.name, what, a.reason))
	return "\n".join(out)


def latest_service_date(lines, month):
	dates = [getdate(line.date_of_service) for line in lines if line.date_of_service]
	return max(dates) if dates else get_last_day(month)


def code_prices(codes: list[str], month) -> dict[str, tuple[str | None, float]]:
	"""code -> (Item, rate) as the month close prices it: the Billing Code in force, Settings' price list."""
	from care_management.billing.month_close import item_prices

	if not codes:
		return {}
	rows = frappe.get_all(
		"Billing Code",
		filters={"code": ("in", codes), "effective_from": ("<=", month)},
		fields=["code", "item", "effective_from", "effective_to"],
		order_by="effective_from",
	)
	items = {row.code: row.item for row in rows if not row.effective_to or getdate(row.effective_to) >= month}
	price_list = frappe.db.get_single_value("Care Management Settings", "selling_price_list")
	prices = item_prices(price_list)
	return {code: (item, prices.get(item, 0) if item else 0) for code, item in items.items()}


def billing_code_in_force(code: str, month) -> bool:
	return code in code_prices([code], getdate(month))


def flag_for_review(records: list[str]) -> None:
	"""A re-close replaced (or removed) these records: their facts changed. The
	adjustments in effect on them no longer apply until someone reviews them,
	and each record still there is held meanwhile. Set-based: two statements."""
	if not records:
		return
	reason = _(
		"The month was closed again on {0} and the record's facts changed (minutes, codes or plan)."
	).format(formatdate(now_datetime()))
	frappe.db.sql(
		"""update `tabCare Billing Adjustment` set status = %(review)s, workflow_state = %(review)s,
			review_reason = %(reason)s, modified = %(now)s
		where record in %(records)s and docstatus = 1 and status = %(approved)s""",
		{
			"review": NEEDS_REVIEW,
			"approved": APPROVED,
			"reason": reason,
			"records": records,
			"now": now_datetime(),
		},
	)
	# The hold's text names each record's own adjustments: the message split around its {0}.
	before, _sep, after = review_hold_text(["{0}"]).partition("{0}")
	frappe.db.sql(
		"""update `tabCare Billing Record` r join (
			select record, group_concat(name order by name separator ', ') as names
			from `tabCare Billing Adjustment`
			where record in %(records)s and docstatus = 1 and status = %(review)s group by record) a
			on a.record = r.name
		set r.held = 1, r.held_because = concat(%(before)s, a.names, %(after)s)""",
		{"records": records, "review": NEEDS_REVIEW, "before": before, "after": after},
	)
