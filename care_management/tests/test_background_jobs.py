"""Long work as background runs, done by real RQ worker processes.

Each test starts a job as its button does, checks that the request did none of
the work (the run is Queued, its job on the queue), then lets a real burst
worker process do it — on a Redis of the test's own (rq_worker.py says why) —
and reads the run. A killed worker is SIGKILLed at a deterministic point (after
a given number of rows), the run is given up by the scheduled sweep, and run
again it does only what is left. Records are committed (the worker is another
connection) and removed by each test.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.background_jobs import get_job

from care_management import job_runs
from care_management.billing import close_guard
from care_management.tests.factories import make_enrollment, make_patient, make_practitioner
from care_management.tests.rq_worker import kill, private_queue, run_worker, start_worker, wait_paused
from care_management.tests.test_billing_concurrency import (
	CHUNK_SIZE,
	PATIENTS,
	BillingConcurrencyTestCase,
	delete_payment_entries,
	submitted_invoices_by_share,
)
from care_management.tests.web_requests import api_headers, http, in_a_request

SHARES = ("Primary Payer", "Patient")  # each patient: Medicare's 80 % and the coinsurance
# Billing staff who may submit exports and post payments, sending Frappe's own submit requests.
FORGER = "background.forger@example.com"
START_SUBMIT = "care_management.job_runs.start_submit"


def forged_submits(doctype: str, name: str) -> list[tuple[str, str, dict]]:
	"""Every web path that submits a draft without its run: frappe.client.submit, the
	desk's savedocs with action Submit, REST PUT with docstatus 1."""
	from urllib.parse import quote

	doc = frappe.get_doc(doctype, name).as_dict()
	return [
		("POST", "/api/method/frappe.client.submit", {"doc": doc}),
		(
			"POST",
			"/api/method/frappe.desk.form.save.savedocs",
			{"doc": frappe.as_json(doc), "action": "Submit"},
		),
		("PUT", f"/api/resource/{quote(doctype)}/{quote(name)}", {"docstatus": 1}),
	]


def unrecorded_claim_files() -> list[str]:
	"""837P files in the site's private files that no File record points to."""
	folder = frappe.get_site_path("private", "files")
	recorded = set(
		frappe.db.sql_list(
			"select file_url from `tabFile` where file_url like %s", ("/private/files/837P-%",)
		)
	)
	return sorted(
		name
		for name in os.listdir(folder)
		if name.startswith("837P-") and f"/private/files/{name}" not in recorded
	)


class ForgedSubmitCase:
	"""Frappe's own submit of ``doctype`` sent as real HTTP requests is refused and
	names the run's API; that API, over HTTP, queues the run."""

	def assert_forged_submits_refused_and_the_api_queues_the_run(self, doctype: str, name: str):
		from frappe.utils.background_jobs import get_redis_conn

		from care_management.tests.factories import make_user

		token = api_headers(make_user(FORGER, ["Care Management Billing", "Accounts User"]))
		frappe.db.commit()  # the requests read the user's secret
		for method, path, data in forged_submits(doctype, name):
			with self.subTest(path=path):
				response = http(method, path, token, data)
				self.assertEqual(response.status_code, 417, response.get_data(as_text=True)[:800])
				self.assertIn(START_SUBMIT, response.get_data(as_text=True))
				self.assertEqual(frappe.db.get_value(doctype, name, "docstatus"), 0)
		with private_queue():
			get_redis_conn()  # the request's thread enqueues on this process's (private) connection
			response = http("POST", f"/api/method/{START_SUBMIT}", token, {"doctype": doctype, "name": name})
			self.assertEqual(response.status_code, 200, response.get_data(as_text=True)[:800])
			frappe.db.rollback()  # a fresh snapshot: the request committed on a connection of its own
			run = frappe.get_doc("Care Job Run", response.json["message"]["run"])
			self.assertEqual((run.job_type, run.status, run.reference_name), (doctype, "Queued", name))
			self.assertTrue(job_runs.job_alive(run.job_id))
		self.assertEqual(frappe.db.get_value(doctype, name, "docstatus"), 0)  # nothing done in the request


def delete_runs(key_like: str) -> None:
	runs = frappe.db.sql_list("select name from `tabCare Job Run` where job_key like %s", key_like)
	if runs:
		frappe.db.delete("Care Job Run Row", {"parent": ("in", runs)})
		frappe.db.delete("Error Log", {"reference_doctype": "Care Job Run", "reference_name": ("in", runs)})
		frappe.db.delete("Care Job Run", {"name": ("in", runs)})


def rows_of(run: str, outcome: str) -> list[dict]:
	return frappe.get_all(
		"Care Job Run Row",
		filters={"parent": run, "outcome": outcome},
		fields=["patient", "reference_doctype", "reference_name", "reason"],
		order_by="idx",
	)


