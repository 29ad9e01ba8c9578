"""Eligibility checked before billing, on a real site: a month's 270 names each
coverage to bill; the payer's 271 is imported (a mismatched answer refused, a
foreign file refused whole); a coverage the 271 says is inactive holds its patient
from Create Invoices, and coverage never checked is warned about."""

from __future__ import annotations

from unittest import mock

import frappe
from frappe.utils import today

from care_management.billing import eligibility
from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.tests.test_billing_month import LAST_MONTH
from care_management.tests.test_claim_export import ClaimExportCase
from care_management.tests.test_remittance_import import attach


def answer_271(subscribers: list[list[str]]) -> str:
	body = ["ST*271*0001*005010X279A1", "BHT*0022*11*0001*20261202*0900"]
	hl = 0
	for subscriber in subscribers:
		body += [
			f"HL*{hl + 1}**20*1",
			"NM1*PR*2*MEDICARE PART B TEST PAYER*****PI*TESTMCR",
			f"HL*{hl + 2}*{hl + 1}*21*1",
			"NM1*1P*2*PRACTICE*****XX*1234567893",
			f"HL*{hl + 3}*{hl + 2}*22*0",
			*subscriber,
		]
		hl += 3
	body.append(f"SE*{len(body) + 1}*0001")
	segments = [
		"ISA*00*          *00*          *ZZ*RCV01          *ZZ*SUB01          *261202*0900*^*00501*000000077*0*T*:",
		"GS*HB*RCV01*SUB01*20261202*0900*77*X*005010X279A1",
		*body,
		"GE*1*77",
		"IEA*1*000000077",
	]
	return "\r\n".join(s + "~" for s in segments) + "\r\n"


def subscriber(coverage, eb: list[str], member_id: str | None = None) -> list[str]:
	return [
		f"TRN*2*{coverage.name}*1123456789",
		f"NM1*IL*1*CLAIMANT*PAT****MI*{member_id or coverage.member_id}",
		*eb,
	]


class TestEligibilityImport(ClaimExportCase):
	def coverage_of(self, patient: str):
		return frappe.get_doc("Patient Coverage", {"patient": patient, "coverage_order": "Primary"})

	def test_a_271_that_says_inactive_holds_the_patient_from_create_invoices(self):
		frappe.db.set_single_value("Care Management Settings", "coverage_unverified_after_days", 30)
		active, inactive, mismatched = (
			self.billed_patient(name) for name in ("Eligible Active", "Eligible Gone", "Eligible Other")
		)
		close_month(LAST_MONTH, now=True)
		coverages = {p: self.coverage_of(p) for p in (active, inactive, mismatched)}

		# The month's 270 asks about each coverage to bill, by its name.
		url = eligibility.make_270(month=LAST_MONTH)
		text = frappe.get_doc("File", {"file_url": url}).get_content()
		for coverage in coverages.values():
			self.assertIn(f"TRN*1*{coverage.name}*", text)
		self.assertIn("ST*270*", text)
		self.assertIn("*005010X279A1", text)

		# A file that is not a 271 is refused whole.
		with self.assertRaises(frappe.ValidationError) as refused:
			frappe.get_doc(
				{"doctype": "Eligibility Response Import", "file": attach("<b>hello</b>", "x.271")}
			).insert()
		self.assertIn("not an X12 file", str(refused.exception))

		file = answer_271(
			[
				subscriber(coverages[active], ["EB*1*IND*30*MB*MEDICARE PART B", "EB*R**30*MC"]),
				subscriber(coverages[inactive], ["EB*6*IND*30*MB"]),
				subscriber(coverages[mismatched], ["EB*1*IND*30*MB"], member_id="9ZZ9ZZ9ZZ99"),
			]
		)
		doc = frappe.get_doc(
			{"doctype": "Eligibility Response Import", "file": attach(file, "answer.271")}
		).insert()
		rows = {row.patient: row for row in doc.answers}
		self.assertEqual((rows[active].outcome, rows[active].eligibility_status), ("Ready", "Active"))
		self.assertEqual((rows[inactive].outcome, rows[inactive].eligibility_status), ("Ready", "Inactive"))
		self.assertEqual(rows[mismatched].outcome, "Refused")
		self.assertIn("9ZZ9ZZ9ZZ99", rows[mismatched].reason)
		self.assertEqual((doc.answers_ready, doc.answers_refused, doc.inactive), (2, 1, 1))
		before = self.coverage_of(active).modified
		with mock.patch.object(frappe.db, "sql", wraps=frappe.db.sql) as sql:
			doc.submit()
		coverage_updates = [
			call
			for call in sql.call_args_list
			if str(call.args[0]).lstrip().lower().startswith("update `tabpatient coverage`")
		]
		self.assertEqual(len(coverage_updates), 1)  # two coverages, one statement
		self.assertGreater(self.coverage_of(active).modified, before)  # as a save marks it
		self.assertEqual({row.outcome for row in doc.answers if row.patient != mismatched}, {"Applied"})
		self.assertEqual(
			frappe.db.get_value(
				"Eligibility Response Answer", {"parent": doc.name, "patient": active}, "outcome"
			),
			"Applied",
		)

		self.assertEqual(self.coverage_of(active).eligibility_status, "Active")
		self.assertTrue(self.coverage_of(active).eligibility_medicaid)
		self.assertEqual(str(self.coverage_of(active).eligibility_verified_on), today())
		self.assertIn("EB*6*IND*30*MB", self.coverage_of(inactive).eligibility_response)
		self.assertFalse(self.coverage_of(mismatched).eligibility_status)  # refused: untouched

		# What the payer said cannot be typed over.
		typed = self.coverage_of(inactive)
		typed.eligibility_status = "Active"
		typed.save()
		self.assertEqual(self.coverage_of(inactive).eligibility_status, "Inactive")

		result = create_invoices(LAST_MONTH, submit=1, commit=False)
		held = {h["patient"]: h["reason"] for h in result["held"]}
		self.assertIn(inactive, held)
		self.assertIn("inactive", held[inactive])
		self.assertNotIn(active, held)
		invoiced = frappe.get_all("Sales Invoice", filters={"patient": active, "docstatus": 1}, pluck="name")
		self.assertTrue(invoiced)
		self.assertFalse(frappe.get_all("Sales Invoice", filters={"patient": inactive}))
		unverified = {u["coverage"] for u in result["unverified_coverage"]}
		self.assertIn(coverages[mismatched].name, unverified)
		self.assertNotIn(coverages[active].name, unverified)

		# The billing report says why too.
		from care_management.care_management.report.care_management_billing.care_management_billing import (
			execute,
		)

		message = execute({"month": LAST_MONTH})[2]
		self.assertIn(inactive, message)
		self.assertIn("inactive", message)
