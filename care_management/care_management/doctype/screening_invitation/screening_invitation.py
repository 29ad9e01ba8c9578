# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import hashlib
import secrets

import frappe
from frappe import _
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.model.document import Document
from frappe.utils import add_days, get_url, getdate, now_datetime, today, validate_email_address

LINK_VALID_DAYS = 14
EMAIL_TEMPLATE = "Care Management Screening Link"
WEB_FORM_ROUTE = "patient-screening"


def token_hash(token: str) -> str:
	# Only the hash is stored: a leaked database backup must not open patients' forms.
	return hashlib.sha256(token.encode()).hexdigest()


def link_for(token: str) -> str:
	return get_url(f"/{WEB_FORM_ROUTE}/new?self_completion_token={token}")


class ScreeningInvitation(Document):
	def validate(self):
		if self.is_new():
			self.status = "Sent"
			self.sent_by = frappe.session.user
		if not self.expires_on:
			self.expires_on = add_days(today(), LINK_VALID_DAYS)
		elif self.status == "Sent" and getdate(self.expires_on) < getdate(today()):
			frappe.throw(_("Link Expires On: choose today or a later date."), title=_("Link Already Expired"))
		if self.email:
			self.email = self.email.strip()
			validate_email_address(self.email, throw=True)
		if self.is_new() and frappe.db.get_value("Screening Instrument", self.instrument, "disabled"):
			frappe.throw(
				_("Screening Instrument: {0} is disabled; choose an instrument in use.").format(
					frappe.bold(frappe.utils.escape_html(self.instrument))
				)
			)

	def before_insert(self):
		self.issue_token()

	def after_insert(self):
		self.deliver()

	def issue_token(self) -> None:
		token = secrets.token_urlsafe(24)
		self.token_hash = token_hash(token)
		self.flags.link = link_for(token)

	def deliver(self) -> None:
		"""Email the link when there is an address and the site can send email;
		show it to the sender once either way (to read or text it to the patient)."""
		link = self.flags.link
		lines = [
			_("Link for {0} (valid until {1}):").format(
				frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient)),
				frappe.format(self.expires_on, "Date"),
			),
			f'<a href="{link}" target="_blank">{link}</a>',
		]
		if self.email and EmailAccount.find_outgoing():
			message = self.email_in_patients_language(link)
			frappe.sendmail(
				recipients=[self.email],
				subject=message["subject"],
				message=message["message"],
				reference_doctype=self.doctype,
				reference_name=self.name,
			)
			self.db_set("emailed_on", now_datetime())
			lines.append(_("Emailed to {0}.").format(frappe.utils.escape_html(self.email)))
		elif self.email:
			lines.append(
				_(
					"Not emailed: this site has no outgoing Email Account. Give the patient the link another way."
				)
			)
		frappe.msgprint("<br>".join(lines), title=_("Self-Completion Link"))

	def email_in_patients_language(self, link: str) -> dict:
		"""The template rendered in the patient's language (their care plan's, else
		the one recorded for them), not the sender's."""
		from care_management.patient_language import language_for_patient_messages

		template = frappe.get_doc("Email Template", EMAIL_TEMPLATE)
		sender_language = frappe.local.lang
		frappe.local.lang = language_for_patient_messages(self.patient) or sender_language
		try:
			return template.get_formatted_email(
				{"patient_name": self.patient_name, "link": link, "expires_on": self.expires_on}
			)
		finally:
			frappe.local.lang = sender_language

	@frappe.whitelist()
	def resend(self) -> None:
		"""A fresh link (the old one stops working) and a fresh expiry."""
		self.check_permission("write")
		if self.status not in ("Sent", "Expired"):
			frappe.throw(_("Only a link that is not yet completed or cancelled can be sent again."))
		self.issue_token()
		self.status = "Sent"
		self.expires_on = add_days(today(), LINK_VALID_DAYS)
		self.save()
		self.deliver()

	@frappe.whitelist()
	def cancel_link(self) -> None:
		self.check_permission("write")
		if self.status != "Sent":
			frappe.throw(_("Only a link that is still open can be cancelled."))
		self.status = "Cancelled"
		self.save()


def open_invitation(token: str | None, for_update: bool = False):
	"""The invitation a patient's link names, if it can still be used."""
	row = token and frappe.db.get_value(
		"Screening Invitation",
		{"token_hash": token_hash(token)},
		["name", "status", "expires_on", "patient", "instrument", "sent_by"],
		as_dict=True,
		for_update=for_update,
	)
	if not row or row.status != "Sent" or getdate(row.expires_on) < getdate(today()):
		frappe.throw(
			_("This screening link is no longer valid. Please ask your care team to send a new one."),
			frappe.PermissionError,
			title=_("Link Not Valid"),
		)
	return row


def mark_completed(invitation: str, needs_screening: str) -> None:
	frappe.db.set_value(
		"Screening Invitation",
		invitation,
		{"status": "Completed", "needs_screening": needs_screening, "completed_on": now_datetime()},
	)


def expire_old_links() -> None:
	"""Daily: links past their date show as Expired. One statement."""
	frappe.db.sql(
		"""update `tabScreening Invitation` set status = 'Expired', modified = now()
		where status = 'Sent' and expires_on < %s""",
		today(),
	)
