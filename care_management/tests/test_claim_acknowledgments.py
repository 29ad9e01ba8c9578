"""999 and 277CA acknowledgments recorded on a real site: month close → payer
invoices → 837P → the clearinghouse's 999 and the payer's 277CA with one rejection →
the rejected claim in Claim Follow-up with what to fix → corrected and exported
again as a new claim, while a correction of the accepted one goes as a replacement
quoting the payer's number from the 277CA. Hostile and mismatched files are refused
whole with escaped reasons, nothing recorded."""

from __future__ import annotations

from unittest import mock

import frappe
from frappe.desk.query_report import run

from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.domain import claim_acknowledgments as acks
from care_management.tests import pure_checks
from care_management.tests.factories import make_user
from care_management.tests.test_billing_month import LAST_MONTH
from care_management.tests.test_claim_export import ClaimExportCase

ack_files = pure_checks.load("acknowledgment_files")
pyx12_errors = pure_checks.load("x12_checks").pyx12_errors


def attach(text: str, name: str = "ack.txt") -> str:
	return (
		frappe.get_doc({"doctype": "File", "file_name": name, "content": text, "is_private": 1})
		.insert(ignore_permissions=True)
		.file_url
	)


def acknowledgment_import(text: str):
	return frappe.get_doc({"doctype": "Claim Acknowledgment Import", "file": attach(text)}).insert()