class TestCreateInvoicesInTheBackground(BillingConcurrencyTestCase):
	MONTH = date(2026, 10, 1)

	def setUp(self):
		from care_management.billing.month_close import close_month

		super().setUp()
		delete_runs(str(self.MONTH))
		close_month(self.MONTH, now=True)
		frappe.db.commit()

	def tearDown(self):
		frappe.db.rollback()
		delete_runs(str(self.MONTH))
		super().tearDown()

	def start(self) -> dict:
		from care_management.billing.invoicing import start_create_invoices

		started = start_create_invoices(self.MONTH, submit=1)
		frappe.db.commit()
		return started

	def assert_each_patient_billed_once(self, patients: list[str]):
		self.assert_books_whole()
		self.assertEqual(
			submitted_invoices_by_share(self.patients), {(p, share): 1 for p in patients for share in SHARES}
		)

	def test_the_button_queues_a_run_and_a_worker_completes_it(self):
		from care_management.billing.invoicing import start_create_invoices

		with private_queue() as url:
			started = self.start()
			run = started["run"]
			self.assertIn(run, started["message"])
			doc = frappe.get_doc("Care Job Run", run)
			self.assertEqual(
				(doc.job_type, doc.status, doc.started_by), ("Create Invoices", "Queued", "Administrator")
			)
			self.assertTrue(job_runs.job_alive(doc.job_id))  # on the queue, not yet taken
			self.assertEqual(submitted_invoices_by_share(self.patients), {})  # the request billed nobody
			# The same month cannot be started twice while its run is queued.
			with self.assertRaises(frappe.ValidationError) as refused:
				start_create_invoices(self.MONTH, submit=1)
			self.assertIn(run, str(refused.exception))
			frappe.db.rollback()
			run_worker(url)
		frappe.db.commit()
		doc = frappe.get_doc("Care Job Run", run)
		self.assertEqual((doc.status, doc.total, doc.done, doc.failed), ("Completed", PATIENTS, PATIENTS, 0))
		self.assertTrue(doc.started_at and doc.ended_at)
		made = rows_of(run, "Made")
		self.assertEqual(len(made), 2 * PATIENTS)
		self.assertEqual({row.reference_doctype for row in made}, {"Sales Invoice"})
		self.assertEqual(rows_of(run, "Failed"), [])
		self.assert_each_patient_billed_once(self.patients)

	def test_a_patient_without_coverage_is_a_failed_row_and_the_others_are_invoiced(self):
		uncovered = self.patients[0]
		frappe.db.delete("Patient Coverage", {"patient": uncovered})
		frappe.db.commit()
		with private_queue() as url:
			run = self.start()["run"]
			run_worker(url)
		frappe.db.commit()
		doc = frappe.get_doc("Care Job Run", run)
		self.assertEqual((doc.status, doc.done, doc.failed), ("Partly failed", PATIENTS, 1))
		failed = rows_of(run, "Failed")
		self.assertEqual([row.patient for row in failed], [uncovered])
		self.assertIn("No coverage to bill", failed[0].reason)
		self.assertIn("Patient Coverage", failed[0].reason)  # what to fix
		self.assertEqual(failed[0].reference_doctype, "Care Billing Record")
		self.assert_each_patient_billed_once(self.patients[1:])

	def test_a_killed_worker_ends_the_run_failed_and_running_it_again_bills_the_rest_once(self):
		with private_queue() as url:
			run = self.start()["run"]
			worker = start_worker(url, pause_after=4)
			horse = wait_paused(
				worker
			)  # three patients committed; the fourth's invoices written, not committed
			kill(worker, horse)
			frappe.db.commit()
			doc = frappe.get_doc("Care Job Run", run)
			self.assertEqual((doc.status, doc.done), ("Running", 3))
			invoiced = sorted({row.patient for row in rows_of(run, "Made")})
			self.assertEqual(len(invoiced), 3)
			self.assert_each_patient_billed_once(invoiced)
			# Its job still looks alive for the heartbeat's grace; past it, the sweep gives it up.
			self.assertNotIn(run, job_runs.fail_stopped_runs())
			self.assertIn(run, job_runs.fail_stopped_runs(ahead=timedelta(minutes=10)))
			doc.reload()
			self.assertEqual(doc.status, "Failed")
			self.assertIn("worker stopped", doc.reason)
			job_runs.run_again(run)
			frappe.db.commit()
			self.assertEqual(frappe.db.get_value("Care Job Run", run, "status"), "Queued")
			run_worker(url)
		frappe.db.commit()
		doc = frappe.get_doc("Care Job Run", run)
		self.assertEqual((doc.status, doc.total, doc.done), ("Completed", PATIENTS - 3, PATIENTS - 3))
		self.assertEqual(len(rows_of(run, "Made")), 2 * PATIENTS)  # both attempts' invoices, each once
		self.assert_each_patient_billed_once(self.patients)

	def test_a_run_whose_job_never_reached_the_queue_is_given_up_and_a_new_start_is_allowed(self):
		from care_management.billing.invoicing import start_create_invoices

		with private_queue() as url:
			run = self.start()["run"]
			# Redis lost its queue (a restart without persistence): the job is gone.
			frappe.utils.background_jobs.get_redis_conn().flushdb()  # the test's own Redis only
			self.assertFalse(job_runs.job_alive(frappe.db.get_value("Care Job Run", run, "job_id")))
			frappe.db.sql(
				"update `tabCare Job Run` set modified = modified - interval 1 hour where name = %s", run
			)
			frappe.db.commit()
			again = start_create_invoices(self.MONTH, submit=1)["run"]
			frappe.db.commit()
			self.assertEqual(frappe.db.get_value("Care Job Run", run, "status"), "Failed")
			run_worker(url)
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Care Job Run", again, "status"), "Completed")
		self.assert_each_patient_billed_once(self.patients)


