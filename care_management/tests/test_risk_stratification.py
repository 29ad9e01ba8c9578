"""Risk stratification on a real site: admissions, vital signs and lab tests
made through Healthcare's doctypes, scored by the seeded Care Risk Factors;
the suggestion is stored with its explanation, accepted with a Version, and
shown and sorted in the worklist."""

from __future__ import annotations

from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime

from care_management.population.risk_run import accept_suggested_tier, one_patient_sql, run
from care_management.tests.factories import (
	make_discharge,
	make_encounter,
	make_enrollment,
	make_hba1c,
	make_patient,
	make_practitioner,
	make_user,
	make_vital_signs,
)

CM = "risk.cm@example.org"
OTHER_CM = "risk.other.cm@example.org"


def patient_row(patient):
	return frappe.db.get_value(
		"Patient",
		patient,
		["care_risk_score", "suggested_risk_tier", "risk_score_factors", "care_risk_tier", "risk_scored_on"],
		as_dict=True,
	)


class TestRiskStratification(FrappeTestCase):
	def setUp(self):
		make_user(CM, ["Care Manager"])
		make_user(OTHER_CM, ["Care Manager"])
		self.doctor = make_practitioner("Risk Doctor")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def high_risk_patient(self, name="High Risk", **fields):
		patient = make_patient(name, care_manager=CM, care_risk_tier="Low", **fields).name
		make_enrollment(patient, self.doctor, "CCM")
		now = now_datetime()
		make_discharge(patient, now - timedelta(days=60), now - timedelta(days=55))
		make_discharge(patient, now - timedelta(days=20), now - timedelta(days=16))
		make_vital_signs(patient, 150, 90, on=(now - timedelta(days=30)).date())
		make_vital_signs(patient, 172, 96, on=(now - timedelta(days=5)).date())  # the last one counts
		make_hba1c(patient, 9.4, on=(now - timedelta(days=10)).date())
		return patient

	def test_score_suggestion_and_explanation_from_healthcare_records(self):
		patient = self.high_risk_patient()
		run(one_patient_sql(patient))
		row = patient_row(patient)
		# 2 admissions in 6 months (+4), an admission in 12 months (+2), systolic 172 (+2), HbA1c 9.4 (+2)
		self.assertEqual(row.care_risk_score, 10)
		self.assertEqual(row.suggested_risk_tier, "High")
		self.assertIn("2 admissions in 6 months: +4", row.risk_score_factors)
		self.assertIn("last systolic BP 172: +2", row.risk_score_factors)
		self.assertIn("last HbA1c 9.4: +2", row.risk_score_factors)
		self.assertIsNotNone(row.risk_scored_on)
		self.assertEqual(row.care_risk_tier, "Low")  # never changed by the run itself

	def test_an_earlier_high_reading_does_not_count_once_a_normal_one_follows(self):
		patient = make_patient("Controlled", care_risk_tier="Low").name
		make_enrollment(patient, self.doctor, "CCM")
		now = now_datetime()
		make_vital_signs(patient, 180, 100, on=(now - timedelta(days=30)).date())
		make_vital_signs(patient, 128, 80, on=(now - timedelta(days=2)).date())
		run(one_patient_sql(patient))
		row = patient_row(patient)
		self.assertEqual((row.care_risk_score, row.suggested_risk_tier), (0, "Low"))
		self.assertFalse(row.risk_score_factors)

	def test_a_cms_hcc_score_factor_weighs_the_v28_score_of_the_last_12_months(self):
		frappe.get_doc(
			{
				"doctype": "Care Risk Factor",
				"factor_name": "CMS-HCC score 1.5 or more",
				"measure": "CMS-HCC Score",
				"at_least": 1.5,
				"points": 3,
			}
		).insert(ignore_permissions=True)
		today = now_datetime().date()
		dob = today.replace(year=today.year - 72) - timedelta(days=1)
		patient = make_patient("Hcc Scored", dob=dob, care_risk_tier="Low").name
		make_enrollment(patient, self.doctor, "CCM")
		make_encounter(patient, self.doctor, ["E11.9", "I50.9"], on=today - timedelta(days=40))
		make_encounter(patient, self.doctor, ["J44.9", "N18.30"], on=today - timedelta(days=200))
		# Older than 12 months: not part of this year's score.
		make_encounter(patient, self.doctor, ["C34.90"], on=today - timedelta(days=400))
		run(one_patient_sql(patient))
		# 2026 V28, community non-dual aged, woman of 72 (tests/test_hcc_risk.py works it out): 1.733.
		self.assertIn("CMS-HCC score 1.733: +3", patient_row(patient).risk_score_factors)

	def test_the_daily_run_scores_enrolled_patients_only(self):
		enrolled = self.high_risk_patient("Enrolled Risk")
		not_enrolled = make_patient("Not Enrolled Risk").name
		result = run()
		self.assertGreaterEqual(result["scored"], 1)
		self.assertEqual(patient_row(enrolled).suggested_risk_tier, "High")
		self.assertIsNone(patient_row(not_enrolled).risk_scored_on)

	def test_accepting_the_suggestion_changes_the_tier_with_a_version(self):
		patient = self.high_risk_patient()
		run(one_patient_sql(patient))
		frappe.set_user(CM)
		result = accept_suggested_tier([patient])
		frappe.set_user("Administrator")
		self.assertEqual(result["changed"], [patient])
		self.assertEqual(patient_row(patient).care_risk_tier, "High")
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": "Patient", "docname": patient}, pluck="data"
		)
		self.assertTrue(any('["care_risk_tier", "Low", "High"]' in v for v in versions), versions)

	def test_a_care_manager_cannot_accept_for_someone_elses_patient(self):
		patient = self.high_risk_patient()
		run(one_patient_sql(patient))
		frappe.set_user(OTHER_CM)
		with self.assertRaises(frappe.PermissionError):
			accept_suggested_tier([patient])
		frappe.set_user("Administrator")
		self.assertEqual(patient_row(patient).care_risk_tier, "Low")

	def test_settings_may_apply_the_suggestion_automatically(self):
		frappe.db.set_single_value("Care Management Settings", "apply_suggested_tier", 1)
		self.addCleanup(frappe.db.set_single_value, "Care Management Settings", "apply_suggested_tier", 0)
		patient = self.high_risk_patient()
		result = run(one_patient_sql(patient))
		self.assertEqual(result["tiers_applied"], 1)
		self.assertEqual(patient_row(patient).care_risk_tier, "High")
		self.assertTrue(frappe.db.exists("Version", {"ref_doctype": "Patient", "docname": patient}))

	def test_the_worklist_shows_the_suggestion_and_sorts_by_score_inside_a_tier(self):
		from care_management.care_management.report.caseload_worklist.caseload_worklist import worklist_rows

		risky = self.high_risk_patient("Worklist Risky")
		calm = make_patient("Worklist Calm", care_manager=CM, care_risk_tier="Low").name
		make_enrollment(calm, self.doctor, "CCM")
		for patient in (risky, calm):
			run(one_patient_sql(patient))
		rows = [r for r in worklist_rows(CM, now_datetime().date()) if r.patient in (risky, calm)]
		self.assertEqual([r.patient for r in rows], [risky, calm])
		self.assertEqual(
			(rows[0].risk_tier, rows[0].suggested_risk_tier, rows[0].risk_score), ("Low", "High", 10)
		)

	def test_bands_that_overlap_leave_a_gap_or_are_not_numbers_are_refused(self):
		for bands, expected in (
			({"High": ("7", ""), "Medium": ("4", "7"), "Low": ("0", "3")}, "overlaps"),
			({"High": ("9", ""), "Medium": ("4", "7"), "Low": ("0", "3")}, "gap"),
			({"High": ("eight", ""), "Medium": ("4", "7"), "Low": ("0", "3")}, "Risk Score From"),
		):
			settings = frappe.get_doc("Care Management Settings")
			for row in settings.risk_tiers:
				row.min_score, row.max_score = bands[row.tier]
			with self.assertRaises(frappe.ValidationError) as refused:
				settings.save()
			self.assertIn(expected, str(refused.exception))

	def test_invalid_risk_factors_are_refused_naming_the_field(self):
		for values, expected in (
			({"measure": "Age", "at_least": 80, "points": 0}, "Points"),
			({"measure": "Age", "at_least": 80, "points": "three"}, "Points"),
			({"measure": "Admissions In Months", "at_least": 1, "points": 2}, "Over The Last (Months)"),
			({"measure": "ED Visits In Months", "at_least": 1, "points": 2, "months": 6}, "ED Department"),
		):
			with self.assertRaises(frappe.ValidationError) as refused:
				frappe.get_doc(
					{"doctype": "Care Risk Factor", "factor_name": "Bad factor", **values}
				).insert()
			self.assertIn(expected, str(refused.exception))
