# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import json
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.care_management.doctype.hsds_import.hsds_import import export_hsds_json
from care_management.domain.hsds import resource_from_service

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


def import_file(services) -> "frappe.model.document.Document":
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"hsds-{frappe.generate_hash(length=6)}.json",
			"content": json.dumps(services),
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
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
		first = import_file([SERVICE, bad])
		self.assertEqual(
			(first.status, first.created_count, first.updated_count, first.skipped_count),
			("Completed", 1, 0, 1),
		)
		self.assertEqual([(p.row, p.field) for p in first.problems], [(2, "status")])
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
		import_file([SERVICE])
		services = export_hsds_json()
		ours = next(s for s in services if s["id"] == SERVICE["id"])
		again, problems = resource_from_service(ours)
		self.assertEqual(problems, [])
		self.assertEqual(again["resource_name"], "Eastside Pantry")
		schema_path = (
			Path(frappe.get_app_path("care_management")).parents[1]
			/ ".."
			/ "shared"
			/ "data"
			/ "hsds-3.0"
			/ "schema"
			/ "compiled"
			/ "service.json"
		)
		try:
			import jsonschema
		except ImportError:
			return
		if schema_path.exists():
			jsonschema.validate(ours, json.loads(schema_path.read_text()))

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
