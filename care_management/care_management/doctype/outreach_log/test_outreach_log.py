# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, get_datetime, getdate, now_datetime, today

from care_management.care_management.doctype.outreach_log import outreach_timer
from care_management.care_management.report.caseload_worklist.caseload_worklist import execute as worklist
from care_management.care_management.report.caseload_worklist.overdue_digest import send_overdue_digests
from care_management.tests.factories import (
	make_care_plan,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
)

CM = "outreach.cm@example.org"
OTHER_CM = "outreach.other@example.org"
DOCTOR = "outreach.doctor@example.org"


def make_log(patient, minutes_ago=60, minutes=20, submit=True, **fields):
	start = now_datetime() - timedelta(minutes=minutes_ago)
	log = frappe.get_doc(
		{
			"doctype": "Outreach Log",
			"patient": patient,
			"performed_by": frappe.session.user,
			"activity_type": "Phone Call",
			"start": start,
			"end": start + timedelta(minutes=minutes),
			"duration_minutes": minutes,
			"outcome": "Reached",
			**fields,
		}
	)
	log.insert()
	if submit:
		log.submit()
	return log


class TestOutreachLog(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(CM, ["Care Manager"])
		make_user(OTHER_CM, ["Care Manager"])
		make_user(DOCTOR, ["Physician"])
		cls.practitioner = make_practitioner("Outreach Doctor", DOCTOR)
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		self.patient = make_patient("Outreach", care_manager=CM, care_risk_tier="High").name
		self.enrollment = make_enrollment(self.patient, self.practitioner, care_manager=CM).name
		self.plan = make_care_plan(
			self.patient,
			self.practitioner,
			goals=[{"goal": "Walk 20 minutes a day", "status": "In Progress"}],
		).name
		frappe.set_user(CM)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def assertRefused(self, fragment, **fields):
		with self.assertRaises(frappe.ValidationError) as refused:
			make_log(self.patient, **fields)
		self.assertIn(fragment, str(refused.exception))

	def test_a_reached_call_is_logged_with_its_plan_and_follow_up(self):
		log = make_log(self.patient, enrollment=self.enrollment)
		self.assertEqual(log.care_plan, self.plan)
		self.assertEqual(log.program, "CCM")
		# High tier: a reached contact is followed up 7 days later.
		self.assertEqual(getdate(log.next_follow_up), getdate(add_days(log.start, 7)))

	def test_minutes_count_for_the_only_active_enrollment_by_default(self):
		log = make_log(self.patient)
		self.assertEqual((log.enrollment, log.program), (self.enrollment, "CCM"))

	def test_an_unanswered_attempt_is_retried_sooner(self):
		log = make_log(self.patient, outcome="No Answer", minutes=2)
		self.assertEqual(getdate(log.next_follow_up), getdate(add_days(log.start, 2)))

	def test_submitted_logs_are_immutable(self):
		log = make_log(self.patient)
		log.duration_minutes = 25
		with self.assertRaises(frappe.ValidationError):
			log.save()

	def test_end_before_start_is_refused(self):
		start = now_datetime() - timedelta(hours=2)
		self.assertRefused("is before Start", start=start, end=start - timedelta(minutes=5))

	def test_more_than_240_minutes_is_refused(self):
		self.assertRefused("at most 240 minutes", minutes_ago=300, minutes=250)

	def test_duration_not_matching_start_and_end_is_refused(self):
		start = now_datetime() - timedelta(hours=2)
		self.assertRefused(
			"Duration (Minutes) is 45", start=start, end=start + timedelta(minutes=20), duration_minutes=45
		)

	def test_start_in_the_future_is_refused(self):
		start = now_datetime() + timedelta(hours=1)
		self.assertRefused(
			"in the future", start=start, end=start + timedelta(minutes=10), duration_minutes=10
		)

	def test_patient_outside_the_caseload_is_refused(self):
		frappe.set_user("Administrator")
		stranger = make_patient("Stranger", care_manager=OTHER_CM).name
		frappe.set_user(CM)
		with self.assertRaises(frappe.PermissionError) as refused:
			make_log(stranger)
		self.assertIn("not in your caseload", str(refused.exception))
		# A supervisor logging time on someone's behalf still needs the performer's caseload.
		frappe.set_user("Administrator")
		with self.assertRaises(frappe.ValidationError) as refused:
			make_log(stranger, performed_by=CM)
		self.assertIn("not in the caseload", str(refused.exception))

	def test_enrollment_of_another_patient_is_refused(self):
		frappe.set_user("Administrator")
		other = make_patient("Other Enrolled", care_manager=CM).name
		other_enrollment = make_enrollment(other, self.practitioner).name
		frappe.set_user(CM)
		self.assertRefused("belongs to another patient", enrollment=other_enrollment)

	def test_overlapping_logs_of_one_performer_are_refused(self):
		make_log(self.patient, minutes_ago=60, minutes=20)
		self.assertRefused("overlaps", minutes_ago=50, minutes=20)
		make_log(self.patient, minutes_ago=40, minutes=10)  # back to back is fine

	def test_red_flag_creates_a_todo_and_notifies_the_supervising_practitioner(self):
		log = make_log(self.patient, red_flag=1, red_flag_reason="Weight up 3 kg in 2 days")
		self.assertEqual(log.escalated_to, DOCTOR)
		todo = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Outreach Log", "reference_name": log.name},
			fields=["allocated_to", "status", "description"],
		)
		self.assertEqual(len(todo), 1)
		self.assertEqual((todo[0].allocated_to, todo[0].status), (DOCTOR, "Open"))
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{"for_user": DOCTOR, "document_type": "Outreach Log", "document_name": log.name},
			)
		)

	def test_the_practitioner_reads_the_red_flag_escalated_to_them_and_no_other_log(self):
		flagged = make_log(self.patient, red_flag=1, red_flag_reason="Chest pain on exertion")
		other = make_log(self.patient, minutes_ago=200)
		frappe.set_user(DOCTOR)
		try:
			listed = set(frappe.get_list("Outreach Log", filters={"patient": self.patient}, pluck="name"))
			self.assertEqual(listed, {flagged.name})
			self.assertTrue(frappe.has_permission("Outreach Log", "read", flagged.name))
			self.assertFalse(frappe.has_permission("Outreach Log", "write", flagged.name))
			self.assertFalse(frappe.has_permission("Outreach Log", "read", other.name))
		finally:
			frappe.set_user("Administrator")

	def test_goal_progress_updates_the_care_plan(self):
		goal = frappe.get_doc("Care Plan", self.plan).goals[0]
		make_log(
			self.patient,
			goal_updates=[{"care_plan_goal": goal.name, "goal": goal.goal, "new_status": "Achieved"}],
		)
		self.assertEqual(frappe.db.get_value("Care Plan Goal", goal.name, "status"), "Achieved")

	def test_timer_start_pause_resume_stop_fills_the_log(self):
		info = outreach_timer.start_timer(patient=self.patient)
		self.assertEqual(info["status"], "Running")
		# A second timer for the same care manager is refused.
		with self.assertRaises(frappe.ValidationError) as refused:
			outreach_timer.start_timer(patient=self.patient)
		self.assertIn("already running", str(refused.exception))
		self.assertEqual(outreach_timer.get_running_timer()["name"], info["name"])

		# Move the clock by rewriting the stored start: 25 minutes ago.
		frappe.db.set_value(
			"Outreach Log",
			info["name"],
			{
				"timer_started_at": now_datetime() - timedelta(minutes=25),
				"start": now_datetime() - timedelta(minutes=25),
			},
		)
		outreach_timer.pause_timer(info["name"])
		paused_at = get_datetime(frappe.db.get_value("Outreach Log", info["name"], "timer_paused_at"))
		frappe.db.set_value("Outreach Log", info["name"], "timer_paused_at", paused_at - timedelta(minutes=5))
		outreach_timer.resume_timer(info["name"])
		outreach_timer.stop_timer(info["name"])

		log = frappe.get_doc("Outreach Log", info["name"])
		self.assertEqual(log.timer_status, "Stopped")
		self.assertEqual(log.paused_minutes, 5)
		self.assertEqual(log.duration_minutes, 20)
		self.assertIsNone(outreach_timer.get_running_timer())
		log.submit()

	def test_running_timer_blocks_submit(self):
		info = outreach_timer.start_timer(patient=self.patient)
		log = frappe.get_doc("Outreach Log", info["name"])
		with self.assertRaises(frappe.ValidationError):
			log.submit()

	def test_worklist_shows_minutes_threshold_and_next_due(self):
		_columns, rows, *_ = worklist({})
		row = next(r for r in rows if r.patient == self.patient)
		self.assertEqual(row.days_overdue, 0)  # never contacted: due today
		log = make_log(self.patient, minutes=15, enrollment=self.enrollment)
		_columns, rows, *_ = worklist({})
		row = next(r for r in rows if r.patient == self.patient)
		self.assertEqual(row.minutes_this_month, 15)
		self.assertEqual(row.minutes_to_next_threshold, "CCM: 5")
		self.assertEqual(getdate(row.next_due), getdate(add_days(log.start, 7)))
		_columns, near, *_ = worklist({"view": "Near Threshold"})
		self.assertIn(self.patient, [r.patient for r in near])

	def test_worklist_orders_overdue_first_and_hides_other_caseloads(self):
		frappe.set_user("Administrator")
		stranger = make_patient("Not Mine", care_manager=OTHER_CM).name
		late = make_patient("Late", care_manager=CM, care_risk_tier="Low").name
		frappe.set_user(CM)
		make_log(late, minutes_ago=60 * 24 * 40, minutes=10)
		_columns, rows, *_ = worklist({})
		patients = [r.patient for r in rows]
		self.assertNotIn(stranger, patients)
		self.assertEqual(patients[0], late)
		self.assertGreater(rows[0].days_overdue, 0)
		with self.assertRaises(frappe.PermissionError):
			worklist({"care_manager": OTHER_CM})

	def test_daily_digest_reaches_care_managers_with_overdue_patients(self):
		frappe.set_user("Administrator")
		late = make_patient("Digest Late", care_manager=CM, care_risk_tier="Low").name
		frappe.set_user(CM)
		make_log(late, minutes_ago=60 * 24 * 40, minutes=10)
		frappe.set_user("Administrator")
		self.assertIn(CM, send_overdue_digests())
		digest = frappe.get_all(
			"Notification Log",
			filters={"for_user": CM, "subject": ("like", "%overdue%")},
			fields=["email_content"],
		)
		self.assertEqual(len(digest), 1)
		self.assertIn("Digest Late", digest[0].email_content)
