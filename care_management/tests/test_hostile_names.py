"""Hostile names (tests/hostile_names.py) brought in the way real data arrives —
frappe.client / REST, Frappe's Data Import, an HSDS feed — stay text: every cell of
Export Claim Lines, the app's report Export and the HSDS CSV package is safe to open
in a spreadsheet, and every refusal message shows the name escaped, never as markup."""

import csv
import io
import json
import zipfile
from unittest.mock import patch

import frappe
import openpyxl
from frappe.desk import query_report
from frappe.tests.test_api import FrappeAPITestCase
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_months, escape_html, get_test_client

from care_management.api.hsds_export import export_csv_package
from care_management.billing.month_close import close_month
from care_management.billing.outreach_lock import refuse_if_invoiced
from care_management.care_management.doctype.hsds_import.test_hsds_import import SERVICE, import_file
from care_management.care_management.doctype.outreach_log.outreach_timer import start_timer
from care_management.care_management.report.care_management_billing.care_management_billing import (
	export_claim_lines,
)
from care_management.domain.hsds_tabular import read_csv
from care_management.domain.spreadsheet_cells import unquote_cell
from care_management.message_html import desk_link
from care_management.overrides import report_export
from care_management.tests.factories import (
	make_care_plan,
	make_coverage,
	make_enrollment,
	make_patient,
	make_payer,
	make_practitioner,
)
from care_management.tests.hostile_names import (
	FORMULAS,
	LONG,
	MARKUP,
	RTL,
	TEMPLATE,
	markup_in,
	unsafe_cell,
)
from care_management.tests.test_billing_month import LAST_MONTH, BillingMonthCase, log_minutes

RAW_MARKUP = MARKUP[0]  # <img src=x onerror=window.__pwned=1>


def csv_cells(text: str) -> list[str]:
	return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def client_insert(doc: dict) -> str:
	"""The insert behind REST's POST /api/method/frappe.client.insert."""
	from frappe.client import insert

	return insert(json.dumps(doc))["name"]


def data_import_patients(first_names: list[str]) -> list[str]:
	"""Patients through a Data Import of a CSV file, run by Frappe's importer. It commits
	after each row; here the rows stay in the test's transaction instead."""
	from frappe.core.doctype.data_import.importer import Importer

	out = io.StringIO()
	writer = csv.writer(out)
	writer.writerow(["First Name", "Gender"])
	writer.writerows([name, "Female"] for name in first_names)
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"patients-{frappe.generate_hash(length=6)}.csv",
			"content": out.getvalue(),
		}
	).insert(ignore_permissions=True)
	data_import = frappe.get_doc(
		{
			"doctype": "Data Import",
			"reference_doctype": "Patient",
			"import_type": "Insert New Records",
			"import_file": file.file_url,
		}
	).insert(ignore_permissions=True)
	with patch.object(frappe.db, "commit"), patch.object(frappe.db, "rollback"):
		Importer("Patient", data_import=data_import).import_data()
	logs = frappe.get_all(
		"Data Import Log",
		filters={"data_import": data_import.name},
		fields=["success", "docname"],
		order_by="log_index",
	)
	assert all(log.success for log in logs) and len(logs) == len(first_names), logs
	return [log.docname for log in logs]


def message_of(context) -> str:
	return str(context.exception)


def name_patients_by_series() -> None:
	"""This site names a patient, and the Customer Healthcare makes for them, by their name,
	and a name refuses < and >. A site naming patients by series, without a Customer per
	patient (both Healthcare Settings), keeps whatever the name fields were given.
	Undone by the test's rollback and forget_settings()."""
	frappe.db.set_single_value(
		"Healthcare Settings", {"patient_name_by": "Naming Series", "link_customer_to_patient": 0}
	)
	forget_settings()


def forget_settings() -> None:
	frappe.db.value_cache.pop("Healthcare Settings", None)


def customers_named_by_series():
	"""Customers named by series, as Selling Settings can have it (a Customer's name refuses < and >)."""
	original = frappe.defaults.get_global_default

	def default(key, *args, **kwargs):
		return "Naming Series" if key == "cust_master_name" else original(key, *args, **kwargs)

	return patch.object(frappe.defaults, "get_global_default", side_effect=default)


class ShowsAsText:
	def assertShownAsText(self, message: str, stored: str):
		"""The message holds the stored name escaped and no live markup."""
		self.assertEqual(markup_in(message), [], message)
		self.assertIn(escape_html(stored), message)


