"""Care Billing Records and their lines are the engine's: only the month close,
the invoicing hooks and the billing adjustments write them.

Those paths write in SQL, under the record and line locks the exactly-once
design takes (month_close.py, line_claims.py). Anything that reaches the
record's controller instead (the desk, REST, frappe.client, a data import)
is refused unless it runs inside ``engine_writes()``: a per-request flag set
in server code, which no client can send.
"""

from __future__ import annotations

from contextlib import contextmanager

import frappe
from frappe import _

FLAG = "care_billing_engine_writes"


@contextmanager
def engine_writes():
	previous = frappe.flags.get(FLAG)
	frappe.flags[FLAG] = True
	try:
		yield
	finally:
		frappe.flags[FLAG] = previous


def writing_as_engine() -> bool:
	return bool(frappe.flags.get(FLAG))


def refuse_unless_engine(doc, action: str) -> None:
	"""``action``: "create", "change", "delete" or "rename"."""
	if writing_as_engine():
		return
	tried = {
		"create": _("A Care Billing Record cannot be created by hand."),
		"change": _("A Care Billing Record cannot be changed by hand."),
		"delete": _("A Care Billing Record cannot be deleted by hand."),
		"rename": _("A Care Billing Record cannot be renamed."),
	}[action]
	frappe.throw(
		tried
		+ " "
		+ _(
			"The Month Close computes it from the month's documented time and Create Invoices marks it invoiced. "
			"To change what is billed, hold the record or adjust a code with a Care Billing Adjustment, which "
			"keeps the reason, the documentation and who approved it."
		),
		frappe.PermissionError,
		title=_("Written by the Month Close"),
	)
