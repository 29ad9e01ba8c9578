"""Month close → payer and patient invoices → an 837P file on a Claim Export,
validated by pyx12; held claims, replacements and voids."""

from __future__ import annotations

import io
import json

import frappe
from frappe.utils import add_months

from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.tests import pure_checks
from care_management.tests.factories import EXAMPLE_NPI, make_practitioner
from care_management.tests.test_billing_month import LAST_MONTH, BillingMonthCase, log_minutes

PRACTICE_NPI = "1245319599"  # a valid NPI (check digit), other than the practitioner's


pyx12_errors = pure_checks.load("x12_checks").pyx12_errors


def address(title: str, link_doctype: str, link_name: str, **fields) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": title,
			"address_type": "Billing",
			"address_line1": fields.get("line1", "123 Main St"),
			"city": fields.get("city", "Springfield"),
			"state": fields.get("state", "IL"),
			"pincode": fields.get("pincode", "62701-1234"),
			"country": frappe.db.get_value(
				"Company", frappe.defaults.get_global_default("company"), "country"
			)
			or "United States",
			"is_primary_address": 1,
			"links": [{"link_doctype": link_doctype, "link_name": link_name}],
		}
	)
	return doc.insert(ignore_permissions=True).name


class ClaimExportCase(BillingMonthCase):
	"""A practice ready to send claims: NPIs, tax ID, billing address, clearinghouse."""

	def setUp(self):
		super().setUp()
		settings = frappe.get_single("Care Management Settings")
		self.company = settings.company
		company = frappe.get_doc("Company", self.company)
		company.npi = PRACTICE_NPI
		company.tax_id = "12-3456789"
		company.taxonomy_code = "207Q00000X"
		company.billing_address = address("Practice", "Company", self.company)
		company.save(ignore_permissions=True)
		frappe.db.set_value(
			"Healthcare Practitioner",
			self.practitioner,
			{"npi": EXAMPLE_NPI, "taxonomy_code": "207Q00000X", "last_name": "Doctor"},
		)
		for field, value in {
			"claims_contact_name": "Billing Office",
			"claims_contact_phone": "(555) 555-1234",
			"clearinghouse_submitter_id": "SUB01",
			"clearinghouse_receiver_id": "RCV01",
			"place_of_service": "11",
		}.items():
			frappe.db.set_single_value("Care Management Settings", field, value)
		frappe.clear_document_cache("Care Management Settings", "Care Management Settings")

	def billed_patient(self, name: str, dob="1950-01-02", with_address=True) -> str:
		patient, enrollment = self.enrolled_patient(name)
		frappe.db.set_value("Patient", patient, {"last_name": "Claimant", "dob": dob})
		if with_address:
			address(name, "Patient", patient, line1="9 Elm St", pincode="62701")
		self.days_used = getattr(self, "days_used", 0) + 1  # one performer's logs may not overlap
		log_minutes(patient, enrollment, 45, day=self.days_used)
		return patient

	def export(self, **fields):
		# The test's own practitioner's claims: the site may hold other invoices of the month
		# (the browser tier's, committed), which are not this test's to export.
		fields = {"billing_practitioner": self.practitioner, **fields}
		doc = frappe.get_doc({"doctype": "Claim Export", "month": LAST_MONTH, **fields}).insert()
		doc.submit()
		return doc

	def file_text(self, export) -> str:
		return frappe.get_doc("File", {"file_url": export.file}).get_content()


