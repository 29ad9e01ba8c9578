# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today

from care_management.tests.factories import make_care_plan, make_patient, make_practitioner

CLEAR = {
	"q1": "I have a steady place to live", "q2": "None of the above", "q3": "Never true", "q4": "Never true",
	"q5": "No", "q6": "No", "q7": "Never", "q8": "Never", "q9": "Never", "q10": "Never",
}  # fmt: skip


def screen(patient: str, instrument: str = "AHC HRSN Core", submit: bool = True, **answers):
	doc = frappe.get_doc(
		{
			"doctype": "Needs Screening",
			"patient": patient,
			"instrument": instrument,
			"method": "Phone",
			"answers": [
				{"question_key": key, "answer": value} for key, value in {**CLEAR, **answers}.items()
			],
		}
	).insert()
	if submit:
		doc.submit()
	return doc


class TestNeedsScreening(FrappeTestCase):
	def setUp(self):
		self.patient = make_patient("Screened").name
		self.plan = make_care_plan(self.patient, make_practitioner("Screening Doctor")).name

	def tearDown(self):
		frappe.db.rollback()

	def test_seeded_instruments(self):
		for name in ("AHC HRSN Core", "PHQ-2", "PHQ-9"):
			self.assertTrue(frappe.db.exists("Screening Instrument", name), name)
		self.assertEqual(len(frappe.get_doc("Screening Instrument", "AHC HRSN Core").questions), 10)

	def test_positive_domains_become_needs_on_the_care_plan_once(self):
		result = screen(self.patient, q3="Sometimes true", q5="Yes", q2="Mold\nWater leaks")
		self.assertEqual(
			result.positive_domains.split("\n"), ["Housing Quality", "Food Insecurity", "Transportation"]
		)
		plan = frappe.get_doc("Care Plan", self.plan)
		self.assertEqual(sorted(n.need_category for n in plan.needs), ["Food", "Housing", "Transportation"])
		self.assertEqual(result.care_plan, self.plan)
		screen(self.patient, q4="Often true")
		self.assertEqual(len(frappe.get_doc("Care Plan", self.plan).needs), 3)  # no duplicate open need

	def test_safety_sum_and_phq9_severity(self):
		safe = screen(self.patient, q7="Rarely", q8="Sometimes", q9="Rarely", q10="Sometimes")
		self.assertNotIn("Interpersonal Safety", safe.positive_domains or "")
		phq9 = screen(self.patient, "PHQ-9", **{f"q{i}": "More than half the days" for i in range(1, 10)})
		self.assertEqual((phq9.total_score, phq9.severity), (18, "Moderately severe"))
		self.assertIn(
			"Mental Health", [n.need_category for n in frappe.get_doc("Care Plan", self.plan).needs]
		)

	def test_an_answer_the_question_does_not_offer_is_refused(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			screen(self.patient, submit=False, q5="Sometimes")
		self.assertIn("Answers, row 5", str(refused.exception))

	def test_an_incomplete_screening_can_be_saved_but_not_submitted(self):
		doc = screen(self.patient, submit=False, q6="")
		with self.assertRaises(frappe.ValidationError) as refused:
			doc.submit()
		self.assertIn("q6", str(refused.exception))

	def test_an_instrument_rule_naming_an_unknown_answer_is_refused(self):
		instrument = frappe.copy_doc(frappe.get_doc("Screening Instrument", "PHQ-2"))
		instrument.instrument_name = "PHQ-2 Copy"
		instrument.rules[0].kind = "Any Of Answers"
		instrument.rules[0].answers = "Always"
		with self.assertRaises(frappe.ValidationError) as refused:
			instrument.insert()
		self.assertIn("Always", str(refused.exception))
