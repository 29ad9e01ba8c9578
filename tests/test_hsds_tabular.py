"""HSDS 3.0 CSV data packages: the official example imports, broken rows are
reported and skipped, and what we export passes the HSDS tabular schema."""

import json
import uuid
from pathlib import Path

import pytest
from hsds_examples import official_service, on_earth, package_on_earth

from care_management.domain.hsds import resource_from_service, service_from_resource
from care_management.domain.hsds_tabular import (
	TABLES,
	package_files,
	read_csv,
	services_from_tables,
	tables_from_files,
)

HSDS = Path(__file__).resolve().parent / "fixtures" / "hsds-3.0"
EXAMPLE_SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def official_package() -> dict[str, str]:
	"""The official package, its location moved into range (see hsds_examples.py)."""
	return package_on_earth()


def with_rows(files: dict[str, str], file: str, *lines: str) -> dict[str, str]:
	return {**files, file: files[file].rstrip("\n") + "\n" + "\n".join(lines) + "\n"}


def test_the_official_csv_package_imports_like_its_json_example():
	services, problems = services_from_tables(tables_from_files(official_package()))
	assert problems == []
	((line, service),) = services
	assert (line, service["id"]) == (2, EXAMPLE_SERVICE_ID)
	from_csv, problems = resource_from_service(service)
	from_json, _ = resource_from_service(on_earth(official_service()))
	assert problems == []
	for field in (
		"hsds_service_id", "hsds_organization_id", "hsds_location_id", "hsds_service_at_location_id",
		"resource_name", "organization_name", "status", "postal_code", "city", "phone", "email",
	):  # fmt: skip
		assert from_csv[field] == from_json[field], field
	assert from_csv["schedule"].startswith("The service is available from 10 am to 6pm")


def test_broken_rows_are_reported_with_file_line_and_field_and_the_rest_imports():
	files = with_rows(
		official_package(),
		"services.csv",
		# line 3: a status HSDS does not have
		"11111111-1111-4111-8111-111111111111,d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,,Food Bank,,,,,open,,,,,,,,,,,,,,",
		# line 4: an organization that is not in organizations.csv
		"22222222-2222-4222-8222-222222222222,99999999-9999-4999-8999-999999999999,,Pantry,,,,,active,,,,,,,,,,,,,,",
		# line 5: fine
		"33333333-3333-4333-8333-333333333333,d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,,Ride Line,,,,,active,,,,,,,,,,,,,,",
	)
	files = with_rows(
		files,
		"locations.csv",
		"44444444-4444-4444-8444-444444444444,physical,,,Depot,,,,north,-89.6,,",
	)
	files = with_rows(
		files,
		"service_at_location.csv",
		"55555555-5555-4555-8555-555555555555,33333333-3333-4333-8333-333333333333,44444444-4444-4444-8444-444444444444,",
	)
	services, problems = services_from_tables(tables_from_files(files))
	assert [(p.file, p.row, p.field) for p in problems] == [
		("locations.csv", 3, "latitude"),
		("services.csv", 4, "organization_id"),
	]
	assert [line for line, _service in services] == [2, 3, 5]
	status_problem = resource_from_service(services[1][1])[1]
	assert [field for field, _reason in status_problem] == ["status"]
	# The location whose latitude is no number keeps its place, without coordinates.
	ride_line, problems = resource_from_service(services[2][1])
	assert problems == []
	assert ride_line["hsds_location_id"] == "44444444-4444-4444-8444-444444444444"
	assert (ride_line["latitude"], ride_line["longitude"]) == (None, None)


def test_missing_required_cells_and_repeated_ids_are_problems():
	files = with_rows(official_package(), "phones.csv", "66666666-6666-4666-8666-666666666666,,,,,,,,voice,")
	files = with_rows(
		files,
		"organizations.csv",
		"d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,Copy,,,,,,,,,,,",
	)
	_services, problems = services_from_tables(tables_from_files(files))
	assert [(p.file, p.row, p.field) for p in problems] == [
		("organizations.csv", 3, "id"),
		("phones.csv", 3, "number"),
	]


def test_read_csv_strips_cells_and_the_byte_order_mark():
	assert read_csv("\ufeffid,name\n x , \n") == [{"id": "x", "name": None}]


def exported_package() -> dict[str, str]:
	imported, _ = resource_from_service(on_earth(official_service()))
	ours = {
		"name": "x1", "resource_name": "Eastside Pantry", "organization_name": "Eastside Churches", "status": "active",
		"phone": "555-0100", "address_1": "1 Main St", "city": "Springfield", "state_province": "IL",
		"postal_code": "62701", "latitude": 39.8, "longitude": -89.6, "languages": "English, Spanish",
		"schedule": "Tuesdays 9–12", "service_area_postal_codes": "62701\n62702", "service_area_counties": "Sangamon County",
		"needs": [{"need_category": "Food", "taxonomy_code": "BD-1800", "taxonomy_name": "Food Pantries"}],
	}  # fmt: skip
	# As stored before coordinates could be empty: 0,0 for "not known", ids from a feed that are no UUIDs.
	legacy = {
		"name": "x2", "resource_name": "Westside Rides", "organization_name": "Westside Transit", "status": "active",
		"hsds_service_id": "svc-17", "hsds_organization_id": "org 4", "hsds_location_id": "loc/9",
		"hsds_service_at_location_id": "sal-9", "address_1": "9 Oak St", "city": "Springfield",
		"state_province": "IL", "postal_code": "62704", "latitude": "0.000000000", "longitude": "0.000000000",
		"needs": [{"need_category": "Transportation"}],
	}  # fmt: skip
	nowhere = {
		"name": "x3", "resource_name": "Phone Line", "organization_name": "Helpers", "status": "active",
		"latitude": None, "longitude": None, "needs": [],
	}  # fmt: skip
	return package_files(
		[service_from_resource(r) for r in ({**imported, "name": "y"}, ours, legacy, nowhere)]
	)


