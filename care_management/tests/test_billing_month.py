"""Month close, invoices, cancel and lock on a real site."""

from datetime import datetime, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_months, get_first_day, getdate, today

from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.care_management.report.care_management_billing.care_management_billing import (
	claim_rows,
)
from care_management.care_management.report.care_management_billing.care_management_billing import (
	execute as billing_report,
)
from care_management.tests.factories import (
	make_care_plan,
	make_coverage,
	make_enrollment,
	make_patient,
	make_practitioner,
)
from care_management.tests.site_setup import before_tests

LAST_MONTH = get_first_day(add_months(today(), -1))


def price(item_code: str, rate: float) -> None:
	if not frappe.db.exists("Item Price", {"item_code": item_code, "price_list": "Standard Selling"}):
		frappe.get_doc(
			{
				"doctype": "Item Price",
				"item_code": item_code,
				"price_list": "Standard Selling",
				"price_list_rate": rate,
			}
		).insert(ignore_permissions=True)


def log_minutes(patient: str, enrollment: str, minutes: int, day: int = 3, outcome: str = "Reached"):
	start = datetime.combine(LAST_MONTH, datetime.min.time()) + timedelta(days=day - 1, hours=10)
	log = frappe.get_doc(
		{
			"doctype": "Outreach Log",
			"patient": patient,
			"enrollment": enrollment,
			"performed_by": "Administrator",
			"activity_type": "Phone Call",
			"start": start,
			"end": start + timedelta(minutes=minutes),
			"duration_minutes": minutes,
			"outcome": outcome,
			"interactive": 1,
		}
	).insert()
	log.submit()
	return log


