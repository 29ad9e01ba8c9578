"""The shipped email templates escape the names they carry (issue 31): a template
an admin has not changed since it shipped is replaced by the escaping one; one an
admin rewrote is left as it is. Idempotent."""

import frappe

from care_management.setup.email_templates import OVERDUE_DIGEST, SCREENING_LINK

# response_html as shipped before the names were escaped.
SHIPPED_BEFORE = {
	OVERDUE_DIGEST["name"]: """<p>Hello {{ care_manager }},</p>
<p>These patients in your caseload are overdue for contact as of {{ frappe.utils.formatdate(as_of) }}:</p>
<table border="1" cellpadding="4" style="border-collapse: collapse">
<tr><th>Patient</th><th>Risk tier</th><th>Due</th><th>Days overdue</th><th>Programs</th></tr>
{% for p in patients %}<tr><td>{{ p.patient_name or p.patient }}</td><td>{{ p.risk_tier or "" }}</td>
<td>{{ frappe.utils.formatdate(p.next_due) }}</td><td>{{ p.days_overdue }}</td><td>{{ p.programs or "" }}</td></tr>
{% endfor %}</table>
<p>Open the Caseload Worklist in the Care Management workspace to start calling.</p>""",
	SCREENING_LINK["name"]: """<p>{{ _("Hello {0},").format(patient_name) }}</p>
<p>{{ _("Your care team would like you to answer a few short questions about things that can affect your health, such as food, housing and transportation. It takes about five minutes.") }}</p>
<p><a href="{{ link }}">{{ _("Answer the questions") }}</a></p>
<p>{{ _("The link works until {0}. Your answers go only to your care team.").format(frappe.utils.formatdate(expires_on)) }}
{{ _("If you did not expect this message, you can ignore it.") }}</p>""",
}


def execute():
	for template in (OVERDUE_DIGEST, SCREENING_LINK):
		current = frappe.db.get_value("Email Template", template["name"], "response_html")
		if (current or "").strip() == SHIPPED_BEFORE[template["name"]].strip():
			frappe.db.set_value(
				"Email Template", template["name"], "response_html", template["response_html"]
			)
