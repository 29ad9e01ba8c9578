"""A feed is untrusted input: whatever shape a service or CSV row takes, the
HSDS mapping reports (field, reason) problems and never raises, so one
malformed row cannot sink an import. What it returns fits the Community
Resource doctype (read from its JSON here, so the two cannot drift apart)."""

import copy
import json
import math
from datetime import date
from pathlib import Path

from hsds_examples import official_service, on_earth, package_on_earth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from care_management.domain.hsds import NEED_CATEGORIES, resource_from_service
from care_management.domain.hsds_tabular import services_from_tables, tables_from_files

ROOT = Path(__file__).resolve().parent.parent
HSDS = ROOT / "tests" / "fixtures" / "hsds-3.0"
DOCTYPES = ROOT / "care_management" / "care_management" / "doctype"
# The official examples with their location moved into range (see hsds_examples.py).
EXAMPLE = on_earth(official_service())
PACKAGE = package_on_earth()
SCRIPT = "<img src=x onerror=alert(1)>"
# MariaDB's TEXT column (Frappe's Small Text) holds 65,535 bytes; Data is varchar(140).
TEXT_BYTES = 65_535
DATA_CHARACTERS = 140


def doctype_fields(name: str) -> dict[str, dict]:
	folder = name.lower().replace(" ", "_")
	meta = json.loads((DOCTYPES / folder / f"{folder}.json").read_text())
	return {field["fieldname"]: field for field in meta["fields"]}


RESOURCE_FIELDS = doctype_fields("Community Resource")
NEED_FIELDS = doctype_fields("Community Resource Need")


def example(**changes) -> dict:
	return {**copy.deepcopy(EXAMPLE), **changes}


def fits(value, field: dict) -> str | None:
	"""Why the value could not be saved into this doctype field, or None."""
	if value is None:
		return None if not field.get("reqd") else "required and empty"
	kind = field["fieldtype"]
	if kind in ("Data", "Small Text", "Select", "Date"):
		if not isinstance(value, str):
			return f"{type(value).__name__}, not text"
		if "\x00" in value:
			return "holds a NUL character"
		try:
			size = len(value.encode("utf-8"))
		except UnicodeEncodeError:
			return "is not valid Unicode"
		if kind == "Data" and len(value) > int(field.get("length") or DATA_CHARACTERS):
			return f"{len(value)} characters"
		if kind == "Small Text" and size > TEXT_BYTES:
			return f"{size} bytes"
		if kind == "Select" and value not in field.get("options", "").split("\n"):
			return f"{value!r} is not an option"
		if field.get("reqd") and not value.strip():
			return "required and blank"
		if kind == "Date":
			try:
				date.fromisoformat(value)
			except ValueError:
				return f"{value!r} is not a date"
			if len(value) != 10:
				return f"{value!r} is not YYYY-MM-DD"
	if kind == "Float" and (
		isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value)
	):
		return f"{value!r} is not a finite float"
	return None


def assert_usable(result) -> None:
	"""The mapper's answer has its documented shape and every value fits its field."""
	resource, problems = result
	assert isinstance(problems, list)
	for problem in problems:
		assert isinstance(problem, tuple) and len(problem) == 2, problem
		field, reason = problem
		assert isinstance(field, str) and isinstance(reason, str) and reason, problem
		assert len(field) <= DATA_CHARACTERS and len(reason.encode("utf-8")) <= TEXT_BYTES
	if resource is None:
		assert problems, "a refused service says why"
		return
	assert isinstance(resource, dict)
	for fieldname, value in resource.items():
		if fieldname == "needs":
			continue
		assert fieldname in RESOURCE_FIELDS, fieldname
		reason = fits(value, RESOURCE_FIELDS[fieldname])
		assert reason is None, (fieldname, reason)
	assert resource["resource_name"] and resource["hsds_service_id"]
	# Coordinates are both known and in range, or both empty.
	assert (resource["latitude"] is None) == (resource["longitude"] is None)
	if resource["latitude"] is not None:
		assert -90 <= float(resource["latitude"]) <= 90 and -180 <= float(resource["longitude"]) <= 180
	categories = [need["need_category"] for need in resource["needs"]]
	assert len(categories) == len(set(categories))
	for need in resource["needs"]:
		assert need["need_category"] in NEED_CATEGORIES
		for fieldname, value in need.items():
			assert fits(value, NEED_FIELDS[fieldname]) is None, (fieldname, value)


# The two rows that sank a real import (issue #17).


def test_phones_given_as_strings_are_left_out_with_a_problem_and_the_service_imports():
	resource, problems = resource_from_service(example(phones=["555-1234"]))
	assert problems == [("phones", "item 1 is text, not a phone object; left out")]
	assert resource["phone"] is None and resource["phone_type"] is None
	assert resource["resource_name"] == "Community Counselling"


