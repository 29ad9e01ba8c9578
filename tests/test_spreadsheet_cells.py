"""Cells the app writes into CSV / Excel files are shown as text by a spreadsheet,
never run as a formula; numbers, dates and codes stay as they are."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from care_management.domain.hsds import service_from_resource
from care_management.domain.hsds_tabular import (
	package_files,
	read_csv,
	services_from_tables,
	tables_from_files,
)
from care_management.domain.spreadsheet_cells import safe_cell, safe_rows, unquote_cell
from care_management.tests.hostile_names import EVERY_NAME, FORMULAS, unsafe_cell


def test_text_that_would_start_a_formula_gets_a_leading_quote():
	for text in FORMULAS:
		assert safe_cell(text) == "'" + text
	assert safe_cell("\uff1dSUM(1)") == "'\uff1dSUM(1)"  # full-width equals sign
	assert safe_cell("-") == "'-"


def test_numbers_dates_and_codes_stay_machine_readable():
	for value in (-12.5, 0, 7, Decimal("-3.20"), date(2026, 1, 5), datetime(2026, 1, 5, 9), True, None):
		assert safe_cell(value) is value
	for code in ("99490", "E11.9", "G0511", "1234567893", "2026-01-05", "", "Smith, Ann", "O'Brien"):
		assert safe_cell(code) == code
	# A text cell that is a plain number is read as that number and runs nothing.
	for number in ("-12.50", "+1", "-7", "-.5", "1e5", "-2E-3"):
		assert safe_cell(number) == number


def test_quotes_already_in_front_of_a_formula_are_kept_by_one_more():
	assert safe_cell("'=1+1") == "''=1+1"
	assert safe_cell("'plain") == "'plain"
	assert unquote_cell("''=1+1") == "'=1+1"
	assert unquote_cell("'plain") == "'plain"  # not a quote safe_cell adds


@given(st.text())
def test_unquote_gives_back_what_safe_cell_was_given(text):
	assert unquote_cell(safe_cell(text)) == text


@given(st.text())
def test_no_written_cell_starts_a_formula(text):
	assert not unsafe_cell(safe_cell(text))


def test_a_csv_of_hostile_rows_opens_as_text():
	rows = safe_rows([[name, -5, date(2026, 1, 5), "99490"] for name in EVERY_NAME])
	out = io.StringIO()
	csv.writer(out).writerows(rows)
	read = list(csv.reader(io.StringIO(out.getvalue())))
	assert [cell for row in read for cell in row if unsafe_cell(cell)] == []
	assert read[0][1:] == ["-5", "2026-01-05", "99490"]


def hostile_resource(index: int, name: str) -> dict:
	return {
		"name": f"00000000-0000-4000-8000-{index:012d}",
		"resource_name": name[:140],
		"organization_name": name[:140],
		"description": name,
		"status": "active",
		"phone": "+1 555 0100",
		"address_1": name[:140],
		"city": "-Springfield",
		"state_province": "IL",
		"postal_code": "62701",
		"latitude": 39.8,
		"longitude": -89.6,
		"languages": "English",
		"needs": [{"need_category": "Food", "taxonomy_code": "BD-1800", "taxonomy_name": "@Food"}],
	}


def test_the_hsds_csv_package_of_hostile_resources_has_no_formula_cell_and_imports_back():
	exported = [service_from_resource(hostile_resource(i, name)) for i, name in enumerate(EVERY_NAME)]
	files = package_files(exported)
	for file, text in files.items():
		if not file.endswith(".csv"):
			continue
		cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
		assert [cell for cell in cells if unsafe_cell(cell)] == [], file
	# The longitude stays a number in the file, not quoted text.
	assert "-89.6" in read_csv(files["locations.csv"])[0].values()
	services, problems = services_from_tables(tables_from_files(files))
	assert problems == []
	assert sorted(service["name"] for _line, service in services) == sorted(s["name"] for s in exported)
