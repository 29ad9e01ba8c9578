"""A user whose only role is Care Manager books and reads their caseload's
appointments and vital signs, and nobody else's; other roles keep Healthcare's access."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today

from care_management.tests.factories import make_patient, make_practitioner, make_user

CM = "hc-access.cm@example.org"
NURSE = "hc-access.nurse@example.org"


class TestCareManagerHealthcareAccess(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_user(CM, ["Care Manager"])
		make_user(NURSE, ["Nursing User"])
		cls.practitioner = make_practitioner("Access Doctor")
		if not frappe.db.exists("Appointment Type", "Care Follow-Up"):
			frappe.get_doc(
				{"doctype": "Appointment Type", "appointment_type": "Care Follow-Up", "default_duration": 15}
			).insert(ignore_permissions=True)
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		self.mine = make_patient("Access Mine", care_manager=CM).name
		self.theirs = make_patient("Access Theirs").name

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def appointment(self, patient: str, **fields):
		return frappe.get_doc(
			{
				"doctype": "Patient Appointment",
				"patient": patient,
				"practitioner": self.practitioner,
				"appointment_type": "Care Follow-Up",
				"appointment_for": "Practitioner",
				"appointment_date": add_days(today(), 7),
				"appointment_time": "10:00:00",
				"duration": 15,
				**fields,
			}
		)

	def test_a_care_manager_books_and_reads_their_caseloads_appointments_only(self):
		theirs = self.appointment(self.theirs, appointment_time="09:00:00").insert(ignore_permissions=True)
		frappe.set_user(CM)
		mine = self.appointment(self.mine).insert()
		self.assertTrue(frappe.has_permission("Patient Appointment", "read", mine.name))
		self.assertFalse(frappe.has_permission("Patient Appointment", "read", theirs.name))
		listed = set(frappe.get_list("Patient Appointment", pluck="name", limit_page_length=0))
		self.assertIn(mine.name, listed)
		self.assertNotIn(theirs.name, listed)
		with self.assertRaises(frappe.PermissionError) as refused:
			self.appointment(self.theirs, appointment_time="11:00:00").insert()
		self.assertIn("not in your caseload", str(refused.exception))

	def test_a_care_manager_records_vital_signs_of_their_caseload_only(self):
		frappe.set_user(CM)
		vitals = frappe.get_doc(
			{
				"doctype": "Vital Signs",
				"patient": self.mine,
				"signs_date": today(),
				"bp_systolic": "130",
				"bp_diastolic": "80",
			}
		).insert()
		self.assertTrue(frappe.has_permission("Vital Signs", "read", vitals.name))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": "Vital Signs", "patient": self.theirs, "signs_date": today(), "pulse": "70"}
			).insert()

	def test_a_nurse_keeps_healthcares_access_to_every_appointment(self):
		theirs = self.appointment(self.theirs).insert(ignore_permissions=True)
		frappe.set_user(NURSE)
		self.assertTrue(frappe.has_permission("Patient Appointment", "read", theirs.name))
		self.assertIn(theirs.name, frappe.get_list("Patient Appointment", pluck="name", limit_page_length=0))