def typed(row: dict, schema: dict) -> dict:
	"""A CSV row as the tabular schema types it (what a CSV validator does)."""
	out = {}
	for key, value in row.items():
		if value == "":
			continue
		kind = schema["properties"][key].get("type")
		out[key] = float(value) if kind == "number" else value
	return out


def test_the_exported_package_passes_the_hsds_tabular_schema():
	jsonschema = pytest.importorskip("jsonschema")
	tabular = json.loads((HSDS / "schema" / "tabular.json").read_text())["properties"]
	files = exported_package()
	descriptor = json.loads(files.pop("datapackage.json"))
	assert sorted(r["path"] for r in descriptor["resources"]) == sorted(files)
	checked = 0
	for table, (file, _columns) in TABLES.items():
		if file not in files:
			continue
		schema = tabular[table]["items"]
		assert schema["path"] == file
		rows = read_csv(files[file])
		header = files[file].splitlines()[0].split(",")
		assert set(header) <= set(schema["properties"]), file
		assert set(schema["required"]) <= set(header), file
		for row in rows:
			cells = {k: "" if v is None else v for k, v in row.items()}
			jsonschema.validate(typed(cells, schema), schema, format_checker=jsonschema.FormatChecker())
			checked += 1
	assert checked > 15


def test_a_row_the_schema_refuses_is_caught_by_the_same_check():
	jsonschema = pytest.importorskip("jsonschema")
	schema = json.loads((HSDS / "schema" / "tabular.json").read_text())["properties"]["service"]["items"]
	with pytest.raises(jsonschema.ValidationError):
		jsonschema.validate({"id": EXAMPLE_SERVICE_ID, "name": "No status"}, schema)


def test_export_then_import_round_trips_every_field_we_keep():
	services, problems = services_from_tables(tables_from_files(exported_package()))
	assert problems == []
	pantry, problems = resource_from_service(next(s for _l, s in services if s["name"] == "Eastside Pantry"))
	assert problems == []
	assert pantry["service_area_postal_codes"] == "62701\n62702"
	assert pantry["service_area_counties"] == "Sangamon County"
	assert pantry["schedule"] == "Tuesdays 9–12"
	assert pantry["languages"] == "English, Spanish"
	assert pantry["phone"] == "555-0100"
	assert [n["need_category"] for n in pantry["needs"]] == ["Food"]
	assert (pantry["latitude"], pantry["longitude"], pantry["postal_code"]) == ("39.8", "-89.6", "62701")


def test_the_export_writes_no_position_it_does_not_know_and_only_uuids():
	files = exported_package()
	locations = read_csv(files["locations.csv"])
	# Eastside Pantry's and the example's (moved into range) positions; Westside's 0,0 is
	# no position, and the Phone Line, with neither address nor coordinates, has no location.
	assert sorted((row["latitude"] or "", row["longitude"] or "") for row in locations) == [
		("", ""),
		("39.7817", "-89.6501"),
		("39.8", "-89.6"),
	]
	assert "Phone Line" not in files["locations.csv"]
	for file, text in files.items():
		if file.endswith(".csv"):
			for row in read_csv(text):
				for column, value in row.items():
					if value and (column == "id" or column.endswith("_id")):
						assert uuid.UUID(value), (file, column, value)


def test_a_coordinate_out_of_range_is_a_row_problem_and_the_location_stays():
	files = package_on_earth()
	files["locations.csv"] = files["locations.csv"].replace(",39.7817,-89.6501,", ",62703,39.7966,")
	services, problems = services_from_tables(tables_from_files(files))
	assert [(p.file, p.row, p.field, p.reason) for p in problems] == [
		(
			"locations.csv",
			2,
			"latitude",
			"62703 is outside -90..90, the range of a latitude in degrees; the coordinates are left out",
		)
	]
	resource, problems = resource_from_service(services[0][1])
	assert problems == []
	assert (resource["latitude"], resource["longitude"]) == (None, None)
	assert resource["hsds_location_id"] and resource["address_1"]


def test_the_demo_sample_package_has_its_coordinates_in_their_columns():
	sample = Path(__file__).resolve().parent.parent / "care_management" / "demo" / "hsds_sample"
	files = {path.name: path.read_text() for path in sample.glob("*.csv")}
	_services, problems = services_from_tables(tables_from_files(files))
	coordinate_problems = [(p.row, p.field) for p in problems if p.file == "locations.csv"]
	assert coordinate_problems == [(7, "latitude")]  # the Warehouse's "north of 5th St", on purpose
	for row in read_csv(files["locations.csv"])[:5]:
		assert 39 < float(row["latitude"]) < 40 and -90 < float(row["longitude"]) < -89