class TestClaimAcknowledgments(ClaimExportCase):
	def assert_pyx12_valid(self, text: str):
		valid, errors, _ack = pyx12_errors(text)
		self.assertEqual(errors, [], text)
		self.assertTrue(valid)

	def exported(self, *names: str):
		patients = [self.billed_patient(name) for name in names]
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		invoices = [
			frappe.get_value(
				"Sales Invoice", {"patient": patient, "care_billing_role": "Primary Payer", "docstatus": 1}
			)
			for patient in patients
		]
		export = self.export()
		self.assertEqual(
			{row.sales_invoice for row in export.invoices if row.status == "Exported"}, set(invoices)
		)
		return export, invoices

	def row(self, export: str, invoice: str):
		return frappe.db.get_value(
			"Claim Export Invoice",
			{"parent": export, "sales_invoice": invoice, "status": "Exported"},
			[
				"acknowledgment",
				"acknowledgment_reason",
				"acknowledgment_fix",
				"acknowledged_by",
				"payer_claim_number",
			],
			as_dict=True,
		)

	def follow_up(self) -> list[dict]:
		return run("Claim Follow-up", {"company": self.company, "acknowledgment": "Rejected"})["result"]

	def test_999_and_277ca_with_one_rejection_then_the_corrections_go_as_new_and_replacement(self):
		export, (accepted, rejected) = self.exported("Ack Accepted", "Ack Rejected")
		number = int(export.interchange_control_number)
		set_number = f"{number % 1_000_000_000:04d}"
		text_837 = self.file_text(export)
		self.assertIn("GS*HC*SUB01*RCV01*", text_837)
		self.assertIn(f"*{number}*X*005010X222A1~", text_837)

		# The clearinghouse's 999: the file's syntax accepted.
		text_999 = ack_files.ack_999(
			[{"group_control_number": number, "sets": [{"control_number": set_number}]}]
		)
		self.assert_pyx12_valid(text_999)
		first = acknowledgment_import(text_999.replace("\n", "\r\n"))
		self.assertEqual((first.kind, first.claims_accepted, first.claims_rejected), ("999", 2, 0))
		first.submit()
		self.assertEqual(self.row(export.name, rejected).acknowledgment, "File Accepted")

		# The payer's 277CA: one accepted (with its claim number), one rejected, one never ours.
		text_277 = ack_files.ack_277ca(
			[
				{"claim_id": accepted, "charge": "109", "payer_claim_number": "26350000111"},
				{
					"claim_id": rejected,
					"charge": "109",
					"statuses": [("A7", "164", "IL")],
					"action": "U",
					"message": 'MEMBER ID <img src=x onerror="window.__pwned=1">',
				},
				{"claim_id": "NOT-OURS-0001", "charge": "50"},
			],
			batch_reference=set_number,
			newline=False,
		)
		self.assert_pyx12_valid(text_277)
		second = acknowledgment_import(text_277)
		by_claim = {row.claim_id: row for row in second.claims}
		self.assertEqual(by_claim[accepted].outcome, "Accepted")
		self.assertEqual(by_claim[rejected].outcome, "Rejected")
		self.assertEqual(by_claim[rejected].status_codes, "A7:164:IL")
		self.assertIn("contract/member number", by_claim[rejected].reason)
		self.assertEqual(by_claim[rejected].fix, acks.FIX_MEMBER)
		self.assertEqual(by_claim["NOT-OURS-0001"].outcome, "Not Matched")
		self.assertIsNone(by_claim["NOT-OURS-0001"].claim_export)
		self.assertEqual(
			(second.claims_accepted, second.claims_rejected, second.claims_not_matched), (1, 1, 1)
		)
		second.submit()

		accepted_row, rejected_row = self.row(export.name, accepted), self.row(export.name, rejected)
		self.assertEqual(
			(accepted_row.acknowledgment, accepted_row.payer_claim_number), ("Accepted", "26350000111")
		)
		self.assertEqual(rejected_row.acknowledgment, "Rejected")
		self.assertEqual(rejected_row.acknowledged_by, second.name)
		self.assertEqual(rejected_row.acknowledgment_fix, acks.FIX_MEMBER)
		# A client cannot overwrite what the acknowledgments said.
		doc = frappe.get_doc("Claim Export", export.name)
		next(r for r in doc.invoices if r.sales_invoice == rejected).acknowledgment = "Accepted"
		doc.save()
		self.assertEqual(self.row(export.name, rejected).acknowledgment, "Rejected")

		# The rejected claim is on Claim Follow-up with what to fix; the accepted one is not.
		listed = {row["sales_invoice"]: row for row in self.follow_up()}
		self.assertIn(rejected, listed)
		self.assertNotIn(accepted, listed)
		self.assertIn("Patient Coverage", listed[rejected]["acknowledgment_fix"])

		# Corrections: the rejected claim's coverage is fixed (its invoice stays), the accepted
		# claim's invoice is cancelled and amended.
		coverage = frappe.db.get_value("Sales Invoice", rejected, "care_coverage")
		frappe.db.set_value("Patient Coverage", coverage, "member_id", "1EG4TE5MK74")
		original = frappe.get_doc("Sales Invoice", accepted)
		original.cancel()
		amended = frappe.copy_doc(original)
		amended.docstatus = 0
		for item in amended.items:
			item.docstatus = 0
		amended.amended_from = original.name
		amended.insert()
		amended.submit()

		again = self.export()
		rows = {row.sales_invoice: row for row in again.invoices}
		self.assertEqual(set(rows), {rejected, amended.name})  # no void of the accepted original
		self.assertEqual((rows[rejected].claim_frequency, rows[rejected].original_claim or ""), ("1", ""))
		self.assertEqual(
			(rows[amended.name].claim_frequency, rows[amended.name].original_payer_claim_number),
			("7", "26350000111"),
		)
		text = self.file_text(again)
		self.assert_pyx12_valid(text)
		self.assertIn(f"CLM*{rejected}*109***11:B:1*Y*A*Y*Y~\nHI*", text)
		self.assertIn(f"CLM*{amended.name}*109***11:B:7*Y*A*Y*Y~\nREF*F8*26350000111~", text)
		self.assertIn("MI*1EG4TE5MK74~", text)
		self.assertNotIn(rejected, {row["sales_invoice"] for row in self.follow_up()})

		# Cancelling the 277CA import gives the rows back the 999's answer.
		second.reload()
		second.cancel()
		self.assertEqual(self.row(export.name, rejected).acknowledgment, "File Accepted")

	def test_a_277ca_is_recorded_in_one_statement_per_column_set_not_one_per_claim(self):
		export, claims = self.exported("Ack Bulk One", "Ack Bulk Two", "Ack Bulk Three")
		text_277 = ack_files.ack_277ca(
			[
				{"claim_id": claim, "charge": "109", "payer_claim_number": f"2635000022{i}"}
				for i, claim in enumerate(claims)
			],
			batch_reference=f"{int(export.interchange_control_number) % 1_000_000_000:04d}",
			newline=False,
		)
		doc = acknowledgment_import(text_277)
		with mock.patch.object(frappe.db, "sql", wraps=frappe.db.sql) as sql:
			doc.submit()
		updates = [
			" ".join(str(call.args[0]).split()).lower()
			for call in sql.call_args_list
			if str(call.args[0]).lstrip().lower().startswith("update `tabclaim export invoice`")
		]
		# Three claims: one statement for the answers, one for the payer's claim numbers.
		self.assertEqual(len(updates), 2, updates)
		self.assertEqual(sum("payer_claim_number" in update for update in updates), 1)
		self.assertEqual(
			[self.row(export.name, claim).payer_claim_number for claim in claims],
			[f"2635000022{i}" for i in range(3)],
		)
		self.assertEqual({self.row(export.name, claim).acknowledgment for claim in claims}, {"Accepted"})

	def test_a_999_rejecting_the_file_rejects_every_claim_and_a_cancelled_one_is_not_voided(self):
		export, (first_claim, second_claim) = self.exported("Ack File One", "Ack File Two")
		number = int(export.interchange_control_number)
		text = ack_files.ack_999(
			[
				{
					"group_control_number": number,
					"code": "R",
					"sets": [
						{
							"control_number": f"{number % 1_000_000_000:04d}",
							"code": "R",
							"set_errors": ("5",),
							"segment_errors": [
								{"segment": "NM1", "position": 30, "loop": "2010", "code": "8"}
							],
						}
					],
				}
			]
		)
		self.assert_pyx12_valid(text)
		doc = acknowledgment_import(text)
		self.assertEqual(doc.claims_rejected, 2)
		doc.submit()
		self.assertEqual(self.row(export.name, first_claim).acknowledgment, "Rejected")
		self.assertIn("999", self.row(export.name, first_claim).acknowledgment_reason)

		frappe.get_doc("Sales Invoice", second_claim).cancel()
		again = self.export()
		rows = {row.sales_invoice: row.claim_frequency for row in again.invoices}
		self.assertEqual(rows, {first_claim: "1"})  # the cancelled claim never reached the payer

	def test_hostile_and_mismatched_files_are_refused_whole_with_escaped_reasons(self):
		export, (claim,) = self.exported("Ack Hostile")
		before = self.row(export.name, claim)

		# A 999 answering a file we never sent, and a 277CA naming only claims we never sent.
		unknown_999 = acknowledgment_import(
			ack_files.ack_999([{"group_control_number": 987654321, "sets": [{"control_number": "4321"}]}])
		)
		self.assertEqual(unknown_999.claims_not_matched, 1)
		with self.assertRaises(frappe.ValidationError) as nothing:
			unknown_999.submit()
		self.assertIn("Nothing in this file answers a claim", str(nothing.exception))

		hostile = acknowledgment_import(
			ack_files.ack_277ca([{"claim_id": "<b>x</b>{{7*7}}", "charge": "1"}], newline=True)
		)
		with self.assertRaises(frappe.ValidationError) as refused:
			hostile.submit()
		self.assertNotIn("<b>", str(refused.exception))
		self.assertIn("&lt;b&gt;", str(refused.exception))

		# A file cut short is refused whole, even where a claim could be read.
		text = ack_files.ack_277ca(
			[{"claim_id": claim, "charge": "109", "action": "U", "statuses": [("A3", "21", "")]}]
		)
		cut = "~\n".join(text.split("~\n")[:-3]) + "~\n"
		broken = acknowledgment_import(cut)
		with self.assertRaises(frappe.ValidationError) as unreadable:
			broken.submit()
		self.assertIn("cannot be recorded", str(unreadable.exception))

		# Not X12 at all: saved with its one problem, never submitted.
		junk = acknowledgment_import("<script>alert(1)</script>")
		self.assertEqual([p.reason for p in junk.problems], [acks.NOT_X12])
		with self.assertRaises(frappe.ValidationError):
			junk.submit()
		self.assertEqual(self.row(export.name, claim), before)  # nothing recorded

	def test_billing_staff_record_acknowledgments_and_a_care_manager_cannot_open_them(self):
		export, (claim,) = self.exported("Ack Billing Role")
		text = ack_files.ack_277ca(
			[{"claim_id": claim, "charge": "109", "statuses": [("A6", "562", "85")], "action": "U"}]
		)
		billing = make_user("ack.billing@example.org", ["Care Management Billing"])
		care_manager = make_user("ack.cm@example.org", ["Care Manager"])
		file_url = attach(text)
		frappe.set_user(billing)
		try:
			doc = frappe.get_doc({"doctype": "Claim Acknowledgment Import", "file": file_url}).insert()
			doc.submit()
			self.assertEqual(doc.claims[0].fix, acks.FIX_BILLING_PROVIDER)
			self.assertTrue(run("Claim Follow-up", {"company": self.company})["result"])
			frappe.set_user(care_manager)
			self.assertFalse(frappe.has_permission("Claim Acknowledgment Import", "read", doc.name))
			with self.assertRaises(frappe.PermissionError):
				frappe.get_doc({"doctype": "Claim Acknowledgment Import", "file": file_url}).insert()
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(self.row(export.name, claim).acknowledgment, "Rejected")