class TestAMonthCloseWhoseWorkerWasKilled(BillingConcurrencyTestCase):
	"""A close's worker SIGKILLed in its second chunk (of three): the close is given up
	as Failed once the chunk's heartbeat is past its grace — by the scheduled sweep or
	by the clerk's next close — and closing again makes each record once."""

	MONTH = date(2026, 2, 1)

	def kill_in_second_chunk(self, url: str) -> str:
		from care_management.billing.month_close import close_month

		name = close_month(self.MONTH)
		frappe.db.commit()
		worker = start_worker(url, pause_in_chunk=2)
		horse = wait_paused(worker)  # chunk 1 committed; chunk 2's records written, not committed
		kill(worker, horse)
		frappe.db.commit()
		close = frappe.get_doc("Care Month Close", name)
		self.assertEqual((close.status, close.chunks_done, close.chunks_total), ("Running", 1, 3))
		self.assertEqual(self.records(), CHUNK_SIZE)
		# Past the grace of a just-queued close, so only the chunks' jobs decide.
		frappe.db.sql(
			"update `tabCare Month Close` set modified = modified - interval 1 hour where name = %s", name
		)
		frappe.db.commit()
		return name

	def close_again_and_complete(self, url: str, killed: str) -> None:
		from care_management.billing.month_close import close_month

		again = close_month(self.MONTH)
		frappe.db.commit()
		run_worker(url)
		frappe.db.commit()
		close = frappe.get_doc("Care Month Close", again)
		self.assertEqual(
			(close.status, close.chunks_done, close.records_created, close.records_unchanged),
			("Completed", 3, PATIENTS - CHUNK_SIZE, CHUNK_SIZE),  # chunk 1's records kept as they were
		)
		# The killed close's queued chunk was taken off the queue with it: it never ran.
		self.assertEqual(
			frappe.db.get_value("Care Month Close", killed, ["status", "chunks_done"]), ("Failed", 1)
		)
		self.assertEqual(self.records(), PATIENTS)
		self.assert_books_whole()

	def test_the_sweep_ends_a_killed_close_failed_and_closing_again_completes_it_once(self):
		from care_management.billing.month_close import close_month

		with private_queue() as url:
			name = self.kill_in_second_chunk(url)
			# Killed a moment ago, its chunk's job is "started" with a fresh heartbeat: still running.
			self.assertEqual(close_guard.fail_stopped_closes(), [])
			with self.assertRaises(frappe.ValidationError) as refused:
				close_month(self.MONTH)
			self.assertIn(name, str(refused.exception))
			frappe.db.rollback()
			# Past the heartbeat's grace the sweep gives it up, naming the part that stopped.
			self.assertEqual(close_guard.fail_stopped_closes(ahead=timedelta(minutes=10)), [name])
			close = frappe.get_doc("Care Month Close", name)
			self.assertEqual(close.status, "Failed")
			self.assertIn("part 2 of 3 stopped", close.error)
			self.assertIn("closing the month again", close.error)
			# Its dead and its queued chunk jobs are forgotten.
			self.assertEqual([get_job(close_guard.chunk_job_id(name, idx)) for idx in (2, 3)], [None, None])
			self.assertEqual(close_guard.fail_stopped_closes(ahead=timedelta(minutes=10)), [])
			self.close_again_and_complete(url, name)

	def test_the_clerks_next_close_gives_up_a_killed_close_at_once(self):
		from rq.utils import utcnow

		with private_queue() as url:
			name = self.kill_in_second_chunk(url)
			# Four minutes on: RQ still holds the job "started", its heartbeat older than the grace.
			get_job(close_guard.chunk_job_id(name, 2)).heartbeat(utcnow() - timedelta(minutes=4), ttl=600)
			self.close_again_and_complete(url, name)
		self.assertIn("part 2 of 3 stopped", frappe.db.get_value("Care Month Close", name, "error"))


