# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.setup.seed import DEFAULT_SCORE_BANDS
from care_management.tests.factories import make_patient

DEFAULT_ROWS = [
	{"tier": "High", "cadence_days": 7, "retry_days": 2},
	{"tier": "Medium", "cadence_days": 14, "retry_days": 3},
	{"tier": "Low", "cadence_days": 30, "retry_days": 7},
]


def settings_with(rows, **values):
	settings = frappe.get_single("Care Management Settings")
	settings.set("risk_tiers", [])
	for row in rows:
		settings.append("risk_tiers", row)
	settings.update({"default_risk_tier": "Low", **values})
	return settings


def patient_tier_options() -> list[str]:
	return frappe.get_meta("Patient").get_field("care_risk_tier").options.split("\n")


class TestCareManagementSettings(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.original = frappe.get_single("Care Management Settings").as_dict()

	def tearDown(self):
		frappe.db.rollback()
		keep = {
			f: self.original.get(f) for f in ("company", "selling_price_list", "default_billing_practitioner")
		}
		# The site's tiers as installed, score bands included (setup/seed.py).
		banded = [
			{**row, "min_score": str(low), "max_score": None if high is None else str(high)}
			for row in DEFAULT_ROWS
			for low, high in [DEFAULT_SCORE_BANDS[row["tier"]]]
		]
		settings_with(banded, month_close_day=5, month_close_chunk_size=500, **keep).save()
		frappe.db.commit()

	def assertRefused(self, settings, *fragments):
		with self.assertRaises(frappe.ValidationError) as refused:
			settings.save()
		for fragment in fragments:
			self.assertIn(fragment, str(refused.exception))

	def test_default_tiers_save(self):
		settings_with(DEFAULT_ROWS).save()
		tiers = [row.tier for row in frappe.get_single("Care Management Settings").risk_tiers]
		self.assertEqual(tiers, ["High", "Medium", "Low"])

	def test_zero_cadence_is_refused_naming_field_and_row(self):
		rows = [{"tier": "High", "cadence_days": 0}, *DEFAULT_ROWS[1:]]
		self.assertRefused(settings_with(rows), "Contact Every (Days)", "row 1", "High")

	def test_negative_cadence_is_refused(self):
		rows = [*DEFAULT_ROWS[:2], {"tier": "Low", "cadence_days": -5}]
		self.assertRefused(settings_with(rows), "Contact Every (Days)", "row 3")

	def test_duplicate_tier_names_are_refused(self):
		rows = [*DEFAULT_ROWS, {"tier": "high", "cadence_days": 10}]
		self.assertRefused(settings_with(rows), "Risk Tiers", "row 4", "already used")

	def test_retry_longer_than_cadence_is_refused(self):
		rows = [{"tier": "High", "cadence_days": 7, "retry_days": 9}, *DEFAULT_ROWS[1:]]
		self.assertRefused(settings_with(rows), "Retry After (Days)", "row 1")

	def test_company_that_does_not_exist_is_refused_naming_the_field(self):
		self.assertRefused(
			settings_with(DEFAULT_ROWS, company="No Such Clinic LLC"), "Default Company", "No Such Clinic LLC"
		)

	def test_default_tier_must_be_one_of_the_tiers(self):
		self.assertRefused(
			settings_with(DEFAULT_ROWS, default_risk_tier="Extreme"), "Default Risk Tier", "Extreme"
		)

	def test_month_close_day_out_of_range_is_refused(self):
		self.assertRefused(settings_with(DEFAULT_ROWS, month_close_day=31), "Close Previous Month On Day")

	def test_chunk_size_below_one_is_refused(self):
		self.assertRefused(
			settings_with(DEFAULT_ROWS, month_close_chunk_size=0), "Patients per Background Job"
		)

	def test_patient_risk_tier_choices_follow_the_settings(self):
		settings_with([{"tier": "Very High", "cadence_days": 3}, *DEFAULT_ROWS]).save()
		self.assertEqual(patient_tier_options(), ["", "Very High", "High", "Medium", "Low"])

	def test_a_tier_still_assigned_to_patients_cannot_be_removed(self):
		patient = make_patient("Tiered", care_risk_tier="Medium")
		rows = [row for row in DEFAULT_ROWS if row["tier"] != "Medium"]
		assigned = frappe.db.count("Patient", {"care_risk_tier": "Medium"})
		self.assertRefused(settings_with(rows), "Medium", f"({assigned} patients)")
		frappe.delete_doc("Patient", patient.name, force=True)
