"""Which programs a patient can be offered as an addition to what they are in, which
only as a switch, and which combination pays best: read from the billing codes' rules
and exclusions (Billing Code records, as domain/billing/rules.py sees them), never
from a list of program pairs.

A program is billed through the *primary* codes of its billing family: the codes
that are neither add-ons (no base codes) nor billable only beside another code
(no "requires code with"); e.g. CCM's 99490 and 99491, APCM's G0556-G0558. Two
programs can be billed together when at least one primary code of each excludes
none of the other's (an exclusion on either code counts, whichever record names
it). When every pair is excluded, the new program could only replace the current
one. An exclusion scoped to the same practitioner still makes a switch here: the
offer is the practice's, and the row says when another billing practitioner could
bill both.

A program's expected monthly amount: of its primary codes whose patient conditions
the patient meets (QMB, number of chronic conditions; a code needing High complexity
is not expected, since complexity is judged at the visit; nor a first-month-only code,
the figure being a month's after the first), those that an earlier
code of the list (in the engine's evaluation order) excludes for the patient drop out,
as the engine drops them (APCM's G0558 over G0557 for a QMB patient); the lowest
price of the rest, one unit, no add-on units, is what the program at least pays in
a month it is billed (CCM's 99490 or 99491, whoever does the work). A program whose
codes have no price counts as 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from care_management.domain.billing.rules import PATIENT, SAME_PRACTITIONER, BillingRule

ADD = "Add"
SWITCH = "Switch"
FIRST_MONTH = "First Month of Care"


@dataclass(frozen=True)
class Offer:
	program: str
	kind: str  # ADD or SWITCH
	replaces: tuple[str, ...]  # the current programs it cannot be billed with
	# SAME_PRACTITIONER when every conflict is only for one billing practitioner, else PATIENT
	conflict_scope: str | None
	monthly_amount: float
	monthly_difference: float  # the amount, less what the replaced programs bring
	best: bool  # part of the best-paying combination


@dataclass(frozen=True)
class Candidate:
	current: tuple[str, ...]  # programs the patient is in (or pending for)
	qualifies_for: tuple[str, ...]  # programs they qualify for and are not in
	qmb: bool = False
	conditions: int = 0


def primary_rules(rules: Iterable[BillingRule], family: str | None) -> list[BillingRule]:
	return [r for r in rules if r.program == family and not r.base_codes and not r.requires_code_with]


def _excluded(a: BillingRule, b: BillingRule) -> str | None:
	"""The scope of the exclusion between two codes, PATIENT winning; None when none."""
	scopes = {e.scope for e in a.excludes if e.code == b.code} | {
		e.scope for e in b.excludes if e.code == a.code
	}
	if not scopes:
		return None
	return PATIENT if PATIENT in scopes else SAME_PRACTITIONER


def conflict(primaries_a: list[BillingRule], primaries_b: list[BillingRule]) -> str | None:
	"""None when the two programs can be billed together by one practitioner;
	SAME_PRACTITIONER when only different practitioners could; PATIENT when never."""
	if not primaries_a or not primaries_b:
		return None
	scopes = [_excluded(a, b) for a in primaries_a for b in primaries_b]
	if any(scope is None for scope in scopes):
		return None
	return PATIENT if all(scope == PATIENT for scope in scopes) else SAME_PRACTITIONER


def monthly_amount(
	primaries: list[BillingRule], prices: dict[str, float], qmb: bool, conditions: int
) -> float:
	"""What the program at least pays in a month (module docstring); 0 when no code has a price.
	``primaries`` in evaluation order."""
	fitting = [
		rule
		for rule in primaries
		if (qmb or not rule.requires_qmb)
		and (rule.min_conditions is None or conditions >= rule.min_conditions)
		and (rule.max_conditions is None or conditions <= rule.max_conditions)
		and rule.min_complexity != "High"
		and rule.care_month != FIRST_MONTH
	]
	fitting = [
		rule
		for i, rule in enumerate(fitting)
		if not any(_excluded(rule, earlier) == PATIENT for earlier in fitting[:i])
	]
	priced = [float(prices[rule.code]) for rule in fitting if prices.get(rule.code) is not None]
	return min(priced, default=0.0)


class Catalogue:
	"""The rules in force, the price of each code and each program's billing family,
	with the pairwise conflicts worked out once for the whole report."""

	def __init__(self, rules: list[BillingRule], prices: dict[str, float], families: dict[str, str | None]):
		self.prices = prices
		self.primaries = {program: primary_rules(rules, family) for program, family in families.items()}
		self._conflicts: dict[tuple[str, str], str | None] = {}

	def conflict(self, a: str, b: str) -> str | None:
		key = (a, b) if a <= b else (b, a)
		if key not in self._conflicts:
			self._conflicts[key] = conflict(self.primaries.get(a, []), self.primaries.get(b, []))
		return self._conflicts[key]

	def amount(self, program: str, qmb: bool, conditions: int) -> float:
		return monthly_amount(self.primaries.get(program, []), self.prices, qmb, conditions)


def best_combination(
	programs: Iterable[str], amounts: dict[str, float], catalogue: Catalogue, current=()
) -> tuple:
	"""The programs billable together that pay most in a month; among equals, the one
	keeping more of the current programs, then fewer programs (the first by name after that)."""
	programs = sorted(set(programs))
	current = set(current)
	best, best_key = (), None
	for size in range(1, len(programs) + 1):
		for combo in combinations(programs, size):
			if any(catalogue.conflict(a, b) for a, b in combinations(combo, 2)):
				continue
			key = (round(sum(amounts[p] for p in combo), 2), len(current.intersection(combo)))
			if best_key is None or key > best_key:
				best, best_key = combo, key
	return best


def offers(patient: Candidate, catalogue: Catalogue) -> tuple[list[Offer], tuple[str, ...]]:
	"""One offer per program the patient qualifies for, and the best-paying combination."""
	amounts = {
		program: catalogue.amount(program, patient.qmb, patient.conditions)
		for program in (*patient.current, *patient.qualifies_for)
	}
	best = best_combination((*patient.current, *patient.qualifies_for), amounts, catalogue, patient.current)
	found = []
	for program in patient.qualifies_for:
		scopes = {current: catalogue.conflict(program, current) for current in patient.current}
		replaces = tuple(sorted(current for current, scope in scopes.items() if scope))
		scope = None
		if replaces:
			scope = SAME_PRACTITIONER if all(scopes[c] == SAME_PRACTITIONER for c in replaces) else PATIENT
		found.append(
			Offer(
				program=program,
				kind=SWITCH if replaces else ADD,
				replaces=replaces,
				conflict_scope=scope,
				monthly_amount=amounts[program],
				monthly_difference=round(amounts[program] - sum(amounts[c] for c in replaces), 2),
				best=program in best,
			)
		)
	return found, best
