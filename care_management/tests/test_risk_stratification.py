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
	make_care_plan,
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

	def hcc_patient(self, name="Hcc Scored", **fields):
		"""A woman of 72 whose last 12 months score 1.733 (tests/test_hcc_risk.py works it out)."""
		today = now_datetime().date()
		dob = today.replace(year=today.year - 72) - timedelta(days=1)
		patient = make_patient(name, dob=dob, care_risk_tier="Low", **fields).name
		make_enrollment(patient, self.doctor, "CCM")
		make_encounter(patient, self.doctor, ["E11.9", "I50.9"], on=today - timedelta(days=40))
		# A care plan condition counts as a diagnosis too (COPD, HCC 280).
		make_care_plan(patient, self.doctor, conditions=[{"icd10_code": "J44.9", "condition_name": "COPD"}])
		make_encounter(patient, self.doctor, ["N18.30"], on=today - timedelta(days=200))
		# Older than 12 months: not part of this year's score.
		make_encounter(patient, self.doctor, ["C34.90"], on=today - timedelta(days=400))
		return patient

	def test_the_seeded_cms_hcc_factor_is_off_until_an_admin_weighs_it(self):
		factor = frappe.get_doc("Care Risk Factor", "CMS-HCC score 1.5 or more")
		self.assertEqual((factor.measure, factor.at_least, factor.disabled), ("CMS-HCC Score", 1.5, 1))
		patient = self.hcc_patient()
		run(one_patient_sql(patient))
		self.assertNotIn("CMS-HCC", patient_row(patient).risk_score_factors or "")
		factor.disabled = 0
		factor.save()
		run(one_patient_sql(patient))
		# 2026 V28, community non-dual aged, woman of 72: 1.733.
		self.assertIn("CMS-HCC score 1.733: +3", patient_row(patient).risk_score_factors)

	def test_the_run_stores_the_cms_hcc_score_and_the_hccs_behind_it(self):
		patient = self.hcc_patient()
		unscorable = make_patient("Hcc No Birth Date", care_risk_tier="Low").name
		make_enrollment(unscorable, self.doctor, "CCM")
		make_encounter(unscorable, self.doctor, ["I50.9"], on=now_datetime().date() - timedelta(days=3))
		run()
		row = frappe.db.get_value(
			"Patient", patient, ["cms_hcc_score", "cms_hccs", "cms_hcc_segment"], as_dict=True
		)
		self.assertAlmostEqual(row.cms_hcc_score, 1.733, places=3)
		self.assertEqual(
			[part.split(" ")[1] for part in row.cms_hccs.split("; ")], ["38", "226", "280", "329"]
		)
		self.assertIn("HCC 226 Heart Failure", row.cms_hccs)
		self.assertEqual(row.cms_hcc_segment, "community, non-dual, aged")
		# No birth date: no score, no HCCs (never a stale one).
		frappe.db.set_value("Patient", unscorable, {"cms_hcc_score": 9, "cms_hccs": "stale"})
		run(one_patient_sql(unscorable))
		row = frappe.db.get_value(
			"Patient", unscorable, ["cms_hcc_score", "cms_hccs", "cms_hcc_segment"], as_dict=True
		)
		self.assertEqual((row.cms_hcc_score, row.cms_hccs, row.cms_hcc_segment), (0, None, None))

	def test_a_score_sent_with_the_patient_is_ignored(self):
		patient = self.hcc_patient("Hcc Kept")
		run(one_patient_sql(patient))
		doc = frappe.get_doc("Patient", patient)
		doc.update({"cms_hcc_score": 9.9, "cms_hccs": "HCC 1 made up", "care_risk_score": 99})
		doc.save(ignore_permissions=True)
		row = frappe.db.get_value(
			"Patient", patient, ["cms_hcc_score", "cms_hccs", "care_risk_score"], as_dict=True
		)
		self.assertAlmostEqual(row.cms_hcc_score, 1.733, places=3)
		self.assertNotIn("made up", row.cms_hccs)
		self.assertNotEqual(row.care_risk_score, 99)
		new = make_patient("Hcc Sent New", cms_hcc_score=4.2, cms_hccs="HCC 2 sent")
		self.assertEqual((new.cms_hcc_score, new.cms_hccs), (0, None))

	def test_the_worklist_and_eligible_patients_show_the_hcc_score_and_hccs(self):
		from care_management.care_management.report.caseload_worklist.caseload_worklist import (
			columns,
			worklist_rows,
		)
		from care_management.care_management.report.eligible_patients.eligible_patients import (
			execute as eligible_patients,
		)

		patient = self.hcc_patient("Hcc Shown", care_manager=CM)
		run(one_patient_sql(patient))
		row = next(r for r in worklist_rows(CM, now_datetime().date()) if r.patient == patient)
		self.assertAlmostEqual(row.hcc_score, 1.733, places=3)
		self.assertIn("HCC 280", row.hccs)
		self.assertIn("hcc_score", [c["fieldname"] for c in columns()])
		# A patient the run could not score shows no score, not 0.
		unscored = make_patient("Hcc Unscored", care_manager=CM, care_risk_tier="Low").name
		make_enrollment(unscored, self.doctor, "CCM")
		run(one_patient_sql(unscored))
		row = next(r for r in worklist_rows(CM, now_datetime().date()) if r.patient == unscored)
		self.assertIsNone(row.hcc_score)

		frappe.set_user(CM)
		report_columns, rows = eligible_patients({"care_manager": CM})[:2]
		frappe.set_user("Administrator")
		self.assertIn("hccs", [c["fieldname"] for c in report_columns])
		mine = [r for r in rows if r.patient == patient]
		self.assertTrue(mine)  # qualifies for at least RPM (diabetes, heart failure)
		self.assertAlmostEqual(mine[0].hcc_score, 1.733, places=3)
		self.assertIn("HCC 38", mine[0].hccs)

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
