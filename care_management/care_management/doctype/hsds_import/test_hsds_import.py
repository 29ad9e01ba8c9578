# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import io
import json
import zipfile
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.api.hsds_export import export_csv_package, export_json
from care_management.domain.hsds import resource_from_service
from care_management.domain.hsds_tabular import read_csv

# The official HSDS 3.0 schemas and example CSV package, kept in the repository's tests.
HSDS = Path(frappe.get_app_path("care_management")).parent / "tests" / "fixtures" / "hsds-3.0"

SERVICE = {
	"id": "0f2c1a44-0000-4000-8000-000000000001",
	"name": "Eastside Pantry",
	"status": "active",
	"description": "Weekly groceries",
	"organization": {
		"id": "0f2c1a44-0000-4000-8000-0000000000aa",
		"name": "Eastside Churches",
		"description": "Churches",
	},
	"attributes": [{"taxonomy_term": {"code": "BD-1800.2000", "name": "Food Pantries"}}],
	"service_at_locations": [
		{
			"id": "0f2c1a44-0000-4000-8000-0000000000bb",
			"location": {
				"id": "0f2c1a44-0000-4000-8000-0000000000cc",
				"location_type": "physical",
				"addresses": [
					{
						"address_1": "1 Main St",
						"city": "Springfield",
						"state_province": "IL",
						"postal_code": "62701",
						"country": "US",
						"address_type": "physical",
					}
				],
			},
		}
	],
}


def import_file(services=None, package: dict[str, str] | None = None) -> "frappe.model.document.Document":
	if package is None:
		name, content = f"hsds-{frappe.generate_hash(length=6)}.json", json.dumps(services)
	else:
		buffer = io.BytesIO()
		with zipfile.ZipFile(buffer, "w") as archive:
			for file_name, text in package.items():
				archive.writestr(file_name, text)
		name, content = f"hsds-{frappe.generate_hash(length=6)}.zip", buffer.getvalue()
	file = frappe.get_doc({"doctype": "File", "file_name": name, "content": content, "is_private": 1}).insert(
		ignore_permissions=True
	)
	doc = frappe.new_doc("HSDS Import")
	doc.source_file = file.file_url
	doc.flags.run_now = True
	doc.insert()
	return frappe.get_doc("HSDS Import", doc.name)


class TestHSDSImport(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_import_reimport_and_a_malformed_row(self):
		bad = {**SERVICE, "id": "0f2c1a44-0000-4000-8000-000000000002", "status": "open"}
		# Well-formed HSDS, but our own rule refuses it: reported, nothing of it kept.
		future = {**SERVICE, "id": "0f2c1a44-0000-4000-8000-000000000003", "assured_date": "2999-01-01"}
		first = import_file([SERVICE, bad, future])
		self.assertEqual(
			(first.status, first.created_count, first.updated_count, first.skipped_count),
			("Completed", 1, 0, 2),
		)
		self.assertEqual([(p.row, p.field) for p in first.problems], [(2, "status"), (3, "")])
		self.assertIn("future", first.problems[1].reason)
		self.assertFalse(frappe.db.exists("Community Resource", {"hsds_service_id": future["id"]}))
		resource = frappe.get_doc("Community Resource", {"hsds_service_id": SERVICE["id"]})
		self.assertEqual(
			(resource.postal_code, [n.need_category for n in resource.needs]), ("62701", ["Food"])
		)

		again = import_file([{**SERVICE, "description": "Groceries every Tuesday"}])
		self.assertEqual((again.created_count, again.updated_count), (0, 1))
		self.assertEqual(frappe.db.count("Community Resource", {"hsds_service_id": SERVICE["id"]}), 1)
		self.assertEqual(
			frappe.db.get_value("Community Resource", resource.name, "description"), "Groceries every Tuesday"
		)

	def test_export_round_trips_and_validates(self):
		import jsonschema

		import_file([SERVICE])
		services = export_json()
		ours = next(s for s in services if s["id"] == SERVICE["id"])
		again, problems = resource_from_service(ours)
		self.assertEqual(problems, [])
		self.assertEqual(again["resource_name"], "Eastside Pantry")
		schema = json.loads((HSDS / "schema" / "service_with_definitions.json").read_text())
		jsonschema.validate(ours, schema)

	def test_csv_package_imports_reports_broken_rows_and_exports_back(self):
		package = {path.name: path.read_text() for path in (HSDS / "examples" / "csv").glob("*.csv")}
		package["services.csv"] += (
			"ffffffff-0000-4000-8000-000000000001,d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,,Ride Line,,,,,closed,,,,,,,,,,,,,,\n"
		)
		package["locations.csv"] += "ffffffff-0000-4000-8000-000000000002,physical,,,Depot,,,,north,1,,\n"
		first = import_file(package=package)
		self.assertEqual(first.status, "Completed")
		self.assertEqual((first.created_count, first.updated_count, first.skipped_count), (1, 0, 2))
		self.assertEqual(
			sorted((p.file, p.row, p.field) for p in first.problems),
			[("locations.csv", 3, "latitude"), ("services.csv", 3, "status")],
		)
		resource = frappe.get_doc(
			"Community Resource", {"hsds_service_id": "ac148810-d857-441c-9679-408f346de14b"}
		)
		self.assertEqual(resource.hsds_location_id, "3a19ff88-4620-4d17-9830-ac1d859eb5d5")
		self.assertIn("10 am to 6pm", resource.schedule)

		again = import_file(package=package)
		self.assertEqual((again.created_count, again.updated_count), (0, 1))

		files = export_csv_package()
		services = read_csv(files["services.csv"])
		self.assertIn(resource.hsds_service_id, [row["id"] for row in services])
		self.assertIn("datapackage.json", files)
		self.assertEqual(frappe.response["content_type"], "application/zip")
		with zipfile.ZipFile(io.BytesIO(frappe.response["filecontent"])) as archive:
			self.assertIn("services.csv", archive.namelist())

	def test_a_file_that_is_neither_json_nor_zip_is_refused(self):
		doc = frappe.new_doc("HSDS Import")
		doc.source_file = "/private/files/resources.xlsx"
		self.assertRaisesRegex(frappe.ValidationError, "HSDS Export File", doc.insert)

	def test_an_unreadable_file_fails_with_the_reason(self):
		file = frappe.get_doc(
			{"doctype": "File", "file_name": "broken.json", "content": "{not json", "is_private": 1}
		).insert(ignore_permissions=True)
		doc = frappe.new_doc("HSDS Import")
		doc.source_file = file.file_url
		doc.flags.run_now = True
		doc.insert()
		doc.reload()
		self.assertEqual(doc.status, "Failed")
		self.assertEqual(doc.problems[0].field, "source_file")
