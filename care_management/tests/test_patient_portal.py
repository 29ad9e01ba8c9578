"""The portal page My Care Plan: who sees what by every path (the page, the
print view, REST, frappe.client, lists), and the update flow (a patient's word
lands as a Patient Care Plan Update and a ToDo, shows on the worklist, and
reaches the plan only when the care manager accepts it).

Requests go through Frappe's whole application in another thread with its own
database connection (FrappeAPITestCase), so the records are committed and
deleted when the class is done.
"""

import json

import frappe
from frappe.tests.test_api import FrappeAPITestCase

from care_management.tests.factories import (
	activate_care_plan,
	link_patient_user,
	make_care_plan,
	make_patient,
	make_practitioner,
	make_user,
	make_website_user,
)
from care_management.tests.web_requests import api_headers as token_headers

CM = "portal.cm@example.org"
OTHER_CM = "portal.othercm@example.org"
PATIENT_A = "portal.alma@example.org"
PATIENT_B = "portal.bruno@example.org"
NO_PATIENT = "portal.nobody@example.org"
DRAFT_PATIENT = "portal.draft@example.org"
CLOSED_PATIENT = "portal.closed@example.org"
CAREGIVER = "portal.carlos@example.org"
PAGE = "/my-care-plan"
GOAL_A = "Walk 20 minutes after lunch"
GOAL_B = "Check blood sugar before breakfast"
MEDICINE_A = "Furosemide"


def forget_rate_limits() -> None:
	"""The requests here count against 127.0.0.1 like any other; later runs start afresh."""
	frappe.cache.delete_keys("rl:care_management.api.patient_portal.")


def plan_with_goals(patient: str, practitioner: str, goal: str, **fields):
	return make_care_plan(
		patient,
		practitioner,
		care_manager=CM,
		what_matters_most="Dancing at my niece's wedding",
		call_911_when="Chest pain that does not go away",
		clinic_phone="555-0142",
		goals=[{"goal": goal, "target": "5 days a week", "status": "In Progress", "patient_words": ""}],
		medications=[{"medication_name": MEDICINE_A, "dose": "40 mg", "how_to_take": "Every morning"}],
		**fields,
	)


