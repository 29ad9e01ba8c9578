"""A billing code's rule, as the engine sees a Billing Code record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

CALENDAR_MONTH = "Calendar Month"
DEVICE_30_DAYS = "30 Days from First Reading"
DEVICE_EPISODE = "Once per Device Episode"
DISCHARGE_30_DAYS = "30 Days from Discharge"

PATIENT = "Patient"  # exclusion scope: never together for the patient
SAME_PRACTITIONER = "Same Practitioner"  # not together when billed by one practitioner


@dataclass(frozen=True)
class Exclusion:
	code: str
	scope: str = PATIENT


@dataclass(frozen=True)
class BillingRule:
	code: str
	program: str  # billing family, e.g. "CCM"
	description: str = ""
	base_codes: tuple[str, ...] = ()  # set for an add-on: the codes it adds to
	period: str = CALENDAR_MONTH
	performer_types: tuple[str, ...] = ()  # whose minutes count; empty: time is not a requirement
	minutes_program: str | None = None  # the program whose minutes count, when not `program`
	first_unit_minutes: int | None = None
	add_on_minutes: int | None = None
	max_units: int | None = 1  # None: no cap
	requires_consent: bool = True
	requires_care_plan: bool = False
	min_conditions: int | None = None
	max_conditions: int | None = None
	requires_interactive: bool = False
	min_device_days: int | None = None
	max_device_days: int | None = None
	care_month: str = "Any"  # "Any", "First Month of Care", "Later Months"
	requires_qmb: bool = False
	requires_initiating_visit: bool = False  # CHI: a visit in which the practitioner identified social needs
	requires_code_with: tuple[str, ...] = ()  # billable only with one of these in the same period
	max_business_days_to_contact: int | None = None  # TCM
	max_days_to_face_to_face: int | None = None  # TCM
	min_complexity: str | None = None  # TCM: "Moderate" or "High"
	excludes: tuple[Exclusion, ...] = field(default_factory=tuple)
	effective_from: date | None = None
	effective_to: date | None = None

	@property
	def is_add_on(self) -> bool:
		return bool(self.base_codes)

	@property
	def is_timed(self) -> bool:
		return bool(self.first_unit_minutes or self.add_on_minutes)

	@property
	def pool(self) -> str:
		return self.minutes_program or self.program

	def in_force(self, day: date) -> bool:
		return (self.effective_from is None or self.effective_from <= day) and (
			self.effective_to is None or day <= self.effective_to
		)


def rules_in_force(rules: list[BillingRule], day: date) -> list[BillingRule]:
	"""The rules that apply on ``day`` (a month is evaluated with its own year's rules)."""
	return [rule for rule in rules if rule.in_force(day)]


class RuleProblemKind:
	ADD_ON_WITHOUT_BASE = "add_on_without_base"
	UNKNOWN_BASE = "unknown_base"
	MAX_BELOW_ONE = "max_below_one"
	ZERO_THRESHOLD = "zero_threshold"
	OVERLAPPING_DATES = "overlapping_dates"
	DATES_REVERSED = "dates_reversed"


def rule_problems(rule: BillingRule, others: list[BillingRule], add_on: bool) -> list[str]:
	"""Why a Billing Code record cannot be saved (kinds from RuleProblemKind).

	``others`` are the other records; ``add_on`` is the record's own flag, so an
	add-on whose base list is empty is caught.
	"""
	problems = []
	if add_on and not rule.base_codes:
		problems.append(RuleProblemKind.ADD_ON_WITHOUT_BASE)
	known = {other.code for other in others}
	if rule.base_codes and any(base not in known and base != rule.code for base in rule.base_codes):
		problems.append(RuleProblemKind.UNKNOWN_BASE)
	if rule.max_units is not None and rule.max_units < 1:
		problems.append(RuleProblemKind.MAX_BELOW_ONE)
	timed_threshold = rule.add_on_minutes if add_on else rule.first_unit_minutes
	if rule.performer_types and timed_threshold is not None and timed_threshold <= 0:
		problems.append(RuleProblemKind.ZERO_THRESHOLD)
	if rule.effective_from and rule.effective_to and rule.effective_to < rule.effective_from:
		problems.append(RuleProblemKind.DATES_REVERSED)
	for other in others:
		if other.code == rule.code and _periods_overlap(rule, other):
			problems.append(RuleProblemKind.OVERLAPPING_DATES)
			break
	return problems


def _periods_overlap(a: BillingRule, b: BillingRule) -> bool:
	a_from, b_from = a.effective_from or date.min, b.effective_from or date.min
	a_to, b_to = a.effective_to or date.max, b.effective_to or date.max
	return a_from <= b_to and b_from <= a_to


def _tuple(value) -> tuple[str, ...]:
	if not value:
		return ()
	if isinstance(value, str):
		return tuple(part.strip() for part in value.replace("\n", ",").split(",") if part.strip())
	return tuple(value)


def _int_or_none(value) -> int | None:
	return None if value in (None, "") else int(value)


def _date_or_none(value) -> date | None:
	if value in (None, ""):
		return None
	return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def rule_from_dict(data: dict) -> BillingRule:
	"""A rule from plain data: the seed file, or a Billing Code record as a dict."""
	return BillingRule(
		code=data["code"],
		program=data["program"],
		description=data.get("description") or "",
		base_codes=_tuple(data.get("base_codes")),
		period=data.get("period") or CALENDAR_MONTH,
		performer_types=_tuple(data.get("performer_types")),
		minutes_program=data.get("minutes_program") or None,
		first_unit_minutes=_int_or_none(data.get("first_unit_minutes")),
		add_on_minutes=_int_or_none(data.get("add_on_minutes")),
		max_units=_int_or_none(data.get("max_units")),
		requires_consent=bool(data.get("requires_consent", True)),
		requires_care_plan=bool(data.get("requires_care_plan")),
		min_conditions=_int_or_none(data.get("min_conditions")),
		max_conditions=_int_or_none(data.get("max_conditions")),
		requires_interactive=bool(data.get("requires_interactive")),
		min_device_days=_int_or_none(data.get("min_device_days")),
		max_device_days=_int_or_none(data.get("max_device_days")),
		care_month=data.get("care_month") or "Any",
		requires_qmb=bool(data.get("requires_qmb")),
		requires_initiating_visit=bool(data.get("requires_initiating_visit")),
		requires_code_with=_tuple(data.get("requires_code_with")),
		max_business_days_to_contact=_int_or_none(data.get("max_business_days_to_contact")),
		max_days_to_face_to_face=_int_or_none(data.get("max_days_to_face_to_face")),
		min_complexity=data.get("min_complexity") or None,
		excludes=tuple(
			Exclusion(*item)
			if isinstance(item, (list, tuple))
			else Exclusion(item["code"], item.get("scope") or PATIENT)
			for item in data.get("excludes") or ()
		),
		effective_from=_date_or_none(data.get("effective_from")),
		effective_to=_date_or_none(data.get("effective_to")),
	)


def ordered_rules(records: list[dict]) -> list[BillingRule]:
	"""Rules in evaluation order: by priority, the lower first (it wins an exclusion)."""
	return [rule_from_dict(r) for r in sorted(records, key=lambda r: (r.get("priority") or 0, r["code"]))]
