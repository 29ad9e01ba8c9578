"""The desk's Save / Submit / Update (``frappe.desk.form.save.savedocs``), with a
lock wait or deadlock said in words.

Two users saving at once can meet anywhere in a save, not only in this app's
hooks: a clerk's Sales Invoice of care-management lines submitted while Create
Invoices (or another clerk) books the same patient meets ERPNext's own ledger
writes too. The database rolls the loser back; Frappe would show its raw text
("QueryDeadlockError: (1213, …)"). Only lock waits and deadlocks are translated:
a duplicate key keeps Frappe's own message, which names the document."""

import frappe
from frappe import _
from frappe.desk.form import save

from care_management.billing.db_errors import BUSY, ConcurrentChangeError, kind_of
from care_management.billing.line_claims import lines_busy_message


@frappe.whitelist(methods=["POST", "PUT"])
def savedocs(doc, action):
	try:
		return save.savedocs(doc, action)
	except Exception as error:
		if kind_of(error) != BUSY:
			raise
		frappe.db.rollback()
		frappe.throw(busy_message(doc), ConcurrentChangeError, title=_("Done by Someone Else Meanwhile"))


def busy_message(doc) -> str:
	doc = frappe.parse_json(doc) if isinstance(doc, str) else doc
	if doc.get("doctype") == "Sales Invoice" and any(
		row.get("reference_dt") == "Care Billing Line" for row in doc.get("items") or []
	):
		return lines_busy_message()
	return _(
		"Nothing was saved: someone else is changing the same records right now. Wait a moment, then save again."
	)
