"""Exactly-once billing under real concurrency.

Every test here starts separate OS processes, each with its own database
connection, releases them together with a barrier, and lets each commit its
own work — as two clerks, a retry and the automatic close do. The records they
race over are committed first, and every test removes what it made (its month
belongs to it alone).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import traceback
from datetime import date, datetime, timedelta
from unittest import mock

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, today

from care_management.tests.factories import (
	make_care_plan,
	make_coverage,
	make_enrollment,
	make_patient,
	make_payer,
	make_practitioner,
)
from care_management.tests.site_setup import before_tests

PREFIX = "Concurrency"
PATIENTS = 9
CHUNK_SIZE = 4  # 9 patients: 3 chunks


# ------------------------------------------------------------ child processes
def _run_in_child(site, sites_path, task, args, barrier, results):
	"""A process of its own: connect, wait for the others, do ``task`` (a name in
	TASKS, or a module-level function of another test module), commit."""
	import frappe

	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		barrier.wait(timeout=120)
		out = (TASKS[task] if isinstance(task, str) else task)(*args)
		frappe.db.commit()
		results.put((label(task), "ok", out))
	except Exception as error:
		# Where it failed goes to the test log (stderr): what the user read is the result.
		traceback.print_exc(file=sys.stderr)
		frappe.db.rollback()
		results.put((label(task), "error", f"{type(error).__name__}: {frappe.utils.strip_html(str(error))}"))
	finally:
		frappe.destroy()


def label(task) -> str:
	return task if isinstance(task, str) else task.__name__


def _close(month, practitioner=None):
	from care_management.billing.month_close import close_month

	return close_month(month, practitioner=practitioner, now=True)


def _invoice(month):
	from care_management.billing.invoicing import create_invoices

	return create_invoices(month, submit=1)


def _chunk(close_name, chunk):
	from care_management.billing.month_close import close_chunk

	return close_chunk(close_name, chunk)


def _get_items_and_submit(patient, month):
	"""A clerk on the Sales Invoice form: Get Items From → Care Management, Save, then
	Submit, through the desk's own savedocs (what the form calls)."""
	from care_management.billing.invoicing import get_care_management_items
	from care_management.overrides.form_save import savedocs
	from care_management.tests.test_billing_claims import hand_made_invoice

	invoice = hand_made_invoice(patient, get_care_management_items(patient, month))
	savedocs(invoice.as_json(), "Save")
	saved = frappe.response.docs[-1]
	savedocs(saved.as_json(), "Submit")
	return saved.name


def _scheduled_close():
	"""The daily job on the close day; its chunk jobs run in this process (no RQ
	worker here), committed with it."""
	from care_management.billing import month_close

	def run_chunk(method, **kwargs):
		return month_close.close_chunk(kwargs["close_name"], kwargs["chunk"], commit=False)

	with mock.patch("frappe.enqueue", side_effect=run_chunk):
		month_close.close_last_month_on_schedule()
	return frappe.get_all("Error Log", filters={"method": ("like", "Automatic close of %")}, pluck="name")


def _export_claims(month):
	"""A clerk's Claim Export of the month: saved, then submitted."""
	export = frappe.get_doc({"doctype": "Claim Export", "month": month}).insert()
	export.submit()
	return {"export": export.name, "number": export.interchange_control_number}


def _post_remittance(name):
	"""A clerk submitting a saved Remittance Import."""
	doc = frappe.get_doc("Remittance Import", name)
	doc.submit()
	return [payment.payment_entry for payment in doc.payments]


TASKS = {
	"remit": _post_remittance,
	"export": _export_claims,
	"close": _close,
	"invoice": _invoice,
	"chunk": _chunk,
	"get_items": _get_items_and_submit,
	"scheduled": _scheduled_close,
}


def run_together(*calls: tuple[str, tuple]) -> list[tuple]:
	"""Run each (task, args) in its own process, released at the same moment."""
	ctx = multiprocessing.get_context("spawn")
	barrier = ctx.Barrier(len(calls))
	results = ctx.Queue()
	sites_path = os.path.abspath(frappe.local.sites_path)
	processes = [
		ctx.Process(target=_run_in_child, args=(frappe.local.site, sites_path, task, args, barrier, results))
		for task, args in calls
	]
	for process in processes:
		process.start()
	out = []
	while len(out) < len(processes):
		try:
			out.append(results.get(timeout=5))
		except queue.Empty:
			# A child that died before reporting (an import error, a crash) is not waited for.
			if not any(process.is_alive() for process in processes) and results.empty():
				break
	for process in processes:
		process.join(timeout=120)
	out += [("a process", "error", "ended without reporting")] * (len(processes) - len(out))
	return out


