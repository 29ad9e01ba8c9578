"""HSDS 3.0 CSV data packages: the official example imports, broken rows are
reported and skipped, and what we export passes the HSDS tabular schema."""

import json
from pathlib import Path

import pytest

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
	return {path.name: path.read_text() for path in (HSDS / "examples" / "csv").glob("*.csv")}


def with_rows(files: dict[str, str], file: str, *lines: str) -> dict[str, str]:
	return {**files, file: files[file].rstrip("\n") + "\n" + "\n".join(lines) + "\n"}


def test_the_official_csv_package_imports_like_its_json_example():
	services, problems = services_from_tables(tables_from_files(official_package()))
	assert problems == []
	((line, service),) = services
	assert (line, service["id"]) == (2, EXAMPLE_SERVICE_ID)
	from_csv, problems = resource_from_service(service)
	from_json, _ = resource_from_service(json.loads((HSDS / "examples" / "service_full.json").read_text()))
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
		("service_at_location.csv", 3, "location_id"),
		("services.csv", 4, "organization_id"),
	]
	assert [line for line, _service in services] == [2, 3, 5]
	status_problem = resource_from_service(services[1][1])[1]
	assert [field for field, _reason in status_problem] == ["status"]
	ride_line, problems = resource_from_service(services[2][1])
	assert problems == [] and ride_line["hsds_location_id"] is None


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
	imported, _ = resource_from_service(json.loads((HSDS / "examples" / "service_full.json").read_text()))
	ours = {
		"name": "x1", "resource_name": "Eastside Pantry", "organization_name": "Eastside Churches", "status": "active",
		"phone": "555-0100", "address_1": "1 Main St", "city": "Springfield", "state_province": "IL",
		"postal_code": "62701", "latitude": 39.8, "longitude": -89.6, "languages": "English, Spanish",
		"schedule": "Tuesdays 9–12", "service_area_postal_codes": "62701\n62702", "service_area_counties": "Sangamon County",
		"needs": [{"need_category": "Food", "taxonomy_code": "BD-1800", "taxonomy_name": "Food Pantries"}],
	}  # fmt: skip
	return package_files([service_from_resource({**imported, "name": "y"}), service_from_resource(ours)])


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
	assert (pantry["latitude"], pantry["postal_code"]) == (39.8, "62701")
