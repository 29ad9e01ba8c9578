"""Email templates the app uses, created once so admins can edit them.

Frappe renders them without autoescaping: every stored value goes through |e,
since a patient's or care manager's name is typed by someone else and the mail is HTML."""

import frappe

OVERDUE_DIGEST = {
	"name": "Care Management Overdue Digest",
	"subject": "{{ patients|length }} overdue patient(s) in your caseload",
	"use_html": 1,
	"response_html": """<p>Hello {{ care_manager|e }},</p>
<p>These patients in your caseload are overdue for contact as of {{ frappe.utils.formatdate(as_of) }}:</p>
<table border="1" cellpadding="4" style="border-collapse: collapse">
<tr><th>Patient</th><th>Risk tier</th><th>Due</th><th>Days overdue</th><th>Programs</th></tr>
{% for p in patients %}<tr><td>{{ (p.patient_name or p.patient)|e }}</td><td>{{ (p.risk_tier or "")|e }}</td>
<td>{{ frappe.utils.formatdate(p.next_due) }}</td><td>{{ p.days_overdue }}</td><td>{{ (p.programs or "")|e }}</td></tr>
{% endfor %}</table>
<p>Open the Caseload Worklist in the Care Management workspace to start calling.</p>""",
}


# Rendered in the patient's language (screening_invitation.deliver): every
# sentence goes through _() and ships in translations/es.csv.
SCREENING_LINK = {
	"name": "Care Management Screening Link",
	"subject": '{{ _("Questions from your care team") }}',
	"use_html": 1,
	"response_html": """<p>{{ _("Hello {0},").format(patient_name|e) }}</p>
<p>{{ _("Your care team would like you to answer a few short questions about things that can affect your health, such as food, housing and transportation. It takes about five minutes.") }}</p>
<p><a href="{{ link }}">{{ _("Answer the questions") }}</a></p>
<p>{{ _("The link works until {0}. Your answers go only to your care team.").format(frappe.utils.formatdate(expires_on)) }}
{{ _("If you did not expect this message, you can ignore it.") }}</p>""",
}

TEMPLATES = (OVERDUE_DIGEST, SCREENING_LINK)


def create_email_templates() -> None:
	for template in TEMPLATES:
		if not frappe.db.exists("Email Template", template["name"]):
			frappe.get_doc({"doctype": "Email Template", **template}).insert(ignore_permissions=True)


def delete_email_templates() -> None:
	frappe.db.delete("Email Template", {"name": ("in", [t["name"] for t in TEMPLATES])})