def test_a_name_that_is_a_number_refuses_the_service_with_a_problem():
	assert resource_from_service(example(name=42)) == (None, [("name", "is a number, not text")])


def test_feed_text_is_data_never_markup():
	# A name that is nothing but a tag has no text to show: the service is refused, and says why.
	resource, problems = resource_from_service(example(name=SCRIPT))
	assert resource is None
	assert [field for field, _ in problems] == ["name", "name"]
	assert "held markup" in problems[0][1] and problems[1][1] == "is markup with no text in it"
	# Text around tags is kept as plain text; every field that lost markup is named.
	resource, problems = resource_from_service(
		example(
			name=f"Food {SCRIPT}Pantry",
			description=f"<b>bold</b> hours {SCRIPT}",
			organization={"name": "<script>alert(1)</script>Helping Hands"},
		)
	)
	assert resource["resource_name"] == "Food Pantry"
	assert resource["description"] == "bold hours"
	assert resource["organization_name"] == "alert(1) Helping Hands"
	assert {field for field, _ in problems} == {"name", "description", "organization.name"}
	assert all("<" not in str(value) for value in resource.values() if isinstance(value, str))
	# A "<" that is not a tag is ordinary text.
	resource, problems = resource_from_service(example(name="Ages < 18 & families"))
	assert (resource["resource_name"], problems) == ("Ages < 18 & families", [])


# Refusals: a service without a usable id or name.


def test_a_service_that_is_not_an_object_is_refused():
	for service in (None, "service", 42, ["a", "list"]):
		resource, problems = resource_from_service(service)
		assert resource is None
		assert [field for field, _reason in problems] == ["service"]


def test_unusable_ids_refuse_the_service():
	for bad in (42, ["x"], {"id": "x"}, "x" * 141, "   "):
		resource, problems = resource_from_service(example(id=bad))
		assert resource is None, bad
		assert "id" in [field for field, _reason in problems], bad


def test_a_blank_name_refuses_the_service():
	resource, problems = resource_from_service(example(name="   "))
	assert resource is None
	assert problems == [("name", "required by HSDS and missing")]


def test_a_status_that_is_not_text_refuses_the_service():
	resource, problems = resource_from_service(example(status=["active"]))
	assert (resource, problems) == (None, [("status", "is a list, not text")])


def test_an_organization_that_is_not_an_object_is_a_problem():
	resource, problems = resource_from_service(example(organization=["Org"], organization_id=None))
	assert resource is None
	assert [field for field, _reason in problems] == ["organization", "organization"]


# Optional parts: dropped with a problem, the service still imports.


