"""The demo practice shows every capability (issue #26): a small demo loaded
once, in this test's transaction (rolled back after), under its own prefix and
with the demo's own practitioners, so the site's other records are left alone."""

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.demo.loader import DEMO_PAYER
from care_management.demo.practice import demo_spec, load_demo
from care_management.demo.sign_ins import MAY_BE_ZERO, ONLY_CHECKED, sign_in_roles
from care_management.demo.social_needs import coordinates_problems, sample_service_ids
from care_management.setup.care_plan_workflow import STATES as PLAN_STATES
from care_management.setup.referral_workflow import STATES as REFERRAL_STATES
from care_management.tests.test_role_matrix import chart_data, number_card_result, what_the_workspace_shows

SPEC = demo_spec(32, prefix="CM-DEMOT")
BUILT_IN_ROLES = {"All", "Guest", "Desk User"}


class TestDemo(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.loaded = load_demo(SPEC, force=True)

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		super().tearDownClass()

	def demo_has(self, doctype: str, **filters) -> bool:
		return bool(frappe.db.exists(doctype, {"patient": ("like", f"{SPEC.prefix}-%"), **filters}))

	def mine(self, doctype: str, field: str = "patient") -> int:
		return frappe.db.count(doctype, {field: ("like", f"{SPEC.prefix}-%")})

	def test_every_capability_has_data(self):
		for doctype in (
			"Needs Screening",
			"Screening Invitation",
			"Resource Referral",
			"Care Transition",
			"Device Reading",
			"Patient Care Plan Update",
			"Patient Coverage",
		):
			self.assertGreater(self.mine(doctype), 0, doctype)
		self.assertGreater(self.loaded["community_resources"], 0)
		self.assertGreater(self.loaded["claim_exports"], 0)
		self.assertGreater(self.loaded["remittance_imports"], 0)
		# The month's 835 pays claims, pays one short and denies one (issue #26).
		outcomes = set(
			frappe.get_all("Remittance Claim", {"patient": ("like", f"{SPEC.prefix}-%")}, pluck="outcome")
		)
		self.assertTrue({"Paid", "Paid Short", "Denied"} <= outcomes, outcomes)
		# Payer and patient invoices, submitted.
		customers = set(
			frappe.get_all(
				"Sales Invoice",
				{"patient": ("like", f"{SPEC.prefix}-%"), "docstatus": 1},
				pluck="customer",
			)
		)
		self.assertIn(DEMO_PAYER, customers)
		self.assertTrue({c for c in customers if c.startswith(SPEC.prefix)}, customers)
		self.assertEqual(self.loaded["self_completed_screenings"], 3)
		self.assertTrue(self.demo_has("Needs Screening", method="Patient Self-Completed"))
		plans_without_programs = frappe.db.sql(
			"""select p.name from `tabCare Plan` p where p.patient like %s and p.status != 'Closed'
			and not exists (select 1 from `tabCare Plan Program` g where g.parent = p.name)""",
			f"{SPEC.prefix}-%",
		)
		self.assertEqual(plans_without_programs, ())
		plan_types = set(
			frappe.get_all(
				"Patient Coverage",
				{"patient": ("like", f"{SPEC.prefix}-%")},
				pluck="plan_type",
				distinct=True,
			)
		)
		self.assertTrue({"Medicare Part B", "Medicare Advantage", "Medicaid"} <= plan_types, plan_types)
		self.assertTrue(self.demo_has("Patient Coverage", coverage_order="Secondary"))
		self.assertTrue(frappe.db.exists("Patient", {"name": ("like", f"{SPEC.prefix}-%"), "language": "es"}))
		# A positive screening's need is on the plan.
		self.assertTrue(
			frappe.db.sql(
				"""select 1 from `tabCare Plan Need` n join `tabNeeds Screening` s on s.name = n.source_screening
				where s.patient like %s limit 1""",
				f"{SPEC.prefix}-%",
			)
		)
		# Red flags from out-of-range readings wait on the worklist.
		self.assertTrue(self.demo_has("Outreach Log", red_flag=1, red_flag_status="Open"))

	def test_every_workflow_state_is_represented(self):
		referral_states = set(
			frappe.get_all(
				"Resource Referral",
				{"patient": ("like", f"{SPEC.prefix}-%")},
				pluck="workflow_state",
				distinct=True,
			)
		)
		self.assertEqual(referral_states, set(REFERRAL_STATES))
		outcomes = set(
			frappe.get_all(
				"Resource Referral",
				{"patient": ("like", f"{SPEC.prefix}-%"), "status": "Completed"},
				pluck="outcome",
				distinct=True,
			)
		)
		self.assertTrue({"Need Met", "Need Not Met"} <= outcomes, outcomes)
		overdue = frappe.db.count(
			"Resource Referral",
			{
				"patient": ("like", f"{SPEC.prefix}-%"),
				"status": "Sent",
				"follow_up_date": ("<", frappe.utils.today()),
			},
		)
		self.assertEqual(overdue, 1)
		plan_states = set(
			frappe.get_all(
				"Care Plan", {"patient": ("like", f"{SPEC.prefix}-%")}, pluck="workflow_state", distinct=True
			)
		)
		self.assertEqual(plan_states, set(PLAN_STATES))

	def test_the_month_bills_tcm_only_for_timely_contacts(self):
		billed = set(
			frappe.db.sql_list(
				"""select distinct r.patient from `tabCare Billing Record` r
				join `tabCare Billing Line` l on l.parent = r.name
				where r.month = %s and r.patient like %s and l.code in ('99495', '99496')""",
				(SPEC.last_month, f"{SPEC.prefix}-%"),
			)
		)
		self.assertTrue(self.loaded["tcm_timely_patients"])
		self.assertEqual(billed, set(self.loaded["tcm_timely_patients"]))
		late = frappe.get_all(
			"Care Transition",
			{"patient": ("like", f"{SPEC.prefix}-%"), "business_days_to_contact": (">", 2)},
			pluck="patient",
		)
		self.assertTrue(late)
		self.assertFalse(billed & set(late))

	def test_the_hsds_sample_coordinates_are_in_range(self):
		self.assertEqual(coordinates_problems(), [])
		located = frappe.db.sql(
			"""select count(*) from `tabCommunity Resource`
			where hsds_service_id in %s and ifnull(latitude, 0) != 0""",
			[sample_service_ids()],
		)[0][0]
		self.assertGreater(located, 0)

	def test_each_printed_sign_in_holds_only_its_role(self):
		for label, (email, roles, user_type) in sign_in_roles(SPEC).items():
			self.assertTrue(frappe.db.exists("User", email), label)
			held = set(frappe.get_roles(email)) - BUILT_IN_ROLES - {email}
			self.assertEqual(held, set(roles), label)
			self.assertEqual(frappe.db.get_value("User", email, "user_type"), user_type, label)

	def test_loading_again_changes_nothing(self):
		self.assertEqual(load_demo(SPEC, force=True), {"already_loaded": 32})

	def test_each_desk_sign_in_sees_data_on_its_workspace(self):
		empty = {}
		for label, (email, _roles, user_type) in sign_in_roles(SPEC).items():
			if user_type != "System User":
				continue
			frappe.clear_cache(user=email)
			shown = what_the_workspace_shows(email)
			self.assertTrue(shown, label)
			checked = [(kind, name) for kind, name in shown if name in ONLY_CHECKED.get(label, {name})]
			empty[label] = [
				name
				for kind, name in checked
				if (kind == "Number Card" and name not in MAY_BE_ZERO and not card_value(name))
				or (kind == "Dashboard Chart" and not chart_has_data(name))
			]
			frappe.set_user("Administrator")
		self.assertEqual({label: names for label, names in empty.items() if names}, {})


def card_value(name: str) -> float:
	"""As the workspace's number card widget asks for its value."""
	result = number_card_result(name)
	return (result or {}).get("value") or 0 if isinstance(result, dict) else result or 0


def chart_has_data(name: str) -> bool:
	"""As the workspace's chart widget asks for its data."""
	data = chart_data(name) or {}
	return any(value for dataset in data.get("datasets", []) for value in dataset.get("values", []))
