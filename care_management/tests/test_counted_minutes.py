"""Minutes are counted once and only inside consent (issues #30 and #36), on a real site:
the month close, the worklist and the outreach form agree, and ten saves of the
same minutes at the same moment store one log."""

from datetime import datetime, time, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, get_first_day, today

from care_management.api import outreach_logs
from care_management.billing.month_close import close_month
from care_management.care_management.report.billing_records_to_review.billing_records_to_review import (
	records_to_review,
)
from care_management.care_management.report.caseload_worklist.caseload_worklist import worklist_rows
from care_management.tests.factories import (
	make_approved_plan,
	make_care_plan,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
	outreach_log_values,
)
from care_management.tests.outreach_log_tasks import create_once, rest_insert, save_log
from care_management.tests.site_setup import before_tests
from care_management.tests.test_billing_concurrency import run_together

# The month billed: the one before last, so every log in it is in the past.
MONTH = get_first_day(add_months(today(), -2))
CM = "counted.cm@example.org"
SECOND_CM = "counted.second@example.org"
DOCTOR = "counted.doctor@example.org"


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
	return datetime.combine(MONTH, time.min) + timedelta(days=day - 1, hours=hour, minutes=minute)


def log_values(patient, enrollment, start: datetime, minutes: int, performer=CM, **fields) -> dict:
	return outreach_log_values(patient, performer, start, minutes, enrollment=enrollment, **fields)


def submit_log(*args, **kwargs):
	log = frappe.get_doc(log_values(*args, **kwargs)).insert()
	log.submit()
	return log


def make_staff() -> str:
	"""The care manager, a supervisor on calls with them and the practitioner; the practitioner's name."""
	before_tests()
	make_user(CM, ["Care Manager"])
	# A supervisor on the call with the care manager: every patient is theirs.
	make_user(SECOND_CM, ["Care Management Supervisor"])
	make_user(DOCTOR, ["Physician"])
	return make_practitioner("Counted Doctor", DOCTOR)