# ------------------------------------------------------------------ the books
def duplicate_record_keys(month) -> int:
	return len(
		frappe.db.sql(
			"""select 1 from `tabCare Billing Record` where month = %s
			group by patient, program, coalesce(billing_practitioner, '') having count(*) > 1""",
			month,
		)
	)


# The share an invoice bills; a hand-made one (no share set) bills the primary.
SHARE = "coalesce(nullif(si.care_billing_role, ''), 'Primary Payer')"


def lines_on_two_submitted_invoices(month) -> int:
	"""Lines billed twice for one share (a line is on one invoice per share)."""
	return len(
		frappe.db.sql(
			f"""select i.reference_dn from `tabSales Invoice Item` i
			join `tabSales Invoice` si on si.name = i.parent
			join `tabCare Billing Line` l on l.name = i.reference_dn
			join `tabCare Billing Record` r on r.name = l.parent
			where i.reference_dt = 'Care Billing Line' and i.docstatus = 1 and r.month = %s
			group by i.reference_dn, {SHARE} having count(distinct i.parent) > 1""",
			month,
		)
	)


def patient_codes_billed_twice(month) -> int:
	return len(
		frappe.db.sql(
			f"""select r.patient, l.code from `tabSales Invoice Item` i
			join `tabSales Invoice` si on si.name = i.parent
			join `tabCare Billing Line` l on l.name = i.reference_dn
			join `tabCare Billing Record` r on r.name = l.parent
			where i.reference_dt = 'Care Billing Line' and i.docstatus = 1 and r.month = %s
			group by r.patient, l.code, {SHARE} having count(*) > 1""",
			month,
		)
	)


def submitted_invoices_by_share(patients: list[str]) -> dict[tuple[str, str], int]:
	"""(patient, share) -> how many submitted invoices bill it."""
	return {
		(patient, share): count
		for patient, share, count in frappe.db.sql(
			f"""select si.patient, {SHARE}, count(*) from `tabSales Invoice` si
			where si.patient in %s and si.docstatus = 1 group by si.patient, {SHARE}""",
			[patients or [""]],
		)
	}


def invoice_items_of_missing_lines(invoices: list[str]) -> int:
	return frappe.db.sql(
		"""select count(*) from `tabSales Invoice Item` i
		left join `tabCare Billing Line` l on l.name = i.reference_dn
		where i.parent in %s and i.reference_dt = 'Care Billing Line' and l.name is null""",
		[invoices or [""]],
	)[0][0]


def delete_payment_entries(reference_no: str) -> None:
	"""A test's posted Payment Entries and their ledger rows, by SQL (submitted ones cannot be deleted)."""
	entries = frappe.db.sql_list("select name from `tabPayment Entry` where reference_no = %s", reference_no)
	for table, column in (
		("Payment Entry Reference", "parent"),
		("GL Entry", "voucher_no"),
		("Payment Ledger Entry", "voucher_no"),
		("Payment Entry", "name"),
	):
		if entries:
			frappe.db.sql(f"delete from `tab{table}` where `{column}` in %s", [entries])


