"""Coverage, identifiers and who Create Invoices bills: payer, secondary payer, patient."""

from __future__ import annotations

import frappe

from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.care_management.report.care_management_billing.care_management_billing import (
	execute as billing_report,
)
from care_management.tests.factories import EXAMPLE_NPI, make_coverage, make_payer
from care_management.tests.test_billing_month import LAST_MONTH, BillingMonthCase, log_minutes


class PayerBillingCase(BillingMonthCase):
	def billed(self, name: str, coverage: bool = True, minutes: int = 45) -> str:
		patient, enrollment = self.enrolled_patient(name, coverage=coverage)
		self.days_used = getattr(self, "days_used", 0) + 1  # one performer's logs may not overlap
		log_minutes(patient, enrollment, minutes, day=self.days_used)
		return patient

	def invoices_of(self, patient: str) -> dict[str, frappe._dict]:
		return {
			row.care_billing_role: row
			for row in frappe.get_all(
				"Sales Invoice",
				filters={"patient": patient, "docstatus": 1},
				fields=["name", "care_billing_role", "customer", "grand_total", "care_coverage"],
			)
		}

	def record(self, patient: str):
		return frappe.get_doc(
			"Care Billing Record", {"patient": patient, "month": LAST_MONTH, "program": "CCM"}
		)


class TestCoverage(PayerBillingCase):
	def test_overlapping_coverages_of_one_order_are_refused_and_of_two_orders_kept(self):
		patient = self.billed("Overlap", coverage=False)
		first = make_coverage(patient, effective_from="2025-01-01", effective_to="2025-12-31")
		with self.assertRaises(frappe.ValidationError) as refused:
			make_coverage(patient, effective_from="2025-06-01")
		self.assertIn(first.name, str(refused.exception))
		make_coverage(patient, effective_from="2026-01-01")  # the day after: fine
		medigap = make_payer("Test Medigap", "MEDIGAP1")
		make_coverage(patient, medigap, "Medigap", "GAP-123", order="Secondary", effective_from="2025-06-01")

	def test_member_id_payer_and_dates_are_checked(self):
		patient = self.billed("Checked Coverage", coverage=False)
		with self.assertRaises(frappe.ValidationError) as bad_mbi:
			make_coverage(patient, member_id="1EG4-TE5-MK7S")  # S is never in an MBI
		self.assertIn("MBI", str(bad_mbi.exception))
		coverage = make_coverage(patient, member_id="1eg4-te5-mk73")
		self.assertEqual(coverage.member_id, "1EG4TE5MK73")
		commercial = make_payer("Test Commercial", "COMM1")
		make_coverage(patient, commercial, "Commercial", "W123-456", order="Secondary")  # not an MBI: fine
		not_a_payer = frappe.get_doc(
			{"doctype": "Customer", "customer_name": "Not A Payer", "customer_type": "Company"}
		).insert()
		with self.assertRaises(frappe.ValidationError) as refused:
			make_coverage(patient, not_a_payer.name, effective_from="2030-01-01")
		self.assertIn("not a payer", str(refused.exception))
		with self.assertRaises(frappe.ValidationError):
			make_coverage(patient, effective_from="2030-01-01", effective_to="2029-01-01")

	def test_identifiers_are_checked_on_practitioner_company_and_payer(self):
		practitioner = frappe.get_doc("Healthcare Practitioner", self.practitioner)
		practitioner.npi = "1234567890"  # wrong check digit
		with self.assertRaises(frappe.ValidationError) as refused:
			practitioner.save()
		self.assertIn("check digit", str(refused.exception))
		practitioner.reload()
		practitioner.npi, practitioner.taxonomy_code = EXAMPLE_NPI, "207q00000x"
		practitioner.save()
		self.assertEqual(
			frappe.db.get_value("Healthcare Practitioner", self.practitioner, "taxonomy_code"), "207Q00000X"
		)
		practitioner.reload()
		practitioner.taxonomy_code = "207Q0000"
		with self.assertRaises(frappe.ValidationError):
			practitioner.save()

		company = frappe.get_doc("Company", frappe.db.get_single_value("Care Management Settings", "company"))
		company.npi, company.tax_id = EXAMPLE_NPI, "12-34567"
		with self.assertRaises(frappe.ValidationError) as refused:
			company.save()
		self.assertIn("EIN", str(refused.exception))
		company.reload()
		company.npi, company.tax_id = EXAMPLE_NPI, "12-3456789"
		company.save()
		self.assertEqual(company.tax_id, "123456789")

		with self.assertRaises(frappe.ValidationError) as refused:
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": "Payer Without ID",
					"customer_type": "Company",
					"is_payer": 1,
				}
			).insert()
		self.assertIn("Payer ID", str(refused.exception))


