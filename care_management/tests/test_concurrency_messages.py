"""No database error text reaches a user when two of them (or a user and a
background job) do the same thing at once: real processes, released together
(test_billing_concurrency.run_together), and the words each one got back."""

from __future__ import annotations

import multiprocessing
import re
from contextlib import contextmanager
from datetime import date
from unittest import mock

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.billing.db_errors import ConcurrentChangeError, explained, kind_of
from care_management.tests.test_billing_concurrency import (
	PATIENTS,
	BillingConcurrencyTestCase,
	run_together,
)

RAW_DATABASE_TEXT = re.compile(
	r"IntegrityError|Duplicate entry|unique_billing_key|Deadlock found|Lock wait timeout|\(1062|\(1205|\(1213"
)
CLOSE_REFUSALS = "already being closed|being started right now|stopped and changed nothing"


# ------------------------------------------------------- child process tasks
@contextmanager
def before_writing(wait):
	"""Run ``wait`` once, when the close has read and locked what it found and is
	about to write; a retry goes straight on."""
	from care_management.billing import month_close

	original = month_close.bulk_insert
	waited = []

	def bulk_insert(records):
		if not waited:
			waited.append(True)
			wait()
		return original(records)

	with mock.patch.object(month_close, "bulk_insert", bulk_insert):
		yield


@contextmanager
def past_the_guard():
	"""A close that the one-close-at-a-time guard did not stop (as when a close was
	given up as Failed while one of its chunks still ran): only the database's
	unique key and row locks stand between it and another close."""
	controller = "care_management.care_management.doctype.care_month_close.care_month_close"
	with mock.patch(f"{controller}.hold_month_lock"), mock.patch(f"{controller}.refuse_overlap"):
		yield


def close_holding_its_locks(month, has_read, may_go_on):
	"""A practice close run in the request (now=True) that keeps its row locks
	until the other close has met them."""
	from care_management.billing.month_close import close_month

	def hold():
		has_read.set()
		may_go_on.wait(timeout=120)

	with past_the_guard(), before_writing(hold):
		return close_month(month, now=True)


def close_meeting_those_locks(month, practitioner, has_read, may_go_on):
	"""A practitioner's close of the same month, started once the other holds its
	locks; it waits for them as long as the database lets it (2 s here, 50 s on a
	default MariaDB) and then must say so in words."""
	from care_management.billing.month_close import close_month

	has_read.wait(timeout=120)
	frappe.db.sql("set session innodb_lock_wait_timeout = 2")
	try:
		return close_month(month, practitioner=practitioner, now=True)
	finally:
		may_go_on.set()


def run_chunk(close_name, chunk, meeting):
	"""A background worker running one chunk job, committing it itself."""
	from care_management.billing.month_close import close_chunk

	with before_writing(lambda: meeting.wait(timeout=120)):
		return close_chunk(close_name, chunk)


def hold_rows(sql, values, has_locked, may_go_on):
	"""Another user's transaction holding rows (FOR UPDATE) until told to go on."""
	frappe.db.sql(sql, values)
	has_locked.set()
	may_go_on.wait(timeout=120)


def after_the_lock_with_a_short_wait(has_locked, may_go_on, task, *args):
	"""``task`` once the other holds its rows, waiting 2 s for them (50 s on a
	default MariaDB), then letting the holder go."""
	has_locked.wait(timeout=120)
	frappe.db.sql("set session innodb_lock_wait_timeout = 2")
	try:
		return task(*args)
	finally:
		may_go_on.set()


def enroll(patient, practitioner):
	from care_management.tests.factories import make_enrollment

	return make_enrollment(patient, practitioner, start_date="2026-01-01", consent_date="2026-01-01").name


def invoice(month):
	from care_management.billing.invoicing import create_invoices

	return create_invoices(month, submit=0)


def spawn_context():
	return multiprocessing.get_context("spawn")