class BillingConcurrencyTestCase(FrappeTestCase):
	MONTH = date(2026, 5, 1)

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		before_tests()
		cls.practitioner = make_practitioner("Concurrency Doctor")
		cls.second_practitioner = make_practitioner("Concurrency Second Doctor")
		for code, rate in (("99490", 62.0), ("99439", 47.0)):
			if not frappe.db.exists("Item Price", {"item_code": code, "price_list": "Standard Selling"}):
				frappe.get_doc(
					{
						"doctype": "Item Price",
						"item_code": code,
						"price_list": "Standard Selling",
						"price_list_rate": rate,
					}
				).insert(ignore_permissions=True)
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		self.purge()
		self.chunk_size = frappe.db.get_single_value("Care Management Settings", "month_close_chunk_size")
		frappe.db.set_single_value("Care Management Settings", "month_close_chunk_size", CHUNK_SIZE)
		frappe.clear_document_cache("Care Management Settings", "Care Management Settings")
		self.patients = [self.enrolled_patient(i) for i in range(PATIENTS)]
		frappe.db.commit()

	def tearDown(self):
		frappe.db.rollback()
		self.purge()
		frappe.db.set_single_value(
			"Care Management Settings", "month_close_chunk_size", self.chunk_size or 500
		)
		frappe.clear_document_cache("Care Management Settings", "Care Management Settings")
		frappe.db.commit()

	# ----------------------------------------------------------- test records
	def enrolled_patient(self, index: int, practitioner: str | None = None) -> str:
		start = date(2026, 1, 1)
		name = f"{PREFIX} {self.MONTH:%b} {index}"
		customer = frappe.get_doc(
			{"doctype": "Customer", "customer_name": f"{name} Customer", "customer_type": "Individual"}
		).insert(ignore_permissions=True)
		patient = make_patient(name, customer=customer.name).name
		make_coverage(patient, effective_from=start)
		# Every third patient bills through the second practitioner, so a
		# practitioner's close and the practice close share some patients only.
		practitioner = practitioner or (self.second_practitioner if index % 3 == 2 else self.practitioner)
		enrollment = make_enrollment(patient, practitioner, start_date=start, consent_date=start).name
		plan = make_care_plan(
			patient,
			practitioner,
			start_date=start,
			conditions=[
				{"condition_name": "Diabetes", "icd10_code": "E11.9"},
				{"condition_name": "Hypertension", "icd10_code": "I10"},
			],
		)
		frappe.db.set_value("Care Plan", plan.name, {"status": "Active", "workflow_state": "Active"})
		self.log(patient, enrollment, 45, day=4)
		return patient

	def log(self, patient: str, enrollment: str | None = None, minutes: int = 20, day: int = 10):
		enrollment = enrollment or frappe.db.get_value("Care Program Enrollment", {"patient": patient})
		# One performer's logs may not overlap: each starts an hour after the last.
		self.logs_made = getattr(self, "logs_made", 0) + 1
		begin = datetime.combine(self.MONTH, datetime.min.time()) + timedelta(
			days=day - 1, hours=self.logs_made
		)
		log = frappe.get_doc(
			{
				"doctype": "Outreach Log",
				"patient": patient,
				"enrollment": enrollment,
				"performed_by": "Administrator",
				"activity_type": "Phone Call",
				"start": begin,
				"end": begin + timedelta(minutes=minutes),
				"duration_minutes": minutes,
				"outcome": "Reached",
				"interactive": 1,
			}
		).insert()
		log.submit()

	def purge(self):
		"""Everything of this test's month and of its patients, by SQL (submitted
		invoices and logs cannot be deleted through the ORM)."""
		frappe.db.rollback()
		month = self.MONTH
		patients = frappe.db.sql_list(
			"select name from tabPatient where first_name like %s", f"{PREFIX} {month:%b} %"
		)
		invoices = frappe.db.sql_list(
			"""select distinct i.parent from `tabSales Invoice Item` i
			join `tabCare Billing Line` l on l.name = i.reference_dn
			join `tabCare Billing Record` r on r.name = l.parent
			where i.reference_dt = 'Care Billing Line' and r.month = %s""",
			month,
		)
		if patients:
			invoices += frappe.db.sql_list(
				"select name from `tabSales Invoice` where patient in %s", [patients]
			)
		if invoices:
			for table, column in (
				("Sales Invoice Item", "parent"),
				("Sales Taxes and Charges", "parent"),
				("Payment Schedule", "parent"),
				("GL Entry", "voucher_no"),
				("Payment Ledger Entry", "voucher_no"),
				("Sales Invoice", "name"),
			):
				frappe.db.sql(f"delete from `tab{table}` where `{column}` in %s", [invoices])
		frappe.db.sql(
			"""delete l from `tabCare Billing Line` l join `tabCare Billing Record` r on r.name = l.parent
			where r.month = %s""",
			month,
		)
		frappe.db.delete("Care Billing Record", {"month": month})
		closes = frappe.db.sql_list("select name from `tabCare Month Close` where month = %s", month)
		if closes:
			if frappe.db.table_exists("Care Month Close Chunk"):
				frappe.db.delete("Care Month Close Chunk", {"parent": ("in", closes)})
			frappe.db.delete("Care Month Close", {"name": ("in", closes)})
		if patients:
			customers = frappe.db.sql_list("select customer from tabPatient where name in %s", [patients])
			for doctype in ("Outreach Log", "Care Plan", "Care Program Enrollment", "Patient Coverage"):
				names = frappe.db.sql_list(f"select name from `tab{doctype}` where patient in %s", [patients])
				if names:
					for child in frappe.get_meta(doctype).get_table_fields():
						frappe.db.delete(child.options, {"parent": ("in", names), "parenttype": doctype})
					frappe.db.delete(doctype, {"name": ("in", names)})
			frappe.db.delete("Patient", {"name": ("in", patients)})
			frappe.db.delete("Customer", {"name": ("in", [c for c in customers if c])})
		frappe.db.commit()

	def assert_books_whole(self):
		frappe.db.commit()  # a fresh snapshot: see what the other processes committed
		self.assertEqual(duplicate_record_keys(self.MONTH), 0, "two billing records for one key")
		self.assertEqual(
			lines_on_two_submitted_invoices(self.MONTH), 0, "a billing line on two submitted invoices"
		)
		self.assertEqual(patient_codes_billed_twice(self.MONTH), 0, "a patient billed twice for one code")

	def records(self) -> int:
		return frappe.db.count("Care Billing Record", {"month": self.MONTH, "patient": ("in", self.patients)})


