"""A link to a record for a message, comment or notification, with its title escaped.

Frappe renders message text as HTML, and frappe.get_desk_link writes the record's
title into the link as it is stored: for a care plan, log, enrollment or coverage
that title is the patient's name, which arrives from a front desk, Data Import,
the REST API or a feed. desk_link escapes the name and title instead.
"""

from urllib.parse import quote

import frappe
from frappe import _
from frappe.utils import escape_html


def desk_link(doctype: str, name: str) -> str:
	title_field = frappe.get_meta(doctype).get_title_field()
	title = frappe.db.get_value(doctype, name, title_field) if title_field != "name" else name
	route = f"/app/{frappe.scrub(doctype).replace('_', '-')}/{quote(str(name), safe='')}"
	return (
		f'<a href="{escape_html(route)}" style="font-weight: bold;">'
		f"{escape_html(_(doctype))} {escape_html(str(title or name))}</a>"
	)
