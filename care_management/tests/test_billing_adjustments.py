"""Billing records are the engine's; what billing staff decide is a Care Billing Adjustment.

Every call goes through the API a desk user reaches (frappe.client, the workflow's
apply_workflow), signed in as a user holding only the role under test.
"""

from __future__ import annotations

import frappe
import frappe.client
from frappe.model.workflow import apply_workflow

from care_management.billing.invoicing import create_invoices, get_care_management_items
from care_management.billing.month_close import close_month
from care_management.care_management.report.billing_adjustment_audit.billing_adjustment_audit import (
	execute as audit_report,
)
from care_management.care_management.report.care_management_billing.care_management_billing import (
	execute as billing_report,
)
from care_management.tests.factories import make_practitioner, make_user
from care_management.tests.test_billing_claims import hand_made_invoice
from care_management.tests.test_billing_month import LAST_MONTH, BillingMonthCase, log_minutes

BILLING = "adj-billing@example.com"
BILLING_2 = "adj-billing-2@example.com"
SUPERVISOR = "adj-supervisor@example.com"
CARE_MANAGER = "adj-care-manager@example.com"
DOCTOR = "adj-doctor@example.com"  # the records' billing practitioner
OTHER_DOCTOR = "adj-other-doctor@example.com"
ROLES = {
	BILLING: "Care Management Billing",
	BILLING_2: "Care Management Billing",
	SUPERVISOR: "Care Management Supervisor",
	CARE_MANAGER: "Care Manager",
	DOCTOR: "Physician",
	OTHER_DOCTOR: "Physician",
}