class TestMonthCloseCollisions(BillingConcurrencyTestCase):
	MONTH = date(2026, 8, 1)

	def assert_said_in_words(self, results, pattern=CLOSE_REFUSALS):
		for _task, status, text in results:
			if status == "error":
				self.assertNotRegex(text, RAW_DATABASE_TEXT, results)
				self.assertRegex(text, pattern, results)

	def test_a_practitioners_close_during_the_practice_close_names_the_running_close(self):
		results = run_together(("close", (self.MONTH,)), ("close", (self.MONTH, self.practitioner)))
		self.assert_books_whole()
		self.assertEqual(self.records(), PATIENTS)
		self.assertGreaterEqual(len([r for r in results if r[1] == "ok"]), 1, results)
		self.assert_said_in_words(results)

	def test_a_close_waiting_too_long_on_another_closes_records_says_so(self):
		has_read, may_go_on = spawn_context().Event(), spawn_context().Event()
		results = run_together(
			(close_holding_its_locks, (self.MONTH, has_read, may_go_on)),
			(close_meeting_those_locks, (self.MONTH, self.practitioner, has_read, may_go_on)),
		)
		self.assertEqual(sorted(r[:2] for r in results), [
			("close_holding_its_locks", "ok"), ("close_meeting_those_locks", "error")
		], results)  # fmt: skip
		self.assert_said_in_words(results, "stopped and changed nothing.*holds the same billing records")
		self.assert_books_whole()
		self.assertEqual(self.records(), PATIENTS)

	def test_chunks_of_two_closes_writing_the_same_records_both_finish(self):
		"""A practice close given up as Failed while its chunk job still runs, and a
		practitioner's close started meanwhile: their chunks write the same keys.
		The one that meets the other's record does its chunk again and keeps it."""
		frappe.db.set_single_value("Care Management Settings", "month_close_chunk_size", 100)
		frappe.clear_document_cache("Care Management Settings", "Care Management Settings")
		with mock.patch("frappe.enqueue"):  # no worker here: the chunks run below
			practice = frappe.get_doc({"doctype": "Care Month Close", "month": self.MONTH}).insert()
			frappe.db.set_value("Care Month Close", practice.name, "status", "Failed")
			own = frappe.get_doc(
				{
					"doctype": "Care Month Close",
					"month": self.MONTH,
					"billing_practitioner": self.practitioner,
				}
			).insert()
		frappe.db.commit()
		chunks = [(close.name, self.only_chunk(close.name)) for close in (practice, own)]
		together = spawn_context().Barrier(2)
		results = run_together(*[(run_chunk, (*chunk, together)) for chunk in chunks])
		self.assertEqual([r for r in results if r[1] != "ok"], [], results)
		self.assert_books_whole()
		self.assertEqual(self.records(), PATIENTS)
		for close in (practice, own):
			self.assertNotRegex(
				frappe.db.get_value("Care Month Close", close.name, "error") or "", RAW_DATABASE_TEXT
			)

	def only_chunk(self, close_name):
		chunks = frappe.get_all("Care Month Close Chunk", filters={"parent": close_name}, pluck="name")
		self.assertEqual(len(chunks), 1)
		return chunks[0]


class TestOtherPathsWaitingOnLocks(BillingConcurrencyTestCase):
	"""Enrollment and Create Invoices meeting rows another transaction holds."""

	MONTH = date(2026, 9, 1)

	def held_while(self, sql, values, task, *args):
		context = spawn_context()
		has_locked, may_go_on = context.Event(), context.Event()
		return run_together(
			(hold_rows, (sql, values, has_locked, may_go_on)),
			(after_the_lock_with_a_short_wait, (has_locked, may_go_on, task, *args)),
		)

	def test_an_enrollment_saved_while_the_patient_is_held_says_so(self):
		patient = self.patients[0]
		results = self.held_while(
			"select name from `tabPatient` where name = %s for update",
			patient,
			enroll,
			patient,
			self.practitioner,
		)
		refused = [r for r in results if r[1] == "error"]
		self.assertEqual(len(refused), 1, results)
		self.assertNotRegex(refused[0][2], RAW_DATABASE_TEXT)
		self.assertRegex(refused[0][2], "enrollments are being changed by someone else right now", results)

	def test_create_invoices_meeting_a_held_record_reports_it_in_words(self):
		from care_management.billing.month_close import close_month

		close_month(self.MONTH, now=True)
		frappe.db.commit()
		patient = self.patients[0]
		results = self.held_while(
			"select name from `tabCare Billing Record` where month = %s and patient = %s for update",
			(self.MONTH, patient),
			invoice,
			self.MONTH,
		)
		self.assertEqual([r[1] for r in results], ["ok", "ok"], results)
		run = next(out for task, _status, out in results if task == "after_the_lock_with_a_short_wait")
		self.assertEqual([f["patient"] for f in run["failed"]], [patient], run)
		self.assertNotRegex(run["failed"][0]["error"], RAW_DATABASE_TEXT)
		self.assertRegex(run["failed"][0]["error"], "being invoiced or closed by someone else right now")
		self.assertEqual(len(run["invoices"]) > 0, True, run)