class TestPatientPortal(FrappeAPITestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_user(CM, ["Care Manager"])
		make_user(OTHER_CM, ["Care Manager"])
		for user in (PATIENT_A, PATIENT_B, NO_PATIENT, DRAFT_PATIENT, CLOSED_PATIENT):
			make_website_user(user, ["Patient"])
		make_website_user(CAREGIVER)
		practitioner = make_practitioner("Portal Doctor")
		cls.patients = {}
		for user, first_name in (
			(PATIENT_A, "Alma"),
			(PATIENT_B, "Bruno"),
			(DRAFT_PATIENT, "Dora"),
			(CLOSED_PATIENT, "Cleo"),
		):
			patient = make_patient(first_name, last_name="Portaltest", care_manager=CM).name
			link_patient_user(patient, user)
			cls.patients[user] = patient
		# Bruno reads in Spanish: his user's language, and the one his care team
		# recorded, so his plan is written in Spanish.
		frappe.db.set_value("User", PATIENT_B, "language", "es")
		frappe.db.set_value("Patient", cls.patients[PATIENT_B], "language", "es")
		cls.plan_a = plan_with_goals(
			cls.patients[PATIENT_A],
			practitioner,
			GOAL_A,
			caregivers=[
				{
					"caregiver_name": "Carlos",
					"relationship": "Son",
					"consent_to_share": 1,
					"consent_date": frappe.utils.today(),
					"portal_user": CAREGIVER,
					"share_medicines": 0,
					"may_send_updates": 1,
				}
			],
		).name
		cls.plan_b = plan_with_goals(cls.patients[PATIENT_B], practitioner, GOAL_B).name
		cls.community_resource = (
			frappe.get_doc(
				{
					"doctype": "Community Resource",
					"resource_name": "Portal Pantry",
					"organization_name": "Eastside Food Bank",
					"status": "active",
					"phone": "555-0177",
					"address_1": "12 Elm Street",
					"city": "Springfield",
					"schedule": "Mon-Fri 9-5",
					"needs": [{"need_category": "Food"}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		cls.referral = (
			frappe.get_doc(
				{
					"doctype": "Resource Referral",
					"patient": cls.patients[PATIENT_A],
					"need_category": "Food",
					"resource": cls.community_resource,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		frappe.db.set_value("Resource Referral", cls.referral, {"status": "Sent", "workflow_state": "Sent"})
		cls.plan_draft = plan_with_goals(cls.patients[DRAFT_PATIENT], practitioner, "Draft goal").name
		cls.plan_closed = plan_with_goals(cls.patients[CLOSED_PATIENT], practitioner, "Closed goal").name
		for plan in (cls.plan_a, cls.plan_b):
			activate_care_plan(plan)
		frappe.db.set_value("Care Plan", cls.plan_closed, {"status": "Closed", "workflow_state": "Closed"})
		cls.goal_a = frappe.db.get_value("Care Plan Goal", {"parent": cls.plan_a}, "name")
		cls.goal_b = frappe.db.get_value("Care Plan Goal", {"parent": cls.plan_b}, "name")
		cls.goal_closed = frappe.db.get_value("Care Plan Goal", {"parent": cls.plan_closed}, "name")
		invitation = frappe.get_doc(
			{"doctype": "Screening Invitation", "patient": cls.patients[PATIENT_B], "instrument": "PHQ-2"}
		).insert(ignore_permissions=True)
		cls.invitation_b, cls.link_b = invitation.name, invitation.flags.link
		frappe.clear_messages()
		frappe.translate.clear_cache()
		cls.headers = {
			user: token_headers(user)
			for user in (PATIENT_A, PATIENT_B, NO_PATIENT, DRAFT_PATIENT, CLOSED_PATIENT, CAREGIVER)
		}
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		updates = frappe.get_all(
			"Patient Care Plan Update", {"patient": ("in", list(cls.patients.values()))}, pluck="name"
		)
		frappe.db.delete(
			"ToDo", {"reference_type": "Patient Care Plan Update", "reference_name": ("in", updates or [""])}
		)
		frappe.db.delete("Patient Care Plan Update", {"name": ("in", updates or [""])})
		frappe.db.delete("Screening Invitation", {"patient": ("in", list(cls.patients.values()))})
		forget_rate_limits()
		frappe.delete_doc("Resource Referral", cls.referral, force=True, ignore_permissions=True)
		frappe.delete_doc("Community Resource", cls.community_resource, force=True, ignore_permissions=True)
		for plan in (cls.plan_a, cls.plan_b, cls.plan_draft, cls.plan_closed):
			frappe.delete_doc("Care Plan", plan, force=True, ignore_permissions=True)
		for patient in cls.patients.values():
			frappe.delete_doc("Patient", patient, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def tearDown(self):
		frappe.set_user("Administrator")
		super().tearDown()

	def page(self, user: str | None, path: str = PAGE):
		return self.get(path, headers=self.headers[user] if user else {})

	def post_method(self, user: str, method: str, data: dict):
		return self.post(
			self.method(f"care_management.api.patient_portal.{method}"), data, headers=self.headers[user]
		)

	def new_updates(self, patient_user: str) -> list[dict]:
		return frappe.get_all(
			"Patient Care Plan Update", {"patient": self.patients[patient_user]}, pluck="name"
		)

	def sent(self, response) -> dict:
		"""The update a successful post made."""
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		frappe.db.rollback()  # a fresh snapshot sees what the request committed
		return frappe.get_doc("Patient Care Plan Update", response.json["message"]["name"])

	# --- reading -------------------------------------------------------------

	def test_patient_reads_their_own_active_plan(self):
		response = self.page(PATIENT_A)
		self.assertEqual(response.status_code, 200)
		html = response.get_data(as_text=True)
		for text in (
			GOAL_A,
			"Dancing at my niece",
			MEDICINE_A,
			"Chest pain that does not go away",
			"555-0142",
		):
			self.assertIn(text, html)
		self.assertNotIn(GOAL_B, html)
		self.assertIn("/printview?", html)
		for text in ("Portal Pantry", "555-0177", "12 Elm Street", "Mon-Fri 9-5"):  # the open referral
			self.assertIn(text, html)

	def test_nobody_else_sees_a_plan(self):
		for user in (None, NO_PATIENT, DRAFT_PATIENT, CLOSED_PATIENT):
			response = self.page(user)
			self.assertEqual(response.status_code, 403, user)
			html = response.get_data(as_text=True)
			self.assertNotIn("Draft goal", html)
			self.assertNotIn(GOAL_A, html)
			self.assertIn("/login", html, user)  # the standard page offers to sign in
		# Another patient naming A's plan gets the same refusal, not A's plan.
		response = self.page(PATIENT_B, f"{PAGE}?plan={self.plan_a}")
		self.assertEqual(response.status_code, 403)
		self.assertNotIn(GOAL_A, response.get_data(as_text=True))

	def test_the_plan_is_not_reachable_through_rest_client_or_lists(self):
		for user in (PATIENT_A, PATIENT_B, NO_PATIENT, CAREGIVER):
			response = self.get(self.resource("Care Plan", self.plan_a), headers=self.headers[user])
			self.assertEqual(response.status_code, 403, user)
			response = self.get(
				self.method("frappe.client.get"),
				{"doctype": "Care Plan", "name": self.plan_a},
				headers=self.headers[user],
			)
			self.assertEqual(response.status_code, 403, user)
			for doctype in (
				"Care Plan",
				"Patient Care Plan Update",
				"Screening Invitation",
				"Resource Referral",
			):
				response = self.get(self.resource(doctype), headers=self.headers[user])
				self.assertIn(response.status_code, (200, 403), (user, doctype))
				if response.status_code == 200:
					self.assertEqual(response.json["data"], [], (user, doctype))
			frappe.set_user(user)
			try:
				self.assertEqual(frappe.get_list("Care Plan", {"name": self.plan_a}), [], user)
			except frappe.PermissionError:
				pass  # no read right at all: refused outright
			self.assertFalse(frappe.has_permission("Care Plan", "read", self.plan_a), user)
			frappe.set_user("Administrator")

	def test_print_view_is_the_patients_own(self):
		query = f"/printview?doctype=Care%20Plan&name={self.plan_a}&format=Care%20Plan%20for%20Patients"
		response = self.page(PATIENT_A, query)
		self.assertEqual(response.status_code, 200)
		html = response.get_data(as_text=True)
		self.assertIn(GOAL_A, html)
		self.assertIn("My Care Plan", html)
		for user in (None, PATIENT_B, NO_PATIENT, CAREGIVER):
			response = self.page(user, query)
			self.assertNotEqual(response.status_code, 200, user)
			self.assertNotIn(GOAL_A, response.get_data(as_text=True), user)
		# Only the plan: an invitation's print would show its token hash.
		response = self.page(PATIENT_B, f"/printview?doctype=Screening%20Invitation&name={self.invitation_b}")
		self.assertNotEqual(response.status_code, 200)

	def test_a_consented_caregiver_sees_only_what_was_shared(self):
		response = self.page(CAREGIVER, "/shared-care-plans")
		self.assertEqual(response.status_code, 200)
		html = response.get_data(as_text=True)
		self.assertIn(GOAL_A, html)
		self.assertNotIn(MEDICINE_A, html)  # the medicines list was not shared
		self.assertNotIn("Portal Pantry", html)  # nor the referrals (off unless the patient asks)
		self.assertNotIn("/printview?", html)  # the whole document is the patient's
		self.assertIn("Care Plan Caregiver", frappe.get_roles(CAREGIVER))

	def test_consent_is_needed_before_a_caregiver_gets_portal_access(self):
		plan = frappe.get_doc("Care Plan", self.plan_b)
		plan.append("caregivers", {"caregiver_name": "Nina", "portal_user": CAREGIVER})
		with self.assertRaisesRegex(frappe.ValidationError, "consents to share"):
			plan.save()

	# --- sending -------------------------------------------------------------

	def test_goal_update_lands_for_review_and_changes_nothing_until_accepted(self):
		before = frappe.get_doc("Care Plan", self.plan_a).as_dict()
		note = "<b>Caminé</b> 20 minutos <script>alert(1)</script>casi todos los días"
		response = self.post_method(
			PATIENT_A, "post_goal_update", {"goal": self.goal_a, "progress": "On Track", "note": note}
		)
		update = self.sent(response)
		self.assertEqual(
			(update.update_type, update.progress, update.status, update.care_manager, update.submitted_as),
			("Goal Progress", "On Track", "New", CM, "Patient"),
		)
		self.assertEqual(update.note, "Caminé 20 minutos casi todos los días")
		self.assertTrue(
			frappe.db.exists(
				"ToDo",
				{
					"reference_type": "Patient Care Plan Update",
					"reference_name": update.name,
					"allocated_to": CM,
					"status": "Open",
				},
			)
		)
		after = frappe.get_doc("Care Plan", self.plan_a)
		self.assertEqual(after.modified, before.modified)
		self.assertFalse(after.goals[0].patient_progress)
		self.assertFalse(
			frappe.db.exists("Outreach Log", {"patient": self.patients[PATIENT_A]})
		)  # never time

		# The worklist shows it; accepting records it on the goal and closes the ToDo.
		from care_management.care_management.report.caseload_worklist.caseload_worklist import execute

		frappe.set_user(CM)
		_columns, rows, *_rest = execute({"care_manager": CM, "view": "Patient Updates"})
		row = next(r for r in rows if r.patient == self.patients[PATIENT_A])
		self.assertGreaterEqual(row.patient_updates, 1)
		# As the desk's form calls it: the document comes back as the browser holds it (dates as text).
		from_the_form = frappe.get_doc(
			json.loads(frappe.as_json(frappe.get_doc("Patient Care Plan Update", update.name)))
		)
		from_the_form.accept()
		goal = frappe.get_doc("Care Plan", self.plan_a).goals[0]
		self.assertEqual((goal.patient_progress, goal.patient_progress_note), ("On Track", update.note))
		self.assertFalse(
			frappe.db.exists(
				"ToDo",
				{
					"reference_type": "Patient Care Plan Update",
					"reference_name": update.name,
					"status": "Open",
				},
			)
		)
		with self.assertRaisesRegex(frappe.ValidationError, "already"):
			frappe.get_doc("Patient Care Plan Update", update.name).dismiss()
		# What the patient wrote stays as written, whatever a form or REST sends.
		edited = frappe.get_doc("Patient Care Plan Update", update.name)
		edited.note = "something else"
		with self.assertRaisesRegex(frappe.ValidationError, "cannot be changed"):
			edited.save()
		frappe.set_user("Administrator")
		frappe.db.commit()  # for the page, rendered on the request's own connection
		# The page now shows the accepted progress, escaped.
		html = self.page(PATIENT_A).get_data(as_text=True)
		self.assertIn("Caminé 20 minutos", html)
		self.assertNotIn("<script>alert", html)

	def test_another_care_manager_cannot_see_or_accept_the_update(self):
		update = self.sent(
			self.post_method(PATIENT_A, "post_message", {"message": "¿Puedo tomar la pastilla con comida?"})
		)
		frappe.set_user(OTHER_CM)
		self.assertNotIn(update.name, frappe.get_list("Patient Care Plan Update", pluck="name"))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("Patient Care Plan Update", update.name).accept()

	def test_a_message_is_stored_as_plain_text(self):
		response = self.post_method(
			PATIENT_A, "post_message", {"message": '<img src=x onerror="alert(1)">Hola'}
		)
		update = self.sent(response)
		self.assertEqual((update.update_type, update.note), ("Message", "Hola"))

	def test_goal_of_another_patient_is_refused(self):
		count = len(self.new_updates(PATIENT_B))
		response = self.post_method(PATIENT_A, "post_goal_update", {"goal": self.goal_b, "progress": "Done"})
		self.assertEqual(response.status_code, 403)
		self.assertIn("no active care plan of yours", response.get_data(as_text=True))
		self.assertEqual(len(self.new_updates(PATIENT_B)), count)
		# Naming another patient's plan for a message is refused the same way.
		response = self.post_method(PATIENT_A, "post_message", {"message": "hi", "care_plan": self.plan_b})
		self.assertEqual(response.status_code, 403)

	def test_closed_plan_and_users_without_a_plan_are_refused_clearly(self):
		response = self.post_method(
			CLOSED_PATIENT, "post_goal_update", {"goal": self.goal_closed, "progress": "Done"}
		)
		self.assertEqual(response.status_code, 417)
		self.assertIn("not active", response.get_data(as_text=True))
		for user in (NO_PATIENT, DRAFT_PATIENT):
			response = self.post_method(user, "post_message", {"message": "hello"})
			self.assertEqual(response.status_code, 403, user)
		response = self.post(self.method("care_management.api.patient_portal.post_message"), {"message": "x"})
		self.assertEqual(response.status_code, 403)

	def test_bad_input_is_refused_with_the_limit(self):
		from care_management.domain.patient_updates import NOTE_MAX_CHARS

		for data, expected in (
			({"goal": self.goal_a, "progress": "Great"}, "On track"),
			(
				{"goal": self.goal_a, "progress": "Done", "note": "x" * (NOTE_MAX_CHARS + 1)},
				str(NOTE_MAX_CHARS),
			),
		):
			response = self.post_method(PATIENT_A, "post_goal_update", data)
			self.assertEqual(response.status_code, 417)
			self.assertIn(expected, response.get_data(as_text=True))
		response = self.post_method(PATIENT_A, "post_message", {"message": "  <p></p> "})
		self.assertEqual(response.status_code, 417)

	def test_a_caregiver_sends_as_the_caregiver(self):
		response = self.post_method(
			CAREGIVER, "post_goal_update", {"goal": self.goal_a, "progress": "Struggling"}
		)
		update = self.sent(response)
		self.assertEqual((update.submitted_as, update.progress), ("Caregiver", "Struggling"))

	def test_requests_are_rate_limited(self):
		from care_management.api import patient_portal

		# Frappe's limiter counts per address; a full window is refused.
		forget_rate_limits()
		for _i in range(patient_portal.REQUESTS_PER_HOUR):
			frappe.cache.incrby(
				frappe.cache.make_key("rl:care_management.api.patient_portal.post_message:127.0.0.1"), 1
			)
		try:
			response = self.post_method(PATIENT_B, "post_message", {"message": "one too many"})
			self.assertEqual(response.status_code, 429)
		finally:
			forget_rate_limits()
		# And a user's day has a cap whatever their address.
		frappe.set_user(PATIENT_B)
		frappe.local.lang = "en"
		try:
			for _i in range(patient_portal.UPDATES_PER_USER_PER_DAY):
				patient_portal.post_message("ok")
			with self.assertRaises(frappe.RateLimitExceededError):
				patient_portal.post_message("one more")
		finally:
			frappe.set_user("Administrator")
			frappe.db.rollback()

	# --- screenings and Spanish ----------------------------------------------

	def test_the_page_follows_the_users_language(self):
		html = self.page(PATIENT_B).get_data(as_text=True)
		for spanish in (
			"Mi plan de cuidado",
			"Cuéntenos cómo le va",
			"Lo logré",
			"Llame al 911 de inmediato si",
		):
			self.assertIn(spanish, html)
		self.assertNotIn("Tell us how it's going", html)
		# The print view takes the request's language (a browser session's is the user's).
		query = (
			f"/printview?doctype=Care%20Plan&name={self.plan_b}&format=Care%20Plan%20for%20Patients&_lang=es"
		)
		printed = self.page(PATIENT_B, query).get_data(as_text=True)
		self.assertIn("Mis metas", printed)
		self.assertIn(GOAL_B, printed)

	def test_open_screenings_open_the_self_completion_form(self):
		html = self.page(PATIENT_B).get_data(as_text=True)
		self.assertIn("Cuestionarios por completar", html)
		self.assertIn(self.invitation_b, html)
		self.assertNotIn(self.invitation_b, self.page(PATIENT_A).get_data(as_text=True))
		response = self.post_method(PATIENT_A, "start_screening", {"invitation": self.invitation_b})
		self.assertEqual(response.status_code, 403)
		response = self.post_method(PATIENT_B, "start_screening", {"invitation": self.invitation_b})
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		link = response.json["message"]["link"]
		self.assertIn("/patient-screening/new?self_completion_token=", link)
		frappe.db.rollback()
		from care_management.api.self_screening import get_self_completion_form

		frappe.set_user("Guest")
		form = get_self_completion_form(link.split("self_completion_token=", 1)[1])
		first = form["questions"][0]
		self.assertTrue(first["text"].startswith("Durante las últimas 2 semanas"))
		self.assertEqual(first["labels"][0], "Ningún día")
		self.assertEqual(
			first["options"][0], "Not at all"
		)  # what is posted and scored stays the instrument's

	def test_the_screening_email_is_written_in_the_patients_language(self):
		invitation = frappe.get_doc("Screening Invitation", self.invitation_b)
		frappe.local.lang = "en"
		message = invitation.email_in_patients_language("https://example.org/x")
		self.assertEqual(message["subject"], "Preguntas de su equipo de cuidado")
		self.assertIn("Responder las preguntas", message["message"])
		self.assertEqual(frappe.local.lang, "en")  # the sender's desk stays in theirs