class AdjustmentCase(BillingMonthCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for user, role in ROLES.items():
			make_user(user, [role])
		cls.practitioner = make_practitioner("Adjusting Doctor", user=DOCTOR)
		make_practitioner("Other Adjusting Doctor", user=OTHER_DOCTOR)
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")
		super().tearDown()

	def closed(self, name: str, minutes: int = 45):
		"""A CCM patient billed 99490 and one unit of 99439 (45 minutes) for last month."""
		patient, enrollment = self.enrolled_patient(name)
		self.days = getattr(self, "days", 0) + 1  # one performer's logs may not overlap
		log = log_minutes(patient, enrollment, minutes, day=self.days)
		close_month(LAST_MONTH, now=True)
		return patient, enrollment, log, self.record(patient)

	def propose(self, user: str, record: str, kind: str, **fields):
		frappe.set_user(user)
		doc = frappe.get_doc(
			{"doctype": "Care Billing Adjustment", "record": record, "kind": kind, "reason": "why", **fields}
		).insert()
		frappe.set_user("Administrator")
		return doc

	def act(self, user: str, doc, action: str):
		frappe.set_user(user)
		try:
			return apply_workflow(frappe.get_doc(doc.doctype, doc.name), action)
		finally:
			frappe.set_user("Administrator")

	def invoice(self, patient: str) -> dict:
		frappe.set_user("Administrator")
		return create_invoices(LAST_MONTH, submit=1, patient=patient, commit=False)

	def payer_items(self, patient: str) -> list:
		return frappe.db.sql(
			"""select i.reference_dn, i.qty, i.description, l.code from `tabSales Invoice Item` i
			join `tabSales Invoice` si on si.name = i.parent
			join `tabCare Billing Line` l on l.name = i.reference_dn
			where si.patient = %s and si.docstatus = 1 and si.care_billing_role = 'Primary Payer'
			order by l.code""",
			patient,
			as_dict=True,
		)

	def units(self, patient: str) -> dict[str, int]:
		return {line.code: line.units for line in self.record(patient).lines}


class TestRecordsAreTheEngines(AdjustmentCase):
	def test_no_role_changes_creates_or_deletes_a_record_through_the_api(self):
		patient, _enrollment, _log, record = self.closed("Hands Off")
		line = record.lines[0]
		made_by_hand = {
			"doctype": "Care Billing Record",
			"month": LAST_MONTH,
			"patient": patient,
			"program": "PCM",
			"status": "Ready",
			"lines": [{"code": "99490", "units": 1, "rate": 62}],
		}
		for user in [*ROLES, "Administrator"]:
			frappe.set_user(user)
			with self.subTest(user=user, path="insert"), self.assertRaises(frappe.PermissionError):
				frappe.client.insert(made_by_hand)
			with self.subTest(user=user, path="save"), self.assertRaises(frappe.PermissionError):
				doc = frappe.get_doc("Care Billing Record", record.name).as_dict()
				doc["lines"][0]["units"] = 9
				frappe.client.save(doc)
			with self.subTest(user=user, path="set_value"), self.assertRaises(frappe.PermissionError):
				frappe.client.set_value("Care Billing Record", record.name, "status", "Ready")
			with self.subTest(user=user, path="set_value line"), self.assertRaises(frappe.PermissionError):
				frappe.client.set_value("Care Billing Line", line.name, "units", 9)
			with self.subTest(user=user, path="delete"), self.assertRaises(frappe.PermissionError):
				frappe.client.delete("Care Billing Record", record.name)
		frappe.set_user("Administrator")
		self.assertEqual(self.units(patient), {"99490": 1, "99439": 1})
		self.assertFalse(frappe.db.exists("Care Billing Record", {"patient": patient, "program": "PCM"}))
		self.assertIn("Month Close", str(self.refusal_as_admin(record.name)))

	def refusal_as_admin(self, name: str):
		doc = frappe.get_doc("Care Billing Record", name)
		doc.lines[0].units = 9
		try:
			doc.save()
		except frappe.PermissionError as refused:
			return refused
		self.fail("a hand edit was saved")

	def test_no_role_holds_a_writing_right_on_records(self):
		rights = frappe.get_all(
			"DocPerm",
			filters={"parent": "Care Billing Record"},
			fields=["role", "create", "write", "delete", "submit", "cancel", "amend", "import"],
		)
		self.assertTrue(rights)
		for row in rights:
			self.assertEqual(
				(row.create, row.write, row.delete, row.submit, row.cancel, row.amend, row.get("import")),
				(0, 0, 0, 0, 0, 0, 0),
				row.role,
			)


class TestAdjustments(AdjustmentCase):
	def test_billing_staff_can_check_the_links_the_adjustment_form_fills_in(self):
		# The form fetches the record's patient and billing practitioner into links, which
		# the desk checks with frappe.client.validate_link (select is enough).
		patient, *_rest = self.closed("Form Links")
		frappe.set_user(BILLING)
		self.assertEqual(frappe.client.validate_link("Patient", patient, '["name"]').name, patient)
		self.assertEqual(
			frappe.client.validate_link("Healthcare Practitioner", self.practitioner).name, self.practitioner
		)

	def test_an_up_adjustment_bills_nothing_more_until_approved(self):
		patient, _enrollment, log, record = self.closed("Up Pending")
		add = self.propose(BILLING, record.name, "Add Code", code="99439", units=1, outreach_log=log.name)
		self.assertTrue(add.needs_approval)
		self.act(BILLING, add, "Send for Approval")
		self.assertEqual(
			frappe.db.get_value("Care Billing Adjustment", add.name, "status"), "Pending Approval"
		)
		self.invoice(patient)
		self.assertEqual({i.code: i.qty for i in self.payer_items(patient)}, {"99490": 1, "99439": 1})
		self.assertFalse(any("adjusted" in i.description for i in self.payer_items(patient)))

	def test_approved_it_is_invoiced_once_with_its_reason(self):
		patient, _enrollment, log, record = self.closed("Up Approved")
		reason = "22 more minutes of care coordination on the 5th, documented in the log"
		add = self.propose(
			BILLING, record.name, "Add Code", code="99439", units=1, outreach_log=log.name, reason=reason
		)
		self.act(BILLING, add, "Send for Approval")
		self.act(DOCTOR, add, "Approve")
		add.reload()
		self.assertEqual((add.status, add.approved_by, add.docstatus), ("Approved", DOCTOR, 1))
		self.assertEqual(add.amount_change, 47.0)
		self.assertEqual(self.units(patient), {"99490": 1, "99439": 2})
		self.assertIn(add.name, self.record(patient).adjustment_summary)

		first = self.invoice(patient)
		self.assertTrue(first["invoices"])  # the payer's and the coinsurance's
		items = {i.code: i for i in self.payer_items(patient)}
		self.assertEqual(items["99439"].qty, 2)
		self.assertIn(f"adjusted: +1 unit, reason {reason}", items["99439"].description)
		again = self.invoice(patient)
		self.assertEqual(again["invoices"], [])
		self.assertEqual(len(self.payer_items(patient)), 2)  # each line once
		self.assertEqual(self.record(patient).status, "Invoiced")

		# The billing report shows it; once invoiced, the adjustment cannot be undone behind the invoice.
		_columns, rows, *_ = billing_report({"month": LAST_MONTH, "patient": patient})
		self.assertIn(add.name, rows[0].adjustment_summary)
		with self.assertRaises(frappe.ValidationError) as refused:
			self.act(BILLING, add, "Cancel")
		self.assertIn("Cancel that invoice first", str(refused.exception))

	def test_self_approval_is_refused_by_every_path(self):
		patient, _enrollment, log, record = self.closed("Self Approval")
		add = self.propose(SUPERVISOR, record.name, "Add Code", code="99439", units=1, outreach_log=log.name)
		self.act(SUPERVISOR, add, "Send for Approval")
		with self.assertRaises(frappe.ValidationError):
			self.act(SUPERVISOR, add, "Approve")  # Frappe's own self-approval rule
		# Submitting it straight through the API: refused by the controller.
		frappe.db.savepoint("refused_submit")
		frappe.set_user(SUPERVISOR)
		with self.assertRaises(frappe.PermissionError) as refused:
			frappe.client.submit(frappe.get_doc("Care Billing Adjustment", add.name).as_dict())
		self.assertIn("not its author", str(refused.exception))
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point="refused_submit")  # a request's refusal rolls its writes back
		# Billing staff and another practitioner may not approve either.
		for user in (BILLING, OTHER_DOCTOR):
			with self.subTest(user=user), self.assertRaises((frappe.ValidationError, frappe.PermissionError)):
				self.act(user, add, "Approve")
		self.assertEqual(
			frappe.db.get_value("Care Billing Adjustment", add.name, ["docstatus", "status"]),
			(0, "Pending Approval"),
		)
		self.assertEqual(self.units(patient), {"99490": 1, "99439": 1})
		self.act(DOCTOR, add, "Approve")
		self.assertEqual(self.units(patient), {"99490": 1, "99439": 2})

	def test_a_proposal_waiting_for_approval_cannot_be_changed_nor_edited_by_the_approver(self):
		_patient, _enrollment, log, record = self.closed("Frozen")
		add = self.propose(BILLING, record.name, "Add Code", code="99439", units=1, outreach_log=log.name)
		self.act(BILLING, add, "Send for Approval")
		for user in (BILLING, DOCTOR):
			frappe.set_user(user)
			with self.subTest(user=user), self.assertRaises(frappe.ValidationError):
				frappe.client.set_value("Care Billing Adjustment", add.name, "units", 3)
		frappe.set_user("Administrator")

	def test_reason_and_documentation_are_required_and_codes_must_fit(self):
		_patient, _enrollment, _log, record = self.closed("Checked")
		with self.assertRaises(frappe.ValidationError):
			self.propose(BILLING, record.name, "Drop Code", code="99439", reason="")
		with self.assertRaises(frappe.ValidationError) as undocumented:
			self.propose(BILLING, record.name, "Add Code", code="99439", units=1)
		self.assertIn("Outreach Log", str(undocumented.exception))
		with self.assertRaises(frappe.ValidationError) as not_billed:
			self.propose(BILLING, record.name, "Drop Code", code="99491")
		self.assertIn("99490", str(not_billed.exception))
		with self.assertRaises(frappe.ValidationError):
			self.propose(BILLING, record.name, "Reduce Units", code="99439", units=1)  # not fewer
		with self.assertRaises(frappe.ValidationError):
			self.propose(BILLING, record.name, "Release")  # not held
		frappe.set_user("Administrator")

	def test_hold_keeps_a_record_off_invoices_until_released(self):
		patient, _enrollment, _log, record = self.closed("Held")
		items = get_care_management_items(patient, LAST_MONTH)  # fetched before the hold
		hold = self.propose(BILLING, record.name, "Hold", reason="waiting for the signed consent")
		self.assertFalse(hold.needs_approval)
		self.act(BILLING, hold, "Apply")
		held = self.record(patient)
		self.assertTrue(held.held)
		self.assertIn("waiting for the signed consent", held.held_because)
		result = self.invoice(patient)
		self.assertEqual(result["invoices"], [])
		self.assertIn(record.name, [row["record"] for row in result["held"]])
		self.assertEqual(get_care_management_items(patient, LAST_MONTH), [])
		with self.assertRaises(frappe.ValidationError) as by_hand:
			hand_made_invoice(patient, items).insert()
		self.assertIn("waiting for the signed consent", str(by_hand.exception))
		release = self.propose(BILLING_2, record.name, "Release", reason="consent form on file")
		self.act(BILLING_2, release, "Apply")
		self.assertFalse(self.record(patient).held)
		self.assertTrue(self.invoice(patient)["invoices"])

	def test_a_dropped_code_is_not_billed_and_the_record_is_still_invoiced(self):
		patient, _enrollment, _log, record = self.closed("Dropped")
		drop = self.propose(BILLING, record.name, "Drop Code", code="99439", reason="time not documented")
		self.act(BILLING, drop, "Apply")
		self.assertEqual(self.units(patient), {"99490": 1, "99439": 0})
		self.assertEqual(self.record(patient).total_amount, 62.0)
		self.assertTrue(self.invoice(patient)["invoices"])
		self.assertEqual([i.code for i in self.payer_items(patient)], ["99490"])
		record = self.record(patient)
		self.assertEqual((record.invoiced, record.status), (1, "Invoiced"))
		self.assertNotIn(
			"99439", {row[4] for row in billing_claim_rows(patient)}
		)  # nor in the claim lines export

	def test_a_reclose_after_new_minutes_flags_the_adjustment_for_review(self):
		patient, enrollment, _log, record = self.closed("Reclosed")
		drop = self.propose(BILLING, record.name, "Drop Code", code="99439", reason="time not documented")
		self.act(BILLING, drop, "Apply")
		log_minutes(patient, enrollment, 25, day=20)  # new minutes: the facts change
		close_month(LAST_MONTH, now=True)
		drop.reload()
		self.assertEqual(
			(drop.status, drop.workflow_state, drop.docstatus), ("Needs Review", "Needs Review", 1)
		)
		self.assertTrue(drop.review_reason)
		after = self.record(patient)
		self.assertEqual(after.name, record.name)
		self.assertEqual({line.code: line.units for line in after.lines}, {"99490": 1, "99439": 2})
		self.assertTrue(after.held)
		self.assertIn(drop.name, after.held_because)
		self.assertEqual(self.invoice(patient)["invoices"], [])  # not applied, not invoiced

		# Confirmed, it applies again on top of the new lines.
		self.act(BILLING, drop, "Confirm")
		self.assertEqual(frappe.db.get_value("Care Billing Adjustment", drop.name, "status"), "Approved")
		confirmed = self.record(patient)
		self.assertFalse(confirmed.held)
		self.assertEqual({line.code: line.units for line in confirmed.lines}, {"99490": 1, "99439": 0})

	def test_the_audit_report_shows_who_why_approver_and_money(self):
		_patient, _enrollment, log, record = self.closed("Audited")
		add = self.propose(
			BILLING, record.name, "Add Code", code="99439", units=1, outreach_log=log.name, reason="audit me"
		)
		self.act(BILLING, add, "Send for Approval")
		self.act(SUPERVISOR, add, "Approve")
		frappe.set_user(BILLING)
		today = frappe.utils.today()
		_columns, rows, *_ = audit_report({"from_date": today, "to_date": today})
		row = next(r for r in rows if r.name == add.name)
		self.assertEqual(
			(row.proposed_by, row.approver, row.reason, row.amount_change, row.documentation),
			(BILLING, SUPERVISOR, "audit me", 47.0, log.name),
		)
		frappe.set_user(CARE_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_list("Care Billing Adjustment", limit=1)
		frappe.set_user("Administrator")


def billing_claim_rows(patient: str) -> list:
	from care_management.care_management.report.care_management_billing.care_management_billing import (
		claim_rows,
	)

	return claim_rows(frappe._dict(month=LAST_MONTH, patient=patient))


class TestDifferencesPatch(AdjustmentCase):
	def test_records_edited_by_hand_are_listed_for_billing_staff(self):
		_patient, _enrollment, _log, record = self.closed("Edited By Hand")
		line = next(line for line in record.lines if line.code == "99439")
		# As a hand edit before this release left it: units and the backfilled engine units alike.
		frappe.db.set_value("Care Billing Line", line.name, {"units": 9, "engine_units": 9})
		from care_management.patches.v0_13 import billing_lines_differ_from_engine

		billing_lines_differ_from_engine.execute()
		error = frappe.get_last_doc("Error Log")
		self.assertIn(record.name, error.error)
		self.assertIn("99439 × 9", error.error)
		self.assertIn("99439 × 1", error.error)
