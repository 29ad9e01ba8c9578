"""HSDS 3.0 import and export, checked against the official examples and schemas in shared/data."""

import json
import uuid
from pathlib import Path

import pytest

from care_management.domain.hsds import TermMeanings, hsds_id, resource_from_service, service_from_resource

HSDS = Path(__file__).resolve().parent / "fixtures" / "hsds-3.0"


def example(name: str) -> dict:
	return json.loads((HSDS / "examples" / name).read_text())


def test_the_official_example_imports_with_its_ids():
	service = example("service_full.json")
	resource, problems = resource_from_service(service)
	# Its location is at latitude 100, longitude 101: no place on Earth.
	assert problems == [
		(
			"service_at_locations.location.latitude",
			"100 is outside -90..90, the range of a latitude in degrees; the coordinates are left out",
		)
	]
	assert resource["latitude"] is None and resource["longitude"] is None
	assert resource["hsds_service_id"] == service["id"]
	assert resource["resource_name"] == "Community Counselling"
	assert resource["organization_name"] == service["organization"]["name"]
	assert resource["postal_code"] == "ABC 1234"
	assert resource["phone"] == "+44 1234 234567"
	assert resource["languages"].startswith("Urdu")


@pytest.mark.parametrize(
	"change, field",
	[
		({"name": ""}, "name"),
		({"status": "open"}, "status"),
		({"id": None}, "id"),
		({"organization": {}, "organization_id": None}, "organization"),
	],
)
def test_a_malformed_row_names_its_field(change, field):
	resource, problems = resource_from_service({**example("service_full.json"), **change})
	assert resource is None
	assert field in [f for f, _reason in problems]


def test_need_categories_come_from_taxonomy_terms():
	service = {
		**example("service_full.json"),
		"attributes": [{"taxonomy_term": {"code": "BD-1800", "name": "Food Pantries"}}],
	}
	resource, _ = resource_from_service(service)
	assert resource["needs"] == [
		{"need_category": "Food", "taxonomy_code": "BD-1800", "taxonomy_name": "Food Pantries"}
	]


def test_export_validates_against_the_hsds_service_schema():
	jsonschema = pytest.importorskip("jsonschema")
	schema = json.loads((HSDS / "schema" / "service_with_definitions.json").read_text())
	ours = {
		"name": "x1", "resource_name": "Eastside Pantry", "organization_name": "Eastside Churches", "status": "active",
		"description": "Groceries weekly", "website": "https://example.org", "phone": "555-0100", "phone_type": "voice",
		"address_1": "1 Main St", "city": "Springfield", "state_province": "IL", "postal_code": "62701", "country": "US",
		"latitude": 39.8, "longitude": -89.6, "last_verified_on": "2026-10-01", "needs": [{"need_category": "Food"}],
	}  # fmt: skip
	checker = jsonschema.FormatChecker()
	# The checker is real: uuid, date, email and uri are among the formats it checks.
	assert {"uuid", "date", "email", "uri"} <= set(checker.checkers)
	jsonschema.validate(service_from_resource(ours), schema, format_checker=checker)
	imported, _problems = resource_from_service(example("service_full.json"))
	jsonschema.validate(service_from_resource({**imported, "name": "y"}), schema, format_checker=checker)
	legacy = {**ours, "hsds_service_id": "svc-17", "hsds_organization_id": "org 4", "hsds_location_id": "loc/9",
		"hsds_service_at_location_id": "sal 9", "latitude": "0", "longitude": "0"}  # fmt: skip
	jsonschema.validate(service_from_resource(legacy), schema, format_checker=checker)
	# A service id that is no UUID, as exported before, is what the format check refuses.
	with pytest.raises(jsonschema.ValidationError):
		jsonschema.validate({**service_from_resource(ours), "id": "svc-17"}, schema, format_checker=checker)


BASE = {
	"name": "x1", "resource_name": "Eastside Pantry", "organization_name": "Eastside Churches", "status": "active",
	"address_1": "1 Main St", "city": "Springfield", "state_province": "IL", "postal_code": "62701",
}  # fmt: skip


def location_of(service: dict) -> dict | None:
	at_locations = service.get("service_at_locations") or []
	return at_locations[0]["location"] if at_locations else None


@pytest.mark.parametrize(
	"latitude, longitude", [(None, None), ("", ""), ("0", "0"), (0.0, 0.0), ("0.000000000", "0.000000000")]
)
def test_an_unknown_position_is_never_exported_as_0_0(latitude, longitude):
	location = location_of(service_from_resource({**BASE, "latitude": latitude, "longitude": longitude}))
	assert location is not None and location["addresses"]  # the address still goes
	assert "latitude" not in location and "longitude" not in location
	# With no address either, there is no location at all.
	bare = {k: v for k, v in BASE.items() if k not in ("address_1",)}
	assert location_of(service_from_resource({**bare, "latitude": latitude, "longitude": longitude})) is None


def test_a_known_position_is_exported_as_numbers():
	location = location_of(service_from_resource({**BASE, "latitude": "39.781700000", "longitude": "-89.65"}))
	assert (location["latitude"], location["longitude"]) == (39.7817, -89.65)


