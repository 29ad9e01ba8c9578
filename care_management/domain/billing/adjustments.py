"""Billing adjustments: a named person's documented decision on top of the engine's lines.

The month close computes each billing record's lines from the month's facts;
billing staff may hold a record from invoicing, release it, drop a code,
reduce a code's units, or add a code (or units of one) the engine did not give.
Each is its own record with a reason; this module holds the rules, on plain data:

- whether an adjustment bills more than the record would without it (then it
  needs approval by someone other than its author);
- whether it makes sense against the record's lines (a code to drop must be
  billed, a reduction must reduce);
- what the lines are once the adjustments in effect are applied, in the order
  they took effect, with each line's changes named so the invoice can say
  "adjusted: -1 unit, reason …".
"""

from __future__ import annotations

from dataclasses import dataclass, field

HOLD = "Hold"
RELEASE = "Release"
DROP_CODE = "Drop Code"
REDUCE_UNITS = "Reduce Units"
ADD_CODE = "Add Code"
KINDS = (HOLD, RELEASE, DROP_CODE, REDUCE_UNITS, ADD_CODE)
CODE_KINDS = (DROP_CODE, REDUCE_UNITS, ADD_CODE)

# Problems an adjustment can have against a record's lines (the site words them with _()).
NO_CODE = "no code given"
NOT_BILLED = "the code is not billed on the record"
UNITS_NOT_POSITIVE = "units must be at least 1"
NOT_A_REDUCTION = "the units are not fewer than the record bills"
ALREADY_HELD = "the record is already held"
NOT_HELD = "the record is not held"
UNKNOWN_KIND = "unknown kind"


@dataclass(frozen=True)
class EngineLine:
	"""A line as the month close computed it."""

	code: str
	units: int


@dataclass(frozen=True)
class Adjustment:
	name: str
	kind: str
	code: str | None = None
	units: int = 0  # Reduce Units: the units to bill; Add Code: the units to add
	reason: str = ""


@dataclass(frozen=True)
class Change:
	"""One adjustment's effect on one line: ``delta`` units (negative: fewer)."""

	adjustment: str
	delta: int
	reason: str


@dataclass
class AdjustedLine:
	code: str
	engine_units: int  # 0 for a code only an adjustment adds
	units: int
	changes: list[Change] = field(default_factory=list)

	@property
	def added(self) -> bool:
		return self.engine_units == 0


@dataclass
class AdjustedRecord:
	lines: list[AdjustedLine]
	held_by: Adjustment | None = None  # the Hold in effect, if any

	@property
	def held(self) -> bool:
		return self.held_by is not None

	def units_of(self, code: str) -> int:
		return next((line.units for line in self.lines if line.code == code), 0)

	@property
	def billable(self) -> bool:
		return any(line.units > 0 for line in self.lines)


def units_change(kind: str, current_units: int, units: int) -> int:
	"""How many units the adjustment adds (negative: removes) given what the record bills now."""
	if kind == DROP_CODE:
		return -current_units
	if kind == REDUCE_UNITS:
		return units - current_units
	if kind == ADD_CODE:
		return units
	return 0


def needs_approval(kind: str, current_units: int, units: int) -> bool:
	"""An adjustment that bills more than the record would without it needs
	someone other than its author to approve it: every Add Code, and units above
	what the record bills."""
	if kind == ADD_CODE:
		return True
	return units_change(kind, current_units, units) > 0


def problem(kind: str, code: str | None, units: int, record: AdjustedRecord) -> str | None:
	"""Why the adjustment cannot apply to the record as it stands (the other
	adjustments in effect already applied), or None."""
	if kind not in KINDS:
		return UNKNOWN_KIND
	if kind == HOLD:
		return ALREADY_HELD if record.held else None
	if kind == RELEASE:
		return None if record.held else NOT_HELD
	if not code:
		return NO_CODE
	current = record.units_of(code)
	if kind in (DROP_CODE, REDUCE_UNITS) and current <= 0:
		return NOT_BILLED
	if kind in (REDUCE_UNITS, ADD_CODE) and units < 1:
		return UNITS_NOT_POSITIVE
	if kind == REDUCE_UNITS and units >= current:
		return NOT_A_REDUCTION
	return None


def apply(engine_lines: list[EngineLine], adjustments: list[Adjustment]) -> AdjustedRecord:
	"""The record's lines with ``adjustments`` (those in effect, in the order
	they took effect) applied on top of the engine's. An adjustment that no
	longer fits the lines (a code the engine stopped giving) changes nothing;
	re-closing flags such adjustments for review before they apply again."""
	record = AdjustedRecord([AdjustedLine(line.code, line.units, line.units) for line in engine_lines])
	by_code = {line.code: line for line in record.lines}
	for adjustment in adjustments:
		if adjustment.kind == HOLD:
			record.held_by = adjustment
			continue
		if adjustment.kind == RELEASE:
			record.held_by = None
			continue
		if problem(adjustment.kind, adjustment.code, adjustment.units, record):
			continue
		line = by_code.get(adjustment.code)
		if line is None:
			line = AdjustedLine(adjustment.code, 0, 0)
			record.lines.append(line)
			by_code[line.code] = line
		delta = units_change(adjustment.kind, line.units, adjustment.units)
		line.units += delta
		line.changes.append(Change(adjustment.name, delta, adjustment.reason))
	return record
