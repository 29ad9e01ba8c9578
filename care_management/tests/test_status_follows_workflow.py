"""A care plan's or referral's meaning (Status) moves only through its workflow.

Saved through the API with a forged Status, by a user holding only Care
Manager (the patient in their caseload), only Care Management Supervisor, or
only Physician (the plan's supervising practitioner), in every state and by
every path a script or browser extension has (REST PUT /api/resource,
frappe.client.set_value, frappe.client.save as the desk form does, and
frappe.client.insert): the stored meaning does not move, the refusal names the
workflow action to use, and the month close bills what the workflow allows.
"""

import json

import frappe
import frappe.client
from frappe.api.v1 import update_doc
from frappe.model.workflow import apply_workflow, get_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_months

from care_management.billing.month_close import close_month
from care_management.care_management.doctype.resource_referral.test_resource_referral import make_resource
from care_management.tests.factories import (
	make_care_plan,
	make_coverage,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
)
from care_management.tests.site_setup import before_tests
from care_management.tests.test_admin_workflows import action as add_action
from care_management.tests.test_admin_workflows import state as add_state
from care_management.tests.test_billing_month import LAST_MONTH, log_minutes, price
from care_management.workflow_meaning import StatusFollowsWorkflowError, meanings

CM = "forge.cm@example.org"
SUPERVISOR = "forge.supervisor@example.org"
DOCTOR = "forge.doctor@example.org"
ROLES = {CM: "Care Manager", SUPERVISOR: "Care Management Supervisor", DOCTOR: "Physician"}


def rest_put(doctype: str, name: str, values: dict):
	"""PUT /api/resource/<doctype>/<name>: Frappe's own handler, reading the JSON body."""
	frappe.local.form_dict = frappe._dict(data=json.dumps(values))
	try:
		return update_doc(doctype, name)
	finally:
		frappe.local.form_dict = frappe._dict()


def client_set_value(doctype: str, name: str, values: dict):
	return frappe.client.set_value(doctype, name, values)


def client_save(doctype: str, name: str, values: dict):
	"""The desk form's save: the whole document as the browser holds it, edited."""
	doc = frappe.get_doc(doctype, name).as_dict()
	doc.update(values)
	return frappe.client.save(json.dumps(doc, default=str))


PATHS = {"REST PUT": rest_put, "frappe.client.set_value": client_set_value, "frappe.client.save": client_save}


def state_meanings(doctype: str) -> dict[str, str]:
	return {row.state: row.update_value for row in get_workflow(doctype).states}


def named_actions(doctype: str, state: str, wanted: str) -> tuple[list[str], str | None]:
	"""What a refusal must name, read from the workflow itself: an action out of
	``state`` that reaches ``wanted``; else any action out of it; else (None)
	that none leads out."""
	meaning = state_meanings(doctype)
	out = [t for t in get_workflow(doctype).transitions if t.state == state]
	leading = [t.action for t in out if meaning[t.next_state] == wanted]
	if leading:
		return leading, "reaching"
	if out:
		return [t.action for t in out], "out of the state"
	return [], None