class TestConcurrentCloses(BillingConcurrencyTestCase):
	MONTH = date(2026, 5, 1)

	def test_two_practice_closes_at_once_make_one_record_per_key(self):
		results = run_together(("close", (self.MONTH,)), ("close", (self.MONTH,)))
		self.assert_books_whole()
		self.assertEqual(self.records(), PATIENTS)
		ok = [r for r in results if r[1] == "ok"]
		self.assertGreaterEqual(len(ok), 1, results)
		for refused in (r for r in results if r[1] == "error"):
			self.assertRegex(refused[2], "already being closed|being started right now", refused)

	def test_a_practice_close_and_a_practitioner_close_at_once(self):
		results = run_together(("close", (self.MONTH,)), ("close", (self.MONTH, self.practitioner)))
		self.assert_books_whole()
		self.assertEqual(self.records(), PATIENTS)
		self.assertGreaterEqual(len([r for r in results if r[1] == "ok"]), 1, results)


class TestScheduledClose(BillingConcurrencyTestCase):
	"""The automatic close day meeting a clerk's close of the same month."""

	# Plain Python, not frappe.utils.today(): spawned children import this module
	# before they connect to the site.
	MONTH = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)

	def setUp(self):
		super().setUp()
		self.close_day = frappe.db.get_single_value("Care Management Settings", "month_close_day")
		frappe.db.set_single_value("Care Management Settings", "month_close_day", getdate(today()).day)
		frappe.db.commit()

	def tearDown(self):
		frappe.db.set_single_value("Care Management Settings", "month_close_day", self.close_day or 0)
		super().tearDown()

	def test_the_automatic_close_and_a_clerks_close_at_once_close_the_month_once(self):
		results = run_together(("close", (self.MONTH,)), ("scheduled", ()))
		self.assertEqual([r for r in results if r[1] != "ok"], [], results)
		self.assert_books_whole()
		self.assertEqual(self.records(), PATIENTS)
		self.assertGreaterEqual(
			frappe.db.count("Care Month Close", {"month": self.MONTH, "status": "Completed"}), 1
		)


