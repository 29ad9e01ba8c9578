"""A month is billed on the facts of that month, and by the staff who may
perform it (issue #17 parts 5 and 6), on a real site."""

from datetime import timedelta

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, get_first_day, today

from care_management.billing.month_close import close_month
from care_management.tests.factories import (
	make_approved_plan,
	make_care_plan,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
	moment,
	plan_clock,
	submit_outreach_log,
)
from care_management.tests.site_setup import before_tests

LAST_MONTH = get_first_day(add_months(today(), -1))
# The month billed: "October" when the close runs in December, so that the
# plan can be closed on the 2nd of the month after it ("2 November").
SERVED = add_months(LAST_MONTH, -1)
DOCTOR = "facts.doctor@example.org"
NO_VISIT = (
	"G0019 needs an initiating visit in which the practitioner identified the social needs; none recorded"
)


def log_minutes(patient: str, enrollment: str, minutes: int, day: int = 3, performer_type="Clinical Staff"):
	return submit_outreach_log(
		patient,
		"Administrator",
		moment(SERVED, day),
		minutes,
		enrollment=enrollment,
		performer_type=performer_type,
	)


class TestBillingMonthFacts(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(DOCTOR, ["Physician"])
		cls.practitioner = make_practitioner("Facts Doctor", DOCTOR)
		before_tests()
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def enrolled(self, name: str, program: str = "CCM") -> tuple[str, str]:
		patient = make_patient(name).name
		since = add_months(SERVED, -2)
		enrollment = make_enrollment(
			patient, self.practitioner, program=program, start_date=since, consent_date=since
		).name
		return patient, enrollment

	def approved_plan(self, patient: str, codes=("E11.9", "I10")):
		plan = make_approved_plan(patient, self.practitioner, DOCTOR, SERVED, codes)
		self.assertEqual(plan.status, "Active")
		return plan

	def record(self, patient: str, program: str = "CCM"):
		name = frappe.db.get_value(
			"Care Billing Record", {"patient": patient, "month": SERVED, "program": program}
		)
		self.assertTrue(name, f"no {program} record for {patient}")
		return frappe.get_doc("Care Billing Record", name)

	def test_a_plan_closed_on_the_2nd_of_the_next_month_still_bills_99490_for_the_month(self):
		patient, enrollment = self.enrolled("Moved Away")
		plan = self.approved_plan(patient)
		log_minutes(patient, enrollment, 25)
		closed_at = moment(LAST_MONTH, 2, hour=15)  # the patient moved away
		with plan_clock(closed_at):
			plan = apply_workflow(frappe.get_doc("Care Plan", plan.name), "Close")
		self.assertEqual(plan.status, "Closed")
		self.assertEqual(
			[(row.status, row.valid_to) for row in plan.past_statuses][-1], ("Active", closed_at)
		)

		close_month(SERVED, now=True)
		record = self.record(patient)
		self.assertEqual(record.status, "Ready", record.reasons)
		self.assertEqual({line.code: line.units for line in record.lines}, {"99490": 1})
		self.assertEqual(record.icd10_codes, "E11.9, I10")
		self.assertNotIn("no active care plan", record.reasons or "")

	def test_a_condition_removed_after_the_month_still_counts_for_it(self):
		patient, enrollment = self.enrolled("Revised Later")
		plan = self.approved_plan(patient)
		log_minutes(patient, enrollment, 25)
		with plan_clock(moment(LAST_MONTH, 5)):
			plan = apply_workflow(frappe.get_doc("Care Plan", plan.name), "Revise")
			plan.set("conditions", [row for row in plan.conditions if row.icd10_code != "I10"])
			plan.save()
		self.assertEqual([row.icd10_code for row in plan.past_conditions], ["I10"])

		close_month(SERVED, now=True)
		record = self.record(patient)
		self.assertEqual({line.code: line.units for line in record.lines}, {"99490": 1})
		self.assertEqual(record.icd10_codes, "E11.9, I10")

	def test_the_same_code_twice_is_refused_on_save(self):
		patient = make_patient("Twice Coded").name
		with self.assertRaises(frappe.ValidationError) as refused:
			make_care_plan(
				patient,
				self.practitioner,
				conditions=[
					{"condition_name": "Type 2 diabetes", "icd10_code": "E11.9"},
					{"condition_name": "Diabetes again", "icd10_code": "e119"},
				],
			)
		self.assertIn("row 2", str(refused.exception))
		self.assertIn("E11.9", str(refused.exception))

		plan = make_care_plan(
			patient, self.practitioner, conditions=[{"condition_name": "Diabetes", "icd10_code": "E11.9"}]
		)
		plan.append("conditions", {"condition_name": "Hypertension", "icd10_code": "I10"})
		plan.append("conditions", {"condition_name": "Diabetes", "icd10_code": "E11.9"})
		with self.assertRaises(frappe.ValidationError) as refused:
			plan.save()
		self.assertIn("row 3", str(refused.exception))
		self.assertIn("row 1", str(refused.exception))

	def test_a_plan_with_one_distinct_condition_does_not_bill_99490(self):
		one, one_enrollment = self.enrolled("One Condition")
		self.approved_plan(one, codes=("E11.9",))
		log_minutes(one, one_enrollment, 25)
		# A duplicate stored before the controller refused them still counts once.
		stored, stored_enrollment = self.enrolled("Stored Twice")
		plan = self.approved_plan(stored, codes=("E11.9",))
		frappe.get_doc(
			{
				"doctype": "Care Plan Condition",
				"parent": plan.name,
				"parenttype": "Care Plan",
				"parentfield": "conditions",
				"idx": 2,
				"condition_name": "Diabetes (entered twice)",
				"icd10_code": "e119",
				"expected_12_months": 1,
			}
		).db_insert()
		log_minutes(stored, stored_enrollment, 25, day=5)

		close_month(SERVED, now=True)
		for patient in (one, stored):
			record = self.record(patient)
			self.assertEqual(record.status, "Not Billable")
			self.assertEqual(record.lines, [])
			self.assertIn("99490 needs 2 chronic conditions; the care plan has 1", record.reasons)

	def test_g0019_by_clinical_staff_with_and_without_the_initiating_visit(self):
		visited, visited_enrollment = self.enrolled("Visited", program="CHI")
		visit = frappe.get_doc(
			{
				"doctype": "Patient Encounter",
				"patient": visited,
				"practitioner": self.practitioner,
				"encounter_date": add_days(SERVED, -10),
			}
		).insert(ignore_permissions=True)
		enrollment = frappe.get_doc("Care Program Enrollment", visited_enrollment)
		enrollment.initiating_visit = visit.name
		enrollment.save()
		self.assertEqual(str(enrollment.initiating_visit_date), str(add_days(SERVED, -10)))
		log_minutes(visited, visited_enrollment, 60)

		not_visited, not_visited_enrollment = self.enrolled("Not Visited", program="CHI")
		log_minutes(not_visited, not_visited_enrollment, 60, day=5)
		# Another patient's visit is no initiating visit for this one.
		other = frappe.get_doc("Care Program Enrollment", not_visited_enrollment)
		other.initiating_visit = visit.name
		with self.assertRaises(frappe.ValidationError) as refused:
			other.save()
		self.assertIn("Initiating Visit", str(refused.exception))

		close_month(SERVED, now=True)
		record = self.record(visited, "CHI")
		self.assertEqual(record.minutes_clinical_staff, 60)
		self.assertEqual({line.code: line.units for line in record.lines}, {"G0019": 1})
		record = self.record(not_visited, "CHI")
		self.assertEqual(record.status, "Not Billable")
		self.assertIn(NO_VISIT, record.reasons)

	def test_the_billing_code_correction_leaves_an_admins_change_alone_and_runs_once(self):
		from care_management.patches.v0_10 import billing_code_performers

		def code(name):
			return frappe.db.get_value("Billing Code", {"code": name, "effective_from": "2026-01-01"})

		fields = list(billing_code_performers.FIELDS)
		chi, pin = code("G0019"), code("G0023")
		# G0019 as the first seed shipped it; G0023 as an admin changed it.
		frappe.db.set_value("Billing Code", chi, billing_code_performers.values(chw=1))
		frappe.db.set_value("Billing Code", pin, billing_code_performers.values(chw=1, physician=1))
		billing_code_performers.execute()
		self.assertEqual(
			frappe.db.get_value("Billing Code", chi, fields, as_dict=True),
			billing_code_performers.values(clinical_staff=1, chw=1, initiating_visit=1),
		)
		self.assertEqual(
			frappe.db.get_value("Billing Code", pin, fields, as_dict=True),
			billing_code_performers.values(chw=1, physician=1),
		)
		modified = frappe.db.get_value("Billing Code", chi, "modified")
		billing_code_performers.execute()
		self.assertEqual(frappe.db.get_value("Billing Code", chi, "modified"), modified)
