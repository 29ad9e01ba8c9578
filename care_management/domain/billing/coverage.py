"""Who pays a care-management service: the coverage in force on its date of
service, and how its allowed amount splits between payers and the patient.

Plain data in, plain data out; the desk keeps the coverages (Patient Coverage)
and the plan types' shares (Coverage Plan Type), which an admin edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

PRIMARY = "Primary"
SECONDARY = "Secondary"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Coverage:
	name: str
	payer: str
	plan_type: str
	order: str  # PRIMARY or SECONDARY
	effective_from: date
	effective_to: date | None = None
	qmb: bool = False

	def in_force_on(self, day: date) -> bool:
		return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


NO_COVERAGE = "no coverage on file"
SECONDARY_ONLY = "only a secondary coverage is in force"
ENDED = "coverage ended before the date of service"
NOT_IN_FORCE = "no coverage in force"


@dataclass(frozen=True)
class CoverageOnDate:
	primary: Coverage | None
	secondary: Coverage | None
	problem: str | None = None  # why nothing can be billed: one of the constants above
	ended: Coverage | None = None  # for ENDED: the coverage that ended last

	def describe(self, day: date) -> str | None:
		"""The problem in English with its facts (the site words it with _() from the constant)."""
		if self.problem == ENDED:
			return f"coverage {self.ended.name} ended {self.ended.effective_to.isoformat()}, before {day.isoformat()}"
		if self.problem in (SECONDARY_ONLY, NOT_IN_FORCE):
			return f"{self.problem} on {day.isoformat()}"
		return self.problem


def coverage_on(coverages: list[Coverage], day: date) -> CoverageOnDate:
	"""The primary and (if any) secondary coverage in force on ``day``.

	Overlapping coverages of one order are refused when they are saved; should
	the data hold some anyway, the one that started last wins (the newer card).
	"""
	in_force = [c for c in coverages if c.in_force_on(day)]
	primary = latest([c for c in in_force if c.order == PRIMARY])
	secondary = latest([c for c in in_force if c.order == SECONDARY])
	if primary:
		return CoverageOnDate(primary, secondary)
	if secondary:
		return CoverageOnDate(None, secondary, SECONDARY_ONLY)
	if not coverages:
		return CoverageOnDate(None, None, NO_COVERAGE)
	ended = [c for c in coverages if c.effective_to is not None and c.effective_to < day]
	if ended and not [c for c in coverages if c.effective_from > day]:
		return CoverageOnDate(None, None, ENDED, max(ended, key=lambda c: c.effective_to))
	return CoverageOnDate(None, None, NOT_IN_FORCE)


def latest(coverages: list[Coverage]) -> Coverage | None:
	return max(coverages, key=lambda c: (c.effective_from, c.name)) if coverages else None


def overlapping(new: Coverage, others: list[Coverage]) -> list[Coverage]:
	"""Coverages of the same order whose dates overlap ``new``'s (any day in common)."""
	far = date.max
	return [
		other
		for other in others
		if other.name != new.name
		and other.order == new.order
		and other.effective_from <= (new.effective_to or far)
		and new.effective_from <= (other.effective_to or far)
	]


@dataclass(frozen=True)
class ShareSplit:
	"""Per unit of a service, in cents-exact Decimals; the four add up to ``allowed``."""

	allowed: Decimal
	primary: Decimal
	secondary: Decimal = Decimal(0)
	patient: Decimal = Decimal(0)
	written_off: Decimal = Decimal(0)  # QMB: owed by no one the practice may bill
	notes: list[str] = field(default_factory=list)


def to_cents(value) -> Decimal:
	return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def split_allowed(
	allowed,
	primary_share_percent,
	*,
	secondary_share_percent=None,
	qmb: bool = False,
	no_cost_sharing: bool = False,
) -> ShareSplit:
	"""Split one unit's allowed amount.

	The primary payer pays its share (rounded half up to the cent); the rest is
	the coinsurance. A code without cost sharing leaves none: the payer is billed
	it all. A secondary coverage pays its share of the coinsurance; what is left
	is the patient's, unless the patient is a Qualified Medicare Beneficiary, who
	may not be billed it (it is written off). Splitting per unit keeps every
	invoice line an exact number of cents that add up to units times allowed.
	"""
	allowed = to_cents(allowed)
	if allowed < 0:
		raise ValueError("allowed amount is negative")
	percent = Decimal(str(primary_share_percent))
	if not Decimal(0) <= percent <= Decimal(100):
		raise ValueError("primary share percent must be between 0 and 100")
	if no_cost_sharing:
		return ShareSplit(allowed, allowed, notes=["no cost sharing"])
	primary = to_cents(allowed * percent / 100)
	rest = allowed - primary
	secondary = Decimal(0)
	notes = []
	if secondary_share_percent is not None and rest:
		second = Decimal(str(secondary_share_percent))
		if not Decimal(0) <= second <= Decimal(100):
			raise ValueError("secondary share percent must be between 0 and 100")
		secondary = to_cents(rest * second / 100)
		rest -= secondary
	if qmb:
		if rest:
			notes.append("QMB: coinsurance not billed to the patient")
		return ShareSplit(allowed, primary, secondary, Decimal(0), rest, notes)
	return ShareSplit(allowed, primary, secondary, rest, Decimal(0), notes)


def normalize_member_id(value: str) -> str:
	"""Member IDs are printed with dashes and spaces; claims carry them bare, upper case."""
	return "".join(ch for ch in (value or "") if ch.isalnum()).upper()
