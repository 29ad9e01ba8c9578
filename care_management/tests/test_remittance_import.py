"""An 835 remittance read and posted: month close → payer invoices → 837P → the
payer's 835 → Payment Entries against the invoices, denials and adjustments
listed, the payer's claim numbers onto the Claim Export rows; a file posted
once; hostile files reported, not posted."""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.utils import flt

from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.tests import pure_checks
from care_management.tests.factories import make_deposit_account, make_payer, make_user
from care_management.tests.test_billing_month import LAST_MONTH
from care_management.tests.test_claim_export import ClaimExportCase

remittance_files = pure_checks.load("remittance_files")
pyx12_errors = pure_checks.load("x12_checks").pyx12_errors


def attach(text: str, name: str = "remittance.835") -> str:
	return (
		frappe.get_doc({"doctype": "File", "file_name": name, "content": text, "is_private": 1})
		.insert(ignore_permissions=True)
		.file_url
	)


def remittance_import(text: str):
	return frappe.get_doc({"doctype": "Remittance Import", "file": attach(text)}).insert()


def outstanding(invoice: str) -> float:
	return flt(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"))


class TestRemittanceImport(ClaimExportCase):
	def setUp(self):
		super().setUp()
		frappe.db.set_single_value(
			"Care Management Settings", "remittance_deposit_account", make_deposit_account(self.company)
		)
		frappe.clear_document_cache("Care Management Settings", "Care Management Settings")
		self.payer_id = frappe.db.get_value("Customer", make_payer(), "payer_id")

	def exported_month(self, *names: str) -> dict[str, str]:
		"""Patient -> payer invoice, every one sent in a submitted Claim Export."""
		patients = [self.billed_patient(name) for name in names]
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		invoices = {
			patient: frappe.get_value(
				"Sales Invoice", {"patient": patient, "care_billing_role": "Primary Payer", "docstatus": 1}
			)
			for patient in patients
		}
		export = self.export()
		self.assertEqual(
			{row.sales_invoice for row in export.invoices if row.status == "Exported"}, set(invoices.values())
		)
		return invoices

	def charge(self, invoice: str) -> Decimal:
		"""What the claim charged: the full fee of its lines (the payer invoice bills its share)."""
		return Decimal(
			str(
				frappe.db.get_value(
					"Claim Export Invoice", {"sales_invoice": invoice, "status": "Exported"}, "charge"
				)
			)
		)

	def paid_claim(self, invoice: str, paid: Decimal, **fields) -> dict:
		charge = self.charge(invoice)
		adjustments = [("CO", "45", charge - paid)] if charge != paid else []
		return {
			"claim_id": invoice,
			"charge": charge,
			"paid": paid,
			"adjustments": adjustments,
			"payer_claim_number": f"ICN{invoice.replace('-', '')}"[:20],
			**fields,
		}

	def file(self, claims: list[dict], **options) -> str:
		text = remittance_files.remittance_835(
			claims, payer_name="MEDICARE PART B TEST PAYER", payer_id=self.payer_id, **options
		)
		valid, errors, _ack = pyx12_errors(text, acknowledge=False)
		self.assertEqual(errors, [], text)
		self.assertTrue(valid)
		return text

	def test_payments_are_posted_denials_listed_and_the_payers_claim_numbers_recorded(self):
		invoices = self.exported_month("Remit Paid", "Remit Short", "Remit Denied")
		paid, short, denied = (invoices[p] for p in sorted(invoices, key=lambda p: list(invoices).index(p)))
		owed = {invoice: Decimal(str(outstanding(invoice))) for invoice in invoices.values()}
		short_paid = (owed[short] * Decimal("0.98")).quantize(Decimal("0.01"))  # the 2 % sequestration
		claims = [
			self.paid_claim(paid, owed[paid]),
			{
				**self.paid_claim(short, short_paid),
				"adjustments": [
					("CO", "45", self.charge(short) - owed[short]),
					("CO", "253", owed[short] - short_paid),
				],
			},
			{
				"claim_id": denied,
				"status": "4",
				"charge": self.charge(denied),
				"paid": Decimal(0),
				"adjustments": [("CO", "50", self.charge(denied))],
				"payer_claim_number": "ICNDENIED1",
			},
			{"claim_id": "NOT-OURS-1", "charge": Decimal("10"), "paid": Decimal("10")},
		]
		text = self.file(claims, trace_number="EFT20261215")
		doc = remittance_import(text)

		rows = {row.claim_id: row for row in doc.claims}
		self.assertEqual(rows[paid].outcome, "Paid")
		self.assertEqual(rows[short].outcome, "Paid Short")
		self.assertEqual(rows[denied].outcome, "Denied")
		self.assertEqual(rows["NOT-OURS-1"].outcome, "Not Matched")
		self.assertIn("not sent from this site", rows["NOT-OURS-1"].reason)
		self.assertIn("CO-50", rows[denied].adjustments)
		self.assertEqual(doc.claims_paid, 2)
		self.assertEqual(doc.claims_denied, 1)
		self.assertEqual(doc.claims_not_posted, 1)
		self.assertEqual([(p.trace_number, p.status) for p in doc.payments], [("EFT20261215", "Ready")])
		self.assertEqual(doc.title, f"{make_payer()} EFT20261215")
		self.assertEqual(doc.payments[0].payer, make_payer())
		self.assertEqual(
			{(a.claim_id, a.group_code, a.reason_code) for a in doc.adjustments},
			{(paid, "CO", "45"), (short, "CO", "45"), (short, "CO", "253"), (denied, "CO", "50")},
		)
		# Saving posts nothing.
		self.assertEqual(outstanding(paid), float(owed[paid]))

		doc.submit()
		entry = frappe.get_doc("Payment Entry", doc.payments[0].payment_entry)
		self.assertEqual(entry.docstatus, 1)
		self.assertEqual(entry.party, make_payer())
		self.assertEqual(entry.reference_no, "EFT20261215")
		self.assertEqual(flt(entry.paid_amount), float(owed[paid] + short_paid + 10))
		self.assertEqual(
			{(r.reference_name, flt(r.allocated_amount)) for r in entry.references},
			{(paid, float(owed[paid])), (short, float(short_paid))},
		)
		self.assertEqual(flt(entry.unallocated_amount), 10.0)  # the claim that is not ours
		self.assertEqual(outstanding(paid), 0)
		self.assertEqual(outstanding(short), float(owed[short] - short_paid))
		self.assertEqual(outstanding(denied), float(owed[denied]))
		self.assertEqual(doc.status, "Posted")
		numbers = dict(
			frappe.db.sql(
				"""select sales_invoice, payer_claim_number from `tabClaim Export Invoice`
				where sales_invoice in %s and status = 'Exported'""",
				[list(invoices.values())],
			)
		)
		self.assertEqual(numbers[paid], rows[paid].payer_claim_number)
		self.assertEqual(numbers[denied], "ICNDENIED1")

		# What billing staff still have to do: the denial and the short payment, not the paid claim.
		from care_management.care_management.report.remittance_follow_up.remittance_follow_up import execute

		_columns, report, _m, _c, report_summary = execute({"company": self.company, "payer": make_payer()})
		followed = {row.claim_id: row for row in report if row.remittance_import == doc.name}
		self.assertEqual(set(followed), {short, denied, "NOT-OURS-1"})
		self.assertEqual(followed[denied].outcome, "Denied")
		self.assertIn("CO-50", followed[denied].adjustments)
		self.assertEqual(flt(followed[short].still_owed), float(owed[short] - short_paid))
		self.assertGreaterEqual({s["label"]: s["value"] for s in report_summary}["Denied"], 1)
		# Billing staff without an accounting role run it as the desk does (Frappe's report
		# runner checks each Link column's doctype): the invoice is plain text for them,
		# not a refusal of the whole report.
		from frappe.desk.query_report import run

		payer = make_payer()
		frappe.set_user(make_user("remit.followup.clerk@example.com", ["Care Management Billing"]))
		try:
			answer = run("Remittance Follow-up", filters={"company": self.company, "payer": payer})
		finally:
			frappe.set_user("Administrator")
		types = {column["fieldname"]: column["fieldtype"] for column in answer["columns"]}
		self.assertEqual(types["sales_invoice"], "Data")
		self.assertIn(denied, {row.get("claim_id") for row in answer["result"] if isinstance(row, dict)})

		# The same payment again is refused, naming the import that posted it.
		again = remittance_import(text)
		with self.assertRaises(frappe.ValidationError) as refused:
			again.submit()
		self.assertIn(doc.name, str(refused.exception))
		self.assertIn("EFT20261215", str(refused.exception))
		self.assertEqual(outstanding(short), float(owed[short] - short_paid))

		# Cancelling gives the invoices back their outstanding and frees the payment.
		doc.reload()
		doc.cancel()
		self.assertEqual(frappe.db.get_value("Payment Entry", entry.name, "docstatus"), 2)
		self.assertEqual(outstanding(paid), float(owed[paid]))
		again = remittance_import(text)
		again.submit()
		self.assertEqual(outstanding(paid), 0)
		# The denied claim's invoice can still be cancelled to re-bill it: the import keeps its rows.
		frappe.get_doc("Sales Invoice", denied).cancel()
		self.assertEqual(
			frappe.db.get_value(
				"Remittance Claim", {"parent": again.name, "claim_id": denied}, "sales_invoice"
			),
			denied,
		)

	def test_a_claim_the_file_cannot_be_read_for_is_listed_and_the_others_are_posted(self):
		invoices = list(self.exported_month("Remit Good", "Remit Garbled").values())
		owed = [Decimal(str(outstanding(invoice))) for invoice in invoices]
		text = self.file(
			[self.paid_claim(invoice, amount) for invoice, amount in zip(invoices, owed, strict=True)]
		)
		# The second claim's CLP03 garbled in transit.
		clp = next(s for s in text.split("~") if s.strip().startswith(f"CLP*{invoices[1]}*"))
		elements = clp.split("*")
		elements[3] = "12,5x"
		garbled = text.replace(clp, "*".join(elements))
		doc = remittance_import(garbled)
		self.assertEqual([row.claim_id for row in doc.claims], [invoices[0]])
		self.assertIn(invoices[1], [p.claim_id for p in doc.problems])
		self.assertTrue(all(p.segment_number > 0 and p.reason for p in doc.problems))
		doc.submit()
		self.assertEqual(outstanding(invoices[0]), 0)
		self.assertEqual(outstanding(invoices[1]), float(owed[1]))  # its money stays unallocated
		entry = frappe.get_doc("Payment Entry", doc.payments[0].payment_entry)
		self.assertEqual(flt(entry.unallocated_amount), float(owed[1]))

	def test_files_that_are_not_postable_are_read_and_refused_with_why(self):
		invoice = next(iter(self.exported_month("Remit Hostile").values()))
		owed = Decimal(str(outstanding(invoice)))
		good = self.file([self.paid_claim(invoice, owed)])
		unbalanced = good.replace(f"BPR*I*{remittance_files._amount(owed)}*", "BPR*I*999999*", 1)
		for text, expected in (
			(" \n", "not an X12 file"),
			("hello\x00" + "é" * 5000, "not an X12 file"),
			(good[: len(good) // 2], "cut short"),
			(unbalanced, "Nothing in this file can be posted"),
			(
				good.replace("*TESTMCR", "*UNKNOWN9").replace("MEDICARE PART B TEST PAYER", "NOBODY"),
				"Is Payer",
			),
		):
			with self.subTest(expected=expected):
				doc = remittance_import(text)
				self.assertTrue(
					doc.problems or any(p.status == "Not Posted" for p in doc.payments), text[:80]
				)
				with self.assertRaises(frappe.ValidationError) as refused:
					doc.submit()
				self.assertIn(expected.lower(), str(refused.exception).lower())
				self.assertEqual(outstanding(invoice), float(owed))
				self.assertFalse(
					frappe.db.exists("Payment Entry", {"reference_no": "EFT0001", "docstatus": 1})
				)

	def test_a_payer_claim_number_already_entered_is_kept(self):
		invoice = next(iter(self.exported_month("Remit Numbered").values()))
		row = frappe.db.get_value("Claim Export Invoice", {"sales_invoice": invoice, "status": "Exported"})
		frappe.db.set_value("Claim Export Invoice", row, "payer_claim_number", "TYPED123")
		doc = remittance_import(self.file([self.paid_claim(invoice, Decimal(str(outstanding(invoice))))]))
		doc.submit()
		self.assertEqual(frappe.db.get_value("Claim Export Invoice", row, "payer_claim_number"), "TYPED123")
		doc.reload()
		self.assertIn("TYPED123", doc.claims[0].reason)

	def test_the_deposit_account_must_be_a_bank_ledger_of_the_company(self):
		settings = frappe.get_single("Care Management Settings")
		settings.remittance_deposit_account = frappe.db.get_value(
			"Account", {"company": self.company, "is_group": 1}, "name"
		)
		with self.assertRaises(frappe.ValidationError) as refused:
			settings.save()
		self.assertIn("Remittance Deposit Account", str(refused.exception))

	def test_a_payment_for_a_cancelled_invoice_is_not_posted_but_its_claim_number_is_kept_for_the_void(self):
		kept, cancelled = self.exported_month("Remit Kept", "Remit Cancelled").values()
		owed = {invoice: Decimal(str(outstanding(invoice))) for invoice in (kept, cancelled)}
		frappe.get_doc("Sales Invoice", cancelled).cancel()
		doc = remittance_import(self.file([self.paid_claim(invoice, owed[invoice]) for invoice in owed]))
		rows = {row.claim_id: row for row in doc.claims}
		self.assertEqual(rows[cancelled].outcome, "Not Posted")
		self.assertIn("cancelled", rows[cancelled].reason)
		self.assertFalse(rows[cancelled].sales_invoice)  # a submitted import cannot link a cancelled invoice
		doc.submit()
		self.assertEqual(outstanding(kept), 0)
		entry = frappe.get_doc("Payment Entry", doc.payments[0].payment_entry)
		self.assertEqual([r.reference_name for r in entry.references], [kept])
		self.assertEqual(
			frappe.db.get_value(
				"Claim Export Invoice",
				{"sales_invoice": cancelled, "status": "Exported"},
				"payer_claim_number",
			),
			rows[cancelled].payer_claim_number,
		)

	def test_without_a_deposit_account_nothing_is_posted_and_the_clerk_is_told_where_to_set_it(self):
		invoice = next(iter(self.exported_month("Remit No Bank").values()))
		owed = Decimal(str(outstanding(invoice)))
		doc = remittance_import(self.file([self.paid_claim(invoice, owed)]))
		frappe.db.set_single_value("Care Management Settings", "remittance_deposit_account", None)
		frappe.db.set_value("Company", self.company, "default_bank_account", None)
		with self.assertRaises(frappe.ValidationError) as refused:
			doc.submit()
		self.assertIn("Remittance Deposit Account", str(refused.exception))
		self.assertEqual(outstanding(invoice), float(owed))

	def test_a_file_of_two_payments_posts_two_payment_entries(self):
		first, second = self.exported_month("Remit First Check", "Remit Second Check").values()
		owed = {invoice: Decimal(str(outstanding(invoice))) for invoice in (first, second)}
		payer = {"payer_name": "MEDICARE PART B TEST PAYER", "payer_id": self.payer_id}
		text = remittance_files.interchange(
			[
				remittance_files.transaction_set(
					[self.paid_claim(first, owed[first])], trace_number="CHK1001", control_number=1, **payer
				),
				remittance_files.transaction_set(
					[self.paid_claim(second, owed[second])], trace_number="CHK1002", control_number=2, **payer
				),
			]
		)
		self.assertEqual(pyx12_errors(text, acknowledge=False)[1], [])
		doc = remittance_import(text)
		doc.submit()
		entries = {p.trace_number: frappe.get_doc("Payment Entry", p.payment_entry) for p in doc.payments}
		self.assertEqual(set(entries), {"CHK1001", "CHK1002"})
		self.assertEqual([r.reference_name for r in entries["CHK1001"].references], [first])
		self.assertEqual([r.reference_name for r in entries["CHK1002"].references], [second])
		self.assertEqual((outstanding(first), outstanding(second)), (0, 0))

	def test_the_posting_row_is_made_by_the_patch_and_made_again_when_missing(self):
		from care_management.billing import remittance
		from care_management.patches.v0_12 import remittance_posting_row

		frappe.db.delete("Series", {"name": remittance.POSTING_LOCK})
		remittance_posting_row.execute()
		self.assertTrue(frappe.db.exists("Series", remittance.POSTING_LOCK))
		frappe.db.delete("Series", {"name": remittance.POSTING_LOCK})
		invoice = next(iter(self.exported_month("Remit Row Gone").values()))
		doc = remittance_import(self.file([self.paid_claim(invoice, Decimal(str(outstanding(invoice))))]))
		doc.submit()
		self.assertTrue(frappe.db.exists("Series", remittance.POSTING_LOCK))
		self.assertEqual(outstanding(invoice), 0)

	def test_long_payment_keys_stay_distinct_and_fit_their_column(self):
		from care_management.billing.remittance import posting_key

		doc = frappe._dict(company="C" * 140)
		first = posting_key(doc, frappe._dict(payer="P" * 140, trace_number="EFT1"))
		second = posting_key(doc, frappe._dict(payer="P" * 140, trace_number="EFT2"))
		self.assertNotEqual(first, second)
		self.assertLessEqual(max(len(first), len(second)), 140)
		short = posting_key(
			frappe._dict(company="Clinic"), frappe._dict(payer="Medicare", trace_number="EFT1")
		)
		self.assertEqual(short, "Clinic|Medicare|EFT1")

	def test_the_file_is_read_when_it_changes_and_what_was_read_is_the_controllers(self):
		from unittest import mock

		from care_management.billing import remittance

		invoice = next(iter(self.exported_month("Remit Read State").values()))
		good = self.file([self.paid_claim(invoice, Decimal(str(outstanding(invoice))))])
		doc = remittance_import(good)
		self.assertEqual((doc.read_state, [c.claim_id for c in doc.claims]), ("Read", [invoice]))
		received = doc.total_received
		# Saved again without a new file, a client sending its own rows and state: nothing is
		# read, the stored ones stand.
		doc.read_state, doc.total_received, doc.claims[0].claim_id = "Failed", 1, "FORGED"
		with mock.patch.object(remittance, "read_into", side_effect=AssertionError("read again")):
			doc.save()
		doc.reload()
		self.assertEqual((doc.read_state, doc.total_received), ("Read", received))
		self.assertEqual([c.claim_id for c in doc.claims], [invoice])
		# Another file, one that cannot be read: Failed, with why; submit is refused naming the
		# fix, whatever state the client claims.
		doc.file = attach("hello, this is not an 835", "unreadable.835")
		doc.save()
		self.assertEqual((doc.read_state, doc.claims), ("Failed", []))
		self.assertIn("not an X12 file", doc.read_problem)
		doc.read_state = "Read"
		with self.assertRaises(frappe.ValidationError) as refused:
			doc.submit()
		self.assertIn("could not be read", str(refused.exception))
		self.assertIn("Attach a corrected file and save", str(refused.exception))
		# The corrected file is read again and posts.
		doc = frappe.get_doc("Remittance Import", doc.name)
		doc.file = attach(good + "\n", "corrected.835")
		doc.save()
		self.assertEqual((doc.read_state, doc.read_problem), ("Read", None))
		doc.submit()
		self.assertEqual(outstanding(invoice), 0)
