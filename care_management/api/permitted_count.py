"""`frappe.client.get_count`, but counting only what the user may read.

Frappe 15's get_count counts rows with no permission check at all, so a care
manager could learn how many care plans, logs or screenings exist for a
patient outside their caseload. hooks.py routes the REST method here: the count
goes through frappe.get_list, which applies role permissions, user permissions
and this app's row-level rule (permission_query_conditions) like every list.
"""

import frappe
from frappe.client import get_safe_filters


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug=False, cache=False) -> int:
	rows = frappe.get_list(
		doctype,
		filters=get_safe_filters(filters),
		fields=["count(*) as total"],
		as_list=True,
		limit_page_length=0,
		order_by=None,
	)
	return rows[0][0] if rows else 0
