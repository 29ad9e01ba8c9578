"""A billing line is on one invoice at a time; the unique key of billing records
and the patch that brings existing sites to it."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.billing.billing_key import CONSTRAINT, ensure_billing_key, key_exists
from care_management.billing.invoicing import create_invoices, draft_invoice, get_care_management_items
from care_management.billing.month_close import close_month
from care_management.tests.test_billing_month import LAST_MONTH, BillingMonthCase, log_minutes


def hand_made_invoice(patient: str, items: list[dict]):
	"""A clerk's own Sales Invoice with these (Get Items From → Care Management) rows."""
	settings = frappe.get_cached_doc("Care Management Settings")
	customer = frappe.db.get_value("Patient", patient, "customer")
	return draft_invoice(patient, customer, [dict(item) for item in items], settings)


class TestBillingLineClaims(BillingMonthCase):
	"""Sequential: the rules a concurrent run relies on (test_billing_concurrency races them)."""

	def closed_patient(self, name: str, day: int = 3) -> str:
		patient, enrollment = self.enrolled_patient(name)
		log_minutes(patient, enrollment, 45, day=day)
		close_month(LAST_MONTH, now=True)
		return patient

	def test_a_line_on_a_draft_is_not_offered_again_nor_put_on_a_second_invoice(self):
		patient = self.closed_patient("Claimed Draft")
		items = get_care_management_items(patient, LAST_MONTH)
		first = hand_made_invoice(patient, items).insert()
		self.assertEqual(get_care_management_items(patient, LAST_MONTH), [])
		self.assertEqual(create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)["invoices"], [])
		with self.assertRaises(frappe.ValidationError) as refused:
			hand_made_invoice(patient, items).insert()
		self.assertIn(first.name, str(refused.exception))

		# Removing the rows from the draft frees the lines; deleting it too.
		first.items = first.items[:1]
		first.save()
		self.assertEqual(len(get_care_management_items(patient, LAST_MONTH)), 1)
		first.delete()
		self.assertEqual(len(get_care_management_items(patient, LAST_MONTH)), 2)

	def test_submitting_a_second_invoice_for_an_invoiced_line_names_the_first(self):
		patient = self.closed_patient("Claimed Submitted")
		items = get_care_management_items(patient, LAST_MONTH)
		first = hand_made_invoice(patient, items).insert()
		first.submit()
		second = hand_made_invoice(patient, items[:1])
		with self.assertRaises(frappe.ValidationError) as refused:
			second.insert()
		self.assertIn(first.name, str(refused.exception))
		self.assertIn("already on Sales Invoice", str(refused.exception))

		# Cancelling frees the lines for exactly one new invoice.
		first.cancel()
		third = hand_made_invoice(patient, items).insert()
		third.submit()
		with self.assertRaises(frappe.ValidationError) as refused_again:
			hand_made_invoice(patient, items).insert()
		self.assertIn(third.name, str(refused_again.exception))
		record = frappe.db.get_value(
			"Care Billing Record",
			{"patient": patient, "month": LAST_MONTH},
			["invoiced", "status", "sales_invoice"],
			as_dict=True,
		)
		self.assertEqual((record.invoiced, record.status, record.sales_invoice), (1, "Invoiced", third.name))

	def test_one_line_twice_on_one_invoice_or_on_another_patients_invoice_is_refused(self):
		patient = self.closed_patient("Claimed Twice")
		other = self.closed_patient("Claimed Other", day=4)
		items = get_care_management_items(patient, LAST_MONTH)
		with self.assertRaises(frappe.ValidationError) as twice:
			hand_made_invoice(patient, [items[0], items[0]]).insert()
		self.assertIn("row #1", str(twice.exception).lower())
		with self.assertRaises(frappe.ValidationError) as foreign:
			hand_made_invoice(other, items).insert()
		self.assertIn(patient, str(foreign.exception))

	def test_a_record_on_a_draft_invoice_is_kept_by_a_new_close(self):
		patient, enrollment = self.enrolled_patient("Claimed Kept")
		log_minutes(patient, enrollment, 25, day=3)
		close_month(LAST_MONTH, now=True)
		items = get_care_management_items(patient, LAST_MONTH)
		draft = hand_made_invoice(patient, items).insert()
		log_minutes(patient, enrollment, 25, day=9)  # the month changed: 99439 too, now
		kept = frappe.get_doc("Care Month Close", close_month(LAST_MONTH, now=True))
		self.assertGreaterEqual(kept.records_invoiced_kept, 1)
		self.assertEqual(
			{i.reference_dn for i in draft.items},
			set(frappe.get_all("Care Billing Line", {"sales_invoice": draft.name}, pluck="name")),
		)


