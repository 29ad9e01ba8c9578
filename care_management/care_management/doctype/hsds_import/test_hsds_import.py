# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import io
import json
import zipfile
from pathlib import Path
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from rq.timeouts import JobTimeoutException

from care_management.api.hsds_export import export_csv_package, export_json
from care_management.care_management.doctype.hsds_import import hsds_import
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


def four_services() -> list[dict]:
	"""Four well-formed services of their own ids, for a test to break one of."""
	return [
		{
			**json.loads(json.dumps(SERVICE)),
			"id": f"0f2c1a44-0000-4000-8000-{0x170 + n:012x}",
			"name": f"Pantry {n}",
		}
		for n in range(1, 5)
	]


def run_again(doc) -> "frappe.model.document.Document":
	doc = frappe.get_doc("HSDS Import", doc.name)
	doc.flags.run_now = True
	doc.run_again()
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
		jsonschema.validate(ours, schema, format_checker=jsonschema.FormatChecker())

	def test_a_term_id_with_two_meanings_and_a_zip_for_a_latitude_are_reported(self):
		services = four_services()
		services[0]["attributes"] = [
			{"taxonomy_term": {"id": "t1", "code": "BD-1800", "name": "Food Pantries"}}
		]
		services[2]["attributes"] = [{"taxonomy_term": {"id": "t1", "code": "BH-3800", "name": "Rent Help"}}]
		location = services[3]["service_at_locations"][0]["location"]
		location["latitude"], location["longitude"] = 62703, 39.7966
		result = import_file(services)
		self.assertEqual((result.created_count, result.skipped_count), (4, 0))
		self.assertEqual(
			[(p.row, p.field) for p in result.problems],
			[(3, "attributes.taxonomy_term.id"), (4, "service_at_locations.location.latitude")],
		)
		self.assertIn(
			"'t1' is 'Rent Help' ('BH-3800') here but was 'Food Pantries'", result.problems[0].reason
		)
		self.assertIn("62703 is outside -90..90", result.problems[1].reason)
		# The service imports without a position, and its needs come from its own term.
		kept = frappe.get_doc("Community Resource", {"hsds_service_id": services[3]["id"]})
		self.assertEqual((kept.latitude, kept.longitude), (None, None))
		rent = frappe.get_doc("Community Resource", {"hsds_service_id": services[2]["id"]})
		self.assertEqual([n.need_category for n in rent.needs], ["Housing"])

	def test_the_form_refuses_coordinates_out_of_range_naming_the_field(self):
		resource = frappe.get_doc(
			{
				"doctype": "Community Resource",
				"resource_name": "Coordinates Pantry",
				"organization_name": "Eastside Churches",
				"status": "active",
			}
		)
		for latitude, longitude, field in (
			("62703", "-89.6", "Latitude"),
			("39.8", "200", "Longitude"),
			("north", "1", "Latitude"),
		):
			resource.latitude, resource.longitude = latitude, longitude
			with self.assertRaises(frappe.ValidationError) as refused:
				resource.insert()
			self.assertTrue(str(refused.exception).startswith(f"{field}: "), str(refused.exception))
		resource.latitude, resource.longitude = "39.8", ""
		self.assertRaisesRegex(frappe.ValidationError, "both Latitude and Longitude", resource.insert)
		resource.latitude, resource.longitude = "<b>x</b>", "1"
		with self.assertRaises(frappe.ValidationError) as refused:
			resource.insert()
		self.assertNotIn("<b>x", str(refused.exception))
		resource.latitude, resource.longitude = " 39.781700000 ", "-89.65"
		resource.insert()
		self.assertEqual((resource.latitude, resource.longitude), ("39.7817", "-89.65"))
		# 0,0 is no position: kept empty, and the export sends none.
		resource.latitude, resource.longitude = "0", "0.0"
		resource.save()
		self.assertEqual(
			frappe.db.get_value("Community Resource", resource.name, ["latitude", "longitude"]), (None, None)
		)

	def test_the_patch_empties_0_0_where_no_address_backs_it(self):
		from care_management.patches.v0_13 import community_resource_coordinates_nullable as patch_module

		names = {}
		for key, address_1, latitude, longitude in (
			("bare", None, "0.000000000", "0.000000000"),
			("addressed", "1 Main St", "0.000000000", "0.000000000"),
			("placed", None, "39.781700000", "-89.650000000"),
		):
			doc = frappe.get_doc(
				{
					"doctype": "Community Resource",
					"resource_name": f"Patch {key}",
					"organization_name": "Patch Org",
					"status": "active",
					"address_1": address_1,
				}
			).insert()
			# As the Float columns left them, turned to text by model sync.
			frappe.db.set_value(
				"Community Resource", doc.name, {"latitude": latitude, "longitude": longitude}
			)
			names[key] = doc.name
		patch_module.execute()
		patch_module.execute()  # idempotent
		values = {
			key: frappe.db.get_value("Community Resource", name, ["latitude", "longitude"])
			for key, name in names.items()
		}
		self.assertEqual(values["bare"], (None, None))
		self.assertEqual(values["addressed"], ("0", "0"))
		self.assertEqual(values["placed"], ("39.7817", "-89.65"))
		exported = {s["name"]: s for s in export_json()}
		addressed = exported["Patch addressed"]["service_at_locations"][0]["location"]
		self.assertNotIn("latitude", addressed)
		self.assertNotIn("service_at_locations", exported["Patch bare"])

	def test_csv_package_imports_reports_broken_rows_and_exports_back(self):
		package = {path.name: path.read_text() for path in (HSDS / "examples" / "csv").glob("*.csv")}
		package["services.csv"] += (
			"ffffffff-0000-4000-8000-000000000001,d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,,Ride Line,,,,,closed,,,,,,,,,,,,,,\n"
		)
		package["locations.csv"] += "ffffffff-0000-4000-8000-000000000002,physical,,,Depot,,,,north,1,,\n"
		first = import_file(package=package)
		self.assertEqual(first.status, "Completed")
		# The example's location is at latitude 100 and the Depot's is "north": both are
		# reported and kept without coordinates; only the closed service is left out.
		self.assertEqual((first.created_count, first.updated_count, first.skipped_count), (1, 0, 1))
		self.assertEqual(
			sorted((p.file, p.row, p.field) for p in first.problems),
			[
				("locations.csv", 2, "latitude"),
				("locations.csv", 3, "latitude"),
				("services.csv", 3, "status"),
			],
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

	def test_phones_given_as_strings_leave_out_that_phone_and_the_rest_imports(self):
		# Issue #17: this row raised AttributeError, left the import Running and lost the rows after it.
		services = four_services()
		services[1]["phones"] = ["555-1234"]
		result = import_file(services)
		self.assertEqual(result.status, "Completed")
		# Phones are optional: the service imports without them, and the problem says what was left out.
		self.assertEqual((result.created_count, result.updated_count, result.skipped_count), (4, 0, 0))
		self.assertEqual(
			[(p.row, p.hsds_id, p.field) for p in result.problems], [(2, services[1]["id"], "phones")]
		)
		self.assertEqual(result.problems[0].reason, "item 1 is text, not a phone object; left out")
		self.assertFalse(
			frappe.db.get_value("Community Resource", {"hsds_service_id": services[1]["id"]}, "phone")
		)
		for service in services:
			self.assertTrue(frappe.db.exists("Community Resource", {"hsds_service_id": service["id"]}))

	def test_a_name_that_is_a_number_skips_only_that_service(self):
		services = four_services()
		services[1]["name"] = 42
		result = import_file(services)
		self.assertEqual(result.status, "Completed")
		self.assertEqual((result.created_count, result.updated_count, result.skipped_count), (3, 0, 1))
		self.assertEqual(
			[(p.row, p.hsds_id, p.field, p.reason) for p in result.problems],
			[(2, services[1]["id"], "name", "is a number, not text")],
		)
		self.assertFalse(frappe.db.exists("Community Resource", {"hsds_service_id": services[1]["id"]}))
		for service in (services[0], *services[2:]):
			self.assertTrue(frappe.db.exists("Community Resource", {"hsds_service_id": service["id"]}))

	def test_an_unexpected_error_in_one_row_is_that_rows_problem_and_undone(self):
		services = four_services()
		save_resource = hsds_import.save_resource

		def fails_after_saving_the_second(resource, existing):
			outcome = save_resource(resource, existing)
			if resource["hsds_service_id"] == services[1]["id"]:
				raise RuntimeError("disk on fire")
			return outcome

		with patch.object(hsds_import, "save_resource", side_effect=fails_after_saving_the_second):
			result = import_file(services)
		self.assertEqual(result.status, "Completed")
		self.assertEqual((result.created_count, result.updated_count, result.skipped_count), (3, 0, 1))
		self.assertEqual([(p.row, p.hsds_id, p.field) for p in result.problems], [(2, services[1]["id"], "")])
		self.assertIn("RuntimeError: disk on fire", result.problems[0].reason)
		# What the failed row had saved was rolled back with it.
		self.assertFalse(frappe.db.exists("Community Resource", {"hsds_service_id": services[1]["id"]}))

	def test_a_job_that_dies_ends_failed_with_the_reason_and_runs_again(self):
		services = four_services()
		with patch.object(hsds_import, "existing_resources", side_effect=RuntimeError("lost the database")):
			failed = import_file(services)
		self.assertEqual(failed.status, "Failed")
		self.assertIn("RuntimeError: lost the database", failed.failure_reason)
		self.assertEqual((failed.created_count, failed.skipped_count, len(failed.problems)), (0, 0, 0))

		again = run_again(failed)
		self.assertEqual((again.status, again.failure_reason), ("Completed", None))
		self.assertEqual((again.created_count, again.updated_count, again.skipped_count), (4, 0, 0))

		# A Completed import runs again too, and updates what it created.
		third = run_again(again)
		self.assertEqual((third.status, third.created_count, third.updated_count), ("Completed", 0, 4))

	def test_a_parser_that_raises_fails_the_import_and_a_rerun_succeeds(self):
		with patch.object(hsds_import, "read_source", side_effect=ValueError("parser exploded")):
			failed = import_file(four_services())
		self.assertEqual(failed.status, "Failed")
		self.assertIn("parser exploded", failed.failure_reason)
		self.assertEqual([(p.field, p.row) for p in failed.problems], [("source_file", 0)])

		again = run_again(failed)
		self.assertEqual((again.status, again.created_count, len(again.problems)), ("Completed", 4, 0))

	def test_a_job_out_of_time_keeps_none_of_its_rows(self):
		services = four_services()
		save_resource = hsds_import.save_resource

		def times_out_on_the_last(resource, existing):
			if resource["hsds_service_id"] == services[3]["id"]:
				raise JobTimeoutException("Task exceeded maximum timeout value (1500 seconds)")
			return save_resource(resource, existing)

		with patch.object(hsds_import, "save_resource", side_effect=times_out_on_the_last):
			failed = import_file(services)
		self.assertEqual(failed.status, "Failed")
		self.assertIn("timeout", failed.failure_reason)
		# The rows saved before the job died are undone: a re-run starts from the same place.
		for service in services:
			self.assertFalse(frappe.db.exists("Community Resource", {"hsds_service_id": service["id"]}))
		self.assertEqual(run_again(failed).created_count, 4)

	def test_an_import_still_running_is_not_started_twice(self):
		doc = import_file(four_services())
		doc.db_set("status", "Running")
		with patch.object(hsds_import, "is_job_enqueued", return_value=True):
			self.assertRaises(frappe.ValidationError, run_again, doc)

	def test_feed_markup_is_never_stored_the_text_around_it_is(self):
		services = four_services()[:2]
		services[0]["name"] = "<img src=x onerror=alert(1)>"
		services[1]["name"] = "Food <img src=x onerror=alert(1)>Pantry"
		result = import_file(services)
		self.assertEqual((result.created_count, result.skipped_count), (1, 1))
		reasons = [(p.row, p.field, p.reason) for p in result.problems]
		self.assertIn((1, "name", "is markup with no text in it"), reasons)
		self.assertTrue(any(row == 2 and "held markup" in reason for row, _, reason in reasons), reasons)
		name = frappe.db.get_value(
			"Community Resource", {"hsds_service_id": services[1]["id"]}, "resource_name"
		)
		self.assertEqual(name, "Food Pantry")
