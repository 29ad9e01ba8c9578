"""An admin reshapes the care plan and referral workflows through the Workflow
doctype alone, and billing, the worklist, FHIR and the referral loop keep
working, because they read what a state means, not its name."""

import frappe
from frappe.model.workflow import WorkflowTransitionError, apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_first_day, getdate, today

from care_management.billing.facts import MonthFacts
from care_management.care_management.doctype.care_plan.care_plan import get_fhir_bundle
from care_management.care_management.doctype.resource_referral.resource_referral import (
	get_fhir_bundle as referral_fhir,
)
from care_management.care_management.doctype.resource_referral.test_resource_referral import make_resource
from care_management.care_management.report.caseload_worklist.caseload_worklist import execute as worklist
from care_management.tests.factories import (
	make_care_plan,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
)

CM = "workflow.cm@example.org"
DOCTOR = "workflow.doctor@example.org"


def state(name: str, style: str = "") -> None:
	if not frappe.db.exists("Workflow State", name):
		frappe.get_doc({"doctype": "Workflow State", "workflow_state_name": name, "style": style}).insert()


def action(name: str) -> None:
	if not frappe.db.exists("Workflow Action Master", name):
		frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": name}).insert()


def care_plan_status(bundle: dict) -> str:
	return next(
		e["resource"]["status"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
	)


class TestAdminWorkflows(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_user(CM, ["Care Manager"])
		make_user(DOCTOR, ["Physician"])
		cls.practitioner = make_practitioner("Workflow Doctor", DOCTOR)
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		self.patient = make_patient("Workflow Patient", care_manager=CM).name
		make_enrollment(self.patient, self.practitioner, care_manager=CM)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		# The workflow is cached; the rollback undid the admin's changes.
		frappe.clear_cache(doctype="Care Plan")
		frappe.clear_cache(doctype="Resource Referral")

	def plan(self):
		frappe.set_user(CM)
		return make_care_plan(
			self.patient,
			self.practitioner,
			conditions=[{"condition_name": "Diabetes", "icd10_code": "E11.9"}],
		)

	def step(self, doc, action_name: str, user: str):
		frappe.set_user(user)
		return apply_workflow(frappe.get_doc(doc.doctype, doc.name), action_name)

	def test_an_added_agreement_step_before_active_counts_for_billing_worklist_and_fhir(self):
		state("Pending Patient Agreement", "Warning")
		action("Patient Agrees")
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
		for row in workflow.transitions:
			if row.action == "Approve":
				row.next_state = "Pending Patient Agreement"
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

		plan = self.plan()
		plan = self.step(plan, "Send for Review", CM)
		plan = self.step(plan, "Approve", DOCTOR)
		self.assertEqual(
			(plan.workflow_state, plan.status), ("Pending Patient Agreement", "Pending Practitioner Review")
		)
		self.assertEqual(care_plan_status(get_fhir_bundle(plan.name)), "draft")
		self.assertFalse(self.active_for_billing())

		plan = self.step(plan, "Patient Agrees", CM)
		self.assertEqual((plan.workflow_state, plan.status), ("Active", "Active"))
		self.assertTrue(self.active_for_billing())
		self.assertEqual(care_plan_status(get_fhir_bundle(plan.name)), "active")
		frappe.set_user(CM)
		rows = worklist({"care_manager": CM})[1]
		self.assertIn(self.patient, [row["patient"] for row in rows])

	def active_for_billing(self) -> bool:
		facts = MonthFacts([self.patient], get_first_day(getdate(today())))
		return bool((facts.plans.get(self.patient) or {}).get("active"))

	def test_a_state_without_a_meaning_is_refused_and_says_where_to_set_it(self):
		state("Waiting for Caregiver")
		workflow = frappe.get_doc("Workflow", "Care Plan Approval")
		workflow.append(
			"states", {"state": "Waiting for Caregiver", "doc_status": "0", "allow_edit": "Care Manager"}
		)
		with self.assertRaises(frappe.ValidationError) as refused:
			workflow.save()
		message = str(refused.exception)
		self.assertIn("Waiting for Caregiver", message)
		self.assertIn("Update Field", message)
		self.assertIn("Active", message)  # the meanings to choose from

	def test_a_renamed_state_keeps_its_meaning_and_a_removed_transition_is_gone(self):
		plan = self.plan()
		plan = self.step(plan, "Send for Review", CM)
		plan = self.step(plan, "Approve", DOCTOR)
		frappe.set_user("Administrator")
		frappe.rename_doc("Workflow State", "On Hold", "Paused by Patient", force=True)
		frappe.clear_cache(doctype="Care Plan")
		plan = self.step(plan, "Put On Hold", CM)
		self.assertEqual((plan.workflow_state, plan.status), ("Paused by Patient", "On Hold"))
		self.assertEqual(care_plan_status(get_fhir_bundle(plan.name)), "on-hold")
		self.assertFalse(self.active_for_billing() is None)

		frappe.set_user("Administrator")
		workflow = frappe.get_doc("Workflow", "Care Plan Approval")
		workflow.transitions = [t for t in workflow.transitions if t.action != "Revise"]
		workflow.save()
		frappe.clear_cache(doctype="Care Plan")
		with self.assertRaises(WorkflowTransitionError):
			self.step(plan, "Revise", CM)

	def test_a_waitlisted_step_closes_the_loop_on_the_need(self):
		state("Waitlisted", "Info")
		action("Waitlist")
		workflow = frappe.get_doc("Workflow", "Resource Referral")
		workflow.append(
			"states",
			{
				"state": "Waitlisted",
				"doc_status": "0",
				"allow_edit": "Care Manager",
				"update_field": "status",
				"update_value": "Accepted",
			},
		)
		for team in ("Care Manager", "Care Management Supervisor"):
			workflow.append(
				"transitions",
				{
					"state": "Sent",
					"action": "Waitlist",
					"next_state": "Waitlisted",
					"allowed": team,
					"allow_self_approval": 1,
				},
			)
			workflow.append(
				"transitions",
				{
					"state": "Waitlisted",
					"action": "Complete",
					"next_state": "Completed",
					"allowed": team,
					"allow_self_approval": 1,
				},
			)
		workflow.save()

		frappe.set_user(CM)
		plan = make_care_plan(self.patient, self.practitioner, needs=[{"need_category": "Food"}])
		frappe.set_user("Administrator")
		resource = make_resource("Waitlist pantry", postal_codes="12345").name
		frappe.set_user(CM)
		referral = frappe.get_doc(
			{
				"doctype": "Resource Referral",
				"patient": self.patient,
				"need_category": "Food",
				"resource": resource,
			}
		).insert()
		referral = self.step(referral, "Send", CM)
		referral = self.step(referral, "Waitlist", CM)
		self.assertEqual((referral.workflow_state, referral.status), ("Waitlisted", "Accepted"))
		self.assertEqual(self.need_status(plan.name), "Referred")
		task = next(
			e["resource"]
			for e in referral_fhir(referral.name)["entry"]
			if e["resource"]["resourceType"] == "Task"
		)
		self.assertEqual(task["status"], "accepted")
		doc = frappe.get_doc("Resource Referral", referral.name)
		doc.outcome = "Need Met"
		doc.save()
		referral = self.step(doc, "Complete", CM)
		self.assertEqual((referral.workflow_state, referral.status), ("Completed", "Completed"))
		self.assertEqual(self.need_status(plan.name), "Met")

	def need_status(self, plan: str) -> str:
		return frappe.db.get_value("Care Plan Need", {"parent": plan, "need_category": "Food"}, "status")
