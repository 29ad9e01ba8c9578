"""The Caseload Worklist costs a fixed number of statements whatever the caseload's
size (one care manager's worklist is asked for on every visit of the desk and at
every load-test step), and its figures read from each patient's newest logs say
what they said when they were joins over the caseload (issue #24, part 3)."""

from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, now_datetime, today

from care_management.care_management.report.caseload_worklist.caseload_worklist import worklist_rows
from care_management.tests.factories import (
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
	submit_outreach_log,
)

SMALL_CM = "worklist.small@example.org"
LARGE_CM = "worklist.large@example.org"
DOCTOR = "worklist.doctor@example.org"


def statements_of(fn) -> list[str]:
	sent = []
	original = frappe.db.sql

	def recording(query, *args, **kwargs):
		sent.append(str(query))
		return original(query, *args, **kwargs)

	frappe.db.sql = recording
	try:
		fn()
	finally:
		frappe.db.sql = original
	return sent


def submit_log(patient, performer, days_ago: float, outcome="Reached", start=None, **fields):
	start = start or now_datetime() - timedelta(days=days_ago)
	return submit_outreach_log(patient, performer, start, outcome=outcome, **fields)


class TestWorklistQueries(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(SMALL_CM, ["Care Manager"])
		make_user(LARGE_CM, ["Care Manager"])
		make_user(DOCTOR, ["Physician"])
		cls.practitioner = make_practitioner("Worklist Doctor", DOCTOR)
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def caseload(self, care_manager: str, size: int) -> list[str]:
		patients = []
		for index in range(size):
			patient = make_patient(f"Worklist {index}", care_manager=care_manager).name
			make_enrollment(patient, self.practitioner, care_manager=care_manager)
			submit_log(patient, care_manager, days_ago=index + 1)
			patients.append(patient)
		return patients

	def test_statements_do_not_grow_with_the_caseload(self):
		small = self.caseload(SMALL_CM, 2)
		large = self.caseload(LARGE_CM, 8)
		as_of = getdate(today())
		counts = {}
		for care_manager, patients in ((SMALL_CM, small), (LARGE_CM, large)):
			worklist_rows(care_manager, as_of)  # what Frappe caches on a first run is not the worklist's cost
			rows = []
			sent = statements_of(
				lambda care_manager=care_manager, rows=rows: rows.extend(worklist_rows(care_manager, as_of))
			)
			self.assertEqual(sorted(r.patient for r in rows), sorted(patients))
			counts[care_manager] = len(sent)
		self.assertEqual(counts[SMALL_CM], counts[LARGE_CM], counts)
		# The caseload, the worklist statement, the month's minutes (enrollments and logs),
		# the programs' billing families: a query per patient would show as 8 or more.
		self.assertLessEqual(counts[LARGE_CM], 6, counts)

	def test_next_due_follows_the_newest_log_and_the_last_reached_call(self):
		patient = make_patient("Worklist Due", care_manager=SMALL_CM, care_risk_tier="High").name
		make_enrollment(patient, self.practitioner, care_manager=SMALL_CM)
		reached = submit_log(patient, SMALL_CM, days_ago=3)
		row = self.row(patient)
		self.assertEqual(row.last_reached, reached.start)
		self.assertEqual(row.next_due, getdate(reached.next_follow_up))

		# A later attempt that reached no one: the follow-up it asks for is the one due,
		# while the last reached call stays the earlier one.
		attempt = submit_log(
			patient, SMALL_CM, days_ago=1, outcome="Left Voicemail", next_follow_up=add_days(today(), 2)
		)
		row = self.row(patient)
		self.assertEqual(row.last_reached, reached.start)
		self.assertEqual(row.next_due, getdate(add_days(today(), 2)))

		# The newest log asks for no follow-up: the tier's cadence after the last reached call.
		frappe.db.set_value("Outreach Log", attempt.name, "next_follow_up", None, update_modified=False)
		cadence = self.row(patient).cadence_days
		self.assertEqual(self.row(patient).next_due, getdate(reached.start) + timedelta(days=cadence))

	def test_of_two_logs_started_together_the_later_follow_up_is_due(self):
		# Simultaneous staff: a second care manager (enrolling the patient) calls at the same moment.
		patient = make_patient("Worklist Tie", care_manager=SMALL_CM).name
		make_enrollment(patient, self.practitioner, care_manager=LARGE_CM)
		first = submit_log(patient, SMALL_CM, days_ago=2, next_follow_up=add_days(today(), 9))
		submit_log(patient, LARGE_CM, days_ago=2, start=first.start, next_follow_up=add_days(today(), 5))
		self.assertEqual(self.row(patient).next_due, getdate(add_days(today(), 9)))

	def test_a_patient_never_reached_is_due_today(self):
		patient = make_patient("Worklist Never", care_manager=SMALL_CM).name
		row = self.row(patient)
		self.assertIsNone(row.last_reached)
		self.assertEqual(row.next_due, getdate(today()))
		self.assertEqual(row.days_overdue, 0)

	def row(self, patient: str):
		return next(r for r in worklist_rows(SMALL_CM, getdate(today())) if r.patient == patient)
