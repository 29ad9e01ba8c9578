"""The v0.13 patch lists care plans and referrals whose Status disagrees with
their Workflow State's meaning in the Error Log, then corrects them; run again
it changes and logs nothing."""

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.care_management.doctype.resource_referral.test_resource_referral import make_resource
from care_management.patches.v0_13.status_from_workflow_state import ERROR_LOG_TITLE, execute
from care_management.tests.factories import make_care_plan, make_patient, make_practitioner


class TestStatusFromWorkflowStatePatch(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.practitioner = make_practitioner("Patch Doctor")

	def tearDown(self):
		frappe.db.rollback()

	def plan(self, state: str, status: str) -> str:
		"""A plan stored as a forged save (before v0.13) could leave it."""
		name = make_care_plan(make_patient(f"Patch {state} {status}").name, self.practitioner).name
		frappe.db.set_value(
			"Care Plan", name, {"workflow_state": state, "status": status}, update_modified=False
		)
		return name

	def referral(self, state: str, status: str) -> str:
		patient = make_patient("Patch Referral").name
		name = (
			frappe.get_doc(
				{
					"doctype": "Resource Referral",
					"patient": patient,
					"need_category": "Food",
					"resource": make_resource("Patch Pantry").name,
				}
			)
			.insert()
			.name
		)
		frappe.db.set_value(
			"Resource Referral", name, {"workflow_state": state, "status": status}, update_modified=False
		)
		return name

	def logs(self) -> list[str]:
		return frappe.get_all("Error Log", filters={"method": ERROR_LOG_TITLE}, pluck="error")

	def test_disagreeing_rows_are_listed_once_then_corrected_and_a_second_run_does_nothing(self):
		unapproved = self.plan("Draft", "Active")  # billed as active, never approved
		closed_too_early = self.plan("Active", "Closed")
		agreeing = self.plan("Active", "Active")
		referral = self.referral("Sent", "Completed")
		modified = frappe.db.get_value("Care Plan", unapproved, "modified")
		before = len(self.logs())

		execute()

		logs = self.logs()
		self.assertEqual(len(logs), before + 1)
		entry = logs[0]
		for name in (unapproved, closed_too_early, referral):
			self.assertIn(name, entry)
		self.assertNotIn(agreeing, entry)
		self.assertIn("may", entry)
		self.assertIn("billed", entry)
		self.assertIn(f"Care Plan {unapproved} ", entry)
		self.assertIn("Workflow State Draft, Status Active -> Draft", entry)
		self.assertIn("two current plans", entry)  # the plan that was Closed is current again
		for doctype, name, expected in (
			("Care Plan", unapproved, ("Draft", "Draft")),
			("Care Plan", closed_too_early, ("Active", "Active")),
			("Care Plan", agreeing, ("Active", "Active")),
			("Resource Referral", referral, ("Sent", "Sent")),
		):
			self.assertEqual(
				tuple(frappe.db.get_value(doctype, name, ["workflow_state", "status"])), expected
			)
		# The last real edit still dates the months that may have been billed.
		self.assertEqual(frappe.db.get_value("Care Plan", unapproved, "modified"), modified)

		execute()
		self.assertEqual(len(self.logs()), before + 1)

	def test_a_row_whose_state_has_no_meaning_is_listed_and_left(self):
		if not frappe.db.exists("Workflow State", "Retired Patch State"):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": "Retired Patch State"}
			).insert()
		orphan = self.plan("Retired Patch State", "Active")

		execute()

		entry = self.logs()[0]
		self.assertIn(orphan, entry)
		self.assertIn("not corrected", entry)
		self.assertEqual(frappe.db.get_value("Care Plan", orphan, "status"), "Active")