class TestCountedMinutes(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.practitioner = make_staff()
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def enrolled(self, name: str, consent_day: int | None = 1, **fields) -> tuple[str, str]:
		patient = make_patient(name, care_manager=CM).name
		since = add_months(MONTH, -2)
		consent = {"consent_date": add_days(MONTH, consent_day - 1)} if consent_day else {}
		enrollment = make_enrollment(
			patient, self.practitioner, start_date=since, care_manager=CM, **consent, **fields
		).name
		self.approved_plan(patient)
		return patient, enrollment

	def approved_plan(self, patient: str):
		make_approved_plan(patient, self.practitioner, DOCTOR, MONTH, codes=("E11.9", "I10"))

	def record(self, patient: str):
		name = frappe.db.get_value(
			"Care Billing Record", {"patient": patient, "month": MONTH, "program": "CCM"}
		)
		self.assertTrue(name, f"no CCM record for {patient}")
		return frappe.get_doc("Care Billing Record", name)

	def worklist_minutes(self, patient: str) -> int:
		frappe.set_user(CM)
		try:
			row = next(r for r in worklist_rows(CM, add_days(MONTH, 27)) if r.patient == patient)
		finally:
			frappe.set_user("Administrator")
		return row.minutes_this_month

	# ---------------------------------------------------------- consent (#36)
	def test_minutes_before_consent_are_logged_but_not_billed(self):
		patient, enrollment = self.enrolled("Before Consent", consent_day=21)
		submit_log(patient, enrollment, at(5), 25)
		close_month(MONTH, now=True)
		record = self.record(patient)
		self.assertEqual(record.status, "Not Billable")
		self.assertEqual(record.minutes_clinical_staff, 0)
		consent_day = add_days(MONTH, 20)
		self.assertIn(
			f"25 minutes before consent on {consent_day.day} {consent_day:%b} not counted", record.reasons
		)
		self.assertEqual(self.worklist_minutes(patient), 0)

	def test_minutes_from_the_consent_day_on_are_billed(self):
		patient, enrollment = self.enrolled("On Consent Day", consent_day=21)
		submit_log(patient, enrollment, at(5), 12)
		submit_log(patient, enrollment, at(21, hour=9), 22)
		close_month(MONTH, now=True)
		record = self.record(patient)
		self.assertEqual({line.code: line.units for line in record.lines}, {"99490": 1})
		self.assertEqual(record.minutes_clinical_staff, 22)
		self.assertIn("12 minutes before consent", record.reasons)
		self.assertEqual(self.worklist_minutes(patient), record.minutes_clinical_staff)

	def test_a_month_closed_before_the_rule_is_listed_for_review_not_rebilled(self):
		patient, enrollment = self.enrolled("Closed Before", consent_day=1)
		submit_log(patient, enrollment, at(5), 25)
		close_month(MONTH, now=True)
		record = self.record(patient)
		self.assertEqual({line.code: line.units for line in record.lines}, {"99490": 1})
		# Consent found to have come later (the month was closed under the old rule).
		frappe.db.set_value("Care Program Enrollment", enrollment, "consent_date", add_days(MONTH, 20))
		rows = records_to_review(MONTH)
		row = next(row for row in rows if row["billing_record"] == record.name)
		self.assertEqual((row["codes_billed"], row["codes_now"]), ("99490×1", ""))
		self.assertIn("25 minutes before consent", row["reasons_now"])
		record.reload()
		self.assertEqual({line.code: line.units for line in record.lines}, {"99490": 1})  # nothing re-billed

	def test_a_log_before_consent_is_saved_with_a_notice(self):
		patient, enrollment = self.enrolled("Consent Call", consent_day=21)
		frappe.clear_messages()
		log = submit_log(patient, enrollment, at(20), 10)
		self.assertEqual(log.docstatus, 1)
		notices = " ".join(str(message) for message in frappe.get_message_log())
		self.assertIn("before the patient's consent", notices)

	def test_minutes_before_the_enrollment_started_are_not_counted(self):
		"""Disenrollment takes effect at a month's end, so within a month only the start cuts."""
		patient = make_patient("Started Mid Month", care_manager=CM).name
		enrollment = make_enrollment(
			patient, self.practitioner, start_date=at(10).date(), consent_date=at(3).date(), care_manager=CM
		).name
		self.approved_plan(patient)
		submit_log(patient, enrollment, at(5), 15)
		submit_log(patient, enrollment, at(12), 10)
		close_month(MONTH, now=True)
		record = self.record(patient)
		self.assertEqual(record.minutes_clinical_staff, 10)
		self.assertIn("15 minutes before the enrollment started on", record.reasons)

	# ------------------------------------------------- simultaneous staff (#30)
	def test_two_staff_on_the_same_call_count_its_minutes_once(self):
		patient, enrollment = self.enrolled("Joint Call")
		first = submit_log(patient, enrollment, at(6), 12)
		second = submit_log(patient, enrollment, at(6), 12, performer=SECOND_CM)
		close_month(MONTH, now=True)
		record = self.record(patient)
		self.assertEqual(record.minutes_clinical_staff, 12)
		self.assertEqual(record.status, "Not Billable")
		self.assertIn(
			f"12 minutes logged by several staff at the same time counted once ({', '.join(sorted([first.name, second.name]))})",
			record.reasons,
		)
		self.assertEqual(self.worklist_minutes(patient), 12)

	def test_an_overlapping_log_of_the_same_performer_is_refused(self):
		patient, enrollment = self.enrolled("Same Minutes")
		submit_log(patient, enrollment, at(7), 10)
		with self.assertRaises(frappe.ValidationError) as refused:
			submit_log(patient, enrollment, at(7, minute=5), 10)
		self.assertIn("overlaps this log", str(refused.exception))

	# ------------------------------------------------------ retries (#30 part 3)
	def test_a_log_sent_again_with_its_request_id_is_the_first_log(self):
		patient, enrollment = self.enrolled("Retried")
		values = log_values(patient, enrollment, at(8), 10, request_id="retry-test-1")
		first = outreach_logs.create(frappe.as_json(values))
		again = outreach_logs.create(frappe.as_json(values))
		self.assertEqual(again["name"], first["name"])
		self.assertEqual(frappe.db.count("Outreach Log", {"request_id": "retry-test-1"}), 1)
		with self.assertRaises(frappe.DuplicateEntryError) as refused:
			frappe.get_doc(values).insert()
		self.assertIn(first["name"], str(refused.exception))


class TestSimultaneousSaves(FrappeTestCase):
	"""Real processes, each with its own connection, released together."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.practitioner = make_staff()
		cls.patient = make_patient("Simultaneous Saves", care_manager=CM).name
		cls.enrollment = make_enrollment(
			cls.patient,
			cls.practitioner,
			start_date=add_months(MONTH, -2),
			consent_date=MONTH,
			care_manager=CM,
		).name
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.delete("Outreach Log", {"patient": cls.patient})
		frappe.db.commit()
		super().tearDownClass()

	def stored(self, start: datetime) -> list[str]:
		frappe.db.rollback()  # a fresh snapshot: the children committed after this one began
		return frappe.get_all("Outreach Log", filters={"patient": self.patient, "start": start}, pluck="name")

	def test_ten_identical_logs_saved_at_once_store_one(self):
		values = log_values(self.patient, self.enrollment, at(9), 10)
		results = run_together(*[(save_log, (values,)) for _ in range(10)])
		saved = [out for _task, status, out in results if status == "ok"]
		refused = [out for _task, status, out in results if status == "error"]
		self.assertEqual(len(saved), 1, results)
		self.assertEqual(len(refused), 9, results)
		self.assertTrue(all("overlaps this log" in message for message in refused), refused)
		self.assertEqual(self.stored(at(9)), saved)

	def test_ten_identical_logs_sent_through_rest_at_once_store_one(self):
		values = log_values(self.patient, self.enrollment, at(11), 10)
		results = run_together(*[(rest_insert, (values,)) for _ in range(10)])
		saved = [out for _task, status, out in results if status == "ok"]
		self.assertEqual(len(saved), 1, results)
		self.assertEqual(self.stored(at(11)), saved)

	def test_two_performers_on_the_same_minutes_both_store_their_log(self):
		results = run_together(
			(save_log, (log_values(self.patient, self.enrollment, at(12), 10),)),
			(save_log, (log_values(self.patient, self.enrollment, at(12), 10, performer=SECOND_CM),)),
		)
		self.assertEqual([status for _task, status, _out in results], ["ok", "ok"], results)
		self.assertEqual(len(self.stored(at(12))), 2)

	def test_one_request_sent_ten_times_at_once_is_one_log(self):
		values = log_values(self.patient, self.enrollment, at(13), 10, request_id="simultaneous-retry")
		results = run_together(*[(create_once, (values,)) for _ in range(10)])
		names = {out for _task, status, out in results if status == "ok"}
		self.assertEqual(len(names), 1, results)
		self.assertEqual(self.stored(at(13)), list(names))
