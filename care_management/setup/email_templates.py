"""Email templates the app uses, created once so admins can edit them."""

import frappe

OVERDUE_DIGEST = {
	"name": "Care Management Overdue Digest",
	"subject": "{{ patients|length }} overdue patient(s) in your caseload",
	"use_html": 1,
	"response_html": """<p>Hello {{ care_manager }},</p>
<p>These patients in your caseload are overdue for contact as of {{ frappe.utils.formatdate(as_of) }}:</p>
<table border="1" cellpadding="4" style="border-collapse: collapse">
<tr><th>Patient</th><th>Risk tier</th><th>Due</th><th>Days overdue</th><th>Programs</th></tr>
{% for p in patients %}<tr><td>{{ p.patient_name or p.patient }}</td><td>{{ p.risk_tier or "" }}</td>
<td>{{ frappe.utils.formatdate(p.next_due) }}</td><td>{{ p.days_overdue }}</td><td>{{ p.programs or "" }}</td></tr>
{% endfor %}</table>
<p>Open the Caseload Worklist in the Care Management workspace to start calling.</p>""",
}


def create_email_templates() -> None:
	if not frappe.db.exists("Email Template", OVERDUE_DIGEST["name"]):
		frappe.get_doc({"doctype": "Email Template", **OVERDUE_DIGEST}).insert(ignore_permissions=True)


def delete_email_templates() -> None:
	frappe.db.delete("Email Template", {"name": OVERDUE_DIGEST["name"]})
