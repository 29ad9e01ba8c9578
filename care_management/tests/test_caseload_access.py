"""Two care managers with disjoint caseloads, and a practitioner: who sees what
by every path (list, get_doc, REST, link search, report view, export)."""

import json

import frappe
from frappe.tests.test_api import FrappeAPITestCase
from frappe.utils import get_url

from care_management.tests.factories import (
	make_care_plan,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
)
from care_management.tests.web_requests import api_headers

CM_A = "caseload.a@example.org"
CM_B = "caseload.b@example.org"
DOCTOR = "caseload.doctor@example.org"
SUPERVISOR = "caseload.supervisor@example.org"


class TestCaseloadAccess(FrappeAPITestCase):
	"""The REST checks run in another thread with its own database connection,
	so this class commits its records and deletes them when it is done."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_user(CM_A, ["Care Manager"])
		make_user(CM_B, ["Care Manager"])
		make_user(DOCTOR, ["Physician"])
		make_user(SUPERVISOR, ["Care Management Supervisor"])
		cls.practitioner = make_practitioner("Caseload Doctor", DOCTOR)
		cls.other_practitioner = make_practitioner("Other Doctor")
		cls.patient_a = make_patient("Alpha", care_manager=CM_A).name
		cls.patient_b = make_patient("Bravo", care_manager=CM_B).name
		# B's second patient reaches the caseload through an enrollment only.
		cls.patient_b2 = make_patient("Bravo Two").name
		cls.enrollment_a = make_enrollment(cls.patient_a, cls.practitioner).name
		cls.enrollment_b2 = make_enrollment(cls.patient_b2, cls.other_practitioner, care_manager=CM_B).name
		cls.plan_a = make_care_plan(cls.patient_a, cls.practitioner).name
		cls.plan_b = make_care_plan(cls.patient_b, cls.other_practitioner).name
		cls.screening_a = (
			frappe.get_doc(
				{
					"doctype": "Needs Screening",
					"patient": cls.patient_a,
					"instrument": "PHQ-2",
					"answers": [
						{"question_key": "q1", "answer": "Not at all"},
						{"question_key": "q2", "answer": "Not at all"},
					],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		resource = frappe.get_doc(
			{
				"doctype": "Community Resource",
				"resource_name": "Caseload pantry",
				"organization_name": "Org",
				"needs": [{"need_category": "Food"}],
			}
		).insert(ignore_permissions=True)
		cls.community_resource = resource.name
		cls.referral_a = (
			frappe.get_doc(
				{
					"doctype": "Resource Referral",
					"patient": cls.patient_a,
					"need_category": "Food",
					"resource": resource.name,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		cls.headers_b = api_headers(CM_B)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		for doctype, name in (
			("Needs Screening", cls.screening_a),
			("Resource Referral", cls.referral_a),
			("Community Resource", cls.community_resource),
			("Care Plan", cls.plan_a),
			("Care Plan", cls.plan_b),
			("Care Program Enrollment", cls.enrollment_a),
			("Care Program Enrollment", cls.enrollment_b2),
			("Patient", cls.patient_a),
			("Patient", cls.patient_b),
			("Patient", cls.patient_b2),
		):
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_list_shows_only_own_caseload(self):
		frappe.set_user(CM_B)
		self.assertEqual(
			set(frappe.get_list("Care Plan", pluck="name")) & {self.plan_a, self.plan_b}, {self.plan_b}
		)
		enrollments = set(frappe.get_list("Care Program Enrollment", pluck="name"))
		self.assertIn(self.enrollment_b2, enrollments)
		self.assertNotIn(self.enrollment_a, enrollments)
		patients = set(frappe.get_list("Patient", pluck="name"))
		self.assertEqual(
			patients & {self.patient_a, self.patient_b, self.patient_b2}, {self.patient_b, self.patient_b2}
		)
		frappe.set_user(CM_A)
		self.assertEqual(
			set(frappe.get_list("Care Plan", pluck="name")) & {self.plan_a, self.plan_b}, {self.plan_a}
		)

	def test_get_doc_of_another_caseload_is_refused(self):
		frappe.set_user(CM_B)
		for doctype, name in (
			("Care Plan", self.plan_a),
			("Care Program Enrollment", self.enrollment_a),
			("Patient", self.patient_a),
		):
			with self.assertRaises(frappe.PermissionError, msg=doctype):
				frappe.get_doc(doctype, name).check_permission("read")
		frappe.get_doc("Care Plan", self.plan_b).check_permission("read")

	def test_cannot_create_records_for_another_caseload(self):
		frappe.set_user(CM_B)
		plan = frappe.get_doc(
			{
				"doctype": "Care Plan",
				"patient": self.patient_a,
				"supervising_practitioner": self.practitioner,
				"start_date": "2026-01-01",
				"next_review_date": "2026-04-01",
			}
		)
		with self.assertRaises(frappe.PermissionError):
			plan.insert()

	def test_rest_api_refuses_another_caseload(self):
		response = self.get(self.resource("Care Plan", self.plan_a), headers=self.headers_b)
		self.assertEqual(response.status_code, 403)
		response = self.get(self.resource("Care Plan", self.plan_b), headers=self.headers_b)
		self.assertEqual(response.status_code, 200)
		response = self.get(
			self.resource("Care Plan"), {"limit_page_length": 0, "fields": '["name"]'}, headers=self.headers_b
		)
		names = {row["name"] for row in response.json["data"]}
		self.assertIn(self.plan_b, names)
		self.assertNotIn(self.plan_a, names)

	def test_counting_over_rest_sees_only_own_caseload(self):
		for doctype, theirs, mine in (
			("Care Plan", self.patient_a, self.patient_b),
			("Care Program Enrollment", self.patient_a, self.patient_b2),
			("Needs Screening", self.patient_a, None),
			("Resource Referral", self.patient_a, None),
		):
			response = self.get(
				self.method("frappe.client.get_count"),
				{"doctype": doctype, "filters": json.dumps({"patient": theirs})},
				headers=self.headers_b,
			)
			self.assertEqual(response.status_code, 200, response.text)
			self.assertEqual(response.json["message"], 0, doctype)
			if mine:
				response = self.get(
					self.method("frappe.client.get_count"),
					{"doctype": doctype, "filters": json.dumps({"patient": mine})},
					headers=self.headers_b,
				)
				self.assertEqual(response.json["message"], 1, doctype)
		# The supervisor counts everyone's, as before.
		frappe.set_user(SUPERVISOR)
		from care_management.api.permitted_count import get_count

		self.assertEqual(get_count("Care Plan", {"patient": self.patient_a}), 1)

	def test_link_search_hides_another_caseload(self):
		from frappe.desk.search import search_link

		frappe.set_user(CM_B)
		for doctype, mine, theirs in (
			("Care Plan", self.plan_b, self.plan_a),
			("Patient", self.patient_b, self.patient_a),
		):
			found = {row["value"] for row in search_link(doctype, "", page_length=1000)}
			self.assertIn(mine, found, doctype)
			self.assertNotIn(theirs, found, doctype)

	def test_report_view_and_export_hide_another_caseload(self):
		from frappe.desk.reportview import execute

		frappe.set_user(CM_B)
		rows = execute("Care Plan", fields=["`tabCare Plan`.name"], limit_page_length=0, as_list=True)
		names = {row[0] for row in rows}
		self.assertIn(self.plan_b, names)
		self.assertNotIn(self.plan_a, names)

	def test_practitioner_sees_plans_they_supervise_only(self):
		frappe.set_user(DOCTOR)
		names = set(frappe.get_list("Care Plan", pluck="name"))
		self.assertIn(self.plan_a, names)
		self.assertNotIn(self.plan_b, names)

	def test_supervisor_sees_everyone(self):
		frappe.set_user(SUPERVISOR)
		names = set(frappe.get_list("Care Plan", pluck="name"))
		self.assertTrue({self.plan_a, self.plan_b} <= names)

	def test_care_manager_cannot_prescribe(self):
		frappe.set_user(CM_A)
		for doctype in ("Medication Request", "Patient Encounter"):
			for ptype in ("create", "write"):
				self.assertFalse(frappe.has_permission(doctype, ptype), f"{ptype} {doctype}")

	def test_screenings_and_referrals_follow_the_caseload(self):
		frappe.set_user(CM_B)
		self.assertNotIn(self.screening_a, frappe.get_list("Needs Screening", pluck="name"))
		self.assertNotIn(self.referral_a, frappe.get_list("Resource Referral", pluck="name"))
		for doctype, name in (("Needs Screening", self.screening_a), ("Resource Referral", self.referral_a)):
			with self.assertRaises(frappe.PermissionError, msg=doctype):
				frappe.get_doc(doctype, name).check_permission("read")
		frappe.set_user(CM_A)
		self.assertIn(self.screening_a, frappe.get_list("Needs Screening", pluck="name"))
		self.assertIn(self.referral_a, frappe.get_list("Resource Referral", pluck="name"))