def test_ids_that_are_not_uuids_become_stable_uuids():
	resource = {
		**BASE,
		"hsds_service_id": "svc-17",
		"hsds_organization_id": "org 4",
		"hsds_location_id": "loc/9",
	}
	first, again = service_from_resource(resource), service_from_resource(dict(resource))
	assert first["id"] == again["id"] == hsds_id("svc-17", "service")
	assert uuid.UUID(first["id"]).version == 5
	assert first["organization_id"] == first["organization"]["id"] == hsds_id("org 4", "organization")
	assert location_of(first)["id"] == hsds_id("loc/9", "location")
	# Another kind of record with the same id is another UUID; a UUID stays as it is.
	assert hsds_id("svc-17", "organization") != first["id"]
	given = "AC148810-D857-441C-9679-408F346DE14B"
	assert service_from_resource({**resource, "hsds_service_id": given})["id"] == given.lower()


@pytest.mark.parametrize(
	"latitude, longitude, problem_field",
	[
		(62703, 39.7966, "latitude"),  # a ZIP code in the latitude column
		(100, 101, "latitude"),
		(-90.5, 10, "latitude"),
		(45, 180.01, "longitude"),
		(45, -181, "longitude"),
		(45, None, "latitude"),  # half a position
	],
)
def test_coordinates_out_of_range_are_refused_on_import(latitude, longitude, problem_field):
	service = example("service_full.json")
	location = service["service_at_locations"][0]["location"]
	location["latitude"], location["longitude"] = latitude, longitude
	resource, problems = resource_from_service(service)
	assert resource is not None  # the service imports, without a position
	assert (resource["latitude"], resource["longitude"]) == (None, None)
	assert [field for field, _reason in problems] == [f"service_at_locations.location.{problem_field}"]


@pytest.mark.parametrize(
	"latitude, longitude, kept",
	[
		(90, -180, ("90", "-180")),
		(-90, 180, ("-90", "180")),
		("39.78170000", "-89.6501", ("39.7817", "-89.6501")),
		(0, 0, (None, None)),
	],
)
def test_coordinates_in_range_are_kept_and_0_0_is_unknown(latitude, longitude, kept):
	service = example("service_full.json")
	location = service["service_at_locations"][0]["location"]
	location["latitude"], location["longitude"] = latitude, longitude
	resource, problems = resource_from_service(service)
	assert problems == []
	assert (resource["latitude"], resource["longitude"]) == kept


def term_service(term_id: str, code: str, name: str) -> dict:
	return {
		**example("service_full.json"),
		"attributes": [{"taxonomy_term": {"id": term_id, "code": code, "name": name}}],
	}


def test_a_taxonomy_term_id_with_two_meanings_in_one_feed_is_a_problem():
	meanings = TermMeanings()
	assert meanings.problems(term_service("t1", "BD-1800", "Food Pantries")) == []
	# The same meaning again, written differently, is no problem.
	assert meanings.problems(term_service("t1", "bd-1800 ", "food  pantries")) == []
	assert meanings.problems(term_service("t2", "BH-3800", "Rent Payment Assistance")) == []
	problems = meanings.problems(term_service("t1", "BH-3800", "Rent Payment Assistance"))
	assert problems == [
		(
			"attributes.taxonomy_term.id",
			"'t1' is 'Rent Payment Assistance' ('BH-3800') here but was 'Food Pantries' ('BD-1800') earlier "
			"in this feed; one id must name one term, so this service's needs come from its own code and name",
		)
	]
	# Hostile shapes are skipped, never a crash.
	for service in (None, [], {"attributes": "x"}, {"attributes": [1, {"taxonomy_term": []}]}):
		assert meanings.problems(service) == []


def test_round_trip_keeps_ids_and_fields():
	imported, _ = resource_from_service(example("service_full.json"))
	again, problems = resource_from_service(service_from_resource({**imported, "name": "y"}))
	assert problems == []
	for field in (
		"hsds_service_id",
		"hsds_organization_id",
		"hsds_location_id",
		"resource_name",
		"postal_code",
		"status",
	):
		assert again[field] == imported[field], field


@pytest.mark.parametrize(
	"term, expected",
	[
		({"code": "BD-1800.2000", "name": "Food Pantries"}, ["Food"]),
		({"code": "BH-3800.7000", "name": "Rent Payment Assistance"}, ["Housing"]),
		({"code": "BV-8900.9300", "name": "Electric Service Payment Assistance"}, ["Utilities"]),
		({"code": "BT-4500.6500", "name": "Paratransit Programs"}, ["Transportation"]),
		({"name": "Domestic Violence Hotlines"}, ["Interpersonal Safety"]),
		({"name": "Parenting Education"}, ["Education"]),  # not "rent" inside "Parenting"
		({"name": "Current Events"}, []),
	],
)
def test_211_codes_and_term_names_map_to_need_categories(term, expected):
	resource, _ = resource_from_service(
		{**example("service_full.json"), "attributes": [{"taxonomy_term": term}]}
	)
	assert [n["need_category"] for n in resource["needs"]] == expected
