# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.care_management.doctype.billing_code.billing_code import load_rules


def new_code(**fields):
	return frappe.get_doc(
		{
			"doctype": "Billing Code",
			"code": "T9999",
			"program": "CCM",
			"effective_from": "2030-01-01",
			"first_unit_minutes": 20,
			"counts_clinical_staff": 1,
			**fields,
		}
	)


class TestBillingCode(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def assertRefused(self, doc, fragment):
		with self.assertRaises(frappe.ValidationError) as refused:
			doc.insert()
		self.assertIn(fragment, str(refused.exception))

	def test_every_2026_code_is_seeded_with_an_item(self):
		codes = frappe.get_all(
			"Billing Code", filters={"effective_from": "2026-01-01"}, fields=["code", "item"]
		)
		self.assertEqual(len(codes), 32)
		self.assertTrue(all(c.item for c in codes))
		rule = next(r for r in load_rules("2026-03-15") if r.code == "99439")
		self.assertEqual((rule.base_codes, rule.add_on_minutes, rule.max_units), (("99490",), 20, 2))

	def test_a_month_is_evaluated_with_the_rules_in_force_that_month(self):
		self.assertEqual(load_rules("2025-12-31"), [])
		self.assertIn("99490", {r.code for r in load_rules("2026-12-31")})

	def test_add_on_without_base_is_refused(self):
		self.assertRefused(new_code(is_add_on=1, add_on_minutes=20, base_codes=""), "Adds To")

	def test_max_below_one_is_refused(self):
		self.assertRefused(new_code(max_units=0), "Max Units per Period")

	def test_zero_minute_threshold_is_refused(self):
		self.assertRefused(new_code(first_unit_minutes=0), "more than 0 minutes")

	def test_overlapping_dates_for_one_code_are_refused(self):
		self.assertRefused(
			new_code(code="99490", effective_from="2026-06-01"), "already has a record in force"
		)
		new_code(code="99490", effective_from="2027-01-01").insert()

	def test_unknown_exclusion_is_refused(self):
		self.assertRefused(new_code(excludes=[{"code": "NOPE1", "scope": "Patient"}]), "NOPE1")