class BillingMonthCase(FrappeTestCase):
	"""A practitioner, prices and enrolled patients with plans; no tests of its own."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.practitioner = make_practitioner("Billing Doctor")
		before_tests()  # company and price list in Settings, as a practice has them
		price("99490", 62.0)
		price("99439", 47.0)
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.db.rollback()

	def enrolled_patient(self, name: str, customer: bool = True, conditions: int = 2, coverage: bool = True):
		"""A CCM patient with a care plan and, unless told otherwise, Medicare Part B."""
		fields = {}
		if customer:
			fields["customer"] = (
				frappe.get_doc(
					{
						"doctype": "Customer",
						"customer_name": f"{name} Customer",
						"customer_type": "Individual",
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
		patient = make_patient(name, **fields).name
		if coverage:
			make_coverage(patient)
		enrollment = make_enrollment(
			patient,
			self.practitioner,
			start_date=add_months(LAST_MONTH, -2),
			consent_date=add_months(LAST_MONTH, -2),
		).name
		plan = make_care_plan(
			patient,
			self.practitioner,
			start_date=add_months(LAST_MONTH, -2),
			conditions=[
				{"condition_name": f"Condition {i}", "icd10_code": code}
				for i, code in enumerate(["E11.9", "I10"][:conditions])
			],
		)
		frappe.db.set_value("Care Plan", plan.name, {"status": "Active", "workflow_state": "Active"})
		return patient, enrollment

	def record(self, patient: str):
		name = frappe.db.get_value(
			"Care Billing Record", {"patient": patient, "month": LAST_MONTH, "program": "CCM"}
		)
		return frappe.get_doc("Care Billing Record", name) if name else None


class TestBillingMonth(BillingMonthCase):
	def test_close_invoice_close_again_cancel_and_lock(self):
		patient, enrollment = self.enrolled_patient("Billable")
		log = log_minutes(patient, enrollment, 30, day=3)
		log_minutes(patient, enrollment, 15, day=10)
		log_minutes(patient, enrollment, 25, day=12, outcome="Left Voicemail")  # logged, not counted

		close = frappe.get_doc("Care Month Close", close_month(LAST_MONTH, now=True))
		self.assertEqual(close.status, "Completed")
		record = self.record(patient)
		self.assertEqual(record.status, "Ready")
		self.assertEqual(record.minutes_clinical_staff, 45)
		self.assertEqual({line.code: line.units for line in record.lines}, {"99490": 1, "99439": 1})
		self.assertEqual(record.total_amount, 109.0)
		self.assertEqual(record.icd10_codes, "E11.9, I10")

		# Closing again changes nothing.
		again = frappe.get_doc("Care Month Close", close_month(LAST_MONTH, now=True))
		self.assertGreaterEqual(again.records_unchanged, 1)
		self.assertEqual(again.records_updated, 0)
		self.assertEqual(self.record(patient).modified, record.modified)

		# The Sales Invoice form's "Get Care Management Items" offers the same lines.
		from care_management.billing.invoicing import get_care_management_items

		offered = get_care_management_items(patient, LAST_MONTH)
		self.assertEqual(
			[(i["reference_dt"], i["qty"]) for i in offered],
			[("Care Billing Line", 1), ("Care Billing Line", 1)],
		)

		# Medicare Part B is billed 80 % of the allowed amount, the patient the 20 % coinsurance.
		result = create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)
		self.assertEqual(len(result["invoices"]), 2)
		invoice, coinsurance = (frappe.get_doc("Sales Invoice", name) for name in result["invoices"])
		self.assertEqual(
			(invoice.care_billing_role, coinsurance.care_billing_role), ("Primary Payer", "Patient")
		)
		self.assertEqual((invoice.grand_total, coinsurance.grand_total), (87.2, 21.8))
		self.assertEqual(coinsurance.customer, frappe.db.get_value("Patient", patient, "customer"))
		for each in (invoice, coinsurance):
			self.assertEqual(each.docstatus, 1)
			self.assertEqual({item.reference_dn for item in each.items}, {line.name for line in record.lines})
			self.assertEqual({item.reference_dt for item in each.items}, {"Care Billing Line"})
		record.reload()
		self.assertEqual(
			(record.invoiced, record.status, record.sales_invoice), (1, "Invoiced", invoice.name)
		)

		# A second run invoices nothing twice, and a close leaves the invoiced record alone.
		self.assertEqual(create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)["invoices"], [])
		kept = frappe.get_doc("Care Month Close", close_month(LAST_MONTH, now=True))
		self.assertGreaterEqual(kept.records_invoiced_kept, 1)

		# The invoiced month's logs are locked.
		with self.assertRaises(frappe.ValidationError) as refused:
			frappe.get_doc("Outreach Log", log.name).cancel()
		self.assertIn(invoice.name, str(refused.exception))

		# Cancelling the invoices frees the period.
		invoice.cancel()
		record.reload()
		self.assertEqual((record.invoiced, record.status, record.sales_invoice), (0, "Ready", None))
		coinsurance.cancel()
		frappe.get_doc("Outreach Log", log.name).cancel()

	def test_consent_given_after_the_month_does_not_bill_it(self):
		patient = make_patient("Late Consent").name
		enrollment = make_enrollment(patient, self.practitioner, start_date=add_months(LAST_MONTH, -1)).name
		log_minutes(patient, enrollment, 30)
		close_month(LAST_MONTH, now=True)
		record = self.record(patient)
		self.assertEqual(record.status, "Not Billable")
		self.assertEqual(record.reasons.count("no consent on the CCM enrollment"), 1)

	def test_not_billable_with_the_reason_and_a_patient_without_customer_is_reported(self):
		short, short_enrollment = self.enrolled_patient("Short")
		log_minutes(short, short_enrollment, 19)
		no_customer, enrollment = self.enrolled_patient("No Customer", customer=False)
		frappe.db.set_value("Patient", no_customer, "customer", None)  # Healthcare may have linked one
		log_minutes(no_customer, enrollment, 25, day=5)
		close_month(LAST_MONTH, now=True)
		record = self.record(short)
		self.assertEqual(record.status, "Not Billable")
		self.assertIn("1 minute short of 99490", record.reasons)
		result = create_invoices(LAST_MONTH, submit=0, patient=no_customer, commit=False)
		self.assertEqual((result["invoices"], result["without_customer"]), ([], [no_customer]))

	def test_billing_report_and_claim_lines(self):
		patient, enrollment = self.enrolled_patient("Reported")
		log_minutes(patient, enrollment, 22)
		close_month(LAST_MONTH, now=True)
		_columns, rows, _message, chart, _summary = billing_report({"month": LAST_MONTH, "patient": patient})
		self.assertEqual(len(rows), 1)
		self.assertEqual(rows[0].codes, "99490 × 1")
		self.assertIn("CCM", chart["data"]["labels"])
		claims = claim_rows(frappe._dict({"month": LAST_MONTH, "patient": patient}))
		self.assertEqual([row[4] for row in claims], ["99490"])
		self.assertEqual(claims[0][6], "E11.9, I10")

	def test_device_readings_post_is_idempotent_and_counts_days(self):
		from care_management.api.device_readings import post_readings

		patient = make_patient("Device").name
		base = datetime.combine(LAST_MONTH, datetime.min.time()) + timedelta(hours=8)
		readings = [
			{
				"vendor_reading_id": f"r-{patient}-{i}",
				"patient": patient,
				"measured_at": str(base + timedelta(hours=12 * i)),
				"reading_type": "Blood Pressure",
				"value": 130,
				"value_2": 80,
			}
			for i in range(10)
		]
		self.assertEqual(post_readings("TestVendor", readings)["inserted"], 10)
		self.assertEqual(
			post_readings("TestVendor", readings), {"received": 10, "inserted": 0, "duplicates": 10}
		)
		with self.assertRaises(frappe.ValidationError):
			post_readings("TestVendor", [{**readings[0], "vendor_reading_id": "x", "reading_type": "Mood"}])


class TestRpmAndTransitions(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.practitioner = make_practitioner("Billing Doctor")
		before_tests()
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.db.rollback()

	def test_rpm_device_days_and_interactive_minutes_close_into_99445_and_99457(self):
		from care_management.api.device_readings import post_readings

		patient = make_patient("Remote").name
		enrollment = make_enrollment(
			patient,
			self.practitioner,
			program="RPM",
			start_date=add_months(LAST_MONTH, -1),
			consent_date=add_months(LAST_MONTH, -1),
		).name
		# 12 days with readings; the 30-day window that starts on the 1st ends in this month.
		first = datetime.combine(LAST_MONTH, datetime.min.time()) + timedelta(hours=7)
		post_readings(
			"RpmVendor",
			[
				{
					"vendor_reading_id": f"{patient}-{day}",
					"patient": patient,
					"measured_at": str(first + timedelta(days=day)),
					"reading_type": "Weight",
					"value": 80,
				}
				for day in range(12)
			],
		)
		log_minutes(patient, enrollment, 25)
		close_month(LAST_MONTH, now=True)
		name = frappe.db.get_value(
			"Care Billing Record", {"patient": patient, "month": LAST_MONTH, "program": "RPM"}
		)
		record = frappe.get_doc("Care Billing Record", name)
		self.assertEqual(record.device_days, 12)
		codes = {line.code: line.units for line in record.lines}
		self.assertEqual(codes, {"99453": 1, "99445": 1, "99457": 1})
		self.assertIn("99454 needs 16 days of device data; 12 recorded, 99445 billed instead", record.reasons)

	def test_discharge_opens_a_transition_and_tells_the_care_manager(self):
		from care_management.billing.transitions import open_transition_on_discharge
		from care_management.tests.factories import make_user

		care_manager = make_user("transition.cm@example.org", ["Care Manager"])
		patient = make_patient("Discharged", care_manager=care_manager)
		stay = frappe.get_doc(
			{
				"doctype": "Inpatient Record",
				"patient": patient.name,
				"status": "Admitted",
				"admitted_datetime": datetime(2026, 11, 17, 9, 0),
				"expected_length_of_stay": 3,
				"company": frappe.db.get_single_value("Care Management Settings", "company"),
			}
		)
		stay.insert(ignore_permissions=True, ignore_mandatory=True)
		self.assertFalse(frappe.db.exists("Care Transition", {"inpatient_record": stay.name}))
		stay.status = "Discharged"
		stay.discharge_datetime = datetime(2026, 11, 20, 15, 0)  # a Friday
		stay.save(ignore_permissions=True)  # Healthcare's discharge, and our doc_event with it

		transition = frappe.get_doc("Care Transition", {"inpatient_record": stay.name})
		self.assertEqual(str(transition.contact_due), "2026-11-24")  # two business days
		self.assertEqual(transition.care_manager, care_manager)
		todo = frappe.get_all(
			"ToDo", filters={"reference_name": transition.name, "allocated_to": care_manager}
		)
		self.assertEqual(len(todo), 1)
		self.assertIsNone(open_transition_on_discharge(stay))  # once per stay

		transition.first_contact_date = "2026-11-23"
		transition.face_to_face_date = "2026-11-25"
		transition.medication_reconciled = 1
		transition.medication_reconciliation_date = "2026-11-25"
		transition.complexity = "High"
		transition.save()
		self.assertEqual((transition.business_days_to_contact, transition.days_to_face_to_face), (1, 5))

	def test_a_transition_bills_tcm_in_the_month_of_the_visit(self):
		patient = make_patient("Transitioned").name
		discharge = LAST_MONTH + timedelta(days=2)
		frappe.get_doc(
			{
				"doctype": "Care Transition",
				"patient": patient,
				"discharge_date": discharge,
				"first_contact_date": discharge + timedelta(days=1),
				"face_to_face_date": discharge + timedelta(days=6),
				"medication_reconciled": 1,
				"medication_reconciliation_date": discharge + timedelta(days=6),
				"complexity": "High",
			}
		).insert()
		frappe.db.set_single_value(
			"Care Management Settings", "default_billing_practitioner", self.practitioner
		)
		close_month(LAST_MONTH, now=True)
		name = frappe.db.get_value(
			"Care Billing Record", {"patient": patient, "month": LAST_MONTH, "program": "TCM"}
		)
		self.assertTrue(name, "no TCM record")
		record = frappe.get_doc("Care Billing Record", name)
		self.assertEqual(
			[(line.code, str(line.date_of_service)) for line in record.lines],
			[("99496", str(discharge + timedelta(days=6)))],
		)