class TestStartEnrollmentInTheBackground(FrappeTestCase):
	PREFIX = "Background Enrollee"

	def setUp(self):
		frappe.set_user("Administrator")
		self.purge()
		self.doctor = make_practitioner("Background Enrollment Doctor")
		self.patients = [make_patient(f"{self.PREFIX} {i}").name for i in range(4)]
		# Already enrolled: the run refuses this row and makes the others.
		self.enrolled = self.patients[-1]
		make_enrollment(self.enrolled, self.doctor, status="Pending Consent")
		frappe.db.commit()

	def tearDown(self):
		self.purge()

	def purge(self):
		frappe.db.rollback()
		patients = frappe.db.sql_list(
			"select name from tabPatient where first_name like %s", f"{self.PREFIX} %"
		)
		runs = frappe.db.sql_list(
			"""select distinct parent from `tabCare Job Run Row` where patient in %s""", [patients or [""]]
		)
		if runs:
			frappe.db.delete("Care Job Run Row", {"parent": ("in", runs)})
			frappe.db.delete("Care Job Run", {"name": ("in", runs)})
		if patients:
			frappe.db.delete("Care Program Enrollment", {"patient": ("in", patients)})
			frappe.db.delete("Patient", {"name": ("in", patients)})
		frappe.db.commit()

	def start(self) -> str:
		from care_management.population.start_enrollment import queue_start_enrollment

		rows = [{"patient": p, "program": "CCM", "practitioner": self.doctor} for p in self.patients]
		run = queue_start_enrollment(rows)["run"]
		frappe.db.commit()
		return run

	def enrollments(self) -> dict[str, int]:
		frappe.db.commit()
		return {
			patient: frappe.db.count("Care Program Enrollment", {"patient": patient, "program": "CCM"})
			for patient in self.patients
		}

	def test_the_button_queues_a_run_and_a_worker_reports_the_refused_row(self):
		with private_queue() as url:
			run = self.start()
			self.assertEqual(frappe.db.get_value("Care Job Run", run, "status"), "Queued")
			self.assertEqual(sum(self.enrollments().values()), 1)  # the request enrolled nobody
			run_worker(url)
		frappe.db.commit()
		doc = frappe.get_doc("Care Job Run", run)
		self.assertEqual((doc.status, doc.done, doc.failed), ("Partly failed", 4, 1))
		self.assertEqual(sorted(row.patient for row in rows_of(run, "Made")), sorted(self.patients[:-1]))
		failed = rows_of(run, "Failed")
		self.assertEqual([row.patient for row in failed], [self.enrolled])
		self.assertIn("CCM", failed[0].reason)
		self.assertEqual(self.enrollments(), dict.fromkeys(self.patients, 1))

	def test_a_killed_run_made_again_enrolls_each_patient_once(self):
		with private_queue() as url:
			run = self.start()
			worker = start_worker(url, pause_after=2)
			horse = wait_paused(worker)  # the first row committed, the second written, not committed
			kill(worker, horse)
			self.assertEqual(sum(self.enrollments().values()), 2)
			self.assertIn(run, job_runs.fail_stopped_runs(ahead=timedelta(minutes=10)))
			job_runs.run_again(run)
			frappe.db.commit()
			run_worker(url)
		frappe.db.commit()
		doc = frappe.get_doc("Care Job Run", run)
		# The again-run did the three rows left: two made, the enrolled patient refused.
		self.assertEqual((doc.status, doc.total, doc.failed), ("Partly failed", 3, 1))
		self.assertEqual(len(rows_of(run, "Made")), 3)
		self.assertEqual(self.enrollments(), dict.fromkeys(self.patients, 1))


class TestRiskScoresInTheBackground(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()
		delete_runs("everyone")
		frappe.db.commit()

	def test_the_supervisors_button_queues_the_run_and_a_worker_completes_it(self):
		from care_management.population.risk_run import compute_now

		delete_runs("everyone")
		frappe.db.commit()
		with private_queue() as url:
			run = compute_now()["run"]
			frappe.db.commit()
			self.assertEqual(frappe.db.get_value("Care Job Run", run, "status"), "Queued")
			run_worker(url)
		frappe.db.commit()
		doc = frappe.get_doc("Care Job Run", run)
		self.assertEqual(doc.status, "Completed", doc.reason)
		self.assertEqual(doc.done, doc.total)
		self.assertIn("patients scored", doc.summary)

	def test_only_a_supervisor_starts_everyones_scores(self):
		from care_management.population.risk_run import compute_now
		from care_management.tests.factories import make_user

		frappe.set_user(make_user("background-care-manager@example.com", ["Care Manager"]))
		try:
			with self.assertRaises(frappe.PermissionError):
				compute_now()
		finally:
			frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists("Care Job Run", {"job_key": "everyone", "status": "Queued"}))


