"""Both FHIR exports on a real site: Export → FHIR Bundle of a care plan and
Export → FHIR of a referral give self-contained bundles that parse as FHIR R4B
and meet the US Core 6.1 / SDOH Clinical Care rules written down in
tests/us_core_checks.py; a user who may not read the record gets nothing."""

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase

from care_management.care_management.doctype.care_plan.care_plan import get_fhir_bundle
from care_management.care_management.doctype.resource_referral.resource_referral import (
	get_fhir_bundle as get_referral_bundle,
)
from care_management.care_management.doctype.resource_referral.test_resource_referral import make_resource
from care_management.tests import pure_checks
from care_management.tests.factories import make_care_plan, make_patient, make_practitioner, make_user

CARE_MANAGER = "fhir.cm@example.org"
OTHER_CARE_MANAGER = "fhir.other.cm@example.org"


checks = pure_checks.load("us_core_checks")


def resources(bundle, kind):
	return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def full_urls(bundle, kind):
	return [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


class TestFhirExports(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(CARE_MANAGER, ["Care Manager"])
		make_user(OTHER_CARE_MANAGER, ["Care Manager"])
		cls.practitioner = make_practitioner("Fhirexport")
		frappe.db.set_value("Healthcare Practitioner", cls.practitioner, "last_name", "Okafor")
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		self.patient = make_patient(
			"Rosa", last_name="Diaz", dob="1948-02-29", mobile="555-0142", care_manager=CARE_MANAGER
		).name

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def add_address(self):
		frappe.get_doc(
			{
				"doctype": "Address",
				"address_title": "Rosa Diaz",
				"address_type": "Billing",
				"address_line1": "12 Elm St",
				"city": "Springfield",
				"state": "IL",
				"pincode": "62704",
				"country": frappe.db.get_value("Country", {}, "name"),
				"links": [{"link_doctype": "Patient", "link_name": self.patient}],
			}
		).insert(ignore_permissions=True)

	def plan(self, **fields):
		plan = make_care_plan(
			self.patient,
			self.practitioner,
			needs=[{"need_category": "Transportation", "status": "Open"}],
			call_clinic_when="Sugar over 300",
			clinic_phone="555-0100",
			call_911_when="Chest pain <or> fainting",
			what_matters_most="Gardening & cooking for my family",
			**fields,
		)
		plan.apply_templates(["Type 2 Diabetes"])
		return frappe.get_doc("Care Plan", plan.name)

	def test_care_plan_bundle_meets_us_core_and_parses_as_r4b(self):
		from fhir.resources.R4B.bundle import Bundle

		self.add_address()
		plan = self.plan()
		bundle = get_fhir_bundle(plan.name)
		Bundle.model_validate(bundle)
		self.assertEqual(checks.problems(bundle), [])
		(care_plan,) = resources(bundle, "CarePlan")
		(patient,) = resources(bundle, "Patient")
		(practitioner,) = resources(bundle, "Practitioner")
		self.assertEqual(care_plan["subject"]["reference"], full_urls(bundle, "Patient")[0])
		self.assertEqual(care_plan["author"]["reference"], full_urls(bundle, "Practitioner")[0])
		self.assertEqual(len(resources(bundle, "Goal")), len(plan.goals))
		self.assertEqual(len(care_plan["activity"]), len(plan.interventions) + 2)  # + clinic and 911
		self.assertEqual(
			[c["code"].get("coding", [{}])[0].get("code") for c in resources(bundle, "Condition")],
			["E11.9", None],  # the diabetes template's condition, then the transportation need
		)
		self.assertEqual((patient["name"][0]["family"], patient["birthDate"]), ("Diaz", "1948-02-29"))
		self.assertEqual(patient["gender"], "female")
		self.assertEqual(patient["identifier"][0]["value"], self.patient)
		self.assertEqual(practitioner["name"][0]["family"], "Okafor")
		self.assertEqual(patient["address"][0]["city"], "Springfield")
		self.assertIn("Gardening &amp; cooking", care_plan["text"]["div"])
		self.assertIn("Chest pain &lt;or&gt; fainting", care_plan["text"]["div"])  # typed text, escaped once
		# The typed text first, then the lines the template's action plan defaults added.
		self.assertIn(
			"Call 911 right away if: Chest pain <or> fainting\nYou pass out",
			"".join(a["detail"]["description"] for a in care_plan["activity"]),
		)

	def test_a_plan_without_goals_or_conditions_still_carries_its_patient_and_practitioner(self):
		plan = make_care_plan(self.patient, self.practitioner)
		bundle = get_fhir_bundle(plan.name)
		self.assertEqual(checks.problems(bundle), [])
		self.assertEqual(
			[e["resource"]["resourceType"] for e in bundle["entry"]], ["CarePlan", "Patient", "Practitioner"]
		)

	def test_a_re_export_after_reordering_rows_keeps_the_resource_ids(self):
		plan = self.plan()
		before = {e["fullUrl"] for e in get_fhir_bundle(plan.name)["entry"]}
		plan.goals.reverse()
		for position, row in enumerate(plan.goals, 1):
			row.idx = position
		plan.save()
		self.assertEqual({e["fullUrl"] for e in get_fhir_bundle(plan.name)["entry"]}, before)

	def test_the_practitioner_npi_is_exported_from_the_practitioners_npi_field(self):
		plan = make_care_plan(self.patient, self.practitioner)
		frappe.db.set_value("Healthcare Practitioner", self.practitioner, "npi", "")
		(without,) = resources(get_fhir_bundle(plan.name), "Practitioner")
		self.assertNotIn("http://hl7.org/fhir/sid/us-npi", [i["system"] for i in without["identifier"]])
		frappe.db.set_value("Healthcare Practitioner", self.practitioner, "npi", "1234567893")
		(practitioner,) = resources(get_fhir_bundle(plan.name), "Practitioner")
		self.assertIn(
			{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}, practitioner["identifier"]
		)

	def test_an_export_of_a_plan_the_user_may_not_read_is_refused(self):
		plan = make_care_plan(self.patient, self.practitioner)
		frappe.set_user(CARE_MANAGER)
		self.assertTrue(get_fhir_bundle(plan.name)["entry"])
		frappe.set_user(OTHER_CARE_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			get_fhir_bundle(plan.name)

	def referral(self, need="Food"):
		resource = make_resource("FHIR pantry", need=need)
		frappe.db.set_value(
			"Community Resource",
			resource.name,
			{
				"hsds_organization_id": "5a0c7e8e-3c41-4b0e-9d6f-2f1d3c4b5a69",
				"phone": "555-0177",
				"city": "Springfield",
				"postal_code": "62701",
			},
		)
		referral = frappe.get_doc(
			{
				"doctype": "Resource Referral",
				"patient": self.patient,
				"need_category": need,
				"resource": resource.name,
			}
		).insert()
		return apply_workflow(referral, "Send")

	def test_referral_bundle_meets_the_sdoh_clinical_care_shape_and_parses_as_r4b(self):
		from fhir.resources.R4B.bundle import Bundle

		plan = self.plan()
		referral = self.referral()
		bundle = get_referral_bundle(referral.name)
		Bundle.model_validate(bundle)
		self.assertEqual(checks.problems(bundle), [])
		(request,) = resources(bundle, "ServiceRequest")
		(task,) = resources(bundle, "Task")
		organizations = {o["name"]: url for o, url in zip(resources(bundle, "Organization"), full_urls(bundle, "Organization"), strict=True)}  # fmt: skip
		self.assertEqual((request["status"], task["status"]), ("active", "requested"))
		self.assertEqual(task["focus"]["reference"], full_urls(bundle, "ServiceRequest")[0])
		self.assertEqual(task["owner"]["reference"], organizations["FHIR pantry Org"])
		# A pantry: the SDOHCC IG's own code for food pantry assistance, the service's name beside it.
		self.assertEqual(
			request["code"],
			{
				"coding": [
					{
						"system": "http://snomed.info/sct",
						"code": "467771000124109",
						"display": "Assistance with application for food pantry program",
					}
				],
				"text": "FHIR pantry",
			},
		)
		self.assertIn(
			"http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest",
			request["meta"]["profile"],
		)
		self.assertEqual([c["coding"][0]["code"] for c in request["category"]], ["sdoh", "food-insecurity"])
		company = frappe.db.get_value(
			"Company", frappe.defaults.get_user_default("Company") or {}, "company_name"
		)
		self.assertEqual(task["requester"]["reference"], organizations[company])

		# The need the referral answers is the very Condition the care plan's export
		# carries (the Food need the referral added to the plan), and the patient too.
		plan_bundle = get_fhir_bundle(plan.name)
		need_urls = {
			url
			for condition, url in zip(resources(plan_bundle, "Condition"), full_urls(plan_bundle, "Condition"), strict=True)
			if condition["code"].get("text") == "Food"
		}  # fmt: skip
		self.assertEqual({request["reasonReference"][0]["reference"]}, need_urls)
		self.assertEqual(full_urls(plan_bundle, "Patient"), full_urls(bundle, "Patient"))

	def test_a_declined_referral_says_why_on_its_task(self):
		self.plan()
		referral = apply_workflow(frappe.get_doc("Resource Referral", self.referral().name), "Mark Declined")
		bundle = get_referral_bundle(referral.name)
		self.assertEqual(checks.problems(bundle), [])
		(task,) = resources(bundle, "Task")
		self.assertEqual((task["status"], task["statusReason"]["text"]), ("rejected", "Declined"))

	def test_the_code_follows_the_resources_service_from_its_taxonomy(self):
		self.plan()
		referral = self.referral()
		resource = frappe.get_doc("Community Resource", referral.resource)
		resource.resource_name = "Eastside Kitchen"
		resource.needs[0].taxonomy_code = "BD-5000.1500"
		resource.needs[0].taxonomy_name = "Home Delivered Meals"
		resource.save()
		(request,) = resources(get_referral_bundle(referral.name), "ServiceRequest")
		self.assertEqual(
			(request["code"]["coding"][0]["code"], request["code"]["text"]), ("710925007", "Eastside Kitchen")
		)
		resource.needs[0].taxonomy_code = "BD-1800.2000"
		resource.needs[0].taxonomy_name = "Food Pantries"
		resource.save()
		(request,) = resources(get_referral_bundle(referral.name), "ServiceRequest")
		self.assertEqual(request["code"]["coding"][0]["code"], "467771000124109")

	def test_each_workflow_state_maps_to_the_task_status_and_a_closed_loop_says_what_was_done(self):
		self.plan()
		referral = self.referral()
		seen = []
		for action in ("Mark Accepted", "Complete"):
			doc = frappe.get_doc("Resource Referral", referral.name)
			if action == "Complete":
				doc.outcome = "Need Met"
				doc.save()
			referral = apply_workflow(frappe.get_doc("Resource Referral", referral.name), action)
			bundle = get_referral_bundle(referral.name)
			self.assertEqual(checks.problems(bundle), [])
			(request,) = resources(bundle, "ServiceRequest")
			(task,) = resources(bundle, "Task")
			seen.append((referral.status, request["status"], task["status"]))
		self.assertEqual(seen, [("Accepted", "active", "accepted"), ("Completed", "completed", "completed")])
		outputs = {o["type"].get("text") or o["type"]["coding"][0]["code"]: o for o in task["output"]}
		self.assertEqual(outputs["Outcome"]["valueString"], "Need Met")
		self.assertEqual(
			outputs["resulting-activity"]["valueCodeableConcept"]["coding"], request["code"]["coding"]
		)

	def test_a_referral_without_a_care_plan_need_still_carries_its_condition(self):
		referral = self.referral(need="Legal")  # no care plan for this patient
		bundle = get_referral_bundle(referral.name)
		self.assertEqual(checks.problems(bundle), [])
		(condition,) = resources(bundle, "Condition")
		self.assertEqual(condition["category"][2]["coding"][0]["code"], "sdoh-category-unspecified")
		# A legal service is a referral to a community resource network program, still coded.
		(request,) = resources(bundle, "ServiceRequest")
		self.assertEqual(request["code"]["coding"][0]["code"], "464161000124109")

	def test_an_export_of_a_referral_the_user_may_not_read_is_refused(self):
		referral = self.referral()
		frappe.set_user(OTHER_CARE_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			get_referral_bundle(referral.name)

	def test_the_practice_carries_its_npi_and_address_and_conditions_their_recorded_date(self):
		company = frappe.defaults.get_user_default("Company") or frappe.db.get_value("Company", {}, "name")
		address = frappe.get_doc(
			{
				"doctype": "Address",
				"address_title": "Practice",
				"address_type": "Billing",
				"address_line1": "800 E Carpenter St",
				"city": "Springfield",
				"state": "IL",
				"pincode": "62769",
				"country": frappe.db.get_value("Country", {}, "name"),
				"links": [{"link_doctype": "Company", "link_name": company}],
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Company", company, {"npi": "1234567893", "billing_address": address.name})
		plan = self.plan()
		# A row recorded before rows were dated (as the demo's are) is dated from the plan's start.
		undated = plan.conditions[0]
		frappe.db.set_value("Care Plan Condition", undated.name, "added_on", None)
		bundle = get_fhir_bundle(plan.name)
		self.assertEqual(checks.problems(bundle), [])
		recorded = {c["code"]["text"]: c.get("recordedDate") for c in resources(bundle, "Condition")}
		self.assertEqual(recorded[undated.condition_name], str(plan.start_date))
		self.assertTrue(all(recorded.values()), recorded)

		referral_bundle = get_referral_bundle(self.referral().name)
		self.assertEqual(checks.problems(referral_bundle), [])
		name = frappe.db.get_value("Company", company, "company_name")
		(practice,) = [o for o in resources(referral_bundle, "Organization") if o["name"] == name]
		self.assertIn(
			{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}, practice["identifier"]
		)
		self.assertEqual(
			(practice["address"][0]["line"], practice["address"][0]["postalCode"]),
			(["800 E Carpenter St"], "62769"),
		)
