"""The envelope of an X12 interchange walked segment by segment, for the readers of
the files that come back (the 835 in remittance_835.py, the 999 and 277CA in
claim_acknowledgments.py): delimiters from the ISA, ISA/IEA and GS/GE counts and
control numbers checked, each ST-SE set handed to a reader the caller opens, stray
segments outside any set reported once per stretch.

``walk(text, delimiters, open_set, close_set, reasons, problem)``:

- ``open_set(number, st_elements, group_version)`` returns ``(reader, None)`` to read
  the set, or ``(None, skip_problem)`` to skip it (another transaction, a wrong version);
- ``reader.read(number, segment_id, elements)`` gets every segment inside the set;
- ``close_set(reader, number, se_elements_or_None)`` ends it (None: cut off before its
  SE) and returns the problems to add;
- ``problem(segment_number, segment_id, claim_id, reason)`` makes a problem record.

Returns ``(problems, skipped)``, problems in the order met; the caller sorts and decides
what a file with no readable set says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ISA_LENGTH = 106  # ISA is fixed width: 105 characters and its terminator
LEADING = "\ufeff \t\r\n\f\v\x00"
ENVELOPE = frozenset(("SE", "ST", "GE", "IEA", "GS", "ISA"))


@dataclass(frozen=True)
class Reasons:
	envelope_mismatch: str
	file_cut_short: str
	unexpected_segment: str


def value(elements: list[str], index: int) -> str:
	return elements[index].strip() if index < len(elements) else ""


def delimiters(text: str) -> tuple[str, str, str] | None:
	"""Element separator, component separator and segment terminator, or None when the
	text does not open with a well-formed ISA."""
	if len(text) < ISA_LENGTH or not text.startswith("ISA"):
		return None
	element, component, terminator = text[3], text[104], text[105]
	# Sixteen separators at their fixed places, and three distinct delimiters that
	# cannot occur in data.
	if text[:104].count(element) != 16 or text[103] != element:
		return None
	if len({element, component, terminator}) != 3:
		return None
	if any(c.isalnum() or c == " " for c in (element, component, terminator)):
		return None
	return element, component, terminator


def walk(
	text: str,
	found: tuple[str, str, str],
	open_set: Callable,
	close_set: Callable,
	reasons: Reasons,
	problem: Callable,
) -> tuple[list, list]:
	element, _component, terminator = found
	problems: list = []
	skipped: list = []
	reader = None
	skipping = stray = False
	interchange_open = group_open = False
	interchange_control = group_control = group_version = ""
	group_count = set_count = 0
	number = 0

	for raw in text.split(terminator):
		segment = raw.strip()
		if not segment:
			continue
		number += 1
		elements = segment.split(element)
		segment_id = elements[0].strip()
		envelope = segment_id in ENVELOPE

		if reader is not None:
			if not envelope:
				reader.read(number, segment_id, elements)
				continue
			problems.extend(close_set(reader, number, elements if segment_id == "SE" else None))
			reader = None
			if segment_id == "SE":
				continue
		if skipping:
			if segment_id == "SE":
				skipping = False
				continue
			if not envelope:
				continue
			skipping = False

		if segment_id == "ISA":
			if interchange_open:
				problems.append(problem(number, "IEA", "", reasons.envelope_mismatch))
			interchange_open, group_count = True, 0
			interchange_control = value(elements, 13)
		elif segment_id == "GS":
			if group_open:
				problems.append(problem(number, "GE", "", reasons.envelope_mismatch))
			group_open, set_count = True, 0
			group_count += 1
			group_control, group_version = value(elements, 6), value(elements, 8)
		elif segment_id == "ST":
			set_count += 1
			reader, skip = open_set(number, elements, group_version)
			if skip is not None:
				skipped.append(skip)
				skipping = True
		elif segment_id == "GE":
			if not group_open or value(elements, 1) != str(set_count) or value(elements, 2) != group_control:
				problems.append(problem(number, "GE", "", reasons.envelope_mismatch))
			group_open = False
		elif segment_id == "IEA":
			if (
				group_open
				or value(elements, 1) != str(group_count)
				or value(elements, 2) != interchange_control
			):
				problems.append(problem(number, "IEA", "", reasons.envelope_mismatch))
			interchange_open = group_open = False
		else:
			# Outside a set only the envelope belongs: anything else is what is left of a
			# set whose ST was damaged. Reported once for each stretch of such segments.
			if not stray:
				problems.append(problem(number, segment_id, "", reasons.unexpected_segment))
			stray = True
			continue
		stray = False

	if reader is not None:
		problems.extend(close_set(reader, number + 1, None))
	if interchange_open:
		problems.append(problem(number + 1, "IEA", "", reasons.file_cut_short))
	return problems, skipped