class TestClaimExport(ClaimExportCase):
	def test_month_close_to_both_invoices_to_a_valid_837p_file(self):
		patient = self.billed_patient("Claim Jane")
		held_patient = self.billed_patient("Claim No Birth", dob=None, with_address=False)
		close_month(LAST_MONTH, now=True)
		result = create_invoices(LAST_MONTH, submit=1, commit=False)
		payer_invoice = frappe.get_value(
			"Sales Invoice", {"patient": patient, "care_billing_role": "Primary Payer", "docstatus": 1}
		)
		patient_invoice = frappe.get_value(
			"Sales Invoice", {"patient": patient, "care_billing_role": "Patient", "docstatus": 1}
		)
		self.assertIn(payer_invoice, result["invoices"])
		self.assertIn(patient_invoice, result["invoices"])

		export = self.export()
		rows = {row.sales_invoice: row for row in export.invoices}
		self.assertEqual(rows[payer_invoice].status, "Exported")
		self.assertEqual(rows[payer_invoice].claim_frequency, "1")
		self.assertEqual(rows[payer_invoice].charge, 109.0)  # the full fee, not the payer's 80 %
		self.assertNotIn(patient_invoice, rows)  # the coinsurance is not a claim
		held_invoice = frappe.get_value(
			"Sales Invoice", {"patient": held_patient, "care_billing_role": "Primary Payer", "docstatus": 1}
		)
		self.assertEqual(rows[held_invoice].status, "Held")
		self.assertIn("date of birth", rows[held_invoice].reason)
		self.assertIn("address", rows[held_invoice].reason)
		self.assertRegex(export.interchange_control_number, r"^[0-9]{9}$")
		self.assertIn(f"*{export.interchange_control_number}*0*", self.file_text(export).split("~")[0])
		self.assertTrue(export.file)

		text = self.file_text(export)
		valid, errors, ack = pyx12_errors(text)
		self.assertEqual(errors, [], text)
		self.assertTrue(valid)
		self.assertIn("IK5*A~", ack)
		self.assertIn(f"CLM*{payer_invoice}*109***11:B:1*Y*A*Y*Y~", text)
		self.assertIn("HI*ABK:E119*ABF:I10~", text)
		self.assertIn(
			f"NM1*85*2*{frappe.db.get_value('Company', self.company, 'company_name').upper()}", text
		)
		self.assertIn("NM1*IL*1*CLAIMANT*CLAIM JANE****MI*1EG4TE5MK73~", text)
		self.assertIn("SV1*HC:99490*62*UN*1***1:2~", text)
		service_day = frappe.db.get_value(
			"Care Billing Line", {"sales_invoice": payer_invoice}, "date_of_service"
		)
		self.assertIn(f"DTP*472*D8*{service_day:%Y%m%d}~", text)
		self.assertNotIn(held_invoice, text)
		# pyx12 is a real check: the file without its billing provider's name is refused.
		broken = "~".join(s for s in text.split("~") if not s.strip().startswith("NM1*85"))
		broken_valid, broken_errors, _ack = pyx12_errors(broken)
		self.assertFalse(broken_valid and not broken_errors)

		# Nothing is exported twice; the next file's number is higher.
		with self.assertRaises(frappe.ValidationError) as nothing:
			self.export(payer=frappe.db.get_value("Sales Invoice", payer_invoice, "customer"))
		self.assertIn(held_invoice, str(nothing.exception))

	def test_a_reissued_invoice_goes_as_a_replacement_and_a_cancelled_one_as_a_void(self):
		replaced_patient = self.billed_patient("Claim Replaced")
		voided_patient = self.billed_patient("Claim Voided")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		first = self.export()
		self.assertEqual(first.claims_exported, 2)

		def payer_invoice(patient):
			return frappe.get_doc(
				"Sales Invoice", {"patient": patient, "care_billing_role": "Primary Payer", "docstatus": 1}
			)

		original = payer_invoice(replaced_patient)
		original.cancel()
		amended = frappe.copy_doc(original)  # as the desk's Amend does
		amended.docstatus = 0
		for item in amended.items:
			item.docstatus = 0
		amended.amended_from = original.name
		amended.insert()
		amended.submit()
		voided = payer_invoice(voided_patient)
		voided.cancel()

		# Until the payer's numbers of the first claims are recorded, both are held and say why.
		with self.assertRaises(frappe.ValidationError) as held:
			self.export()
		self.assertIn(f"{original.name} has no Payer Claim Number", str(held.exception))
		self.assertIn(f"{voided.name} has no Payer Claim Number", str(held.exception))

		first.reload()
		numbers = {original.name: "26330000123401", voided.name: "26330000123402"}
		for row in first.invoices:
			row.payer_claim_number = numbers[row.sales_invoice]
		first.save()  # allowed on the submitted export
		self.assertEqual(
			frappe.db.get_value("Claim Export Invoice", {"sales_invoice": voided.name}, "payer_claim_number"),
			"26330000123402",
		)

		second = self.export()
		rows = {row.sales_invoice: row for row in second.invoices}
		self.assertEqual(set(rows), {amended.name, voided.name})
		self.assertEqual(
			(
				rows[amended.name].claim_frequency,
				rows[amended.name].original_claim,
				rows[amended.name].original_payer_claim_number,
			),
			("7", original.name, "26330000123401"),
		)
		self.assertEqual(
			(
				rows[voided.name].claim_frequency,
				rows[voided.name].original_claim,
				rows[voided.name].original_payer_claim_number,
			),
			("8", voided.name, "26330000123402"),
		)
		self.assertGreater(second.interchange_control_number, first.interchange_control_number)
		text = self.file_text(second)
		valid, errors, _ack = pyx12_errors(text)
		self.assertEqual(errors, [], text)
		self.assertTrue(valid)
		# The payer's numbers, not our invoice names, identify the claims replaced and voided.
		self.assertIn(f"CLM*{amended.name}*109***11:B:7*Y*A*Y*Y~\nREF*F8*26330000123401~", text)
		self.assertIn(f"CLM*{voided.name}*109***11:B:8*Y*A*Y*Y~\nREF*F8*26330000123402~", text)
		self.assertNotIn(f"REF*F8*{original.name}~", text)

	def test_drafts_side_by_side_have_no_control_number_yet(self):
		self.billed_patient("Claim Two Drafts")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		drafts = [frappe.get_doc({"doctype": "Claim Export", "month": LAST_MONTH}).insert() for _ in range(2)]
		self.assertEqual([d.interchange_control_number for d in drafts], [None, None])
		drafts[1].submit()
		self.assertRegex(drafts[1].interchange_control_number, r"^[0-9]{9}$")
		self.assertIsNone(frappe.db.get_value("Claim Export", drafts[0].name, "interchange_control_number"))

	def test_the_patch_pads_given_numbers_and_empties_drafts(self):
		from care_management.patches.v0_12 import claim_export_control_number_text as patch

		for name, docstatus, number in (("CLMX-PATCH-1", 1, "17"), ("CLMX-PATCH-2", 0, "0")):
			frappe.db.sql(
				"""insert into `tabClaim Export` (name, docstatus, month, interchange_control_number)
				values (%s, %s, %s, %s)""",
				(name, docstatus, LAST_MONTH, number),
			)
		patch.execute()
		self.assertEqual(
			frappe.db.get_value("Claim Export", "CLMX-PATCH-1", "interchange_control_number"), "000000017"
		)
		self.assertIsNone(frappe.db.get_value("Claim Export", "CLMX-PATCH-2", "interchange_control_number"))

	def test_a_payer_claim_number_is_checked_and_only_goes_on_exported_claims(self):
		self.billed_patient("Claim Number Typed")
		self.billed_patient("Claim Number Held", with_address=False)
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		export = self.export()
		sent = next(row for row in export.invoices if row.status == "Exported")
		held = next(row for row in export.invoices if row.status == "Held")

		sent.payer_claim_number = "2633 0000<b>"
		with self.assertRaises(frappe.ValidationError) as bad:
			export.save()
		self.assertIn(f"Row {sent.idx}: Payer Claim Number", str(bad.exception))
		self.assertIn("letters, digits and dashes", str(bad.exception))
		self.assertNotIn("<b>", str(bad.exception))

		export.reload()
		held_row = next(row for row in export.invoices if row.name == held.name)
		held_row.payer_claim_number = "26330000999"
		with self.assertRaises(frappe.ValidationError) as on_held:
			export.save()
		self.assertIn(f"Row {held.idx}: only an exported new or replacement claim", str(on_held.exception))

		# The rows are the file's record: none is added, removed or changed but the payer's number.
		export.reload()
		export.append("invoices", {"sales_invoice": sent.sales_invoice, "status": "Exported"})
		with self.assertRaises(frappe.ValidationError) as added:
			export.save()
		self.assertIn("rows cannot be added or removed", str(added.exception))
		export.reload()
		export.invoices = [row for row in export.invoices if row.name != held.name]
		with self.assertRaises(frappe.ValidationError):
			export.save()
		export.reload()
		next(row for row in export.invoices if row.name == sent.name).charge = 1
		with self.assertRaises(frappe.UpdateAfterSubmitError):
			export.save()

		export.reload()
		next(row for row in export.invoices if row.name == sent.name).payer_claim_number = "  26330000-77  "
		export.save()
		self.assertEqual(
			frappe.db.get_value("Claim Export Invoice", sent.name, "payer_claim_number"), "26330000-77"
		)

	def test_a_practice_without_npi_gets_no_file_and_is_told_why(self):
		self.billed_patient("Claim No Practice NPI")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		frappe.db.set_value("Company", self.company, "npi", None)
		with self.assertRaises(frappe.ValidationError) as refused:
			self.export()
		self.assertIn("npi", str(refused.exception).lower())

	def test_export_of_one_practitioner_leaves_the_others(self):
		other = make_practitioner("Claim Other Doctor")
		self.assertNotEqual(other, self.practitioner)
		self.billed_patient("Claim Own Practitioner")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		doc = frappe.get_doc(
			{"doctype": "Claim Export", "month": add_months(LAST_MONTH, 0), "billing_practitioner": other}
		).insert()
		self.assertEqual(doc.invoices, [])

	def test_an_invoice_naming_another_patients_coverage_is_held(self):
		patient = self.billed_patient("Claim Own Coverage")
		other = self.billed_patient("Claim Other Coverage")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		invoice_of = {
			p: frappe.get_value(
				"Sales Invoice", {"patient": p, "care_billing_role": "Primary Payer", "docstatus": 1}
			)
			for p in (patient, other)
		}
		others_coverage = frappe.db.get_value("Sales Invoice", invoice_of[other], "care_coverage")
		self.assertTrue(others_coverage)
		frappe.db.set_value("Sales Invoice", invoice_of[patient], "care_coverage", others_coverage)

		export = self.export()
		rows = {row.sales_invoice: row for row in export.invoices}
		self.assertEqual(rows[invoice_of[patient]].status, "Held")
		self.assertIn(others_coverage, rows[invoice_of[patient]].reason)
		self.assertIn("another patient", rows[invoice_of[patient]].reason)
		self.assertEqual(rows[invoice_of[other]].status, "Exported")
		text = self.file_text(export)
		self.assertNotIn(invoice_of[patient], text)
		self.assertIn(f"CLM*{invoice_of[other]}*", text)
		self.assertEqual(pyx12_errors(text)[1], [])

	def test_a_claim_whose_diagnosis_is_not_billable_is_held_with_the_reason(self):
		patient = self.billed_patient("Claim Category Code")
		good = self.billed_patient("Claim Billable Code")
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		# A record closed while the plan carried a category (only its shape was checked then).
		record = frappe.db.get_value("Care Billing Record", {"patient": patient, "month": LAST_MONTH})
		frappe.db.set_value("Care Billing Record", record, "icd10_codes", "E11, Z99.99")
		invoice_of = {
			p: frappe.get_value(
				"Sales Invoice", {"patient": p, "care_billing_role": "Primary Payer", "docstatus": 1}
			)
			for p in (patient, good)
		}

		export = self.export()
		rows = {row.sales_invoice: row for row in export.invoices}
		held = rows[invoice_of[patient]]
		self.assertEqual(held.status, "Held")
		self.assertIn("diagnosis E11: This is an ICD-10-CM category, not a billable code", held.reason)
		self.assertIn("diagnosis Z99.99: This code is not in the ICD-10-CM code set", held.reason)
		self.assertEqual(rows[invoice_of[good]].status, "Exported")
		self.assertNotIn(invoice_of[patient], self.file_text(export))