class TestWhoIsBilled(PayerBillingCase):
	def test_a_qmb_patient_with_medicaid_bills_medicare_and_medicaid_and_not_the_patient(self):
		patient = self.billed("QMB Medicaid", coverage=False)
		medicare, medicaid = make_payer(), make_payer("Test Medicaid", "MCD1")
		primary = make_coverage(patient, medicare, qmb=1)
		secondary = make_coverage(patient, medicaid, "Medicaid", "MCD999", order="Secondary")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)
		invoices = self.invoices_of(patient)
		self.assertEqual(set(invoices), {"Primary Payer", "Secondary Payer"})
		self.assertEqual(
			(invoices["Primary Payer"].customer, invoices["Primary Payer"].grand_total), (medicare, 87.2)
		)
		self.assertEqual(invoices["Primary Payer"].care_coverage, primary.name)
		self.assertEqual(
			(invoices["Secondary Payer"].customer, invoices["Secondary Payer"].grand_total), (medicaid, 21.8)
		)
		self.assertEqual(invoices["Secondary Payer"].care_coverage, secondary.name)
		record = self.record(patient)
		self.assertEqual((record.status, record.invoiced), ("Invoiced", 1))
		line = record.lines[0]
		self.assertEqual((line.payer, line.secondary_payer, line.patient_share), (medicare, medicaid, 0))

	def test_a_qmb_patient_alone_owes_nothing_and_the_coinsurance_is_not_billed(self):
		patient = self.billed("QMB Alone", coverage=False)
		make_coverage(patient, qmb=1)
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)
		self.assertEqual(set(self.invoices_of(patient)), {"Primary Payer"})
		record = self.record(patient)
		self.assertEqual(record.status, "Invoiced")
		self.assertEqual(sum(line.written_off for line in record.lines), 21.8)

	def test_a_code_without_cost_sharing_is_billed_to_the_payer_alone(self):
		patient = self.billed("No Cost Sharing", minutes=25)
		frappe.db.sql("update `tabBilling Code` set no_cost_sharing = 1 where code = '99490'")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)
		invoices = self.invoices_of(patient)
		self.assertEqual(set(invoices), {"Primary Payer"})
		self.assertEqual(invoices["Primary Payer"].grand_total, 62.0)

	def test_missing_or_ended_coverage_holds_the_record_with_the_reason_until_it_is_entered(self):
		none = self.billed("No Coverage", coverage=False)
		ended = self.billed("Ended Coverage", coverage=False)
		make_coverage(ended, effective_from="2024-01-01", effective_to="2024-12-31")
		close_month(LAST_MONTH, now=True)
		result = create_invoices(LAST_MONTH, submit=1, commit=False)
		held = {row["patient"]: row["reason"] for row in result["held"]}
		self.assertIn("no coverage on file", held[none])
		self.assertIn(f"ended {frappe.utils.formatdate('2024-12-31')}", held[ended])
		self.assertEqual(self.invoices_of(none), {})
		record = self.record(none)
		self.assertEqual(record.status, "Ready")
		self.assertIn("no coverage on file", record.invoice_hold_reason)

		make_coverage(none)
		result = create_invoices(LAST_MONTH, submit=1, patient=none, commit=False)
		self.assertEqual(set(self.invoices_of(none)), {"Primary Payer", "Patient"})
		self.assertFalse(self.record(none).invoice_hold_reason)

	def test_a_cancelled_patient_invoice_is_made_again_with_the_same_split(self):
		patient = self.billed("Reissued Coinsurance")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)
		first = self.invoices_of(patient)
		frappe.get_doc("Sales Invoice", first["Patient"].name).cancel()
		record = self.record(patient)
		self.assertEqual((record.status, record.invoiced), ("Ready", 0))
		# Becoming QMB afterwards does not change what the payer was already billed for.
		frappe.db.set_value("Patient", patient, "qualified_medicare_beneficiary", 1)
		result = create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)
		self.assertEqual(len(result["invoices"]), 1)
		again = self.invoices_of(patient)
		self.assertEqual(again["Primary Payer"].name, first["Primary Payer"].name)
		self.assertEqual(again["Patient"].grand_total, 21.8)
		self.assertEqual(self.record(patient).status, "Invoiced")
		self.assertEqual(create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)["invoices"], [])

	def test_the_billing_report_shows_payer_shares_and_status(self):
		patient = self.billed("Reported Shares")
		held = self.billed("Reported Held", coverage=False)
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		_columns, rows, *_rest = billing_report({"month": LAST_MONTH})
		by_patient = {row.patient: row for row in rows}
		row = by_patient[patient]
		self.assertEqual((row.payer, row.payer_share, row.patient_share), (make_payer(), 87.2, 21.8))
		self.assertEqual(row.status, "Invoiced")
		self.assertEqual(row.invoice_status, "Payer: submitted, Patient: submitted")
		_columns, line_rows, *_rest = billing_report({"month": LAST_MONTH, "patient": patient, "per_line": 1})
		self.assertEqual(
			sorted((r.code, r.payer_share, r.patient_share) for r in line_rows),
			[("99439", 37.6, 9.4), ("99490", 49.6, 12.4)],
		)
		self.assertIn("no coverage on file", by_patient[held].invoice_hold_reason)
