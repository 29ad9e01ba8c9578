"""Daily: one digest per care manager listing their overdue patients.

The text is the Email Template "Care Management Overdue Digest", which admins
edit in the desk; install code creates it once.
"""

import frappe
from frappe.utils import getdate, today

from care_management.care_management.report.caseload_worklist.caseload_worklist import worklist_rows

DIGEST_TEMPLATE = "Care Management Overdue Digest"


def care_managers() -> list[str]:
	return frappe.db.sql_list(
		"""
		select distinct u.name from `tabUser` u
		join `tabHas Role` r on r.parent = u.name and r.parenttype = 'User' and r.role = 'Care Manager'
		where u.enabled = 1 and (
			exists (select 1 from `tabPatient` p where p.care_manager = u.name)
			or exists (select 1 from `tabCare Program Enrollment` e where e.care_manager = u.name)
		)
		"""
	)


def send_overdue_digests() -> list[str]:
	"""Returns the care managers who were sent a digest."""
	if not frappe.db.exists("Email Template", DIGEST_TEMPLATE):
		return []
	template = frappe.get_doc("Email Template", DIGEST_TEMPLATE)
	as_of = getdate(today())
	sent = []
	for user in care_managers():
		overdue = [row for row in worklist_rows(user, as_of) if row.days_overdue > 0]
		if not overdue:
			continue
		context = {"care_manager": frappe.utils.get_fullname(user), "patients": overdue, "as_of": as_of}
		subject = frappe.render_template(template.subject, context)
		message = frappe.render_template(template.response_html or template.response, context)
		# A Notification Log shows in the desk's bell and is emailed as the
		# user's Notification Settings say, once the site can send email.
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"subject": subject,
				"email_content": message,
			}
		).insert(ignore_permissions=True)
		sent.append(user)
	return sent
