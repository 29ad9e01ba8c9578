"""A report's Link columns, as the user running it may follow them.

Frappe checks each Link column of a script report's rows against the user's
permissions on the linked doctype (query_report.get_filtered_data), and refuses
the whole report with "No permission to read <doctype>" when the user may not
even select that doctype: a care manager and the Customer of a payer column, say,
or anyone without an accounting role and a Sales Invoice column. The value is
still theirs to see (the report's own rows are permission-checked); it is shown
as plain text, with no link to a record they could not open anyway.
"""

from __future__ import annotations

import frappe
from frappe.permissions import get_role_permissions


def may_follow(doctype: str, user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	perms = get_role_permissions(frappe.get_meta(doctype), user=user)
	return bool(perms.get("select") or perms.get("read"))


def links_the_user_may_follow(columns: list[dict], user: str | None = None) -> list[dict]:
	"""The columns, with a Link to a doctype the user may not read turned into Data."""
	followable = {}
	out = []
	for column in columns:
		doctype = column.get("options") if column.get("fieldtype") == "Link" else None
		if doctype and followable.setdefault(doctype, may_follow(doctype, user)) is False:
			column = {**column, "fieldtype": "Data", "options": None}
		out.append(column)
	return out
