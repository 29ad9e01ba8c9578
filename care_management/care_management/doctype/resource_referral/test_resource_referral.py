# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, today

from care_management.care_management.doctype.community_resource.community_resource import find_resources
from care_management.tests.factories import make_care_plan, make_patient, make_practitioner


def make_resource(
	name: str, need: str = "Food", postal_codes: str = "", verified=None, status: str = "active"
):
	return frappe.get_doc(
		{
			"doctype": "Community Resource",
			"resource_name": name,
			"organization_name": f"{name} Org",
			"status": status,
			"needs": [{"need_category": need}],
			"service_area_postal_codes": postal_codes,
			"last_verified_on": verified,
		}
	).insert()


class TestResourceReferral(FrappeTestCase):
	def setUp(self):
		self.patient = make_patient("Referred").name
		self.plan = make_care_plan(
			self.patient, make_practitioner("Referral Doctor"), needs=[{"need_category": "Food"}]
		).name

	def tearDown(self):
		frappe.db.rollback()

	def referral(self, **fields):
		resource = make_resource("Pantry for referral")
		return frappe.get_doc(
			{
				"doctype": "Resource Referral",
				"patient": self.patient,
				"need_category": "Food",
				"resource": resource.name,
				**fields,
			}
		).insert()

	def need_status(self):
		return [n.status for n in frappe.get_doc("Care Plan", self.plan).needs if n.need_category == "Food"]

	def test_search_by_need_and_postal_code_recently_verified_first(self):
		old = make_resource("Old pantry", postal_codes="12345", verified=add_months(today(), -30))
		new = make_resource("New pantry", postal_codes="12345, 12346", verified=add_months(today(), -1))
		everywhere = make_resource("Statewide line", verified=add_months(today(), -2))
		elsewhere = make_resource("Far pantry", postal_codes="99999", verified=today())
		closed = make_resource("Closed pantry", postal_codes="12345", status="defunct")
		housing = make_resource("Shelter", need="Housing", postal_codes="12345")
		found = [r.name for r in find_resources("Food", postal_code="12345")]
		self.assertEqual(
			[n for n in found if n in {old.name, new.name, everywhere.name}],
			[new.name, old.name, everywhere.name],
		)
		for excluded in (elsewhere.name, closed.name, housing.name):
			self.assertNotIn(excluded, found)

	def test_closing_the_loop_updates_the_need(self):
		referral = self.referral()
		referral = apply_workflow(referral, "Send")
		self.assertEqual(self.need_status(), ["Referred"])
		referral = apply_workflow(frappe.get_doc("Resource Referral", referral.name), "Mark Accepted")
		doc = frappe.get_doc("Resource Referral", referral.name)
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(doc, "Complete")  # no outcome yet
		doc = frappe.get_doc("Resource Referral", referral.name)
		doc.outcome = "Need Met"
		doc.save()
		apply_workflow(frappe.get_doc("Resource Referral", referral.name), "Complete")
		self.assertEqual(self.need_status(), ["Met"])

	def test_a_declined_referral_reopens_the_need(self):
		referral = apply_workflow(self.referral(), "Send")
		apply_workflow(frappe.get_doc("Resource Referral", referral.name), "Mark Declined")
		self.assertEqual(self.need_status(), ["Open"])

	def test_a_live_referral_needs_consent_to_share(self):
		referral = self.referral(method="Live")
		with self.assertRaises(frappe.ValidationError) as refused:
			apply_workflow(referral, "Send")
		self.assertIn("consent to share", str(refused.exception))

	def test_follow_up_in_the_past_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			self.referral(follow_up_date=add_days(today(), -1))

	def test_fhir_service_request_and_task_validate(self):
		from fhir.resources.R4B.bundle import Bundle

		from care_management.care_management.doctype.resource_referral.resource_referral import (
			get_fhir_bundle,
		)

		referral = apply_workflow(self.referral(), "Send")
		bundle = get_fhir_bundle(referral.name)
		Bundle.model_validate(bundle)
		statuses = {
			e["resource"]["resourceType"]: e["resource"]["status"]
			for e in bundle["entry"]
			if e["resource"]["resourceType"] in ("ServiceRequest", "Task")
		}
		self.assertEqual(statuses, {"ServiceRequest": "active", "Task": "requested"})

	def test_report_counts_needs_referrals_and_closed_loop_rate(self):
		from care_management.care_management.report.social_needs_and_referrals.social_needs_and_referrals import (
			execute,
		)

		first = apply_workflow(self.referral(), "Send")
		second = apply_workflow(self.referral(), "Send")
		apply_workflow(frappe.get_doc("Resource Referral", second.name), "Mark Declined")
		_columns, rows = execute({"month": today()})
		mine = next(r for r in rows if r.care_manager == "Administrator")
		self.assertGreaterEqual(mine.referrals, 2)
		self.assertIn("Sent", mine.referrals_by_status)
		self.assertIn("Declined", mine.referrals_by_status)
		self.assertIsNotNone(first)
