"""Secondary claims on a real site: month close → primary and secondary payer
invoices → the primary's 837P → its 835 posted → the secondary payer's 837P with
the COB loops from that 835 (pyx12-valid); a claim Medicare forwarded itself
(crossover) is not sent; one without a posted 835 is held."""

from __future__ import annotations

from decimal import Decimal

import frappe

from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.tests import test_remittance_import as remittance_tests
from care_management.tests.factories import make_coverage, make_deposit_account, make_payer
from care_management.tests.test_billing_month import LAST_MONTH
from care_management.tests.test_claim_export import ClaimExportCase
from care_management.tests.test_remittance_import import pyx12_errors, remittance_import


class TestSecondaryClaims(ClaimExportCase):
	def setUp(self):
		super().setUp()
		frappe.db.set_single_value(
			"Care Management Settings", "remittance_deposit_account", make_deposit_account(self.company)
		)
		frappe.clear_document_cache("Care Management Settings", "Care Management Settings")
		self.payer_id = frappe.db.get_value("Customer", make_payer(), "payer_id")

	# The remittance tests' 835 writer (their tests are not run again here).
	file = remittance_tests.TestRemittanceImport.file

	def invoice_of(self, patient: str, role: str) -> str:
		return frappe.get_value(
			"Sales Invoice", {"patient": patient, "care_billing_role": role, "docstatus": 1}
		)

	def services_of(self, invoice: str, paid_share=Decimal("0.8")) -> list[dict]:
		"""The 835 services of a primary claim: each line paid its share, the rest coinsurance (PR-2)."""
		lines = frappe.db.sql(
			"""select l.name, l.code, l.rate, l.units from `tabSales Invoice Item` i
			join `tabCare Billing Line` l on l.name = i.reference_dn
			where i.parent = %s order by i.idx""",
			invoice,
			as_dict=True,
		)
		services = []
		for line in lines:
			charge = (Decimal(str(line.rate)) * Decimal(str(line.units))).quantize(Decimal("0.01"))
			paid = (charge * paid_share).quantize(Decimal("0.01"))
			services.append(
				{
					"code": line.code,
					"charge": charge,
					"paid": paid,
					"control_number": line.name,
					"units": line.units,
					"adjustments": [("PR", "2", charge - paid)] if charge != paid else [],
				}
			)
		return services

	def test_secondary_claims_carry_the_primary_adjudication_or_say_why_not(self):
		medicaid = make_payer("Secondary Test Medicaid", "SMCD1")
		patients = {}
		for name in ("Second Paid", "Second Crossover", "Second Waiting"):
			patients[name] = self.billed_patient(name)
			make_coverage(patients[name], medicaid, "Medicaid", "MCD778899", order="Secondary")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		primary = {name: self.invoice_of(p, "Primary Payer") for name, p in patients.items()}
		secondary = {name: self.invoice_of(p, "Secondary Payer") for name, p in patients.items()}
		self.assertTrue(all(secondary.values()), secondary)

		# Before any 835, the secondary export holds every claim with the reason.
		waiting = frappe.get_doc(
			{
				"doctype": "Claim Export",
				"month": LAST_MONTH,
				"billing_practitioner": self.practitioner,
				"payer_sequence": "Secondary",
			}
		).insert()
		self.assertEqual(waiting.claims_exported, 0)
		self.assertTrue(all(row.status == "Held" for row in waiting.invoices))
		self.assertIn("not adjudicated", waiting.invoices[0].reason)
		waiting.delete()

		primary_export = self.export()
		self.assertEqual(
			{row.sales_invoice for row in primary_export.invoices if row.status == "Exported"},
			set(primary.values()),
		)
		services = {name: self.services_of(primary[name]) for name in ("Second Paid", "Second Crossover")}
		claims = [
			{
				"claim_id": primary["Second Paid"],
				"services": services["Second Paid"],
				"payer_claim_number": "ICN20260001",
			},
			{
				"claim_id": primary["Second Crossover"],
				"status": "19",
				"crossover": ("STATE MEDICAID", "SMCD1"),
				"services": services["Second Crossover"],
			},
		]
		posted = remittance_import(self.file(claims))
		posted.submit()
		stored = frappe.get_all(
			"Remittance Service",
			filters={"parent": posted.name, "claim_id": primary["Second Paid"]},
			fields=["line_control_number", "paid"],
		)
		self.assertEqual(
			{row.line_control_number for row in stored},
			{s["control_number"] for s in services["Second Paid"]},
		)

		# The crossover's secondary invoice says why no claim of it will be sent.
		notes = frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Sales Invoice", "reference_name": secondary["Second Crossover"]},
			pluck="content",
		)
		self.assertTrue(any("STATE MEDICAID" in note and "crossover" in note for note in notes), notes)

		export = self.export(payer_sequence="Secondary")
		rows = {row.sales_invoice: row for row in export.invoices}
		self.assertEqual(rows[secondary["Second Paid"]].status, "Exported")
		self.assertEqual(rows[secondary["Second Crossover"]].status, "Not Sent")
		self.assertIn("crossover", rows[secondary["Second Crossover"]].reason)
		self.assertEqual(rows[secondary["Second Waiting"]].status, "Held")
		self.assertIn(primary["Second Waiting"], rows[secondary["Second Waiting"]].reason)
		self.assertNotIn(primary["Second Paid"], rows)  # a secondary export carries no primary claim

		text = self.file_text(export)
		valid, errors, _ack = pyx12_errors(text)
		self.assertEqual(errors, [], text)
		self.assertTrue(valid)
		segments = [s.strip() for s in text.split("~") if s.strip()]
		paid = sum(s["paid"] for s in services["Second Paid"])
		self.assertIn("SBR*S*18*******MC", segments)
		self.assertIn(f"AMT*D*{paid.normalize():f}".rstrip("0").rstrip("."), segments)
		self.assertIn("REF*F8*ICN20260001", segments)
		self.assertIn("NM1*PR*2*MEDICARE PART B TEST PAYER*****PI*TESTMCR", segments)
		svd = [s for s in segments if s.startswith("SVD*TESTMCR*")]
		self.assertEqual(len(svd), len(services["Second Paid"]))
		self.assertEqual(
			sum(1 for s in segments if s.startswith("DTP*573*D8*")), len(services["Second Paid"])
		)
		self.assertTrue(any(s.startswith("CAS*PR*2*") for s in segments))