class TestConcurrentInvoices(BillingConcurrencyTestCase):
	MONTH = date(2026, 6, 1)

	def test_three_create_invoices_runs_bill_each_service_once(self):
		from care_management.billing.month_close import close_month

		close_month(self.MONTH, now=True)
		frappe.db.commit()
		results = run_together(*[("invoice", (self.MONTH,))] * 3)
		self.assert_books_whole()
		invoices = [name for task, status, out in results if status == "ok" for name in out["invoices"]]
		self.assertEqual([r for r in results if r[1] != "ok"], [])
		# Each patient: one invoice to Medicare for 80 %, one to the patient for the coinsurance.
		self.assertEqual(len(invoices), 2 * PATIENTS)
		self.assertEqual(len(set(invoices)), 2 * PATIENTS)
		self.assertEqual(
			submitted_invoices_by_share(self.patients),
			{(p, share): 1 for p in self.patients for share in ("Primary Payer", "Patient")},
		)
		# Every ready line ended on exactly one submitted invoice per share.
		self.assertEqual(
			frappe.db.sql(
				"""select count(*) from `tabCare Billing Line` l join `tabCare Billing Record` r on r.name = l.parent
				where r.month = %s and (l.sales_invoice is null or l.patient_invoice is null or l.invoiced = 0)""",
				self.MONTH,
			)[0][0],
			0,
		)
		from care_management.billing.invoicing import create_invoices

		again = create_invoices(self.MONTH, submit=1)
		self.assertEqual(again["invoices"], [])
		self.assertIn("Nothing left to invoice", again["message"])

	def test_two_create_invoices_runs_make_each_payer_and_patient_invoice_once(self):
		"""Medicare primary, a secondary paying half the coinsurance, the patient the rest:
		three invoices per patient, whichever of two runs makes them."""
		from care_management.billing.month_close import close_month

		plan = "Concurrency Half Secondary"
		if not frappe.db.exists("Coverage Plan Type", plan):
			frappe.get_doc(
				{
					"doctype": "Coverage Plan Type",
					"plan_type": plan,
					"claim_filing_indicator": "CI",
					"payer_share_percent": 80,
					"secondary_share_percent": 50,
				}
			).insert(ignore_permissions=True)
		secondary = make_payer("Concurrency Secondary Payer", "CONCSEC")
		for patient in self.patients:
			make_coverage(patient, secondary, plan, "SEC-1", order="Secondary", effective_from="2026-01-01")
		close_month(self.MONTH, now=True)
		frappe.db.commit()
		results = run_together(("invoice", (self.MONTH,)), ("invoice", (self.MONTH,)))
		self.assertEqual([r for r in results if r[1] != "ok"], [], results)
		self.assert_books_whole()
		shares = ("Primary Payer", "Secondary Payer", "Patient")
		self.assertEqual(
			submitted_invoices_by_share(self.patients),
			{(p, share): 1 for p in self.patients for share in shares},
		)
		made = sorted(name for _task, _status, out in results for name in out["invoices"])
		self.assertEqual(len(made), 3 * PATIENTS)
		# 45 minutes: 99490 (62.00) + 99439 (47.00) = 109.00 → 87.20 / 10.90 / 10.90, to the cent.
		totals = frappe.db.sql(
			"""select care_billing_role, sum(grand_total) from `tabSales Invoice`
			where patient in %s and docstatus = 1 group by care_billing_role""",
			[self.patients],
		)
		self.assertEqual(
			{role: round(total * 100) for role, total in totals},  # in cents
			{
				"Primary Payer": 8720 * PATIENTS,
				"Secondary Payer": 1090 * PATIENTS,
				"Patient": 1090 * PATIENTS,
			},
		)
		self.assertEqual(
			frappe.db.sql(
				"""select count(*) from `tabCare Billing Line` l join `tabCare Billing Record` r on r.name = l.parent
				where r.month = %s and l.invoiced = 0""",
				self.MONTH,
			)[0][0],
			0,
		)

	def test_two_clerks_and_create_invoices_on_one_patient_at_once_bill_it_once(self):
		from care_management.billing.month_close import close_month

		close_month(self.MONTH, now=True)
		frappe.db.commit()
		patient = self.patients[0]
		results = run_together(
			("get_items", (patient, self.MONTH)),
			("get_items", (patient, self.MONTH)),
			("invoice", (self.MONTH,)),
		)
		self.assert_books_whole()
		# The clerks' invoices bill the primary share (in full); Create Invoices, if it won, adds the patient's.
		shares = submitted_invoices_by_share([patient])
		self.assertEqual(shares.get((patient, "Primary Payer")), 1, results)
		self.assertLessEqual(shares.get((patient, "Patient"), 0), 1, results)
		# A clerk who lost the race was told why (or found nothing left to fetch), never a crash.
		for task, status, out in results:
			if status == "error":
				self.assertRegex(
					out,
					"already on Sales Invoice|no longer exists|items|being invoiced by someone else",
					(task, out),
				)

	def test_create_invoices_while_the_month_is_closed_again(self):
		from care_management.billing.month_close import close_month

		close_month(self.MONTH, now=True)
		frappe.db.commit()
		# New minutes, so the second close replaces records while invoices are made of them.
		for patient in self.patients:
			self.log(patient, minutes=20, day=20)
		frappe.db.commit()
		results = run_together(("close", (self.MONTH,)), ("invoice", (self.MONTH,)))
		self.assertEqual([r for r in results if r[1] != "ok"], [], results)
		self.assert_books_whole()
		invoices = frappe.db.sql_list(
			"select name from `tabSales Invoice` where patient in %s and docstatus = 1", [self.patients]
		)
		self.assertEqual(invoice_items_of_missing_lines(invoices), 0, "an invoice refers to a replaced line")
		# Whatever was not invoiced in the race is invoiced now, once.
		from care_management.billing.invoicing import create_invoices

		create_invoices(self.MONTH, submit=1)
		frappe.db.commit()
		self.assert_books_whole()
		self.assertEqual(
			submitted_invoices_by_share(self.patients),
			{(p, share): 1 for p in self.patients for share in ("Primary Payer", "Patient")},
		)


