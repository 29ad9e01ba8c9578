"""Which of the Care Management workspace's number cards a user is shown.

Frappe shows a number card to whoever may read its doctype. The cards below count
a caseload's worklist (due, overdue, near a threshold, ready to bill) or its
social-needs work (open referrals); a user who sees patients only as their
supervising practitioner (Physician alone) has no caseload, so these would always
read 0 for them and are left off their workspace. Their workspace keeps what they
do read: their own minutes, the red flags escalated to them, the billing of their
patients (charts: Dashboard Chart's own Roles table does the same)."""

import frappe

from care_management.permissions import scope_of

CASELOAD_CARDS = frozenset(
	{
		"Due Today",
		"Overdue Patients",
		"Under Threshold Month Ending",
		"Ready to Bill This Month",
		"Open Referrals",
	}
)


def number_card_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission hook on Number Card: may only refuse; Frappe's own rule decides the rest."""
	if doc.name not in CASELOAD_CARDS:
		return None
	return None if scope_of(user or frappe.session.user).works_caseloads else False
