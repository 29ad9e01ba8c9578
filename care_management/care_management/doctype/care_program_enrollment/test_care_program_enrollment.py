# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, get_last_day, getdate, today

from care_management.tests.factories import FULL_CONSENT, make_enrollment, make_patient, make_practitioner


class TestCareProgramEnrollment(FrappeTestCase):
	def setUp(self):
		self.practitioner = make_practitioner("Enrolling Doctor")
		self.patient = make_patient("Enrollee").name

	def tearDown(self):
		frappe.db.rollback()

	def test_programs_are_seeded_and_extensible(self):
		for program in ("CCM", "Complex CCM", "PCM", "RPM", "BHI", "CoCM", "TCM", "APCM", "CHI", "PIN"):
			self.assertTrue(frappe.db.exists("Care Program", program), program)
		frappe.get_doc({"doctype": "Care Program", "program_name": "Diabetes Prevention"}).insert()
		make_enrollment(self.patient, self.practitioner, program="Diabetes Prevention")

	def test_cannot_become_active_without_consent(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			make_enrollment(self.patient, self.practitioner, consent_method="")
		self.assertIn("Consent: choose Verbal or Written", str(refused.exception))

	def test_each_untold_statement_blocks_activation(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			make_enrollment(self.patient, self.practitioner, told_cost_sharing=0)
		self.assertIn("cost-sharing", str(refused.exception))

	def test_written_consent_needs_the_signed_form(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			make_enrollment(self.patient, self.practitioner, consent_method="Written")
		self.assertIn("Signed Consent Form", str(refused.exception))

	def test_pending_enrollment_waits_for_consent_then_activates(self):
		enrollment = make_enrollment(self.patient, self.practitioner, status="Pending Consent")
		enrollment.update({"status": "Active", "consent_date": today(), **FULL_CONSENT})
		enrollment.save()
		self.assertEqual(frappe.db.get_value("Patient", self.patient, "active_care_programs"), "CCM")

	def test_paused_or_ended_needs_the_whole_consent_billing_would_count(self):
		"""Billing counts an in-force enrollment with a consent method and date as
		consented: Paused or Ended straight from Pending Consent must not skip the check."""
		partial = {"consent_method": "Verbal", "consent_date": today()}  # nothing told
		for status in ("Paused", "Ended"):
			enrollment = make_enrollment(self.patient, self.practitioner, status="Pending Consent", **partial)
			enrollment.status = status
			with self.assertRaises(frappe.ValidationError) as refused:
				enrollment.save()
			self.assertIn(f"cannot be {status} without the patient's consent", str(refused.exception))
			self.assertIn("cost-sharing", str(refused.exception))
			frappe.delete_doc("Care Program Enrollment", enrollment.name)
		# Ended before the patient ever consented: allowed, and never billed as consented.
		enrollment = make_enrollment(self.patient, self.practitioner, status="Pending Consent")
		enrollment.status = "Ended"
		enrollment.save()

	def test_ending_takes_effect_at_month_end(self):
		enrollment = make_enrollment(self.patient, self.practitioner)
		enrollment.status = "Ended"
		enrollment.end_date = today()
		enrollment.save()
		self.assertEqual(getdate(enrollment.end_date), get_last_day(today()))
		# Still in the program for the rest of the month.
		self.assertEqual(frappe.db.get_value("Patient", self.patient, "active_care_programs"), "CCM")

	def test_end_before_start_is_refused(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			make_enrollment(
				self.patient, self.practitioner, start_date=add_months(today(), 3), end_date=today()
			)
		self.assertIn("before Start Date", str(refused.exception))

	def test_overlapping_active_enrollments_in_one_program_are_refused(self):
		make_enrollment(self.patient, self.practitioner)
		with self.assertRaises(frappe.ValidationError) as refused:
			make_enrollment(self.patient, self.practitioner, start_date=add_days(today(), 10))
		self.assertIn("already enrolled in", str(refused.exception))
		# Another program is fine.
		make_enrollment(self.patient, self.practitioner, program="RPM")

	def test_a_new_enrollment_after_the_old_one_ended_is_allowed(self):
		old = make_enrollment(self.patient, self.practitioner, start_date=add_months(today(), -6))
		old.update({"status": "Ended", "end_date": add_months(today(), -2)})
		old.save()
		make_enrollment(self.patient, self.practitioner)

	def test_patient_shows_active_programs_and_gets_the_care_manager(self):
		make_enrollment(self.patient, self.practitioner, care_manager="Administrator")
		make_enrollment(self.patient, self.practitioner, program="RPM")
		patient = frappe.db.get_value(
			"Patient", self.patient, ["active_care_programs", "care_manager"], as_dict=True
		)
		self.assertEqual(patient.active_care_programs, "CCM, RPM")
		self.assertEqual(patient.care_manager, "Administrator")

	def test_paused_enrollment_is_not_an_active_program(self):
		enrollment = make_enrollment(self.patient, self.practitioner)
		enrollment.status = "Paused"
		enrollment.save()
		self.assertEqual(frappe.db.get_value("Patient", self.patient, "active_care_programs"), "")

	def test_daily_refresh_drops_programs_whose_month_has_ended(self):
		enrollment = make_enrollment(self.patient, self.practitioner, start_date=add_months(today(), -3))
		frappe.db.set_value(
			"Care Program Enrollment",
			enrollment.name,
			{"status": "Ended", "end_date": add_months(today(), -1)},
		)
		from care_management.setup.patient_sync import refresh_all_active_programs

		refresh_all_active_programs()
		self.assertEqual(frappe.db.get_value("Patient", self.patient, "active_care_programs"), "")
