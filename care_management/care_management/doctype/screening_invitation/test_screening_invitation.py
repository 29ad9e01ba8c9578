# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import json
from urllib.parse import parse_qs, urlparse

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today
from frappe.website.doctype.web_form.web_form import accept

from care_management.api.self_screening import get_self_completion_form
from care_management.care_management.doctype.screening_invitation.screening_invitation import (
	expire_old_links,
)
from care_management.tests.factories import make_care_plan, make_patient, make_practitioner, make_user

ANSWERS = {
	"q1": ["I have a place to live today, but I am worried about losing it in the future"],
	"q2": ["Mold", "Water leaks"],
	"q3": ["Never true"], "q4": ["Never true"], "q5": ["No"], "q6": ["No"],
	"q7": ["Never"], "q8": ["Never"], "q9": ["Never"], "q10": ["Never"],
}  # fmt: skip


TEST_EMAIL_ACCOUNT = "Care Team Outgoing"


def make_outgoing_email_account():
	# Frappe skips the SMTP check while testing; nothing is sent while testing either.
	if frappe.db.exists("Email Account", TEST_EMAIL_ACCOUNT):
		return
	frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": TEST_EMAIL_ACCOUNT,
			"email_id": "care-team@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"no_smtp_authentication": 1,
		}
	).insert(ignore_permissions=True)


def invite(patient: str, **fields):
	doc = frappe.get_doc(
		{"doctype": "Screening Invitation", "patient": patient, "instrument": "AHC HRSN Core", **fields}
	).insert()
	token = parse_qs(urlparse(doc.flags.link).query)["self_completion_token"][0]
	return doc, token


def post_as_patient(token: str, answers: dict, **extra) -> dict:
	"""What the web form posts, through Frappe's own web form endpoint, as a guest."""
	user = frappe.session.user
	frappe.set_user("Guest")
	try:
		return accept(
			"patient-screening",
			json.dumps(
				{
					"doctype": "Needs Screening",
					"self_completion_token": token,
					"self_completion_answers": json.dumps(answers),
					**extra,
				}
			),
		)
	finally:
		frappe.set_user(user)


