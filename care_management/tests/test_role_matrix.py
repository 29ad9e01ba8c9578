"""Each role the app ships works on its own: a user holding only that role opens
every link and shortcut the Care Management workspace shows them, and the
workspace shows nothing they cannot open.

What a user sees is asked of Frappe itself (frappe.desk.desktop.get_desktop_page
as that user), so a report or doctype added to the workspace is covered without
touching this test. Reports run as the desk runs them (query_report.run, which
also checks every Link column against the user's permissions); lists as the list
view asks for them (reportview.get_list / get_count); single doctypes as their
form loads them.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.tests.factories import (
	make_care_plan,
	make_coverage,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
)
from care_management.tests.site_setup import before_tests

WORKSPACE = "Care Management"
CLOSED_MONTH = date(2026, 9, 1)

CARE_MANAGER = "role-matrix.cm@example.org"
SUPERVISOR = "role-matrix.supervisor@example.org"
BILLING = "role-matrix.billing@example.org"
PHYSICIAN = "role-matrix.physician@example.org"
ROLE_OF = {
	CARE_MANAGER: "Care Manager",
	SUPERVISOR: "Care Management Supervisor",
	BILLING: "Care Management Billing",
	PHYSICIAN: "Physician",
}

# What a report's filter form fills in by default (its .js), for the filters our
# reports require; a report ignores the ones it does not have.
DEFAULT_FILTERS = {
	"month": str(CLOSED_MONTH),
	"from_date": str(CLOSED_MONTH),
	"to_date": str(CLOSED_MONTH + timedelta(days=29)),
	"as_of": str(CLOSED_MONTH + timedelta(days=29)),
}


def only_role(email: str, role: str) -> str:
	make_user(email, [])
	user = frappe.get_doc("User", email)
	user.set("roles", [])
	user.append("roles", {"role": role})
	user.save(ignore_permissions=True)
	frappe.clear_cache(user=email)
	return email


def what_the_workspace_shows(user: str) -> list[tuple[str, str]]:
	"""(type, name) of every link and shortcut ``user`` is shown, as the desk asks."""
	from frappe.desk.desktop import get_desktop_page

	frappe.set_user(user)
	page = get_desktop_page(json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}))
	shown = [
		(link.get("link_type"), link.get("link_to"))
		for card in page["cards"]["items"]
		for link in card.get("links", [])
		if link.get("type") == "Link"
	]
	shown += [
		(item.get("type"), item.get("url") if item.get("type") == "URL" else item.get("link_to"))
		for item in page["shortcuts"]["items"]
	]
	shown += [("Number Card", card.number_card_name) for card in page["number_cards"]["items"]]
	shown += [("Dashboard Chart", chart.chart_name) for chart in page["charts"]["items"]]
	return list(dict.fromkeys(shown))


class TestRoleMatrix(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		before_tests()
		frappe.set_user("Administrator")
		for email, role in ROLE_OF.items():
			only_role(email, role)
		cls.practitioner = make_practitioner("Role Matrix Doctor", PHYSICIAN)
		customer = frappe.get_doc(
			{"doctype": "Customer", "customer_name": "Role Matrix Patient", "customer_type": "Individual"}
		).insert(ignore_permissions=True)
		cls.patient = make_patient("Role Matrix", care_manager=CARE_MANAGER, customer=customer.name).name
		make_coverage(cls.patient, effective_from="2026-01-01")
		enrollment = make_enrollment(
			cls.patient,
			cls.practitioner,
			care_manager=CARE_MANAGER,
			start_date="2026-01-01",
			consent_date="2026-01-01",
		).name
		plan = make_care_plan(
			cls.patient,
			cls.practitioner,
			start_date="2026-01-01",
			conditions=[
				{"condition_name": "Diabetes", "icd10_code": "E11.9"},
				{"condition_name": "Hypertension", "icd10_code": "I10"},
			],
		)
		frappe.db.set_value("Care Plan", plan.name, {"status": "Active", "workflow_state": "Active"})
		start = datetime(2026, 9, 4, 9)
		frappe.get_doc(
			{
				"doctype": "Outreach Log",
				"patient": cls.patient,
				"enrollment": enrollment,
				"performed_by": "Administrator",
				"activity_type": "Phone Call",
				"start": start,
				"end": start + timedelta(minutes=45),
				"duration_minutes": 45,
				"outcome": "Reached",
				"interactive": 1,
			}
		).insert().submit()
		from care_management.billing.month_close import close_month

		close_month(CLOSED_MONTH, now=True)  # billing staff get a closed month to work
		from care_management.billing.invoicing import create_invoices

		# Invoiced, so its rows link a payer (Customer) and Sales Invoices too.
		cls.invoicing = create_invoices(CLOSED_MONTH, submit=0, patient=cls.patient, commit=False)
		cls.records = frappe.get_all(
			"Care Billing Record", filters={"month": CLOSED_MONTH, "patient": cls.patient}, pluck="name"
		)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_the_closed_month_has_an_invoiced_record_of_the_caseload_patient(self):
		self.assertTrue(self.records)
		self.assertTrue(
			frappe.db.exists(
				"Care Billing Line", {"parent": ("in", self.records), "sales_invoice": ("is", "set")}
			),
			self.invoicing,
		)

	def test_care_manager(self):
		self.assert_everything_shown_opens(CARE_MANAGER)

	def test_supervisor(self):
		self.assert_everything_shown_opens(SUPERVISOR)

	def test_billing(self):
		self.assert_everything_shown_opens(BILLING)

	def test_physician_as_supervising_practitioner(self):
		self.assert_everything_shown_opens(PHYSICIAN)

	def test_each_role_sees_its_main_screens(self):
		expected = {
			CARE_MANAGER: [("Report", "Caseload Worklist"), ("DocType", "Outreach Log")],
			SUPERVISOR: [("Report", "Eligible Patients"), ("Report", "Care Management Billing")],
			BILLING: [("Report", "Care Management Billing"), ("DocType", "Care Month Close")],
			PHYSICIAN: [("DocType", "Care Plan")],
		}
		for user, items in expected.items():
			shown = what_the_workspace_shows(user)
			for item in items:
				self.assertIn(item, shown, f"{ROLE_OF[user]} is not shown {item}")

	def test_billing_report_shows_the_buttons_only_to_whom_may_use_them(self):
		from care_management.care_management.report.care_management_billing.care_management_billing import (
			allowed_actions,
		)

		frappe.set_user(CARE_MANAGER)
		self.assertEqual(
			allowed_actions(),
			{
				"close_month": False,
				"create_invoices": False,
				"export_claim_lines": False,
				"eligibility_inquiry": False,
			},
		)
		frappe.set_user(BILLING)
		self.assertTrue(allowed_actions()["close_month"])
		self.assertTrue(allowed_actions()["export_claim_lines"])
		self.assertTrue(allowed_actions()["eligibility_inquiry"])

	def test_only_billing_staff_ask_payers_about_eligibility(self):
		from care_management.billing.eligibility import make_270

		frappe.set_user(CARE_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			make_270(month=str(CLOSED_MONTH))

	def test_the_server_refuses_claim_lines_to_whom_the_button_is_not_shown(self):
		from care_management.care_management.report.care_management_billing.care_management_billing import (
			export_claim_lines,
		)

		frappe.set_user(CARE_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			export_claim_lines(json.dumps({"month": str(CLOSED_MONTH)}))
		frappe.set_user(BILLING)
		export_claim_lines(json.dumps({"month": str(CLOSED_MONTH)}))
		self.assertIn(self.patient, frappe.response["filecontent"])

	# ------------------------------------------------------------- the checks
	def assert_everything_shown_opens(self, user: str):
		shown = what_the_workspace_shows(user)
		self.assertTrue(shown, f"{ROLE_OF[user]} is shown nothing")
		problems = []
		for kind, name in shown:
			frappe.set_user(user)
			frappe.local.message_log = []
			try:
				self.open(kind, name)
			except Exception as error:
				problems.append(
					f"{kind} {name}: {type(error).__name__}: {frappe.utils.strip_html(str(error))}"
				)
			finally:
				frappe.set_user("Administrator")
		self.assertEqual(problems, [], f"{ROLE_OF[user]} alone")

	def open(self, kind: str, name: str):
		kind = kind.lower()  # custom doctypes of the module come as "doctype"
		if kind == "report":
			self.run_report(name)
		elif kind == "doctype":
			self.open_doctype(name)
		elif kind == "url":
			self.open_url(name)
		elif kind == "number card":
			self.open_number_card(name)
		elif kind == "dashboard chart":
			self.open_chart(name)
		else:
			self.fail(f"the workspace shows a {kind} ({name}) this test does not know how to open")

	def run_report(self, name: str):
		from frappe.desk.query_report import run

		result = run(name, filters=DEFAULT_FILTERS)
		self.assertIsInstance(result, dict)

	def open_doctype(self, doctype: str):
		if frappe.get_meta(doctype).issingle:
			from frappe.desk.form.load import getdoc

			getdoc(doctype, doctype)
			return
		from frappe.desk.reportview import get_count, get_list

		frappe.local.form_dict = frappe._dict(
			doctype=doctype, fields=json.dumps([f"`tab{doctype}`.`name`"]), limit_page_length=20
		)
		get_list()
		frappe.local.form_dict = frappe._dict(doctype=doctype, filters=json.dumps([]))
		get_count()

	def open_url(self, url: str):
		"""/app/<doctype>/new: the user must be able to create one."""
		parts = url.strip("/").split("/")
		self.assertEqual(parts[0], "app", url)
		doctype = frappe.db.get_value("DocType", {"name": frappe.unscrub(parts[1])}) or next(
			(
				d
				for d in frappe.get_all("DocType", pluck="name")
				if frappe.scrub(d).replace("_", "-") == parts[1]
			),
			None,
		)
		self.assertTrue(doctype, url)
		ptype = "create" if parts[-1] == "new" else "read"
		if not frappe.has_permission(doctype, ptype):
			raise frappe.PermissionError(f"{url}: no {ptype} permission on {doctype}")

	def open_number_card(self, name: str):
		result = number_card_result(name)
		if frappe.db.get_value("Number Card", name, "type") == "Report":
			self.assertIsInstance(result, dict)

	def open_chart(self, name: str):
		chart_data(name)


def number_card_result(name: str):
	"""A number card's value, as the workspace's number card widget asks for it."""
	card = frappe.get_doc("Number Card", name)
	if card.type == "Custom":
		return frappe.call(card.method, filters=card.filters_json)
	if card.type == "Report":
		from frappe.desk.query_report import run

		return run(card.report_name, filters=DEFAULT_FILTERS)
	from frappe.desk.doctype.number_card.number_card import get_result

	return get_result(card.as_json(), card.filters_json)


def chart_data(name: str) -> dict:
	"""A chart's data, as the workspace's chart widget asks for it."""
	chart = frappe.get_doc("Dashboard Chart", name)
	if chart.chart_type == "Custom" and chart.source:
		module = frappe.db.get_value("Dashboard Chart Source", chart.source, "module")
		app = frappe.local.module_app[frappe.scrub(module)]
		source = frappe.scrub(chart.source)
		method = f"{app}.{frappe.scrub(module)}.dashboard_chart_source.{source}.{source}.get"
		return frappe.call(method, chart_name=name, filters=chart.filters_json, refresh=1)
	from frappe.desk.doctype.dashboard_chart.dashboard_chart import get

	return get(chart_name=name, refresh=1)
