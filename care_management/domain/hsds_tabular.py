"""HSDS 3.0 CSV data packages <-> nested HSDS `service` objects, as plain data.

A CSV package is one file per HSDS object, linked by ids. Import joins the
tables the directory keeps into one service object per services.csv row (the
shape domain.hsds reads, so JSON and CSV share one mapping); a row that cannot
be used is reported with its file, line and field and left out, and every
other row still imports. Export flattens services back into the same files,
with HSDS's own column order, plus a datapackage.json describing them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import NamedTuple

from care_management.domain.hsds import _kind, coordinate_problem
from care_management.domain.spreadsheet_cells import safe_cell, unquote_cell

# HSDS object -> (file name, the columns HSDS 3.0 gives that file, in order).
# Only the objects the directory keeps; other files in a package are ignored.
TABLES = {
	"organization": ("organizations.csv", (
		"id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
		"year_incorporated", "legal_status", "logo", "uri", "parent_organization_id")),
	"service": ("services.csv", (
		"id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status",
		"interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations",
		"eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
		"last_modified")),
	"service_at_location": ("service_at_location.csv", ("id", "service_id", "location_id", "description")),
	"location": ("locations.csv", (
		"id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation",
		"latitude", "longitude", "external_identifier", "external_identifier_type")),
	"address": ("addresses.csv", (
		"id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code",
		"country", "address_type")),
	"phone": ("phones.csv", (
		"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number",
		"extension", "type", "description")),
	"schedule": ("schedules.csv", (
		"id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart", "timezone",
		"until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday", "byyearday", "description",
		"opens_at", "closes_at", "schedule_link", "attending_type", "notes")),
	"service_area": ("service_areas.csv", ("id", "service_id", "name", "description", "extent", "extent_type", "uri")),
	"language": ("languages.csv", ("id", "service_id", "location_id", "phone_id", "name", "code", "note")),
	"attribute": ("attributes.csv", ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value")),
	"taxonomy_term": ("taxonomy_terms.csv", (
		"id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri")),
}  # fmt: skip
FILE_TABLES = {file: table for table, (file, _columns) in TABLES.items()}
# Older exporters (and HSDS 2) pluralise this one.
FILE_TABLES["service_at_locations.csv"] = "service_at_location"


class Problem(NamedTuple):
	file: str
	row: int  # the line in the file, the header being line 1
	hsds_id: str | None
	field: str
	reason: str
	# Whether the row is left out (else only the value the problem names is).
	row_left_out: bool = True


def read_csv(text: str) -> list[dict]:
	"""Rows of one CSV file, values stripped and empty cells as None. The quote
	an exporter puts before a formula-like cell (as csv_text does) is taken off."""
	# No cell is longer than its file. csv's default limit (131,072 characters)
	# would refuse the whole file for one long description, which domain.hsds
	# cuts to its field instead; the limit is process-wide, so it only grows.
	if len(text) > csv.field_size_limit():
		csv.field_size_limit(len(text))
	# Python 3.10's csv refuses a whole file with a NUL in it; no column keeps one.
	reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff").replace("\x00", "")))
	return [
		{
			(key or "").strip(): (unquote_cell(value.strip()) or None) if isinstance(value, str) else None
			for key, value in row.items()
		}
		for row in reader
	]


def tables_from_files(files: dict[str, str]) -> dict[str, list[dict]]:
	"""HSDS object -> rows, from {file name: CSV text}; unknown files are ignored."""
	tables: dict[str, list[dict]] = {}
	for path, text in files.items():
		if not (isinstance(path, str) and isinstance(text, str)):
			continue
		table = FILE_TABLES.get(path.rsplit("/", 1)[-1].lower())
		if table:
			tables[table] = read_csv(text)
	return tables


def _rows(tables: dict, table: str, problems: list[Problem]) -> list[tuple[int, dict]]:
	"""(line, row) of one table, every cell text or None. The tables may come
	from anywhere, not only read_csv: a table that is not a list of rows, a row
	that is not a mapping of columns, or a cell that is not text is a problem
	(the table or row is left out, the cell emptied); columns without a name
	are ignored, as read_csv gives them none."""
	file = TABLES[table][0]
	rows = tables.get(table)
	if rows is None:
		return []
	if not isinstance(rows, list):
		problems.append(Problem(file, 0, None, "", f"is {_kind(rows)}, not a table of rows; left out"))
		return []
	read = []
	for line, row in enumerate(rows, start=2):
		if not isinstance(row, dict):
			problems.append(
				Problem(file, line, None, "", f"is {_kind(row)}, not a row of named columns; left out")
			)
			continue
		cells = {key: value for key, value in row.items() if isinstance(key, str)}
		hsds_id = cells.get("id") if isinstance(cells.get("id"), str) else None
		for key, value in cells.items():
			if value is not None and not isinstance(value, str):
				problems.append(Problem(file, line, hsds_id, key, f"is {_kind(value)}, not text; left out"))
				cells[key] = None
		read.append((line, cells))
	return read


def services_from_tables(tables: dict[str, list[dict]]) -> tuple[list[tuple[int, dict]], list[Problem]]:
	"""(services.csv line, nested service object) per service row, and the
	problems of rows that were left out."""
	problems: list[Problem] = []
	if not isinstance(tables, dict):
		return [], [Problem("", 0, None, "", f"is {_kind(tables)}, not a set of tables")]

	def usable(table: str, required: tuple[str, ...], check=None) -> dict[str, dict]:
		"""The table's rows by id; rows lacking an id or a required field, or
		repeating an id, are reported and dropped."""
		file = TABLES[table][0]
		kept: dict[str, dict] = {}
		for line, row in _rows(tables, table, problems):
			missing = [field for field in ("id", *required) if not row.get(field)]
			if missing:
				problems.extend(Problem(file, line, row.get("id"), f, "required and empty") for f in missing)
			elif row["id"] in kept:
				problems.append(Problem(file, line, row["id"], "id", "repeats an id used on an earlier line"))
			elif check and (reason := check(row)):
				problems.append(Problem(file, line, row["id"], *reason))
			else:
				kept[row["id"]] = {**row, "_line": line}
		return kept

	organizations = usable("organization", ("name",))
	locations = usable("location", ())
	for location_id, row in locations.items():
		# A coordinate that is no coordinate (a ZIP code in the latitude column, 100°):
		# the row's problem, and the location keeps its address without a position.
		for field in ("latitude", "longitude"):
			if row.get(field) is not None and (problem := coordinate_problem(field, row[field])):
				problems.append(
					Problem(
						"locations.csv",
						row["_line"],
						location_id,
						field,
						f"{problem}; the coordinates are left out",
						row_left_out=False,
					)
				)
				row["latitude"] = row["longitude"] = None
				break
	addresses = usable("address", ("location_id", "address_1", "city", "postal_code"))
	at_locations = usable("service_at_location", ("service_id", "location_id"))
	phones = usable("phone", ("number",))
	schedules = usable("schedule", ())
	areas = usable("service_area", ("service_id",))
	languages = usable("language", ())
	terms = usable("taxonomy_term", ("name",))
	attributes = usable("attribute", ("link_id", "taxonomy_term_id"))

	def unknown(table: str, rows: dict, field: str, targets: dict, target_table: str):
		for row_id, row in list(rows.items()):
			if row.get(field) and row[field] not in targets:
				problems.append(
					Problem(
						TABLES[table][0],
						row["_line"],
						row_id,
						field,
						f"{row[field]} is not an id in {TABLES[target_table][0]}",
					)
				)
				del rows[row_id]

	service_rows = {}
	for line, row in _rows(tables, "service", problems):
		# A row without an id is kept under its line, for domain.hsds to refuse with its reason.
		key = row.get("id") or ("line", line)
		if key in service_rows:
			problems.append(
				Problem("services.csv", line, row["id"], "id", "repeats an id used on an earlier line")
			)
		else:
			service_rows[key] = (line, row)
	unknown("address", addresses, "location_id", locations, "location")
	unknown("service_at_location", at_locations, "location_id", locations, "location")
	unknown("service_at_location", at_locations, "service_id", service_rows, "service")
	unknown("attribute", attributes, "taxonomy_term_id", terms, "taxonomy_term")

	def children(rows: dict, field: str, parent_id: str | None) -> list[dict]:
		if parent_id is None:
			return []  # else every row that links to nothing would be this parent's
		return [
			{k: v for k, v in row.items() if k != "_line"}
			for row in rows.values()
			if row.get(field) == parent_id
		]

	services = []
	for line, row in service_rows.values():
		service_id = row.get("id")
		if row.get("organization_id") and row["organization_id"] not in organizations:
			problems.append(
				Problem(
					"services.csv",
					line,
					service_id,
					"organization_id",
					f"{row['organization_id']} is not an id in organizations.csv",
				)
			)
			continue
		organization = organizations.get(row.get("organization_id")) or {}
		service = {
			**row,
			"organization": {k: v for k, v in organization.items() if k != "_line"},
			"service_at_locations": [
				{
					**at_location,
					"location": {
						**{k: v for k, v in locations[at_location["location_id"]].items() if k != "_line"},
						"addresses": children(addresses, "location_id", at_location["location_id"]),
					},
				}
				for at_location in children(at_locations, "service_id", service_id)
			],
			"phones": children(phones, "service_id", service_id)
			or children(phones, "organization_id", row.get("organization_id")),
			"schedules": children(schedules, "service_id", service_id),
			"service_areas": children(areas, "service_id", service_id),
			"languages": children(languages, "service_id", service_id),
			"attributes": [
				{**attribute, "taxonomy_term": terms[attribute["taxonomy_term_id"]]}
				for attribute in children(attributes, "link_id", service_id)
			],
		}
		services.append((line, service))
	return services, problems


def _row(record: dict, columns: tuple[str, ...], **links) -> dict:
	return {column: {**record, **links}.get(column) for column in columns}


def tables_from_services(services: list[dict]) -> dict[str, list[dict]]:
	"""HSDS object -> rows (every HSDS column, None where empty) for services
	shaped as domain.hsds exports them."""
	tables: dict[str, list[dict]] = {table: [] for table in TABLES}
	seen: dict[str, set] = {table: set() for table in TABLES}

	def add(table: str, record: dict, **links):
		if record.get("id") and record["id"] not in seen[table]:
			seen[table].add(record["id"])
			tables[table].append(_row(record, TABLES[table][1], **links))

	for service in services:
		add("organization", service.get("organization") or {})
		add("service", service)
		for at_location in service.get("service_at_locations") or []:
			location = at_location.get("location") or {}
			add("location", location)
			for address in location.get("addresses") or []:
				add("address", address, location_id=location["id"])
			add("service_at_location", at_location, service_id=service["id"], location_id=location.get("id"))
		for phone in service.get("phones") or []:
			add("phone", phone, service_id=service["id"])
		for schedule in service.get("schedules") or []:
			add("schedule", schedule, service_id=service["id"])
		for area in service.get("service_areas") or []:
			add("service_area", area, service_id=service["id"])
		for language in service.get("languages") or []:
			add("language", language, service_id=service["id"])
		for attribute in service.get("attributes") or []:
			term = attribute.get("taxonomy_term") or {}
			add("taxonomy_term", term)
			add("attribute", attribute, taxonomy_term_id=term.get("id"))
	return tables


def csv_text(table: str, rows: list[dict]) -> str:
	"""One table as CSV. Feed text is third-party: a cell that would run as a
	formula in a spreadsheet is written as text (domain.spreadsheet_cells)."""
	out = io.StringIO()
	# RFC 4180's CRLF: csv quotes a cell only for the characters of its line
	# terminator, and a cell holding a lone carriage return must be quoted too.
	writer = csv.DictWriter(out, fieldnames=TABLES[table][1], lineterminator="\r\n")
	writer.writeheader()
	for row in rows:
		writer.writerow({k: "" if v is None else safe_cell(v) for k, v in row.items()})
	return out.getvalue()


def datapackage(tables: dict[str, list[dict]]) -> str:
	"""A Frictionless data package descriptor naming each exported file."""
	return json.dumps(
		{
			"name": "hsds-community-resources",
			"profile": "tabular-data-package",
			"resources": [
				{
					"name": table,
					"path": TABLES[table][0],
					"profile": "tabular-data-resource",
					"format": "csv",
					"mediatype": "text/csv",
					"schema": {"fields": [{"name": column} for column in TABLES[table][1]]},
				}
				for table in TABLES
				if tables.get(table)
			],
		},
		indent=1,
	)


def package_files(services: list[dict]) -> dict[str, str]:
	"""{file name: text} of the CSV data package for these services."""
	tables = tables_from_services(services)
	files = {TABLES[table][0]: csv_text(table, rows) for table, rows in tables.items() if rows}
	files["datapackage.json"] = datapackage(tables)
	return files