class TestScreeningInvitation(FrappeTestCase):
	def setUp(self):
		self.care_manager = make_user("invites@example.com", ["Care Manager"])
		self.patient = make_patient("Selfscreen", care_manager=self.care_manager).name
		self.plan = make_care_plan(self.patient, make_practitioner("Selfscreen Doctor")).name
		frappe.set_user(self.care_manager)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		# Saving an Email Account commits; take it away so the site sends nothing later.
		frappe.db.delete("Email Account", TEST_EMAIL_ACCOUNT)
		frappe.db.commit()
		# Frappe keeps the outgoing account found for the rest of the request.
		frappe.local.outgoing_email_account = {}

	def test_the_web_form_is_published_and_open_without_login(self):
		form = frappe.get_doc("Web Form", "patient-screening")
		self.assertEqual((form.published, form.login_required, form.doc_type), (1, 0, "Needs Screening"))
		self.assertEqual(
			[f.fieldname for f in form.web_form_fields],
			["self_completion_token", "questions_html", "self_completion_answers"],
		)

	def test_without_outgoing_email_the_link_is_shown_not_sent(self):
		# clear_messages, not `frappe.message_log = []`: that would replace Frappe's
		# request-local log with a plain list, and every later test's messages with it.
		frappe.clear_messages()
		invitation, token = invite(self.patient, email="patient@example.com")
		self.assertIsNone(frappe.db.get_value("Screening Invitation", invitation.name, "emailed_on"))
		self.assertFalse(frappe.db.exists("Email Queue", {"reference_name": invitation.name}))
		shown = " ".join(m.get("message", "") for m in frappe.get_message_log())
		self.assertIn(token, shown)
		self.assertIn("no outgoing Email Account", shown)

	def test_patient_answers_land_as_a_draft_for_the_care_manager(self):
		make_outgoing_email_account()
		invitation, token = invite(self.patient, email="patient@example.com")
		queued = frappe.get_doc(
			"Email Queue", {"reference_doctype": "Screening Invitation", "reference_name": invitation.name}
		)
		self.assertIn(token, queued.message)
		self.assertTrue(frappe.db.get_value("Screening Invitation", invitation.name, "emailed_on"))
		self.assertNotIn(token, frappe.db.get_value("Screening Invitation", invitation.name, "token_hash"))

		form = get_self_completion_form(token)
		self.assertEqual(form["patient_first_name"], "Selfscreen")
		self.assertEqual(len(form["questions"]), 10)
		self.assertNotIn("patient", form)

		other = make_patient("Someone Else").name
		posted = post_as_patient(token, ANSWERS, patient=other, docstatus=1)
		screening = frappe.get_doc("Needs Screening", posted.name)
		self.assertEqual(
			(screening.patient, screening.docstatus, screening.method, screening.screening_invitation),
			(self.patient, 0, "Patient Self-Completed", invitation.name),
		)
		self.assertEqual(screening.answers[1].answer, "Mold\nWater leaks")
		self.assertEqual(screening.positive_domains, "Living Situation\nHousing Quality")
		self.assertIsNone(screening.self_completion_token)
		self.assertEqual(
			frappe.db.get_value("Screening Invitation", invitation.name, ["status", "needs_screening"]),
			("Completed", screening.name),
		)
		self.assertTrue(
			frappe.db.exists(
				"ToDo",
				{"reference_name": screening.name, "allocated_to": self.care_manager, "status": "Open"},
			)
		)
		# Nothing reaches the plan until the care manager submits the reviewed draft.
		self.assertEqual(frappe.get_doc("Care Plan", self.plan).needs, [])
		screening.submit()
		self.assertEqual(
			sorted(n.need_category for n in frappe.get_doc("Care Plan", self.plan).needs), ["Housing"]
		)

	def test_a_link_works_once(self):
		_invitation, token = invite(self.patient)
		post_as_patient(token, ANSWERS)
		with self.assertRaises(frappe.PermissionError):
			post_as_patient(token, ANSWERS)
		with self.assertRaises(frappe.PermissionError):
			get_self_completion_form(token)

	def test_expired_cancelled_and_resent_links(self):
		invitation, token = invite(self.patient)
		frappe.db.set_value("Screening Invitation", invitation.name, "expires_on", add_days(today(), -1))
		with self.assertRaises(frappe.PermissionError):
			get_self_completion_form(token)
		expire_old_links()
		self.assertEqual(frappe.db.get_value("Screening Invitation", invitation.name, "status"), "Expired")

		invitation.reload()
		invitation.resend()
		fresh = parse_qs(urlparse(invitation.flags.link).query)["self_completion_token"][0]
		self.assertEqual(len(get_self_completion_form(fresh)["questions"]), 10)
		with self.assertRaises(frappe.PermissionError):
			get_self_completion_form(token)

		invitation.cancel_link()
		with self.assertRaises(frappe.PermissionError):
			get_self_completion_form(fresh)

	def test_a_made_up_token_or_unreadable_answers_are_refused(self):
		with self.assertRaises(frappe.PermissionError):
			get_self_completion_form("not-a-token")
		_invitation, token = invite(self.patient)
		with self.assertRaises(frappe.ValidationError):
			post_as_patient(token, ["not", "a", "mapping"])

	def test_refused_inputs_name_the_field(self):
		with self.assertRaisesRegex(frappe.ValidationError, "Link Expires On"):
			invite(self.patient, expires_on=add_days(today(), -2))
		with self.assertRaises(frappe.InvalidEmailAddressError):
			invite(self.patient, email="not an address")

	def test_another_care_managers_invitations_are_out_of_sight(self):
		invite(self.patient)
		frappe.set_user("Administrator")
		frappe.set_user(make_user("other-invites@example.com", ["Care Manager"]))
		self.assertEqual(frappe.get_list("Screening Invitation", filters={"patient": self.patient}), [])