class TestRemittanceInTheBackground(ForgedSubmitCase, BillingConcurrencyTestCase):
	MONTH = date(2026, 4, 1)
	TRACE = "BGTRACE1"

	def setUp(self):
		from decimal import Decimal

		from care_management.billing.invoicing import create_invoices
		from care_management.billing.month_close import close_month
		from care_management.tests import pure_checks
		from care_management.tests.factories import make_deposit_account

		super().setUp()
		self.purge_remittance()
		company = frappe.db.get_single_value("Care Management Settings", "company")
		self.saved_account = frappe.db.get_single_value(
			"Care Management Settings", "remittance_deposit_account"
		)
		frappe.db.set_single_value(
			"Care Management Settings", "remittance_deposit_account", make_deposit_account(company)
		)
		close_month(self.MONTH, now=True)
		create_invoices(self.MONTH, submit=1)
		self.owed = dict(
			frappe.db.sql(
				"""select name, outstanding_amount from `tabSales Invoice`
				where patient in %s and care_billing_role = 'Primary Payer' and docstatus = 1""",
				[self.patients],
			)
		)
		payer = frappe.db.get_value("Sales Invoice", next(iter(self.owed)), "customer")
		claims = [
			{"claim_id": invoice, "charge": Decimal(str(amount)), "paid": Decimal(str(amount))}
			for invoice, amount in self.owed.items()
		]
		claims.append({"claim_id": "BG-NOT-OURS", "charge": Decimal("10"), "paid": Decimal("10")})
		self.claim_ids = sorted(claim["claim_id"] for claim in claims)
		self.text = text = pure_checks.load("remittance_files").remittance_835(
			claims,
			trace_number=self.TRACE,
			payer_name=frappe.db.get_value("Customer", payer, "customer_name"),
			payer_id=frappe.db.get_value("Customer", payer, "payer_id"),
		)
		file_url = (
			frappe.get_doc(
				{"doctype": "File", "file_name": "background.835", "content": text, "is_private": 1}
			)
			.insert(ignore_permissions=True)
			.file_url
		)
		self.remittance = frappe.get_doc({"doctype": "Remittance Import", "file": file_url}).insert().name
		frappe.db.commit()

	def tearDown(self):
		frappe.db.rollback()
		self.purge_remittance()
		frappe.db.set_single_value(
			"Care Management Settings", "remittance_deposit_account", self.saved_account
		)
		frappe.db.commit()
		super().tearDown()

	def purge_remittance(self):
		frappe.db.rollback()
		delete_payment_entries(self.TRACE)
		imports = frappe.db.sql_list(
			"select parent from `tabRemittance Payment` where trace_number = %s", self.TRACE
		)
		if getattr(self, "remittance", None):  # read as unreadable, it has no payment row
			imports.append(self.remittance)
		if imports:
			delete_runs_of("Remittance Import", imports)
			for child in (
				"Remittance Payment",
				"Remittance Claim",
				"Remittance Adjustment",
				"Remittance Problem",
				"Remittance Service",
			):
				frappe.db.delete(child, {"parent": ("in", imports)})
			frappe.db.delete("Remittance Import", {"name": ("in", imports)})
		frappe.db.delete("File", {"file_name": ("like", "background%")})
		frappe.db.commit()

	def attach(self, text: str) -> str:
		file = {"doctype": "File", "file_name": "background.835", "content": text, "is_private": 1}
		return frappe.get_doc(file).insert(ignore_permissions=True).file_url

	def save_in_a_request(self, file_url: str, **changes):
		"""The clerk attaches a file and the form saves it: a web request, which reads nothing."""
		from unittest import mock

		from care_management.billing import remittance

		doc = frappe.get_doc("Remittance Import", self.remittance)
		doc.update({"file": file_url, **changes})
		with in_a_request(), mock.patch.object(remittance, "read_into", side_effect=AssertionError("read")):
			doc.save()
		frappe.db.commit()
		return doc

	def test_a_new_file_saved_in_a_request_is_read_by_a_run_and_submit_waits_for_it(self):
		from care_management.billing.remittance import start_submit

		with private_queue() as url:
			doc = self.save_in_a_request(self.attach(self.text + "\n"))
			self.assertEqual((doc.read_state, len(doc.claims), doc.total_received), ("Reading", 0, 0))
			run = frappe.get_doc("Care Job Run", doc.read_run)
			self.assertEqual(
				(run.job_type, run.status, run.reference_name), ("Remittance Read", "Queued", self.remittance)
			)
			self.assertTrue(job_runs.job_alive(run.job_id))
			self.assertEqual(frappe.db.count("Remittance Claim", {"parent": self.remittance}), 0)
			# Another file saved while the run is queued: the same run reads the newest one.
			again = self.save_in_a_request(self.attach(self.text + "\n\n"))
			self.assertEqual(again.read_run, run.name)
			with self.assertRaises(frappe.ValidationError) as refused:
				start_submit(self.remittance)
			self.assertIn("still being read", str(refused.exception))
			frappe.db.rollback()
			run_worker(url)
		frappe.db.commit()
		run.reload()
		self.assertEqual(
			(run.status, run.total, run.failed), ("Completed", len(self.claim_ids), 0), run.reason
		)
		self.assertEqual([row.reference_name for row in rows_of(run.name, "Made")], [self.remittance])
		doc = frappe.get_doc("Remittance Import", self.remittance)
		self.assertEqual((doc.read_state, doc.file), ("Read", again.file))
		self.assertEqual(sorted(claim.claim_id for claim in doc.claims), self.claim_ids)
		received = doc.total_received
		self.assertTrue(received)
		# Saved again without a new file (the client sending its own rows and state): nothing is
		# read, the stored rows and totals stand.
		doc.claims[0].claim_id = "FORGED"
		self.save_in_a_request(doc.file, read_state="Failed", total_received=1, claims=doc.claims)
		doc = frappe.get_doc("Remittance Import", self.remittance)
		self.assertEqual((doc.read_state, doc.total_received), ("Read", received))
		self.assertEqual(sorted(claim.claim_id for claim in doc.claims), self.claim_ids)

	def test_an_unreadable_file_fails_its_run_and_a_corrected_file_is_read_again(self):
		from care_management.billing.remittance import start_submit

		with private_queue() as url:
			failed_run = self.save_in_a_request(self.attach("hello, this is not an 835")).read_run
			run_worker(url)
		frappe.db.commit()
		run = frappe.get_doc("Care Job Run", failed_run)
		self.assertEqual(run.status, "Failed")
		self.assertIn("not an X12 file", run.reason)
		self.assertIn("Attach a corrected file", run.reason)
		# Refused in words, not crashed: no Error Log.
		self.assertFalse(frappe.db.exists("Error Log", {"reference_name": failed_run}))
		doc = frappe.get_doc("Remittance Import", self.remittance)
		self.assertEqual(doc.read_state, "Failed")
		self.assertIn("not an X12 file", doc.read_problem)
		for submit in (lambda: start_submit(self.remittance), doc.submit):
			with self.assertRaises(frappe.ValidationError) as refused:
				submit()
			self.assertIn("could not be read", str(refused.exception))
			self.assertIn("Attach a corrected file and save", str(refused.exception))
			frappe.db.rollback()
		with private_queue() as url:
			run = self.save_in_a_request(self.attach(self.text + "\n")).read_run
			self.assertNotEqual(run, failed_run)
			run_worker(url)
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Care Job Run", run, "status"), "Completed")
		doc = frappe.get_doc("Remittance Import", self.remittance)
		self.assertEqual((doc.read_state, doc.read_problem), ("Read", None))
		self.assertEqual(sorted(claim.claim_id for claim in doc.claims), self.claim_ids)

	def test_a_file_the_reader_refuses_fails_the_run_with_the_readers_message(self):
		from unittest import mock

		from care_management.billing import remittance

		with private_queue():
			run = self.save_in_a_request(self.attach(self.text + "\n")).read_run
			too_large = frappe.ValidationError(
				"835 File: the file is larger than 50 MB; ask the clearinghouse for one file per payment."
			)
			with mock.patch.object(remittance, "file_text", side_effect=too_large):
				job_runs.execute(run)  # as the worker would, in this process
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Care Job Run", run, "status"), "Failed")
		self.assertIn("larger than", frappe.db.get_value("Care Job Run", run, "reason"))
		doc = frappe.get_doc("Remittance Import", self.remittance)
		self.assertEqual((doc.read_state, len(doc.claims)), ("Failed", 0))
		self.assertIn("larger than", doc.read_problem)

	def test_frappes_own_submit_in_a_web_request_is_refused_and_posts_nothing(self):
		self.assert_forged_submits_refused_and_the_api_queues_the_run("Remittance Import", self.remittance)
		self.assertFalse(frappe.db.exists("Payment Entry", {"reference_no": self.TRACE}))

	def test_saving_writes_each_table_of_rows_in_bulk_not_a_row_at_a_time(self):
		from unittest import mock

		from frappe.model.document import Document

		doc = frappe.get_doc("Remittance Import", self.remittance)
		doc.file = self.attach(self.text + "\n")  # a new file: read again (here, in the save)
		real_insert, one_by_one = Document.db_insert, []

		def db_insert(row, *args, **kwargs):
			one_by_one.append(row.doctype)
			return real_insert(row, *args, **kwargs)

		with (
			mock.patch.object(Document, "db_insert", db_insert),
			mock.patch.object(frappe.db, "bulk_insert", wraps=frappe.db.bulk_insert) as bulk,
		):
			doc.save()
		self.assertEqual([d for d in one_by_one if d.startswith("Remittance")], [])
		self.assertEqual(
			[call.args[0] for call in bulk.call_args_list if call.args[0] == "Remittance Claim"],
			["Remittance Claim"],
		)
		stored = frappe.get_all("Remittance Claim", filters={"parent": doc.name}, fields=["claim_id", "idx"])
		self.assertEqual(sorted(row.claim_id for row in stored), self.claim_ids)
		self.assertEqual(sorted(row.idx for row in stored), list(range(1, len(self.claim_ids) + 1)))
		frappe.db.rollback()

	def test_submit_is_queued_and_a_worker_posts_the_payment_and_lists_the_claim_not_ours(self):
		from care_management.billing.remittance import start_submit

		doc = frappe.get_doc("Remittance Import", self.remittance)
		self.assertEqual(sorted(claim.claim_id for claim in doc.claims), self.claim_ids)  # all, in bulk
		with private_queue() as url:
			started = start_submit(self.remittance)
			frappe.db.commit()
			run = started["run"]
			self.assertEqual(frappe.db.get_value("Care Job Run", run, "status"), "Queued")
			self.assertEqual(frappe.db.get_value("Remittance Import", self.remittance, "docstatus"), 0)
			run_worker(url)
		frappe.db.commit()
		doc = frappe.get_doc("Care Job Run", run)
		self.assertEqual(
			(doc.status, doc.total, doc.failed), ("Partly failed", len(self.claim_ids), 1), doc.reason
		)
		self.assertEqual((doc.reference_doctype, doc.reference_name), ("Remittance Import", self.remittance))
		entries = frappe.get_all(
			"Payment Entry", filters={"reference_no": self.TRACE, "docstatus": 1}, pluck="name"
		)
		self.assertEqual([row.reference_name for row in rows_of(run, "Made")], entries)
		self.assertEqual(len(entries), 1)
		failed = rows_of(run, "Failed")
		self.assertEqual(len(failed), 1)
		self.assertIn("BG-NOT-OURS", failed[0].reason)
		remittance = frappe.get_doc("Remittance Import", self.remittance)
		self.assertEqual((remittance.docstatus, remittance.status), (1, "Posted"))
		self.assertEqual(len(remittance.claims), len(self.claim_ids))
		# Run again after it posted: nothing is posted twice.
		with private_queue() as url:
			job_runs.run_again(run)
			frappe.db.commit()
			run_worker(url)
		frappe.db.commit()
		self.assertEqual(frappe.db.count("Payment Entry", {"reference_no": self.TRACE, "docstatus": 1}), 1)

	def test_a_worker_killed_while_posting_leaves_nothing_posted_and_running_again_posts_once(self):
		from care_management.billing.remittance import start_submit

		with private_queue() as url:
			run = start_submit(self.remittance)["run"]
			frappe.db.commit()
			worker = start_worker(url, pause_after=1)
			kill(worker, wait_paused(worker))  # posted in its transaction, not committed
			frappe.db.commit()
			self.assertEqual(frappe.db.get_value("Remittance Import", self.remittance, "docstatus"), 0)
			self.assertEqual(frappe.db.count("Payment Entry", {"reference_no": self.TRACE}), 0)
			self.assertIn(run, job_runs.fail_stopped_runs(ahead=timedelta(minutes=10)))
			self.assertIn("worker stopped", frappe.db.get_value("Care Job Run", run, "reason"))
			job_runs.run_again(run)
			frappe.db.commit()
			run_worker(url)
		frappe.db.commit()
		self.assertEqual(
			frappe.db.get_value("Care Job Run", run, "status"), "Partly failed"
		)  # the claim not ours
		self.assertEqual(frappe.db.get_value("Remittance Import", self.remittance, "docstatus"), 1)
		self.assertEqual(frappe.db.count("Payment Entry", {"reference_no": self.TRACE, "docstatus": 1}), 1)
		self.assertEqual(frappe.db.count("Payment Entry", {"reference_no": self.TRACE}), 1)
		for invoice in self.owed:
			self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 0)


