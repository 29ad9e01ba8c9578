"""Which programs a patient qualifies for, from facts the practice already keeps.

Chronic condition categories map ICD-10-CM codes to groups (diabetes, heart
failure, …). A program's eligibility is a list of criteria: every "Required"
criterion must hold, and when there are "Any Of" criteria at least one of them
must hold too (BHI: a behavioral category *or* a PHQ-9 of 10 or more). Each
criterion that holds says why, so a supervisor sees the evidence before
enrolling anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from care_management.domain.icd10 import normalise_icd10

# One entry of a category's code list: a code prefix of at least three
# characters (E11, I50.2), or a range of prefixes of the same length (I20-I25).
_PREFIX = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")


class Criterion(Enum):
	CHRONIC_CATEGORIES = "Chronic Categories At Least"
	HIGH_RISK_CATEGORY = "High-Risk Category"
	BEHAVIORAL_CATEGORY = "Behavioral Health Category"
	CATEGORY_IN = "Any Of These Categories"
	PHQ9_AT_LEAST = "PHQ-9 Score At Least"
	DISCHARGE_WITHIN_DAYS = "Discharge Within Days Without Transition"
	POSITIVE_HRSN_WITHIN_MONTHS = "Positive Social Need Within Months"
	CARE_RELATIONSHIP_WITHIN_MONTHS = "Seen By The Practice Within Months"
	AGE_AT_LEAST = "Age At Least"
	AGE_AT_MOST = "Age At Most"


# Criteria whose value is a number the admin must give (and what it means).
NEEDS_VALUE = {
	Criterion.CHRONIC_CATEGORIES,
	Criterion.PHQ9_AT_LEAST,
	Criterion.DISCHARGE_WITHIN_DAYS,
	Criterion.POSITIVE_HRSN_WITHIN_MONTHS,
	Criterion.CARE_RELATIONSHIP_WITHIN_MONTHS,
	Criterion.AGE_AT_LEAST,
	Criterion.AGE_AT_MOST,
}
REQUIRED, ANY_OF = "Required", "Any Of"


# ------------------------------------------------------------------ categories
def compact(code: str) -> str:
	"""E11.9 -> E119: prefixes are compared without the dot."""
	return normalise_icd10(code).replace(".", "")


@dataclass(frozen=True)
class CodeRange:
	start: str  # compacted, e.g. "I20"
	end: str  # same length as start; equal to it for a plain prefix

	def matches(self, code: str) -> bool:
		head = compact(code)[: len(self.start)]
		return len(head) == len(self.start) and self.start <= head <= self.end


def split_entries(text: str | None) -> list[str]:
	return [part.strip() for part in re.split(r"[,;\n]+", text or "") if part.strip()]


def bad_code_entries(text: str | None) -> list[str]:
	"""The entries of a code list that are not an ICD-10-CM prefix or range."""
	bad = []
	for entry in split_entries(text):
		ends = [compact(end) for end in entry.split("-")]
		if len(ends) > 2 or not all(_PREFIX.match(end) for end in ends):
			bad.append(entry)
		elif len(ends) == 2 and (len(ends[0]) != len(ends[1]) or ends[0] > ends[1]):
			bad.append(entry)
	return bad


def parse_code_ranges(text: str | None) -> tuple[CodeRange, ...]:
	"""The valid entries of a code list (check bad_code_entries first)."""
	bad = set(bad_code_entries(text))
	ranges = []
	for entry in split_entries(text):
		if entry in bad:
			continue
		ends = [compact(end) for end in entry.split("-")]
		ranges.append(CodeRange(ends[0], ends[-1]))
	return tuple(ranges)


@dataclass(frozen=True)
class ChronicCategory:
	name: str
	codes: tuple[CodeRange, ...]
	lasts_12_months: bool = True
	high_risk: bool = False
	behavioral: bool = False

	def matches(self, code: str) -> bool:
		return any(r.matches(code) for r in self.codes)


# ----------------------------------------------------------------------- facts
@dataclass(frozen=True)
class Diagnosis:
	code: str
	last_date: date | None
	source: str  # e.g. "Patient Encounter HLC-ENC-2026-00001" or "Care Plan CP-2026-00001"


@dataclass(frozen=True)
class DatedFact:
	on: date
	value: float | None = None
	source: str = ""
	detail: str = ""


@dataclass
class PatientFacts:
	patient: str
	age: int | None = None
	diagnoses: list[Diagnosis] = field(default_factory=list)
	latest_phq9: DatedFact | None = None
	untransitioned_discharges: list[DatedFact] = field(default_factory=list)
	positive_hrsn: list[DatedFact] = field(default_factory=list)  # detail = the positive domains
	last_seen: DatedFact | None = None


@dataclass(frozen=True)
class CategoryMatch:
	category: ChronicCategory
	diagnoses: tuple[Diagnosis, ...]

	def describe(self) -> str:
		codes = ", ".join(
			f"{d.code} ({d.last_date.isoformat() if d.last_date else '?'}, {d.source})"
			for d in self.diagnoses
		)
		return f"{self.category.name}: {codes}"


def categorise(
	diagnoses: list[Diagnosis],
	categories: list[ChronicCategory],
	memo: dict[str, tuple[int, ...]] | None = None,
) -> list[CategoryMatch]:
	"""The categories the diagnoses fall in, in the order the categories are
	given. ``memo`` (code -> indexes of its categories) is shared across the
	patients of a scan: the same few hundred codes recur over thousands."""
	memo = {} if memo is None else memo
	found: dict[int, list[Diagnosis]] = {}
	for diagnosis in diagnoses:
		indexes = memo.get(diagnosis.code)
		if indexes is None:
			indexes = memo[diagnosis.code] = tuple(
				i for i, category in enumerate(categories) if category.matches(diagnosis.code)
			)
		for i in indexes:
			found.setdefault(i, []).append(diagnosis)
	return [CategoryMatch(categories[i], tuple(found[i])) for i in sorted(found)]


# --------------------------------------------------------------------- program
@dataclass(frozen=True)
class Rule:
	criterion: Criterion
	combine: str = REQUIRED
	value: float | None = None
	categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleProblem:
	row: int
	field: str  # the child-table field to correct
	kind: str  # "missing_value", "negative_value", "missing_categories", "unknown_category", "bad_combine"
	detail: str = ""


def rule_problems(rules: list[Rule], known_categories: set[str]) -> list[RuleProblem]:
	problems = []
	for row, rule in enumerate(rules, start=1):
		if rule.combine not in (REQUIRED, ANY_OF):
			problems.append(RuleProblem(row, "combine", "bad_combine", rule.combine))
		if rule.criterion in NEEDS_VALUE:
			if rule.value is None:
				problems.append(RuleProblem(row, "value", "missing_value"))
			elif rule.value < 0:
				problems.append(RuleProblem(row, "value", "negative_value"))
		if rule.criterion is Criterion.CATEGORY_IN:
			if not rule.categories:
				problems.append(RuleProblem(row, "categories", "missing_categories"))
			for name in rule.categories:
				if name not in known_categories:
					problems.append(RuleProblem(row, "categories", "unknown_category", name))
	return problems


@dataclass(frozen=True)
class Eligibility:
	qualifies: bool
	evidence: tuple[str, ...] = ()


def _months_between(earlier: date, later: date) -> int:
	return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def check(rule: Rule, facts: PatientFacts, matches: list[CategoryMatch], today: date) -> str | None:
	"""The evidence for one criterion, or None when it does not hold."""
	c, value = rule.criterion, rule.value
	if c is Criterion.CHRONIC_CATEGORIES:
		lasting = [m for m in matches if m.category.lasts_12_months]
		if value is not None and len(lasting) >= value and lasting:
			return f"{len(lasting)} chronic categories: " + "; ".join(m.describe() for m in lasting)
		return None
	if c is Criterion.HIGH_RISK_CATEGORY:
		found = [m for m in matches if m.category.high_risk]
		return ("High-risk: " + "; ".join(m.describe() for m in found)) if found else None
	if c is Criterion.BEHAVIORAL_CATEGORY:
		found = [m for m in matches if m.category.behavioral]
		return ("Behavioral: " + "; ".join(m.describe() for m in found)) if found else None
	if c is Criterion.CATEGORY_IN:
		found = [m for m in matches if m.category.name in rule.categories]
		return "; ".join(m.describe() for m in found) if found else None
	if c is Criterion.PHQ9_AT_LEAST:
		phq = facts.latest_phq9
		if phq and phq.value is not None and value is not None and phq.value >= value:
			return f"PHQ-9 {phq.value:g} on {phq.on.isoformat()} ({phq.source})"
		return None
	if c is Criterion.DISCHARGE_WITHIN_DAYS:
		recent = [
			d
			for d in facts.untransitioned_discharges
			if value is not None and 0 <= (today - d.on).days <= value
		]
		return "; ".join(f"Discharged {d.on.isoformat()} ({d.source})" for d in recent) or None
	if c is Criterion.POSITIVE_HRSN_WITHIN_MONTHS:
		recent = [
			s for s in facts.positive_hrsn if value is not None and _months_between(s.on, today) < value
		]
		return "; ".join(f"{s.detail} on {s.on.isoformat()} ({s.source})" for s in recent) or None
	if c is Criterion.CARE_RELATIONSHIP_WITHIN_MONTHS:
		seen = facts.last_seen
		if seen and value is not None and _months_between(seen.on, today) < value:
			return f"Seen {seen.on.isoformat()} ({seen.source})"
		return None
	if c is Criterion.AGE_AT_LEAST:
		return (
			f"Age {facts.age}" if facts.age is not None and value is not None and facts.age >= value else None
		)
	if c is Criterion.AGE_AT_MOST:
		return (
			f"Age {facts.age}" if facts.age is not None and value is not None and facts.age <= value else None
		)
	raise ValueError(c)


def evaluate(
	rules: list[Rule], facts: PatientFacts, matches: list[CategoryMatch], today: date
) -> Eligibility:
	"""A program with no criteria qualifies no one: it is not scanned for."""
	if not rules:
		return Eligibility(False)
	evidence = []
	for rule in (r for r in rules if r.combine == REQUIRED):
		found = check(rule, facts, matches, today)
		if found is None:
			return Eligibility(False)
		evidence.append(found)
	any_of = [r for r in rules if r.combine == ANY_OF]
	if any_of:
		found_any = [f for f in (check(r, facts, matches, today) for r in any_of) if f is not None]
		if not found_any:
			return Eligibility(False)
		evidence.extend(found_any)
	return Eligibility(True, tuple(evidence))


def age_on(dob: date | None, today: date) -> int | None:
	if not dob:
		return None
	return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


# ------------------------------------------------------------ spreading work
def spread_by_spare_capacity(
	patients: list[str], caseloads: dict[str, int], target: int, keep: dict[str, str] | None = None
) -> dict[str, str | None]:
	"""Give each patient the care manager with the most room under ``target``
	(ties by name, so the result is repeatable). A patient who already has a
	care manager in ``keep`` stays with them. When everyone is at or over the
	target, the least loaded still gets the patient: a full caseload is a
	staffing question, not a reason to leave a patient unassigned. None when
	there are no care managers at all."""
	keep = keep or {}
	loads = dict(caseloads)
	assigned: dict[str, str | None] = {}
	for patient in patients:
		if keep.get(patient):
			assigned[patient] = keep[patient]  # already counted in their caseload
			continue
		# Most spare room first (target - load), ties by name.
		manager = min(loads, key=lambda m: (loads[m] - target, m)) if loads else None
		assigned[patient] = manager
		if manager:
			loads[manager] += 1
	return assigned
