"""HSDS 3.0 import and export, checked against the official examples and schemas in shared/data."""

import json
from pathlib import Path

import pytest

from care_management.domain.hsds import resource_from_service, service_from_resource

HSDS = Path(__file__).resolve().parent / "fixtures" / "hsds-3.0"


def example(name: str) -> dict:
	return json.loads((HSDS / "examples" / name).read_text())


def test_the_official_example_imports_with_its_ids():
	service = example("service_full.json")
	resource, problems = resource_from_service(service)
	assert problems == []
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
	jsonschema.validate(service_from_resource(ours), schema)
	imported, _problems = resource_from_service(example("service_full.json"))
	jsonschema.validate(service_from_resource({**imported, "name": "y"}), schema)


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
