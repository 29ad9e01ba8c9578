"""Cells for the CSV and Excel files the app writes, safe to open in a spreadsheet.

A text cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return,
which some spreadsheets skip before reading the rest as a formula) is run as a
formula when the file is opened in Excel or LibreOffice: a patient or resource
named `=HYPERLINK("http://evil.example","x")` becomes a live link, and `-2+3+cmd|…`
a command. Such a cell is written with a single quote in front, the OWASP
recommendation, so the spreadsheet shows the text as typed.

Only text is touched. Numbers, dates and booleans pass through as they are, so a
negative amount stays a number; a text cell that is a plain number (`-12.50`,
`+1`) is left alone too, since a spreadsheet reads it as that number and runs
nothing. Codes (CPT 99490, ICD-10 E11.9, NPIs) never begin with a trigger and stay
as they were.

Text that already begins with quotes before a trigger (`'=x`) gets one more, so
unquote_cell gives back exactly what was written: a file the app exports (the
HSDS package) imports again unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# OWASP's list, plus the full-width forms that some Excel locales also read as
# the start of a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
QUOTE = "'"
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def needs_quote(text: str) -> bool:
	"""Whether a spreadsheet would read this text as the start of a formula."""
	return text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text)


def _quoted(text: str) -> bool:
	"""Whether safe_cell puts a quote in front of this text."""
	return needs_quote(text.lstrip(QUOTE))


def safe_cell(value):
	"""The value to write in a cell: text that would start a formula gets a leading
	single quote; anything that is not text is returned unchanged."""
	if isinstance(value, str) and _quoted(value):
		return QUOTE + value
	return value


def safe_row(row: Iterable) -> list:
	return [safe_cell(value) for value in row]


def safe_rows(rows: Iterable[Iterable]) -> list[list]:
	return [safe_row(row) for row in rows]


def safe_dict_row(row: dict) -> dict:
	return {key: safe_cell(value) for key, value in row.items()}


def unquote_cell(text):
	"""The text as it was before safe_cell, for reading back a file the app wrote:
	only a quote that safe_cell would have added is removed."""
	if isinstance(text, str) and text.startswith(QUOTE) and _quoted(text[1:]):
		return text[1:]
	return text