def test_long_text_is_cut_to_its_field_with_a_problem():
	resource, problems = resource_from_service(example(name="N" * 500, description="é" * 40_000))
	assert resource["resource_name"] == "N" * 140
	assert len(resource["description"].encode("utf-8")) <= TEXT_BYTES
	assert resource["description"] == "é" * (TEXT_BYTES // 2)
	assert problems == [
		("name", "is 500 characters long; cut to the 140 this field holds"),
		("description", "is 80000 bytes long; cut to the 65535 this field holds"),
	]


def test_text_of_the_wrong_type_is_left_out_with_a_problem():
	resource, problems = resource_from_service(example(description=42, wait_time={"days": 3}))
	assert (resource["description"], resource["wait_time"]) == (None, None)
	assert problems == [
		("description", "is a number, not text; left out"),
		("wait_time", "is an object, not text; left out"),
	]


def test_a_long_url_or_email_is_left_out_rather_than_cut_into_a_wrong_one():
	resource, problems = resource_from_service(
		example(url="http://example.com/" + "a" * 200, email="a" * 200 + "@example.com")
	)
	assert resource["website"] == EXAMPLE["organization"]["website"]
	assert resource["email"] == EXAMPLE["organization"]["email"]
	assert [field for field, _reason in problems] == ["email", "url"]


def test_the_first_usable_phone_is_kept_and_the_broken_ones_reported():
	resource, problems = resource_from_service(
		example(phones=[None, {"number": 5551234}, {"number": "555-0100", "type": "mobile"}])
	)
	assert (resource["phone"], resource["phone_type"]) == ("555-0100", None)
	assert [field for field, _reason in problems] == ["phones", "phones.number", "phones.type"]


def test_a_list_where_an_object_belongs_is_a_problem_not_a_crash():
	resource, problems = resource_from_service(
		example(
			phones={"number": "555-0100"}, service_at_locations=[{"location": ["x"]}], languages="English"
		)
	)
	assert resource["phone"] is None and resource["address_1"] is None and resource["languages"] is None
	assert [field for field, _reason in problems] == [
		"service_at_locations.location",
		"languages",
		"phones",
	]


def test_coordinates_that_are_not_usable_numbers_are_left_out():
	for latitude in ("north", True, float("nan"), "1e999", 10**400, 1e13, [1]):
		service = example()
		service["service_at_locations"][0]["location"]["latitude"] = latitude
		resource, problems = resource_from_service(service)
		assert (resource["latitude"], resource["longitude"]) == (None, None), latitude
		assert [field for field, _reason in problems] == ["service_at_locations.location.latitude"]


def test_a_date_that_is_not_a_date_is_left_out():
	for assured in (20240101, "2024-02-30", "yesterday", ["2024-01-01"]):
		resource, problems = resource_from_service(example(assured_date=assured))
		assert resource["last_verified_on"] is None, assured
		assert [field for field, _reason in problems] == ["assured_date"], assured


def test_text_that_cannot_be_stored_is_cleaned_with_a_problem():
	resource, problems = resource_from_service(example(name="Pan\x00try \ud800"))
	assert resource["resource_name"] == "Pantry \ufffd"
	assert [field for field, _reason in problems] == ["name"]


def test_languages_beyond_the_field_are_left_out_whole():
	languages = [{"name": f"Language number {n:03}"} for n in range(20)]
	resource, problems = resource_from_service(example(languages=languages))
	assert len(resource["languages"]) <= DATA_CHARACTERS
	assert resource["languages"].endswith("Language number 005")
	assert problems == [("languages", "14 more languages left out; this field holds 140 characters")]


# CSV data packages.


def test_csv_rows_that_are_not_rows_or_cells_that_are_not_text_are_problems():
	tables = tables_from_files(PACKAGE)
	tables["phone"] = ["not a row", *tables["phone"]]
	tables["service"][0]["email"] = ["a", "list"]
	tables["language"] = "not a table"
	services, problems = services_from_tables(tables)
	assert sorted((p.file, p.row, p.field) for p in problems) == [
		("languages.csv", 0, ""),
		("phones.csv", 2, ""),
		("services.csv", 2, "email"),
	]
	((_line, service),) = services
	assert service["email"] is None and service["phones"]
	assert_usable(resource_from_service(service))


def test_a_repeated_service_id_is_reported_not_silently_dropped():
	lines = PACKAGE["services.csv"].rstrip("\n").split("\n")
	files = {
		**PACKAGE,
		"services.csv": "\n".join([*lines, lines[1].replace("Community Counselling", "Copy")]),
	}
	services, problems = services_from_tables(tables_from_files(files))
	assert [line for line, _service in services] == [2]
	assert [(p.file, p.row, p.field) for p in problems] == [("services.csv", 3, "id")]


def test_a_csv_cell_larger_than_pythons_csv_limit_is_read_and_cut():
	lines = PACKAGE["services.csv"].rstrip("\n").split("\n")
	huge = "x" * 300_000
	files = {
		**PACKAGE,
		"services.csv": "\n".join([lines[0], lines[1].replace("Community Counselling", huge)]),
	}
	((_line, service),), problems = services_from_tables(tables_from_files(files))
	assert problems == []
	resource, problems = resource_from_service(service)
	assert resource["resource_name"] == "x" * 140
	assert [field for field, _reason in problems] == ["name"]


# Fuzzing: mutated copies of the official examples.


def paths(value, prefix=()) -> list[tuple]:
	found = [prefix]
	if isinstance(value, dict):
		for key, item in value.items():
			found += paths(item, (*prefix, key))
	elif isinstance(value, list):
		for index, item in enumerate(value):
			found += paths(item, (*prefix, index))
	return found


def keys(value) -> set[str]:
	if isinstance(value, dict):
		return set(value) | {k for item in value.values() for k in keys(item)}
	if isinstance(value, list):
		return {k for item in value for k in keys(item)}
	return set()


PATHS = paths(EXAMPLE)
# Most of the example is parts the mapper never reads (contacts, funding,
# metadata...); what it reads, a list index written "*":
READ = [
	"id", "name", "status", "organization_id", "description", "url", "email", "eligibility_description",
	"fees_description", "application_process", "wait_time", "assured_date",
	"organization.name", "organization.id", "organization.description", "organization.email",
	"organization.website", "phones.*.number", "phones.*.type", "schedules.*.description",
	"schedules.*.opens_at", "schedules.*.closes_at", "schedules.*.byday", "service_areas.*.extent_type",
	"service_areas.*.extent", "service_areas.*.name", "languages.*.name", "languages.*.code",
	"attributes.*.taxonomy_term.name", "attributes.*.taxonomy_term.code", "service_at_locations.*.id",
	"service_at_locations.*.location.id", "service_at_locations.*.location.latitude",
	"service_at_locations.*.location.longitude",
	*(f"service_at_locations.*.location.addresses.*.{field}" for field in (
		"address_1", "address_2", "city", "state_province", "postal_code", "country")),
]  # fmt: skip


def pattern(path: tuple) -> str:
	return ".".join("*" if isinstance(step, int) else step for step in path)


READ_PATHS = [
	path for path in PATHS if path and any(f"{read}.".startswith(f"{pattern(path)}.") for read in READ)
]
# About half the mutations aim at what the mapper reads, the rest anywhere.
SOME_PATH = st.sampled_from(READ_PATHS * (len(PATHS) // len(READ_PATHS)) + PATHS)
KEYS = sorted(keys(EXAMPLE))
HUGE_TEXT = st.builds(
	lambda character, size: character * size,
	st.characters(),
	st.sampled_from([139, 140, 141, 1_000, 16_384, 70_000]),
)
ODD_TEXT = st.sampled_from(
	[
		"", " ", "\n", SCRIPT, "\x00", "\ud800", "null", "NaN", "inf", "1e999", "-91", "181", "active",
		"ACTIVE ", "2005-01-01", "2024-02-30", "20240101", "9999-12-31T25:00", "voice", "text", "county",
		"Sangamon County", "62701-1234", "Food Pantries", "BD-1800", "\"\"", "\ufeff",
	]
)  # fmt: skip
SCALARS = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(),
	st.floats(),
	st.text(max_size=20),
	ODD_TEXT,
	HUGE_TEXT,
)
HOSTILE = st.recursive(
	SCALARS,
	lambda inner: st.one_of(
		st.lists(inner, max_size=3),
		st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=4)), inner, max_size=4),
	),
	max_leaves=8,
)
MUTATION = st.one_of(
	st.tuples(st.just("replace"), SOME_PATH, HOSTILE),
	st.tuples(st.just("delete"), SOME_PATH, st.none()),
	st.tuples(st.just("wrap in a list"), SOME_PATH, st.none()),
	st.tuples(st.just("unwrap a list"), SOME_PATH, st.none()),
	st.tuples(st.just("as text"), SOME_PATH, st.none()),
)


