"""The demo practice shows every capability (issue #26): a small demo loaded
once, in this test's transaction (rolled back after), under its own prefix and
with the demo's own practitioners, so the site's other records are left alone."""

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.demo.loader import DEMO_PAYER
from care_management.demo.practice import demo_spec, load_demo
from care_management.demo.sign_ins import may_be_zero, sign_in_roles
from care_management.demo.social_needs import coordinates_problems, sample_service_ids
from care_management.setup.care_plan_workflow import STATES as PLAN_STATES
from care_management.setup.referral_workflow import STATES as REFERRAL_STATES
from care_management.tests.test_role_matrix import chart_data, number_card_result, what_the_workspace_shows
from care_management.workspace_cards import CASELOAD_CARDS

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
			if user_type == "System User":  # the workspace test_each_desk_sign_in… checks is where they land
				self.assertEqual(frappe.db.get_value("User", email, "default_workspace"), "Care Management")

	def test_loading_again_changes_nothing(self):
		self.assertEqual(load_demo(SPEC, force=True), {"already_loaded": 32})

	def test_each_desk_sign_in_sees_data_on_its_workspace(self):
		zero = may_be_zero(frappe.utils.getdate())
		empty = {}
		for label, (email, _roles, user_type) in sign_in_roles(SPEC).items():
			if user_type != "System User":
				continue
			frappe.clear_cache(user=email)
			shown = what_the_workspace_shows(email)
			self.assertTrue(shown, label)
			empty[label] = [
				name
				for kind, name in shown
				if (kind == "Number Card" and name not in zero and not card_value(name))
				or (kind == "Dashboard Chart" and not chart_has_data(name))
			]
			frappe.set_user("Administrator")
		self.assertEqual({label: names for label, names in empty.items() if names}, {})

	def test_the_practitioner_sees_their_work_not_a_caseloads(self):
		email = sign_in_roles(SPEC)["Supervising practitioner"][0]
		frappe.clear_cache(user=email)
		shown = {
			name
			for kind, name in what_the_workspace_shows(email)
			if kind in ("Number Card", "Dashboard Chart")
		}
		frappe.set_user("Administrator")
		self.assertFalse(shown & CASELOAD_CARDS, shown)
		self.assertNotIn("Referrals by Status", shown)
		self.assertTrue(
			{"Open Red Flags", "Minutes Logged This Month", "Billable Patients by Program"} <= shown
		)
		self.assertGreater(self.loaded["escalated_red_flags"], 0)
		# The red flags escalated to them, and their own logs: nothing else of the outreach.
		frappe.set_user(email)
		logs = frappe.get_list("Outreach Log", fields=["name", "performed_by", "escalated_to"], limit=0)
		frappe.set_user("Administrator")
		self.assertTrue(logs)
		others = [log.name for log in logs if email not in (log.performed_by, log.escalated_to)]
		self.assertEqual(others[:5], [])
		self.assertTrue(any(log.escalated_to == email for log in logs))

	def test_tcm_contacts_count_toward_tcm(self):
		programs = set(
			frappe.db.sql_list(
				"""select distinct ifnull(l.program, '') from `tabOutreach Log` l
				join `tabCare Transition` t on t.first_contact_log = l.name where t.patient like %s""",
				f"{SPEC.prefix}-%",
			)
		)
		self.assertEqual(programs, {"TCM"})
		unlabelled = frappe.db.count(
			"Outreach Log", {"patient": ("like", f"{SPEC.prefix}-%"), "program": ("is", "not set")}
		)
		self.assertEqual(unlabelled, 0)

	def test_care_plan_reviews_are_upcoming_but_a_few_overdue(self):
		today = frappe.utils.getdate()
		reviews = frappe.get_all(
			"Care Plan",
			{"patient": ("like", f"{SPEC.prefix}-%"), "status": "Active"},
			["next_review_date", "care_manager"],
		)
		overdue = [r for r in reviews if r.next_review_date < today]
		self.assertEqual(len(overdue), self.loaded["care_plan_reviews_overdue"])
		self.assertTrue(0 < len(overdue) <= 3, overdue)
		# The signing-in care manager sees what an overdue review looks like (the list's Review Overdue).
		self.assertIn(sign_in_roles(SPEC)["Care manager"][0], {r.care_manager for r in overdue})
		self.assertTrue(all(r.next_review_date <= frappe.utils.add_days(today, 180) for r in reviews))
		# Open goals fall due by the next review: past only on the plans overdue for review.
		past_goals = frappe.db.sql_list(
			"""select distinct p.name from `tabCare Plan Goal` g join `tabCare Plan` p on p.name = g.parent
			where p.patient like %s and p.status = 'Active' and g.status in ('Proposed', 'In Progress')
				and g.due_date < %s""",
			(f"{SPEC.prefix}-%", today),
		)
		self.assertLessEqual(len(past_goals), len(overdue))

	def test_the_caregiver_reads_of_the_patient_not_of_themselves(self):
		from care_management.portal.access import viewable_plans
		from care_management.www.my_care_plan import headings

		caregiver = sign_in_roles(SPEC)["Caregiver (portal)"][0]
		viewer = viewable_plans(caregiver)[0]
		first_name = frappe.db.get_value("Patient", viewer.patient, "first_name")
		shown = headings(viewer)
		self.assertEqual(shown["goals"], f"Goals of {first_name}")
		self.assertNotIn("My", " ".join(shown.values()))


def card_value(name: str) -> float:
	"""As the workspace's number card widget asks for its value."""
	result = number_card_result(name)
	return (result or {}).get("value") or 0 if isinstance(result, dict) else result or 0


def chart_has_data(name: str) -> bool:
	"""As the workspace's chart widget asks for its data."""
	data = chart_data(name) or {}
	return any(value for dataset in data.get("datasets", []) for value in dataset.get("values", []))
