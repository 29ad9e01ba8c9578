"""Workspace cards, charts, reports and the demo loader, on a small synthetic practice."""

from datetime import date

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_months, get_first_day, getdate, today

from care_management.care_management import dashboard_metrics
from care_management.care_management.dashboard_chart_source.care_minutes_by_program.care_minutes_by_program import (
	get as minutes_chart,
)
from care_management.care_management.report.care_manager_productivity.care_manager_productivity import (
	execute as productivity,
)
from care_management.care_management.report.care_plan_outcomes.care_plan_outcomes import execute as outcomes
from care_management.demo.loader import load_practice
from care_management.domain.synthetic_practice import PracticeSpec, care_managers
from care_management.tests.factories import make_user

SPEC = PracticeSpec(
	patients=12,
	care_managers=2,
	months=2,
	last_month=getdate(get_first_day(add_months(today(), -1))),
	prefix="CM-TEST",
	seed=11,
)


class TestDashboards(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.loaded = load_practice(SPEC, force=True, with_templates=True)
		self.cm1, self.cm2 = (m["email"] for m in care_managers(SPEC))

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_demo_loads_once(self):
		self.assertEqual(self.loaded["patients"], 12)
		self.assertGreater(self.loaded["outreach_logs"], 0)
		self.assertEqual(load_practice(SPEC, force=True), {"already_loaded": 12})

	def test_cards_count_only_the_care_managers_own_caseload(self):
		frappe.set_user(self.cm1)
		rows = dashboard_metrics.visible_rows()
		self.assertEqual(
			{r.patient for r in rows},
			set(frappe.get_all("Patient", {"care_manager": self.cm1}, pluck="name")),
		)
		self.assertEqual(dashboard_metrics.overdue()["value"], sum(1 for r in rows if r.days_overdue > 0))
		self.assertIsInstance(dashboard_metrics.ready_to_bill()["value"], int)
		frappe.set_user("Administrator")  # sees every caseload, this practice's included
		everyone = {r.patient for r in dashboard_metrics.visible_rows()}
		self.assertTrue(
			set(frappe.get_all("Patient", {"name": ("like", "CM-TEST-%")}, pluck="name")) <= everyone
		)

	def test_minutes_chart_is_per_program_and_per_caseload(self):
		frappe.set_user(self.cm1)
		chart = minutes_chart()
		own_total = sum(sum(ds["values"]) for ds in chart["datasets"])
		frappe.set_user("Administrator")
		everyone = sum(sum(ds["values"]) for ds in minutes_chart()["datasets"])
		self.assertGreater(own_total, 0)
		self.assertLess(own_total, everyone)
		self.assertTrue({ds["name"] for ds in chart["datasets"]} <= {"CCM", "PCM", "RPM", "BHI"})

	def test_productivity_per_care_manager(self):
		_columns, rows, _message, _chart = productivity({"month": SPEC.last_month})
		by_manager = {r.care_manager: r for r in rows}
		self.assertEqual(by_manager[self.cm1].caseload, 6)
		self.assertGreater(by_manager[self.cm1].attempted, by_manager[self.cm1].reached)
		self.assertGreater(by_manager[self.cm1].reach_rate, 0)
		make_user(self.cm1, ["Care Manager"])
		frappe.set_user(self.cm1)
		_columns, own, _message, _chart = productivity({"month": SPEC.last_month})
		self.assertEqual([r.care_manager for r in own], [self.cm1])

	def test_outcomes_by_condition_and_hospital_use(self):
		_columns, rows, _message, _chart, summary = outcomes({})
		self.assertTrue(any(r.goals_set > 0 for r in rows))
		self.assertEqual(summary[1]["label"], "Admissions, 6 Months Before Enrollment")