class TestBillingRecordKey(FrappeTestCase):
	"""The patch's work on a site that has duplicates (made here by lifting the key)."""

	def tearDown(self):
		frappe.db.rollback()
		frappe.db.sql("delete from `tabCare Billing Record` where patient like 'key-test-%%'")
		frappe.db.sql("delete from `tabCare Billing Line` where parent like 'key-test-%%'")
		frappe.db.sql("delete from `tabSales Invoice Item` where parent = 'key-test-invoice'")
		frappe.db.commit()
		ensure_billing_key()
		self.assertTrue(key_exists())

	def insert_record(self, name: str, patient: str, invoiced: int = 0):
		frappe.db.sql(
			"""insert into `tabCare Billing Record` (name, month, patient, program, billing_practitioner,
				status, invoiced, creation, modified, owner, modified_by, docstatus)
			values (%s, %s, %s, 'CCM', '', 'Ready', %s, now(), now(), 'Administrator', 'Administrator', 0)""",
			(name, LAST_MONTH, patient, invoiced),
		)

	def lift_key(self):
		if key_exists():
			frappe.db.sql_ddl(f"alter table `tabCare Billing Record` drop index `{CONSTRAINT}`")

	def test_the_database_refuses_a_second_record_for_one_key(self):
		self.assertTrue(key_exists())
		self.insert_record("key-test-a", "key-test-p1")
		with self.assertRaises(Exception) as refused:
			self.insert_record("key-test-b", "key-test-p1")
		self.assertTrue(frappe.db.is_duplicate_entry(refused.exception), refused.exception)

	def test_uninvoiced_duplicates_are_removed_and_the_key_added(self):
		self.lift_key()
		self.insert_record("key-test-a", "key-test-p1")
		self.insert_record("key-test-b", "key-test-p1", invoiced=1)
		self.insert_record("key-test-c", "key-test-p2")
		self.insert_record("key-test-d", "key-test-p2")
		frappe.db.commit()
		self.assertTrue(ensure_billing_key())
		self.assertTrue(key_exists())
		left = frappe.get_all("Care Billing Record", {"patient": ("like", "key-test-%")}, pluck="name")
		self.assertIn("key-test-b", left)  # the invoiced one is kept
		self.assertNotIn("key-test-a", left)
		self.assertEqual(len(left), 2)

	def test_invoiced_duplicates_are_kept_listed_and_the_key_waits(self):
		self.lift_key()
		self.insert_record("key-test-a", "key-test-p1", invoiced=1)
		self.insert_record("key-test-b", "key-test-p1", invoiced=1)
		self.insert_record("key-test-c", "key-test-p1")
		frappe.db.commit()
		self.assertFalse(ensure_billing_key())
		self.assertFalse(key_exists())
		left = sorted(
			frappe.get_all("Care Billing Record", {"patient": ("like", "key-test-%")}, pluck="name")
		)
		self.assertEqual(left, ["key-test-a", "key-test-b"])
		error = frappe.get_last_doc("Error Log")
		self.assertIn("key-test-a", error.error)
		self.assertIn("unique key not added", error.method)
