"""The patient portal on sites installed before it: the seeded instruments'
Spanish texts, and the screening-link email in the patient's language (when an
admin has not rewritten the template). Idempotent."""

import frappe

from care_management.setup.email_templates import SCREENING_LINK
from care_management.setup.seed import seed_instrument_translations

# The template as versions before the portal shipped it (English only).
SHIPPED_BEFORE = {
	"subject": "Questions from your care team",
	"response_html": """<p>Hello {{ patient_name }},</p>
<p>Your care team would like you to answer a few short questions about things that can affect your
health, such as food, housing and transportation. It takes about five minutes.</p>
<p><a href="{{ link }}">Answer the questions</a></p>
<p>The link works until {{ frappe.utils.formatdate(expires_on) }}. Your answers go only to your care team.
If you did not expect this message, you can ignore it.</p>""",
}


def execute():
	frappe.reload_doc("care_management", "doctype", "screening_question_translation")
	frappe.reload_doc("care_management", "doctype", "screening_instrument")
	seed_instrument_translations()
	name = SCREENING_LINK["name"]
	if frappe.db.exists("Email Template", name):
		current = frappe.db.get_value("Email Template", name, ["subject", "response_html"], as_dict=True)
		if (current.subject, (current.response_html or "").strip()) == (
			SHIPPED_BEFORE["subject"],
			SHIPPED_BEFORE["response_html"].strip(),
		):
			frappe.db.set_value(
				"Email Template",
				name,
				{"subject": SCREENING_LINK["subject"], "response_html": SCREENING_LINK["response_html"]},
			)