class TestConcurrentClaimExports(BillingConcurrencyTestCase):
	MONTH = date(2026, 8, 1)

	def test_two_claim_exports_at_once_carry_each_claim_once_with_distinct_numbers(self):
		from care_management.billing.invoicing import create_invoices
		from care_management.billing.month_close import close_month
		from care_management.tests.factories import EXAMPLE_NPI
		from care_management.tests.test_claim_export import address

		company = frappe.db.get_single_value("Care Management Settings", "company")
		saved_company = frappe.db.get_value(
			"Company", company, ["npi", "tax_id", "taxonomy_code", "billing_address"], as_dict=True
		)
		saved_settings = {
			field: frappe.db.get_single_value("Care Management Settings", field)
			for field in ("claims_contact_name", "claims_contact_phone")
		}
		made_addresses = []
		try:
			made_addresses.append(address("Concurrency Practice", "Company", company))
			frappe.db.set_value(
				"Company",
				company,
				{
					"npi": "1245319599",
					"tax_id": "123456789",
					"taxonomy_code": "207Q00000X",
					"billing_address": made_addresses[0],
				},
			)
			frappe.db.set_single_value("Care Management Settings", "claims_contact_name", "Billing Office")
			frappe.db.set_single_value("Care Management Settings", "claims_contact_phone", "5555551234")
			for practitioner in (self.practitioner, self.second_practitioner):
				frappe.db.set_value(
					"Healthcare Practitioner", practitioner, {"npi": EXAMPLE_NPI, "last_name": "Doctor"}
				)
			for patient in self.patients:
				frappe.db.set_value("Patient", patient, {"last_name": "Claimant", "dob": "1950-01-02"})
				made_addresses.append(address(patient, "Patient", patient, pincode="62701"))
			close_month(self.MONTH, now=True)
			create_invoices(self.MONTH, submit=1)
			frappe.db.commit()

			folder = frappe.get_site_path("private", "files")
			before = set(os.listdir(folder))
			results = run_together(("export", (self.MONTH,)), ("export", (self.MONTH,)))
			frappe.db.commit()  # a fresh snapshot
			done = [out for _task, status, out in results if status == "ok"]
			self.assertGreaterEqual(len(done), 1, results)
			for _task, status, out in results:
				if status == "error":  # the later one found everything already in a file
					self.assertIn("already in a file", out)
			carried = frappe.db.sql(
				"""select e.sales_invoice, count(*) from `tabClaim Export Invoice` e
				join `tabClaim Export` x on x.name = e.parent
				where x.docstatus = 1 and x.month = %s and e.status = 'Exported' group by e.sales_invoice""",
				self.MONTH,
			)
			self.assertEqual(len(carried), PATIENTS)
			self.assertEqual({count for _invoice, count in carried}, {1})
			numbers = [out["number"] for out in done]
			self.assertEqual(len(set(numbers)), len(numbers))
			# Each sent file is on disk, recorded once; the refused one left none behind.
			files = frappe.db.sql_list(
				"""select f.file_url from `tabFile` f join `tabClaim Export` x on x.name = f.attached_to_name
				where f.attached_to_doctype = 'Claim Export' and x.docstatus = 1 and x.month = %s""",
				self.MONTH,
			)
			self.assertEqual(len(files), len(done))
			for url in files:
				self.assertTrue(os.path.exists(frappe.get_site_path(url.lstrip("/"))), url)
			written = [name for name in set(os.listdir(folder)) - before if name.startswith("837P-")]
			self.assertEqual(sorted(f"/private/files/{name}" for name in written), sorted(files))
		finally:
			frappe.db.rollback()
			exports = frappe.db.sql_list("select name from `tabClaim Export` where month = %s", self.MONTH)
			if exports:
				frappe.db.delete("Claim Export Invoice", {"parent": ("in", exports)})
				attached = {"attached_to_doctype": "Claim Export", "attached_to_name": ("in", exports)}
				for url in frappe.get_all("File", attached, pluck="file_url"):
					path = frappe.get_site_path(url.lstrip("/"))
					if os.path.exists(path):
						os.remove(path)
				frappe.db.delete("File", attached)
				frappe.db.delete("Claim Export", {"name": ("in", exports)})
			frappe.db.set_value("Company", company, saved_company)
			for field, value in saved_settings.items():
				frappe.db.set_single_value("Care Management Settings", field, value)
			if made_addresses:
				frappe.db.delete("Dynamic Link", {"parent": ("in", made_addresses), "parenttype": "Address"})
				frappe.db.delete("Address", {"name": ("in", made_addresses)})
			frappe.db.commit()

	def test_one_835_submitted_twice_at_once_posts_its_payment_once(self):
		from decimal import Decimal

		from care_management.billing.invoicing import create_invoices
		from care_management.billing.month_close import close_month
		from care_management.tests import pure_checks
		from care_management.tests.factories import make_deposit_account

		remittance_files = pure_checks.load("remittance_files")
		company = frappe.db.get_single_value("Care Management Settings", "company")
		saved_account = frappe.db.get_single_value("Care Management Settings", "remittance_deposit_account")
		frappe.db.set_single_value(
			"Care Management Settings", "remittance_deposit_account", make_deposit_account(company)
		)
		close_month(self.MONTH, now=True)
		create_invoices(self.MONTH, submit=1)
		owed = dict(
			frappe.db.sql(
				"""select name, outstanding_amount from `tabSales Invoice`
				where patient in %s and care_billing_role = 'Primary Payer' and docstatus = 1""",
				[self.patients],
			)
		)
		payer = frappe.db.get_value("Sales Invoice", next(iter(owed)), "customer")
		text = remittance_files.remittance_835(
			[
				{"claim_id": invoice, "charge": Decimal(str(amount)), "paid": Decimal(str(amount))}
				for invoice, amount in owed.items()
			],
			trace_number="EFTRACE1",
			payer_name=frappe.db.get_value("Customer", payer, "customer_name"),
			payer_id=frappe.db.get_value("Customer", payer, "payer_id"),
		)
		imports = []
		try:
			for _copy in range(2):
				file_url = (
					frappe.get_doc(
						{"doctype": "File", "file_name": "race.835", "content": text, "is_private": 1}
					)
					.insert(ignore_permissions=True)
					.file_url
				)
				imports.append(
					frappe.get_doc({"doctype": "Remittance Import", "file": file_url}).insert().name
				)
			frappe.db.commit()

			results = run_together(("remit", (imports[0],)), ("remit", (imports[1],)))
			frappe.db.commit()  # a fresh snapshot
			self.assertEqual(sorted(status for _task, status, _out in results), ["error", "ok"], results)
			self.assertIn("already posted", next(out for _t, status, out in results if status == "error"))
			entries = frappe.get_all(
				"Payment Entry", filters={"reference_no": "EFTRACE1", "docstatus": 1}, pluck="name"
			)
			self.assertEqual(len(entries), 1)
			allocated = dict(
				frappe.db.sql(
					"""select reference_name, sum(allocated_amount) from `tabPayment Entry Reference`
					where parent in %s and docstatus = 1 group by reference_name""",
					[entries],
				)
			)
			self.assertEqual(allocated, {invoice: amount for invoice, amount in owed.items()})
			self.assertEqual(
				frappe.db.sql(
					"select count(*) from `tabSales Invoice` where name in %s and outstanding_amount != 0",
					[list(owed)],
				)[0][0],
				0,
			)
		finally:
			frappe.db.rollback()
			delete_payment_entries("EFTRACE1")
			for child in (
				"Remittance Payment",
				"Remittance Claim",
				"Remittance Adjustment",
				"Remittance Problem",
			):
				if imports:
					frappe.db.delete(child, {"parent": ("in", imports)})
			if imports:
				frappe.db.delete(
					"File", {"attached_to_doctype": "Remittance Import", "attached_to_name": ("in", imports)}
				)
				frappe.db.delete("Remittance Import", {"name": ("in", imports)})
			frappe.db.delete("File", {"file_name": "race.835"})
			frappe.db.set_single_value(
				"Care Management Settings", "remittance_deposit_account", saved_account
			)
			frappe.db.commit()