class TestStatusFollowsWorkflow(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		for user, role in ROLES.items():
			make_user(user, [role])
		cls.practitioner = make_practitioner("Forge Doctor", DOCTOR)
		before_tests()  # company and price list in Settings, as a practice has them
		price("99490", 62.0)
		price("99439", 47.0)
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		for user, role in ROLES.items():  # each user holds only the role under test
			self.assertEqual(set(frappe.get_roles(user)) - {"All", "Guest", "Desk User"}, {role}, user)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.clear_cache(doctype="Care Plan")  # a test may reshape the (cached) workflow

	# --- records, as the workflow would have left them long ago

	def plan_in(self, state: str, patient: str | None = None, start=None) -> str:
		patient = patient or make_patient(f"Forge {state}", care_manager=CM).name
		plan = make_care_plan(
			patient,
			self.practitioner,
			start_date=start or frappe.utils.today(),
			conditions=[
				{"condition_name": "Diabetes", "icd10_code": "E11.9"},
				{"condition_name": "Hypertension", "icd10_code": "I10"},
			],
		)
		frappe.db.set_value(
			"Care Plan", plan.name, {"workflow_state": state, "status": state_meanings("Care Plan")[state]}
		)
		return plan.name

	def referral_in(self, state: str) -> str:
		patient = make_patient(f"Forge Referral {state}", care_manager=CM).name
		make_care_plan(patient, self.practitioner, needs=[{"need_category": "Food"}])
		referral = frappe.get_doc(
			{
				"doctype": "Resource Referral",
				"patient": patient,
				"need_category": "Food",
				"resource": make_resource(f"Forge Pantry {state}").name,
				"outcome": "Need Met" if state == "Completed" else None,
			}
		).insert()
		frappe.db.set_value(
			"Resource Referral",
			referral.name,
			{"workflow_state": state, "status": state_meanings("Resource Referral")[state]},
		)
		return referral.name

	def stored(self, doctype: str, name: str) -> tuple:
		return tuple(frappe.db.get_value(doctype, name, ["workflow_state", "status"]))

	def assert_forging_refused(self, doctype: str, records: dict[str, str], users) -> None:
		meaning = state_meanings(doctype)
		for state, name in records.items():
			for user in users:
				for path, save in PATHS.items():
					for forged in meanings(doctype):
						if forged == meaning[state]:
							continue
						with self.subTest(state=state, role=ROLES[user], path=path, forged=forged):
							frappe.set_user(user)
							with self.assertRaises(StatusFollowsWorkflowError) as refused:
								save(doctype, name, {"status": forged})
							frappe.set_user("Administrator")
							message = str(refused.exception)
							self.assertIn("<strong>Status</strong> cannot be set to", message)
							actions, kind = named_actions(doctype, state, forged)
							if kind:
								self.assertTrue(
									any(f"<strong>{action}</strong>" in message for action in actions),
									f"names none of {actions} ({kind}): {message}",
								)
							else:
								self.assertIn("leads out of", message)
							self.assertEqual(self.stored(doctype, name), (state, meaning[state]))

	# --- care plans

	def test_a_forged_care_plan_status_is_refused_in_every_state_for_every_role_and_path(self):
		plans = {state: self.plan_in(state) for state in state_meanings("Care Plan")}
		self.assert_forging_refused("Care Plan", plans, ROLES)

	def test_an_unapproved_plan_sent_as_active_is_told_to_send_it_for_review(self):
		plan = self.plan_in("Draft")
		frappe.set_user(CM)
		with self.assertRaises(StatusFollowsWorkflowError) as refused:
			rest_put("Care Plan", plan, {"status": "Active"})
		self.assertIn("<strong>Send for Review</strong>", str(refused.exception))

		frappe.set_user("Administrator")
		active = self.plan_in("Active")
		frappe.set_user(CM)
		with self.assertRaises(StatusFollowsWorkflowError) as refused:
			client_set_value("Care Plan", active, {"status": "Closed"})
		# The care manager cannot close a plan; the refusal says which action does.
		self.assertIn("<strong>Close</strong>", str(refused.exception))
		self.assertIn("not open to you", str(refused.exception))

	def test_a_new_plan_sent_with_a_status_is_refused(self):
		patient = make_patient("Forge New", care_manager=CM).name
		frappe.set_user(CM)
		doc = {
			"doctype": "Care Plan",
			"patient": patient,
			"supervising_practitioner": self.practitioner,
			"start_date": frappe.utils.today(),
			"next_review_date": frappe.utils.add_days(frappe.utils.today(), 90),
		}
		with self.assertRaises(StatusFollowsWorkflowError) as refused:
			frappe.client.insert(json.dumps({**doc, "status": "Active"}))
		self.assertIn("then use the workflow's actions", str(refused.exception))
		self.assertFalse(frappe.db.exists("Care Plan", {"patient": patient}))
		with self.assertRaises(StatusFollowsWorkflowError):
			frappe.client.insert(json.dumps({**doc, "status": "Active", "workflow_state": "Draft"}))
		plan = frappe.client.insert(json.dumps({**doc, "status": "Draft"}))
		self.assertEqual((plan["workflow_state"], plan["status"]), ("Draft", "Draft"))

	def test_the_workflow_still_moves_the_meaning_and_a_save_that_leaves_it_passes(self):
		patient = make_patient("Forge Walk", care_manager=CM).name
		frappe.set_user(CM)
		plan = make_care_plan(patient, self.practitioner).name

		def step(action: str, user: str):
			frappe.set_user(user)
			return apply_workflow(frappe.get_doc("Care Plan", plan), action)

		self.assertEqual(step("Send for Review", CM).status, "Pending Practitioner Review")
		self.assertEqual(step("Approve", DOCTOR).status, "Active")
		# A save that sends the status it found (the desk form does) is a plain save.
		frappe.set_user(CM)
		saved = rest_put("Care Plan", plan, {"status": "Active", "what_matters_most": "Walking my dog"})
		self.assertEqual((saved.status, saved.what_matters_most), ("Active", "Walking my dog"))
		client_save("Care Plan", plan, {"best_time_to_contact": "Mornings"})
		self.assertEqual(step("Put On Hold", CM).status, "On Hold")
		self.assertEqual(step("Close", SUPERVISOR).status, "Closed")
		frappe.set_user("Administrator")
		history = frappe.get_doc("Care Plan", plan).past_statuses
		self.assertEqual(
			[row.status for row in history], ["Draft", "Pending Practitioner Review", "Active", "On Hold"]
		)

	def test_a_stored_status_that_disagrees_is_corrected_by_the_next_save(self):
		plan = self.plan_in("Draft")
		frappe.db.set_value("Care Plan", plan, "status", "Active")  # as a forged save once left it
		frappe.set_user(CM)
		rest_put("Care Plan", plan, {"what_matters_most": "Seeing my grandchildren"})
		frappe.set_user("Administrator")
		self.assertEqual(self.stored("Care Plan", plan), ("Draft", "Draft"))

	def test_a_state_an_admin_added_is_judged_by_its_meaning(self):
		add_state("Pending Patient Agreement", "Warning")
		add_action("Patient Agrees")
		workflow = frappe.get_doc("Workflow", "Care Plan Approval")
		workflow.append(
			"states",
			{
				"state": "Pending Patient Agreement",
				"doc_status": "0",
				"allow_edit": "Care Manager",
				"update_field": "status",
				"update_value": "Pending Practitioner Review",
			},
		)
		workflow.append(
			"transitions",
			{
				"state": "Pending Patient Agreement",
				"action": "Patient Agrees",
				"next_state": "Active",
				"allowed": "Care Manager",
				"allow_self_approval": 1,
			},
		)
		workflow.save()
		frappe.clear_cache(doctype="Care Plan")
		plan = self.plan_in("Pending Patient Agreement")
		self.assertEqual(
			self.stored("Care Plan", plan), ("Pending Patient Agreement", "Pending Practitioner Review")
		)

		frappe.set_user(CM)
		with self.assertRaises(StatusFollowsWorkflowError) as refused:
			rest_put("Care Plan", plan, {"status": "Active"})
		self.assertIn("which means <strong>Pending Practitioner Review</strong>", str(refused.exception))
		self.assertIn("<strong>Patient Agrees</strong>", str(refused.exception))
		# Sending the state's own meaning back is a plain save.
		rest_put(
			"Care Plan", plan, {"status": "Pending Practitioner Review", "what_matters_most": "Gardening"}
		)
		self.assertEqual(apply_workflow(frappe.get_doc("Care Plan", plan), "Patient Agrees").status, "Active")

	def test_the_month_close_bills_what_the_workflow_allows(self):
		unapproved = self.billable_patient("Forge Unapproved", "Draft", day=3)
		approved = self.billable_patient("Forge Approved", "Active", day=5)

		frappe.set_user(CM)
		with self.assertRaises(StatusFollowsWorkflowError):
			rest_put("Care Plan", unapproved.plan, {"status": "Active"})
		for user, forged in ((SUPERVISOR, "Closed"), (DOCTOR, "Draft"), (CM, "On Hold")):
			frappe.set_user(user)
			with self.assertRaises(StatusFollowsWorkflowError):
				client_set_value("Care Plan", approved.plan, {"status": forged})
		frappe.set_user("Administrator")

		close_month(LAST_MONTH, self.practitioner, now=True)
		self.assertEqual(self.billed(unapproved.patient), {})
		self.assertEqual(self.billed(approved.patient), {"99490": 1})

	def billable_patient(self, name: str, state: str, day: int) -> frappe._dict:
		"""25 minutes last month in CCM, two chronic conditions, Medicare; the plan
		in ``state`` since before the month."""
		patient = make_patient(name, care_manager=CM).name
		make_coverage(patient)
		start = add_months(LAST_MONTH, -2)
		enrollment = make_enrollment(
			patient, self.practitioner, start_date=start, consent_date=start, care_manager=CM
		).name
		plan = self.plan_in(state, patient, start)
		log_minutes(patient, enrollment, 25, day=day)  # one performer: a day each
		return frappe._dict(patient=patient, plan=plan)

	def billed(self, patient: str) -> dict:
		name = frappe.db.get_value(
			"Care Billing Record", {"patient": patient, "month": LAST_MONTH, "program": "CCM"}
		)
		if not name:
			return {}
		record = frappe.get_doc("Care Billing Record", name)
		return {line.code: line.units for line in record.lines} if record.status == "Ready" else {}

	# --- referrals

	def test_a_forged_referral_status_is_refused_in_every_state_for_every_role_and_path(self):
		referrals = {state: self.referral_in(state) for state in state_meanings("Resource Referral")}
		self.assert_forging_refused("Resource Referral", referrals, (CM, SUPERVISOR))
		# Physicians read referrals but may not write them at all.
		for state, name in referrals.items():
			for path, save in PATHS.items():
				with self.subTest(state=state, role="Physician", path=path):
					frappe.set_user(DOCTOR)
					with self.assertRaises(frappe.PermissionError):
						save("Resource Referral", name, {"status": "Completed"})
					frappe.set_user("Administrator")
					self.assertEqual(self.stored("Resource Referral", name)[0], state)

	def test_a_completed_referrals_outcome_changes_only_through_the_workflow(self):
		referral = self.referral_in("Accepted")
		plan = frappe.db.get_value("Resource Referral", referral, "care_plan")
		frappe.set_user(CM)
		rest_put("Resource Referral", referral, {"outcome": "Need Met"})
		apply_workflow(frappe.get_doc("Resource Referral", referral), "Complete")
		self.assertEqual(self.need_status(plan), ["Met"])

		for user, save in ((CM, rest_put), (SUPERVISOR, client_set_value)):
			frappe.set_user(user)
			with self.assertRaises(frappe.ValidationError) as refused:
				save("Resource Referral", referral, {"outcome": "Need Not Met"})
			self.assertIn("Outcome cannot be changed once the referral is Completed", str(refused.exception))
			self.assertIn("leads out of", str(refused.exception))
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Resource Referral", referral, "outcome"), "Need Met")
		self.assertEqual(self.need_status(plan), ["Met"])

		# Notes stay editable after completion.
		frappe.set_user(CM)
		rest_put("Resource Referral", referral, {"notes": "Patient picked up two boxes."})

	def need_status(self, plan: str) -> list[str]:
		return [n.status for n in frappe.get_doc("Care Plan", plan).needs if n.need_category == "Food"]