class TestExplained(FrappeTestCase):
	"""The helper itself, on a real duplicate key: the words, not the driver's text."""

	def test_a_real_duplicate_key_becomes_the_message(self):
		frappe.db.sql("insert into `tabSeries` (name, current) values ('CM-DUP-PROBE', 0)")
		with self.assertRaises(ConcurrentChangeError) as caught:
			with explained(duplicate="Already done by someone else.", busy="Busy."):
				frappe.db.sql("insert into `tabSeries` (name, current) values ('CM-DUP-PROBE', 0)")
		self.assertEqual(kind_of(caught.exception.__context__), "duplicate")
		self.assertIn("Already done by someone else.", str(caught.exception))
		self.assertNotRegex(str(caught.exception), RAW_DATABASE_TEXT)
		frappe.db.rollback()

	def test_other_errors_pass_through(self):
		with self.assertRaises(ZeroDivisionError):
			with explained(duplicate="never"):
				_ = 1 / 0


class TestDeskSaveMeetingALock(FrappeTestCase):
	"""The desk's Save/Submit (savedocs, overridden in hooks) says a deadlock in words,
	wherever in the save it happened, and leaves any other error as it was."""

	def test_the_desk_calls_the_override(self):
		self.assertEqual(
			frappe.get_hooks("override_whitelisted_methods")["frappe.desk.form.save.savedocs"],
			["care_management.overrides.form_save.savedocs"],
		)

	def test_a_deadlock_in_a_care_invoice_save_names_the_lines(self):
		from care_management.overrides import form_save

		invoice = {
			"doctype": "Sales Invoice",
			"items": [{"reference_dt": "Care Billing Line", "reference_dn": "x"}],
		}
		deadlock = frappe.QueryDeadlockError(1213, "Deadlock found when trying to get lock")
		with mock.patch.object(form_save.save, "savedocs", side_effect=deadlock):
			with self.assertRaises(ConcurrentChangeError) as caught:
				form_save.savedocs(frappe.as_json(invoice), "Submit")
		self.assertIn("being invoiced by someone else", str(caught.exception))
		self.assertNotRegex(str(caught.exception), RAW_DATABASE_TEXT)

	def test_a_deadlock_in_another_save_says_nothing_was_saved(self):
		from care_management.overrides import form_save

		deadlock = frappe.QueryDeadlockError(1213, "Deadlock found when trying to get lock")
		with mock.patch.object(form_save.save, "savedocs", side_effect=deadlock):
			with self.assertRaises(ConcurrentChangeError) as caught:
				form_save.savedocs(frappe.as_json({"doctype": "Care Plan"}), "Save")
		self.assertIn("Nothing was saved", str(caught.exception))

	def test_other_errors_keep_their_own_message(self):
		from care_management.overrides import form_save

		with mock.patch.object(form_save.save, "savedocs", side_effect=frappe.DuplicateEntryError("x")):
			with self.assertRaises(frappe.DuplicateEntryError):
				form_save.savedocs(frappe.as_json({"doctype": "Care Plan"}), "Save")