def delete_runs_of(doctype: str, names: list[str]) -> None:
	runs = frappe.get_all(
		"Care Job Run", filters={"reference_doctype": doctype, "reference_name": ("in", names)}, pluck="name"
	)
	if runs:
		frappe.db.delete("Care Job Run Row", {"parent": ("in", runs)})
		frappe.db.delete("Care Job Run", {"name": ("in", runs)})


class TestClaimExportInTheBackground(ForgedSubmitCase, BillingConcurrencyTestCase):
	MONTH = date(2026, 3, 1)

	def setUp(self):
		from care_management.billing.invoicing import create_invoices
		from care_management.billing.month_close import close_month
		from care_management.tests.factories import EXAMPLE_NPI
		from care_management.tests.test_claim_export import address

		super().setUp()
		self.purge_exports()
		self.company = frappe.db.get_single_value("Care Management Settings", "company")
		self.saved_company = frappe.db.get_value(
			"Company", self.company, ["npi", "tax_id", "taxonomy_code", "billing_address"], as_dict=True
		)
		self.saved_settings = {
			field: frappe.db.get_single_value("Care Management Settings", field)
			for field in ("claims_contact_name", "claims_contact_phone")
		}
		self.addresses = [address("Background Practice", "Company", self.company)]
		frappe.db.set_value(
			"Company",
			self.company,
			{"npi": "1245319599", "tax_id": "123456789", "taxonomy_code": "207Q00000X",
			 "billing_address": self.addresses[0]},
		)  # fmt: skip
		frappe.db.set_single_value("Care Management Settings", "claims_contact_name", "Billing Office")
		frappe.db.set_single_value("Care Management Settings", "claims_contact_phone", "5555551234")
		for practitioner in (self.practitioner, self.second_practitioner):
			frappe.db.set_value(
				"Healthcare Practitioner", practitioner, {"npi": EXAMPLE_NPI, "last_name": "Doctor"}
			)
		# The first patient has no address on file: its claim is held, the others go.
		self.held_patient = self.patients[0]
		for patient in self.patients:
			frappe.db.set_value("Patient", patient, {"last_name": "Claimant", "dob": "1950-01-02"})
			if patient != self.held_patient:
				self.addresses.append(address(patient, "Patient", patient, pincode="62701"))
		close_month(self.MONTH, now=True)
		create_invoices(self.MONTH, submit=1)
		self.export = frappe.get_doc({"doctype": "Claim Export", "month": self.MONTH}).insert().name
		frappe.db.commit()

	def tearDown(self):
		frappe.db.rollback()
		self.purge_exports()
		frappe.db.set_value("Company", self.company, self.saved_company)
		for field, value in self.saved_settings.items():
			frappe.db.set_single_value("Care Management Settings", field, value)
		frappe.db.delete("Dynamic Link", {"parent": ("in", self.addresses), "parenttype": "Address"})
		frappe.db.delete("Address", {"name": ("in", self.addresses)})
		frappe.db.commit()
		super().tearDown()

	def purge_exports(self):
		frappe.db.rollback()
		exports = frappe.db.sql_list("select name from `tabClaim Export` where month = %s", self.MONTH)
		if exports:
			delete_runs_of("Claim Export", exports)
			frappe.db.delete("Claim Export Invoice", {"parent": ("in", exports)})
			frappe.db.delete(
				"File", {"attached_to_doctype": "Claim Export", "attached_to_name": ("in", exports)}
			)
			frappe.db.delete("Claim Export", {"name": ("in", exports)})
		frappe.db.commit()

	def test_submit_is_queued_and_a_worker_writes_the_file_listing_the_held_claim(self):
		from care_management.billing.claim_export import start_submit

		with private_queue() as url:
			run = start_submit(self.export)["run"]
			frappe.db.commit()
			self.assertEqual(frappe.db.get_value("Care Job Run", run, "status"), "Queued")
			self.assertEqual(frappe.db.get_value("Claim Export", self.export, "docstatus"), 0)
			run_worker(url)
			frappe.db.commit()
			export = frappe.get_doc("Claim Export", self.export)
			self.assertEqual(export.docstatus, 1)
			self.assertTrue(export.file and export.interchange_control_number)
			doc = frappe.get_doc("Care Job Run", run)
			held = [row for row in export.invoices if row.status == "Held"]
			self.assertEqual([row.patient for row in held], [self.held_patient])
			self.assertEqual((doc.status, doc.total, doc.failed), ("Partly failed", len(export.invoices), 1))
			self.assertEqual([row.reference_name for row in rows_of(run, "Made")], [self.export])
			failed = rows_of(run, "Failed")
			self.assertEqual(
				[(row.patient, row.reference_name) for row in failed],
				[(self.held_patient, held[0].sales_invoice)],
			)
			self.assertTrue(failed[0].reason)
			# Run again: the export is submitted already; no second number, no second file.
			job_runs.run_again(run)
			frappe.db.commit()
			run_worker(url)
		frappe.db.commit()
		self.assertEqual(
			frappe.db.get_value("Claim Export", self.export, "interchange_control_number"),
			export.interchange_control_number,
		)
		self.assertEqual(
			frappe.db.count("File", {"attached_to_doctype": "Claim Export", "attached_to_name": self.export}),
			1,
		)

	def test_a_second_submit_while_the_first_is_queued_is_refused_with_a_link(self):
		from care_management.billing.claim_export import start_submit

		with private_queue():
			run = start_submit(self.export)["run"]
			frappe.db.commit()
			with self.assertRaises(frappe.ValidationError) as refused:
				start_submit(self.export)
			self.assertIn(run, str(refused.exception))
			frappe.db.rollback()

	def test_a_worker_killed_while_writing_the_file_leaves_no_claim_sent_and_running_again_sends_once(self):
		from care_management.billing.claim_export import start_submit

		# Other tests' purges delete File rows by SQL and leave their files: start with none.
		for name in unrecorded_claim_files():
			os.remove(os.path.join(frappe.get_site_path("private", "files"), name))
		with private_queue() as url:
			run = start_submit(self.export)["run"]
			frappe.db.commit()
			worker = start_worker(url, pause_after=1)
			kill(worker, wait_paused(worker))  # the file written in its transaction, not committed
			frappe.db.commit()
			self.assertEqual(frappe.db.get_value("Claim Export", self.export, "docstatus"), 0)
			self.assertFalse(frappe.db.get_value("Claim Export", self.export, "interchange_control_number"))
			attached = {"attached_to_doctype": "Claim Export", "attached_to_name": self.export}
			self.assertEqual(frappe.db.count("File", attached), 0)
			# Its 837P reached the disk (PHI) with no File record: the next submit removes it.
			self.assertTrue(unrecorded_claim_files())
			self.assertIn(run, job_runs.fail_stopped_runs(ahead=timedelta(minutes=10)))
			job_runs.run_again(run)
			frappe.db.commit()
			run_worker(url)
		frappe.db.commit()
		export = frappe.get_doc("Claim Export", self.export)
		self.assertEqual((export.docstatus, frappe.db.count("File", attached)), (1, 1))
		self.assertTrue(export.interchange_control_number)
		self.assertEqual(
			unrecorded_claim_files(), [], frappe.get_all("File", attached, ["file_url", "file_name"])
		)
		self.assertEqual(
			frappe.db.get_value("Care Job Run", run, "status"), "Partly failed"
		)  # the held claim
		# Each invoice is in this one export once.
		self.assertEqual(len({row.sales_invoice for row in export.invoices}), len(export.invoices))

	def test_frappes_own_submit_in_a_web_request_is_refused_and_numbers_nothing(self):
		self.assert_forged_submits_refused_and_the_api_queues_the_run("Claim Export", self.export)
		self.assertFalse(frappe.db.get_value("Claim Export", self.export, "interchange_control_number"))

	def test_the_desks_update_of_a_sent_export_is_no_submit_and_takes_no_number(self):
		"""Frappe's savedocs submits again for an Update (a payer claim number entered
		after the file went out): that is allowed in the request and numbers nothing."""
		from care_management.tests.factories import make_user

		frappe.get_doc("Claim Export", self.export).submit()  # not in a request: as its run does
		frappe.db.commit()
		number = frappe.db.get_value("Claim Export", self.export, "interchange_control_number")
		token = api_headers(make_user(FORGER, ["Care Management Billing", "Accounts User"]))
		frappe.db.commit()
		doc = frappe.get_doc("Claim Export", self.export).as_dict()
		sent = next(row for row in doc.invoices if row.status != "Held")
		sent.payer_claim_number = "26330000555501"
		response = http(
			"POST",
			"/api/method/frappe.desk.form.save.savedocs",
			token,
			{"doc": frappe.as_json(doc), "action": "Update"},
		)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True)[:800])
		frappe.db.rollback()  # a fresh snapshot: the request committed on its own connection
		self.assertEqual(
			frappe.db.get_value("Claim Export Invoice", sent.name, "payer_claim_number"), "26330000555501"
		)
		self.assertEqual(
			frappe.db.get_value("Claim Export", self.export, "interchange_control_number"), number
		)