class TestHostileNamesInSpreadsheets(BillingMonthCase):
	next_day = 3  # one log a day: Administrator logs them all, and logs may not overlap

	def bill(self, patient: str, customer_name: str, payer: str | None = None) -> None:
		customer = frappe.get_doc(
			{"doctype": "Customer", "customer_name": customer_name, "customer_type": "Individual"}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Patient", patient, "customer", customer.name)
		make_coverage(patient, payer=payer)
		start = add_months(LAST_MONTH, -2)
		enrollment = make_enrollment(patient, self.practitioner, start_date=start, consent_date=start).name
		plan = make_care_plan(
			patient,
			self.practitioner,
			start_date=start,
			conditions=[
				{"condition_name": "Diabetes", "icd10_code": "E11.9"},
				{"condition_name": "Hypertension", "icd10_code": "I10"},
			],
		)
		frappe.db.set_value("Care Plan", plan.name, {"status": "Active", "workflow_state": "Active"})
		log_minutes(patient, enrollment, 25, day=self.next_day)
		self.next_day += 1

	def hostile_patients(self) -> list[str]:
		by_client = client_insert(
			{"doctype": "Patient", "first_name": FORMULAS[0], "last_name": FORMULAS[1], "sex": "Female"}
		)
		imported = data_import_patients([FORMULAS[2], FORMULAS[3]])
		return [by_client, *imported]

	def test_claim_lines_of_hostile_patients_open_as_text_and_keep_their_codes(self):
		patients = self.hostile_patients()
		payer = make_payer(FORMULAS[0][:60], payer_id="HOSTILE1")
		for patient in patients:
			self.bill(patient, f"{FORMULAS[1]} Customer", payer=payer)
		close_month(LAST_MONTH, now=True)
		export_claim_lines(json.dumps({"month": str(LAST_MONTH)}))
		rows = list(csv.reader(io.StringIO(frappe.response["filecontent"], newline="")))
		ours = [row for row in rows[1:] if unquote_cell(row[0]) in patients]
		self.assertEqual(len(ours), len(patients), rows)
		self.assertEqual([cell for row in rows for cell in row if unsafe_cell(cell)], [])
		names = {row[1] for row in ours}
		for patient in patients:
			stored = frappe.db.get_value("Patient", patient, "patient_name")
			self.assertTrue(stored.startswith(("=", "+", "-", "@")), stored)
			self.assertIn("'" + stored, names)
		# Codes and dates stay as a billing system reads them.
		self.assertEqual({row[4] for row in ours}, {"99490"})
		self.assertEqual({row[6] for row in ours}, {"E11.9, I10"})
		self.assertTrue(all(row[3].startswith(str(LAST_MONTH)[:7]) for row in ours), ours)

	def export_report(self, file_format: str, filters: dict, exporter) -> bytes:
		frappe.local.form_dict = frappe._dict(
			report_name="Care Management Billing",
			file_format_type=file_format,
			filters=json.dumps(filters),
			applied_filters=json.dumps({}),
			visible_idx="[]",
			csv_delimiter=",",
			csv_quoting="2",
			include_indentation="0",
			include_filters="0",
			custom_columns="[]",
		)
		frappe.response.pop("filecontent", None)
		exporter()
		return frappe.response["filecontent"]

	def test_the_reports_export_writes_safe_cells_in_csv_and_excel(self):
		patients = self.hostile_patients()
		for patient in patients:
			self.bill(patient, f"{FORMULAS[3]} Customer")
		close_month(LAST_MONTH, now=True)
		filters = {"month": str(LAST_MONTH)}
		cells = csv_cells(self.export_report("CSV", filters, report_export.export_query).decode())
		self.assertEqual([cell for cell in cells if unsafe_cell(cell)], [])
		self.assertIn("'" + frappe.db.get_value("Patient", patients[0], "patient_name"), cells)
		# Frappe's own export writes the same report with live formulas: the reason for the override.
		frappes = self.export_report("CSV", filters, query_report.export_query).decode()
		self.assertNotEqual([cell for cell in csv_cells(frappes) if unsafe_cell(cell)], [])
		workbook = openpyxl.load_workbook(
			io.BytesIO(self.export_report("Excel", filters, report_export.export_query))
		)
		cells = [cell for row in workbook.active.iter_rows() for cell in row]
		self.assertEqual([c.coordinate for c in cells if c.data_type == "f" or unsafe_cell(c.value)], [])

	def test_a_harmless_report_exports_byte_for_byte_as_frappe_does(self):
		patient, _enrollment = self.enrolled_patient("Plain Export")
		close_month(LAST_MONTH, now=True)
		filters = {"month": str(LAST_MONTH), "patient": patient}
		ours = self.export_report("CSV", filters, report_export.export_query)
		self.assertEqual(ours, self.export_report("CSV", filters, query_report.export_query))
		self.assertIn(b"Plain Export", ours)

	def test_another_apps_report_is_exported_by_frappe(self):
		self.assertTrue(report_export.is_app_report("Care Management Billing"))
		self.assertFalse(report_export.is_app_report("General Ledger"))
		self.assertEqual(
			frappe.get_hooks("override_whitelisted_methods")["frappe.desk.query_report.export_query"],
			["care_management.overrides.report_export.export_query"],
		)


class TestHostileResourcesInTheHSDSPackage(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_an_hsds_feed_of_hostile_names_exports_a_package_of_safe_cells(self):
		names = [*FORMULAS, TEMPLATE, RTL, LONG, "Food <b>Bank</b> =SUM(1)"]
		services = [
			{
				**json.loads(json.dumps(SERVICE)),
				"id": f"0f2c1a44-0000-4000-8000-{0x310 + n:012x}",
				"name": name,
			}
			for n, name in enumerate(names)
		]
		services[0]["description"] = FORMULAS[1]
		services[1]["organization"] = {**SERVICE["organization"], "name": FORMULAS[3]}
		result = import_file(services)
		self.assertEqual(result.created_count, len(names), [(p.row, p.reason) for p in result.problems])
		stored = frappe.get_all(
			"Community Resource",
			filters={"hsds_service_id": ("in", [s["id"] for s in services])},
			pluck="resource_name",
		)
		self.assertTrue(any(name.startswith("=") for name in stored), stored)
		files = export_csv_package()
		with zipfile.ZipFile(io.BytesIO(frappe.response["filecontent"])) as archive:
			for file in archive.namelist():
				if file.endswith(".csv"):
					text = archive.read(file).decode()
					self.assertEqual([c for c in csv_cells(text) if unsafe_cell(c)], [], file)
		# Read back (as the HSDS import does), the names are the stored ones.
		exported = {row["name"] for row in read_csv(files["services.csv"])}
		self.assertTrue(set(stored) <= exported, set(stored) - exported)

	def test_a_csv_package_with_formula_cells_imports_and_exports_them_as_text(self):
		first = export_csv_package()  # the directory as it is, to extend with hostile rows
		package = {name: text for name, text in first.items()}
		org_id, service_id = "0f2c1a44-0000-4000-8000-000000000411", "0f2c1a44-0000-4000-8000-000000000412"
		package["organizations.csv"] = (
			f'id,name,description\r\n{org_id},"{FORMULAS[0].replace(chr(34), chr(34) * 2)}",Org\r\n'
		)
		package["services.csv"] = (
			f"id,organization_id,name,status,description\r\n{service_id},{org_id},@SUM(1;2),active,-1+1\r\n"
		)
		for name in ("service_at_location.csv", "locations.csv", "addresses.csv", "phones.csv"):
			package.pop(name, None)
		result = import_file(package=package)
		self.assertEqual(result.created_count, 1, [(p.row, p.reason) for p in result.problems])
		resource = frappe.db.get_value(
			"Community Resource", {"hsds_service_id": service_id}, ["resource_name", "organization_name"]
		)
		self.assertEqual(resource, ("@SUM(1;2)", FORMULAS[0]))
		files = export_csv_package()
		self.assertIn("'@SUM(1;2)", files["services.csv"])
		self.assertEqual([c for c in csv_cells(files["services.csv"]) if unsafe_cell(c)], [])


class TestRefusalsShowHostileNamesAsText(ShowsAsText, FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.practitioner = make_practitioner("Hostile Names Doctor")
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.clear_messages()
		name_patients_by_series()

	def tearDown(self):
		frappe.db.rollback()
		forget_settings()

	def hostile_patient(self, first_name: str = RAW_MARKUP) -> tuple[str, str]:
		"""A patient typed with markup through frappe.client (Frappe's own filter leaves
		`<img src="x">` of it), then given the whole payload, as a direct SQL import or
		a record saved before that filter would leave it."""
		patient = client_insert({"doctype": "Patient", "first_name": first_name, "sex": "Female"})
		frappe.db.set_value("Patient", patient, "patient_name", first_name)
		return patient, first_name

	def test_a_log_linked_to_another_patients_plan_names_the_patient_as_text(self):
		patient, name = self.hostile_patient()
		other = make_patient("Plain Other").name
		plan = make_care_plan(other, self.practitioner).name
		log = frappe.get_doc(
			{
				"doctype": "Outreach Log",
				"patient": patient,
				"care_plan": plan,
				"performed_by": "Administrator",
				"activity_type": "Phone Call",
				"start": frappe.utils.add_to_date(frappe.utils.now_datetime(), hours=-1),
				"outcome": "Reached",
			}
		)
		with self.assertRaises(frappe.ValidationError) as context:
			log.insert()
		self.assertShownAsText(message_of(context), name)

	def test_a_second_care_plan_and_enrollment_name_the_patient_and_link_as_text(self):
		patient, name = self.hostile_patient(MARKUP[2])
		first = make_care_plan(patient, self.practitioner)
		with self.assertRaises(frappe.ValidationError) as context:
			make_care_plan(patient, self.practitioner)
		self.assertShownAsText(message_of(context), name)
		# The first plan's link is titled with the name as that plan stored it.
		self.assertIn(f"Care Plan {escape_html(first.patient_name)}</a>", message_of(context))
		make_enrollment(patient, self.practitioner)
		with self.assertRaises(frappe.ValidationError) as context:
			make_enrollment(patient, self.practitioner)
		self.assertShownAsText(message_of(context), name)

	def test_a_caregiver_typed_with_markup_is_refused_as_text(self):
		# Validation runs before Frappe's own filter: the message sees what was typed.
		patient, _name = self.hostile_patient("Plain Caregiver Patient")
		with self.assertRaises(frappe.ValidationError) as context:
			make_care_plan(
				patient,
				self.practitioner,
				caregivers=[{"caregiver_name": MARKUP[1], "relationship": "Daughter", "consent_to_share": 1}],
			)
		self.assertShownAsText(message_of(context), MARKUP[1])

	def test_a_payer_customer_typed_with_markup_is_refused_as_text(self):
		with customers_named_by_series(), self.assertRaises(frappe.ValidationError) as context:
			frappe.get_doc(
				{"doctype": "Customer", "customer_name": MARKUP[3], "customer_type": "Company", "is_payer": 1}
			).insert()
		self.assertShownAsText(message_of(context), MARKUP[3])

	def test_a_second_timer_names_the_patient_as_text(self):
		patient, _name = self.hostile_patient()
		running = start_timer(patient=patient)
		with self.assertRaises(frappe.ValidationError) as context:
			start_timer(patient=make_patient("Plain Timer").name)
		# The log keeps the name as Frappe's filter left it when the log was saved.
		self.assertShownAsText(message_of(context), running["patient_name"])

	def test_an_invoiced_month_names_the_patient_as_text(self):
		log = frappe._dict(
			start=frappe.utils.now_datetime(), program=None, patient="PID-1", patient_name=RAW_MARKUP
		)
		invoiced = frappe._dict(name="CBR-1", sales_invoice=MARKUP[1])
		with patch.object(frappe.db, "get_value", return_value=invoiced):
			with self.assertRaises(frappe.ValidationError) as context:
				refuse_if_invoiced(log)
		self.assertShownAsText(message_of(context), RAW_MARKUP)
		self.assertIn(escape_html(MARKUP[1]), message_of(context))

	def test_the_screening_link_message_names_the_patient_as_text(self):
		patient, _name = self.hostile_patient()
		invitation = frappe.get_doc(
			{"doctype": "Screening Invitation", "patient": patient, "instrument": "PHQ-2"}
		).insert()
		shown = " ".join(str(m.get("message")) for m in frappe.get_message_log())
		self.assertShownAsText(shown, invitation.patient_name)

	def test_the_patients_printed_plan_shows_typed_markup_as_text(self):
		# `<b>` survives Frappe's own filter on save; the print format escapes it.
		patient, name = self.hostile_patient(MARKUP[1])
		plan = make_care_plan(
			patient,
			self.practitioner,
			goals=[{"goal": MARKUP[1], "target": TEMPLATE}],
			caregivers=[{"caregiver_name": MARKUP[1], "relationship": "Son"}],
		)
		frappe.db.set_value("Care Plan", plan.name, "patient_name", name)
		printed = frappe.get_print("Care Plan", plan.name, print_format="Care Plan for Patients")
		self.assertShownAsText(printed, name)
		self.assertIn("{{ 7*7 }}", printed)  # a target is data, never a template

	def test_the_link_fields_search_shows_the_patients_name_as_text(self):
		# The desk's link dropdown draws each result's description as HTML.
		from care_management.overrides.link_search import search_link

		self.assertEqual(
			frappe.get_hooks("override_whitelisted_methods")["frappe.desk.search.search_link"],
			["care_management.overrides.link_search.search_link"],
		)
		patient, name = self.hostile_patient()
		found = [r for r in search_link("Patient", patient) if r["value"] == patient]
		self.assertEqual(len(found), 1, found)
		self.assertShownAsText(found[0]["description"], name)

	def test_desk_links_escape_the_title(self):
		patient, name = self.hostile_patient()
		plan = make_care_plan(patient, self.practitioner).name
		frappe.db.set_value("Care Plan", plan, "patient_name", name)
		link = desk_link("Care Plan", plan)
		self.assertShownAsText(link, name)
		self.assertIn(f'href="/app/care-plan/{plan}"', link)
		# Frappe's own link writes the title as stored: the reason for desk_link.
		self.assertIn(name, frappe.get_desk_link("Care Plan", plan))

	def test_the_red_flag_notification_and_email_templates_escape_names(self):
		from care_management.setup.email_templates import OVERDUE_DIGEST, SCREENING_LINK

		doc = frappe._dict(
			performed_by=RAW_MARKUP, patient_name=MARKUP[2], red_flag_reason=MARKUP[3], outcome="Reached"
		)
		notification = frappe.get_doc("Notification", "Outreach Red Flag")
		for template in (notification.subject, notification.get_template(md_as_html=True)):
			rendered = frappe.render_template(template, {"doc": doc})
			self.assertEqual(markup_in(rendered), [], rendered)
		rendered = frappe.render_template(
			SCREENING_LINK["response_html"],
			{"patient_name": RAW_MARKUP, "link": "x", "expires_on": "2026-01-01"},
		)
		self.assertShownAsText(rendered.replace("&#34;", "&quot;"), RAW_MARKUP)
		rendered = frappe.render_template(
			OVERDUE_DIGEST["response_html"],
			{
				"care_manager": MARKUP[1],
				"as_of": "2026-01-01",
				"patients": [frappe._dict(patient_name=RAW_MARKUP, risk_tier=MARKUP[3], programs=TEMPLATE)],
			},
		)
		self.assertEqual(markup_in(rendered), [], rendered)
		self.assertIn("{{ 7*7 }}", rendered)  # a name is data, never a template


class TestHostileNamesOverREST(ShowsAsText, FrappeAPITestCase):
	"""A real HTTP call through Frappe's test client. It runs in another thread with
	its own database connection, so what it makes is committed and deleted after."""

	# A test client of its own: FrappeAPITestCase's is one for every API test class, and
	# this class's requests leave an Administrator session cookie in it, which later
	# classes' requests (signed in by token as a patient) would be answered as.
	TEST_CLIENT = get_test_client()

	created: list[tuple[str, str]] = []

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.settings = frappe.db.get_singles_dict("Healthcare Settings")
		name_patients_by_series()
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		for doctype, name in reversed(cls.created):
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
		frappe.db.set_single_value(
			"Healthcare Settings",
			{key: cls.settings.get(key) for key in ("patient_name_by", "link_customer_to_patient")},
		)
		frappe.db.commit()
		forget_settings()
		super().tearDownClass()

	def post_doc(self, doctype: str, doc: dict):
		response = self.post(self.resource(doctype), {**doc, "sid": self.sid})
		if response.status_code == 200:
			self.created.append((doctype, response.json["data"]["name"]))
		return response

	def test_a_patient_posted_with_markup_is_refused_later_as_text(self):
		practitioner = make_practitioner("Hostile REST Doctor")
		frappe.db.commit()
		response = self.post_doc("Patient", {"first_name": RAW_MARKUP, "sex": "Female"})
		self.assertEqual(response.status_code, 200, response.text)
		patient = response.json["data"]["name"]
		stored = response.json["data"]["patient_name"]
		self.assertNotIn("onerror", stored)  # Frappe's own filter took the handler
		plan = {
			"patient": patient,
			"supervising_practitioner": practitioner,
			"start_date": frappe.utils.today(),
			"next_review_date": frappe.utils.add_days(frappe.utils.today(), 90),
		}
		self.assertEqual(self.post_doc("Care Plan", plan).status_code, 200)
		response = self.post_doc("Care Plan", plan)
		self.assertEqual(response.status_code, 417, response.text)
		messages = [json.loads(m)["message"] for m in json.loads(response.json["_server_messages"])]
		self.assertShownAsText(" ".join(messages), stored)