class TestChunksExactlyOnce(BillingConcurrencyTestCase):
	MONTH = date(2026, 7, 1)

	def queued_close(self) -> tuple[str, list[str]]:
		"""A close queued as the desk queues it, its jobs kept back so the test runs them."""
		from care_management.billing.month_close import close_month

		with mock.patch("frappe.enqueue") as enqueue:
			name = close_month(self.MONTH)
			frappe.db.commit()
		return name, [call.kwargs["chunk"] for call in enqueue.call_args_list]

	def test_one_chunk_job_run_twice_at_once_counts_once(self):
		name, chunks = self.queued_close()
		self.assertEqual(len(chunks), 3)
		results = run_together(("chunk", (name, chunks[0])), ("chunk", (name, chunks[0])))
		self.assertEqual([r for r in results if r[1] != "ok"], [], results)
		self.assertEqual(
			sorted(r[2] is None for r in results), [False, True]
		)  # one did it, one found it Done
		for chunk in chunks[1:]:
			run_together(("chunk", (name, chunk)))
		frappe.db.commit()
		close = frappe.get_doc("Care Month Close", name)
		self.assertEqual((close.status, close.chunks_done, close.records_created), ("Completed", 3, PATIENTS))
		self.assert_books_whole()
		self.assertEqual(self.records(), PATIENTS)

	def test_a_close_whose_jobs_are_gone_frees_its_month_and_one_just_queued_does_not(self):
		from care_management.billing.month_close import close_month
		from care_management.tests.rq_worker import private_queue

		with private_queue():  # an empty queue of its own: the jobs are surely not there
			name, _chunks = self.queued_close()  # its jobs never reach a queue
			with self.assertRaises(frappe.ValidationError) as refused:
				close_month(self.MONTH, now=True)
			self.assertIn(name, str(refused.exception))
			frappe.db.rollback()
			frappe.db.sql(
				"update `tabCare Month Close` set modified = modified - interval 1 hour where name = %s", name
			)
			frappe.db.commit()
			again = close_month(self.MONTH, now=True)
			frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Care Month Close", name, "status"), "Failed")
		self.assertIn("closing the month again", frappe.db.get_value("Care Month Close", name, "error"))
		self.assertEqual(frappe.db.get_value("Care Month Close", again, "status"), "Completed")
		self.assertEqual(self.records(), PATIENTS)
		self.assert_books_whole()

	def test_a_close_that_fails_midway_keeps_its_committed_chunks_and_a_rerun_completes_it(self):
		from care_management.billing import month_close

		name, chunks = self.queued_close()
		month_close.close_chunk(name, chunks[0])
		real = month_close.build_records
		with mock.patch.object(month_close, "build_records", side_effect=RuntimeError("database went away")):
			with self.assertRaises(RuntimeError):
				month_close.close_chunk(name, chunks[1])
		close = frappe.get_doc("Care Month Close", name)
		self.assertEqual(close.status, "Failed")
		self.assertIn("database went away", close.error)
		self.assertEqual(self.records(), CHUNK_SIZE)  # the first chunk, whole; nothing of the second
		self.assertEqual(month_close.build_records, real)
		# The month is free again: a new close completes it, without duplicates.
		again = month_close.close_month(self.MONTH, now=True)
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Care Month Close", again, "status"), "Completed")
		self.assertEqual(self.records(), PATIENTS)
		self.assert_books_whole()

	def test_two_rq_workers_with_a_retried_chunk_close_the_month_once(self):
		from frappe.utils.background_jobs import get_queue

		from care_management.billing.month_close import close_month
		from care_management.tests.rq_worker import private_queue, run_worker

		# On a Redis of the test's own (rq_worker.py): the bench's queue is shared by
		# every site, whose jobs these workers would take, and ours theirs.
		with private_queue() as url:
			name = close_month(self.MONTH)
			frappe.db.commit()
			first = frappe.db.get_value("Care Month Close Chunk", {"parent": name, "idx": 1})
			# An RQ retry: the same chunk queued again under another job id.
			frappe.enqueue(
				"care_management.billing.month_close.close_chunk", queue="long", close_name=name, chunk=first
			)
			frappe.db.commit()
			self.assertEqual(get_queue("long").count, 4)
			run_worker(url, count=2)
		frappe.db.commit()
		close = frappe.get_doc("Care Month Close", name)
		self.assertEqual((close.status, close.chunks_done, close.records_created), ("Completed", 3, PATIENTS))
		self.assertEqual(self.records(), PATIENTS)
		self.assert_books_whole()
