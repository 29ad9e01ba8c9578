"""Creating an outreach log once, however often a client sends it.

A client (the desk form, a phone app, an integration) gives the log a
``request_id`` of its own when it first builds it and sends it again with every
retry. The first send saves the log; every later one returns that same log
instead of saving a second one, whose minutes would be billed twice. The check
and the write are serialised per performer (billing/performer_lock.py); the
unique index on request_id stands behind them.

``POST /api/resource/Outreach Log`` with a request_id already saved is refused
(HTTP 409, naming the first log); this method answers with the first log.
"""

from __future__ import annotations

import frappe
from frappe import _


@frappe.whitelist(methods=["POST"])
def create(doc: str | dict) -> dict:
	values = frappe.parse_json(doc)
	if not isinstance(values, dict):
		frappe.throw(_("doc must be an Outreach Log as a JSON object."), title=_("Invalid Outreach Log"))
	values["doctype"] = "Outreach Log"
	request_id = values.get("request_id")
	if request_id:
		first = already_saved(request_id)
		if first:
			return first
	log = frappe.get_doc(values)
	savepoint = "outreach_log_create"
	frappe.db.savepoint(savepoint)
	try:
		log.insert()
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		# The same request saved by another process between the look above and this insert.
		frappe.db.rollback(save_point=savepoint)
		frappe.clear_messages()
		first = already_saved(request_id) if request_id else None
		if not first:
			raise
		return first
	return log.as_dict()


def already_saved(request_id: str) -> dict | None:
	name = frappe.db.get_value("Outreach Log", {"request_id": request_id}, "name")
	if not name:
		return None
	log = frappe.get_doc("Outreach Log", name)
	log.check_permission("read")
	return log.as_dict()