def mutated(document, mutations):
	document = copy.deepcopy(document)
	for kind, path, value in mutations:
		if not path:
			document = {"replace": value, "wrap in a list": [document]}.get(kind, document)
			continue
		parent = document
		try:
			for step in path[:-1]:
				parent = parent[step]
			if not isinstance(parent, dict | list):
				continue
			current = parent[path[-1]]
		except (KeyError, IndexError, TypeError):
			continue  # an earlier mutation changed the shape under this path
		if kind == "delete":
			del parent[path[-1]]
		elif kind == "replace":
			parent[path[-1]] = value
		elif kind == "wrap in a list":
			parent[path[-1]] = [current]
		elif kind == "unwrap a list":
			parent[path[-1]] = current[0] if isinstance(current, list) and current else {}
		else:
			parent[path[-1]] = json.dumps(current)
	return document


FUZZ = settings(
	max_examples=4000,
	deadline=None,
	derandomize=True,
	database=None,
	suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@FUZZ
@given(st.lists(MUTATION, min_size=1, max_size=5))
def test_the_mapper_never_raises_on_a_mutated_official_service(mutations):
	assert_usable(resource_from_service(mutated(EXAMPLE, mutations)))


TABLES = tables_from_files(PACKAGE)
CELLS = [
	(table, index, column)
	for table, rows in TABLES.items()
	for index, row in enumerate(rows)
	for column in row
]
CELL_VALUE = st.one_of(st.none(), st.text(max_size=20), ODD_TEXT, HUGE_TEXT, SCALARS, HOSTILE)
CSV_MUTATION = st.one_of(
	st.tuples(st.just("cell"), st.sampled_from(CELLS), CELL_VALUE),
	st.tuples(st.just("repeat row"), st.sampled_from(CELLS), st.none()),
	st.tuples(st.just("drop row"), st.sampled_from(CELLS), st.none()),
	st.tuples(st.just("replace row"), st.sampled_from(CELLS), HOSTILE),
)


@settings(FUZZ, max_examples=1500)
@given(st.lists(CSV_MUTATION, min_size=1, max_size=6))
def test_the_csv_join_never_raises_on_a_mutated_official_package(mutations):
	tables = copy.deepcopy(TABLES)
	for kind, (table, index, column), value in mutations:
		rows = tables[table]
		if index >= len(rows):
			continue
		if kind == "cell" and isinstance(rows[index], dict):
			rows[index][column] = value
		elif kind == "repeat row":
			rows.append(copy.deepcopy(rows[index]))
		elif kind == "drop row":
			del rows[index]
		elif kind == "replace row":
			rows[index] = value
	services, problems = services_from_tables(tables)
	for problem in problems:
		assert isinstance(problem.row, int) and isinstance(problem.field, str) and problem.reason
		assert problem.hsds_id is None or isinstance(problem.hsds_id, str)
	for line, service in services:
		assert isinstance(line, int)
		assert_usable(resource_from_service(service))
