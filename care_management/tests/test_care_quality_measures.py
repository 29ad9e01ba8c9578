"""Care Quality Measures on a real site, from Vital Signs, Lab Tests,
Inpatient Records and Patient Encounters made through Healthcare's doctypes."""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, getdate, today

from care_management.care_management.report.care_quality_measures.care_quality_measures import execute
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

CM = "quality.cm@example.org"
OTHER_CM = "quality.other@example.org"


def summary_row(rows, measure, program):
	return next((r for r in rows if r["measure"] == measure and r["program"] == program), None)


class TestCareQualityMeasures(FrappeTestCase):
	def setUp(self):
		make_user(CM, ["Care Manager"])
		make_user(OTHER_CM, ["Care Manager"])
		self.doctor = make_practitioner("Quality Doctor")
		self.program = "CoCM"  # a program no other test's patients are in this month
		started = add_months(today(), -2)
		self.controlled = make_patient("Controlled BP", dob=getdate("1960-05-05"), care_manager=CM).name
		make_encounter(self.controlled, self.doctor, ["I10"], on=add_months(today(), -3))
		make_vital_signs(self.controlled, 152, 96, on=add_months(today(), -3))  # before enrollment
		make_vital_signs(self.controlled, 128, 78, on=add_days(today(), -5))
		make_enrollment(self.controlled, self.doctor, self.program, start_date=started, care_manager=CM)
		self.uncontrolled = make_patient(
			"Uncontrolled BP", dob=getdate("1955-01-01"), care_manager=OTHER_CM
		).name
		make_encounter(self.uncontrolled, self.doctor, ["I10", "E11.9"], on=add_months(today(), -3))
		make_vital_signs(self.uncontrolled, 146, 88, on=add_days(today(), -4))
		make_hba1c(self.uncontrolled, 9.4, on=add_days(today(), -4))
		make_enrollment(
			self.uncontrolled, self.doctor, self.program, start_date=started, care_manager=OTHER_CM
		)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_blood_pressure_and_hba1c_rates_with_before_enrollment(self):
		_columns, rows, message = execute({"month": today(), "program": self.program})
		bp = [r for r in rows if r["measure"] == "bp_control"]
		self.assertEqual(sum(r["denominator"] for r in bp), 2)
		self.assertEqual(sum(r["numerator"] for r in bp), 1)
		mine = next(r for r in bp if r["care_manager"] == CM)
		self.assertEqual((mine["numerator"], mine["rate"]), (1, 100.0))
		self.assertEqual((mine["before_denominator"], mine["before_numerator"]), (1, 0))  # 152/96 before
		a1c = summary_row(rows, "hba1c_poor", self.program)
		self.assertEqual((a1c["denominator"], a1c["numerator"]), (1, 1))
		self.assertIn("CMS165", message)
		self.assertIn("below 140/90", message)

	def test_drill_down_lists_who_is_in_numerator_and_denominator(self):
		_columns, rows, _message = execute(
			{"month": today(), "program": self.program, "measure": "bp_control", "show_patients": 1}
		)
		by_patient = {r["patient"]: r for r in rows}
		self.assertEqual(by_patient[self.controlled]["in_numerator"], 1)
		self.assertEqual(by_patient[self.uncontrolled]["in_numerator"], 0)
		self.assertIn("128/78", by_patient[self.controlled]["evidence"])
		with self.assertRaises(frappe.ValidationError):
			execute({"month": today(), "show_patients": 1})

	def test_follow_up_within_seven_days_of_discharge(self):
		now = datetime.combine(getdate(today()), datetime.min.time()) + timedelta(hours=12)
		if getdate(today()).day < 10:
			now = now - timedelta(days=getdate(today()).day)  # keep the discharge in a month of its own
		seen = make_patient("Seen After Discharge").name
		make_discharge(seen, now - timedelta(days=8), now - timedelta(days=6))
		make_encounter(seen, self.doctor, [], on=(now - timedelta(days=3)).date())
		unseen = make_patient("Not Seen After Discharge").name
		make_discharge(unseen, now - timedelta(days=8), now - timedelta(days=6))
		_columns, rows, _message = execute(
			{"month": (now - timedelta(days=6)).date(), "measure": "discharge_follow_up", "show_patients": 1}
		)
		by_patient = {r["patient"]: r for r in rows}
		self.assertEqual(by_patient[seen]["in_numerator"], 1)
		self.assertEqual(by_patient[unseen]["in_numerator"], 0)

	def test_a_care_manager_sees_only_their_caseload(self):
		frappe.set_user(CM)
		_columns, rows, _message = execute(
			{"month": today(), "program": self.program, "measure": "bp_control", "show_patients": 1}
		)
		patients = {r["patient"] for r in rows}
		self.assertIn(self.controlled, patients)
		self.assertNotIn(self.uncontrolled, patients)
