"""The desk's link-field search, with each result's description escaped.

Frappe's link field draws a result's description (the doctype's search fields, e.g. a
patient's name) into its dropdown as HTML. Names are typed by others (a front desk, Data
Import, a feed): a patient named `<img src=x onerror=…>` would run in the browser of
whoever types into a Patient field. The value and label are left as Frappe gives them
(the label becomes the field's shown title, written as text).
"""

import frappe
from frappe.desk.search import search_link as frappe_search_link
from frappe.utils import escape_html


@frappe.whitelist()
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters: str | dict | list | None = None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	results = frappe_search_link(
		doctype,
		txt,
		query=query,
		filters=filters,
		page_length=page_length,
		searchfield=searchfield,
		reference_doctype=reference_doctype,
		ignore_user_permissions=ignore_user_permissions,
	)
	for result in results:
		if result.get("description"):
			result["description"] = escape_html(result["description"])
	return results
