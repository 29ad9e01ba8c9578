# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import os

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today

from care_management.care_management.doctype.care_plan.care_plan import get_fhir_bundle
from care_management.tests.factories import (
	make_care_plan,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
)

CARE_MANAGER = "plan.cm@example.org"
DOCTOR = "plan.doctor@example.org"
OTHER_DOCTOR = "plan.other.doctor@example.org"
PHYSICIAN_SUPERVISOR = "plan.physician.supervisor@example.org"


def render_patient_print(name: str) -> str:
	"""The print as the desk renders it when the bench has built assets (print
	styles come from them); otherwise the print format's own Jinja, rendered as
	Frappe renders it."""
	if os.path.exists(frappe.get_site_path("..", "assets", "assets.json")):
		return frappe.get_print("Care Plan", name, print_format="Care Plan for Patients")
	print_format = frappe.get_doc("Print Format", "Care Plan for Patients")
	return frappe.render_template(print_format.html, {"doc": frappe.get_doc("Care Plan", name)})


class TestCarePlan(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(CARE_MANAGER, ["Care Manager"])
		make_user(DOCTOR, ["Physician"])
		make_user(OTHER_DOCTOR, ["Physician"])
		# A physician who may read every plan (as a supervisor) but supervises none.
		make_user(PHYSICIAN_SUPERVISOR, ["Physician", "Care Management Supervisor"])
		cls.practitioner = make_practitioner("Supervising", DOCTOR)
		cls.other_practitioner = make_practitioner("Bystander", OTHER_DOCTOR)
		# Kept: each test rolls back to here.
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		self.patient = make_patient("Planned", care_manager=CARE_MANAGER).name

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_seeded_templates_exist(self):
		for name in (
			"Type 2 Diabetes",
			"Hypertension",
			"Heart Failure",
			"COPD",
			"Chronic Kidney Disease",
			"Depression",
		):
			template = frappe.get_doc("Care Plan Template", name)
			self.assertTrue(template.goals and template.interventions and template.education_topics, name)

	def test_two_templates_fill_the_plan_without_duplicates(self):
		plan = make_care_plan(self.patient, self.practitioner)
		added = plan.apply_templates(["Type 2 Diabetes", "Hypertension"])
		plan.reload()
		goals = [g.goal for g in plan.goals]
		self.assertEqual(len(goals), len({g.casefold() for g in goals}))
		self.assertEqual(added["goals"], len(goals))
		self.assertEqual({c.icd10_code for c in plan.conditions}, {"E11.9", "I10"})
		self.assertEqual({t.template for t in plan.applied_templates}, {"Type 2 Diabetes", "Hypertension"})
		again = plan.apply_templates(["Hypertension"])
		self.assertEqual(again, {"conditions": 0, "goals": 0, "interventions": 0, "education_topics": 0})

	def test_unknown_template_is_refused_by_name(self):
		plan = make_care_plan(self.patient, self.practitioner)
		with self.assertRaises(frappe.ValidationError) as refused:
			plan.apply_templates(["No Such Template"])
		self.assertIn("No Such Template", str(refused.exception))

	def test_workflow_to_active_only_by_the_supervising_practitioner(self):
		make_enrollment(self.patient, self.practitioner)
		plan = make_care_plan(self.patient, self.practitioner)
		self.assertEqual(plan.status, "Draft")

		frappe.set_user(CARE_MANAGER)
		plan = apply_workflow(frappe.get_doc("Care Plan", plan.name), "Send for Review")
		self.assertEqual(plan.status, "Pending Practitioner Review")

		# Another practitioner cannot even open it (Healthcare's own user permission
		# on Healthcare Practitioner, and our has_permission).
		frappe.set_user(OTHER_DOCTOR)
		with self.assertRaises(frappe.PermissionError):
			apply_workflow(frappe.get_doc("Care Plan", plan.name), "Approve")

		# A physician who can read it but does not supervise it cannot approve.
		frappe.set_user(PHYSICIAN_SUPERVISOR)
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(frappe.get_doc("Care Plan", plan.name), "Approve")

		frappe.set_user(CARE_MANAGER)
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(frappe.get_doc("Care Plan", plan.name), "Approve")

		frappe.set_user(DOCTOR)
		plan = apply_workflow(frappe.get_doc("Care Plan", plan.name), "Approve")
		self.assertEqual(plan.status, "Active")

		frappe.set_user(CARE_MANAGER)
		plan = apply_workflow(frappe.get_doc("Care Plan", plan.name), "Revise")
		self.assertEqual(plan.status, "Draft")

	def test_changes_are_versioned_and_opening_is_logged(self):
		plan = make_care_plan(self.patient, self.practitioner)
		plan.what_matters_most = "Walking my granddaughter to school"
		plan.save(ignore_version=False)  # tests skip versions unless asked
		self.assertTrue(frappe.db.exists("Version", {"ref_doctype": "Care Plan", "docname": plan.name}))
		from frappe.desk.form.load import getdoc

		getdoc("Care Plan", plan.name)
		self.assertTrue(
			frappe.db.exists("View Log", {"reference_doctype": "Care Plan", "reference_name": plan.name})
		)

	def test_only_one_current_plan_per_patient(self):
		first = make_care_plan(self.patient, self.practitioner)
		with self.assertRaises(frappe.ValidationError) as refused:
			make_care_plan(self.patient, self.practitioner)
		self.assertIn(first.name, str(refused.exception))
		frappe.db.set_value("Care Plan", first.name, {"status": "Closed", "workflow_state": "Closed"})
		make_care_plan(self.patient, self.practitioner)

	def test_review_date_must_follow_start(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			make_care_plan(self.patient, self.practitioner, next_review_date=today())
		self.assertIn("Next Review Date", str(refused.exception))

	def test_goal_due_before_start_is_refused(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			make_care_plan(
				self.patient,
				self.practitioner,
				goals=[{"goal": "Walk daily", "due_date": add_days(today(), -1)}],
			)
		self.assertIn("Goals, row 1", str(refused.exception))

	def test_icd10_codes_are_normalised_and_checked(self):
		plan = make_care_plan(
			self.patient, self.practitioner, conditions=[{"condition_name": "Diabetes", "icd10_code": "e119"}]
		)
		self.assertEqual(plan.conditions[0].icd10_code, "E11.9")
		plan.append("conditions", {"condition_name": "Sugar", "icd10_code": "250.00"})
		with self.assertRaises(frappe.ValidationError) as refused:
			plan.save()
		self.assertIn("row 2", str(refused.exception))

	def test_a_condition_code_must_exist_in_the_code_set(self):
		name = make_care_plan(self.patient, self.practitioner).name
		for code in ("Z99.99", "I10.9"):
			plan = frappe.get_doc("Care Plan", name)
			plan.set("conditions", [{"condition_name": "Made up", "icd10_code": code}])
			with self.assertRaises(frappe.ValidationError) as refused:
				plan.save()
			self.assertIn("not in the ICD-10-CM code set", str(refused.exception))
			self.assertIn("Chronic Conditions, row 1", str(refused.exception))

	def test_a_category_is_refused_naming_its_billable_codes(self):
		plan = make_care_plan(self.patient, self.practitioner)
		plan.append("conditions", {"condition_name": "Diabetes", "icd10_code": "e11"})
		with self.assertRaises(frappe.ValidationError) as refused:
			plan.save()
		message = str(refused.exception)
		self.assertIn("not a billable ICD-10-CM code", message)
		self.assertIn("E11.8, E11.9, E11.A, E11.00, …", message)

	def test_a_code_in_the_message_is_escaped(self):
		plan = make_care_plan(self.patient, self.practitioner)
		plan.append("conditions", {"condition_name": "X", "icd10_code": "<b>E11"})
		with self.assertRaises(frappe.ValidationError) as refused:
			plan.save()
		self.assertNotIn("<B>", str(refused.exception))

	def test_an_unnamed_condition_takes_the_official_description(self):
		plan = make_care_plan(self.patient, self.practitioner, conditions=[{"icd10_code": "N18.30"}])
		self.assertEqual(plan.conditions[0].condition_name, "Chronic kidney disease, stage 3 unspecified")
		plan.append("conditions", {"condition_name": "", "icd10_code": ""})
		with self.assertRaises(frappe.ValidationError) as refused:
			plan.save()
		self.assertIn("Chronic Conditions, row 2", str(refused.exception))

	def test_a_code_stored_before_the_check_does_not_block_other_changes(self):
		plan = make_care_plan(
			self.patient,
			self.practitioner,
			conditions=[{"condition_name": "Diabetes", "icd10_code": "E11.9"}],
		)
		# As a site upgraded from the shape-only check may hold it.
		frappe.db.set_value("Care Plan Condition", plan.conditions[0].name, "icd10_code", "E11")
		plan.reload()
		plan.append("conditions", {"condition_name": "Hypertension", "icd10_code": "I10"})
		plan.save()
		self.assertEqual([c.icd10_code for c in plan.conditions], ["E11", "I10"])

	def test_caregiver_consent_needs_its_date(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			make_care_plan(
				self.patient,
				self.practitioner,
				caregivers=[{"caregiver_name": "Sam", "relationship": "Son", "consent_to_share": 1}],
			)
		self.assertIn("Caregivers, row 1", str(refused.exception))

	def test_patient_print_shows_goals_and_when_to_call_911(self):
		plan = make_care_plan(
			self.patient,
			self.practitioner,
			call_911_when="Chest pain or trouble breathing",
			what_matters_most="Gardening again",
		)
		plan.apply_templates(["Heart Failure"])
		html = render_patient_print(plan.name)
		self.assertIn("Chest pain or trouble breathing", html)
		self.assertIn("Gardening again", html)
		self.assertIn(frappe.get_doc("Care Plan", plan.name).goals[0].goal, html)

	def test_fhir_bundle_validates_and_carries_the_plan(self):
		from fhir.resources.R4B.bundle import Bundle

		plan = make_care_plan(self.patient, self.practitioner)
		plan.apply_templates(["Type 2 Diabetes"])
		bundle = get_fhir_bundle(plan.name)
		Bundle.model_validate(bundle)
		types = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
		self.assertEqual(types.count("CarePlan"), 1)
		self.assertEqual(types.count("Goal"), len(frappe.get_doc("Care Plan", plan.name).goals))
		self.assertIn("Condition", types)
		care_plan = next(
			e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
		)
		self.assertEqual((care_plan["status"], care_plan["intent"]), ("draft", "plan"))
