"""Turn one patient's period facts into billable lines, or reasons why not.

The engine is given every fact it needs (minutes already limited to the logs
whose outcome counts, consent, plan, conditions, device days, TCM dates) and
the rules in force. It never counts one minute twice: a timed code draws on
the minutes of its own program and performer types, its add-ons on the same
pool beyond the first unit, and codes that may not share a period are
resolved in rule order (the first listed wins) with the loser explained.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from care_management.domain.billing.minutes import Interval, union_minutes
from care_management.domain.billing.rules import DEVICE_EPISODE, SAME_PRACTITIONER, BillingRule


@dataclass(frozen=True)
class EnrollmentFacts:
	program: str
	practitioner: str
	consented: bool
	first_month_of_care: bool = False
	# CHI: an initiating visit, on or before the month's end, in which the
	# practitioner identified the social needs the service addresses.
	initiating_visit: bool = False


@dataclass(frozen=True)
class TransitionFacts:
	discharge_date: date
	business_days_to_contact: int | None  # first interactive contact after discharge
	days_to_face_to_face: int | None
	face_to_face_date: date | None
	medication_reconciled: bool
	complexity: str  # "Moderate" or "High"


@dataclass
class PeriodFacts:
	month: date  # any day of the calendar month being billed
	enrollments: list[EnrollmentFacts]
	minutes: dict[tuple[str, str], int] = field(default_factory=dict)  # (program, performer type) -> minutes
	# (program, performer type) -> the counted intervals (domain/billing/minutes.py). When given,
	# a code's minutes are their union over its performer types, so a moment two staff
	# shared counts once; without them ``minutes`` are summed.
	intervals: dict[tuple[str, str], tuple[Interval, ...]] = field(default_factory=dict)
	# (program, text): minutes left out or merged, said on the billing record
	minute_notes: list[tuple[str, str]] = field(default_factory=list)
	interactive_programs: set[str] = field(default_factory=set)
	care_plan_active: bool = False
	chronic_conditions: int = 0
	device_days: int = 0
	device_setup_due: bool = False  # a new device episode whose set-up is not billed yet
	qmb: bool = False
	transition: TransitionFacts | None = None


@dataclass(frozen=True)
class Line:
	code: str
	units: int
	program: str
	practitioner: str
	date_of_service: date
	minutes: int = 0


@dataclass(frozen=True)
class Reason:
	code: str
	program: str
	text: str


@dataclass
class Evaluation:
	lines: list[Line]
	reasons: list[Reason]

	def codes(self) -> dict[str, int]:
		return {line.code: line.units for line in self.lines}


def _plural(n: int, word: str) -> str:
	return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _month_end(day: date) -> date:
	return day.replace(day=calendar.monthrange(day.year, day.month)[1])


COMPLEXITY_ORDER = {"Moderate": 1, "High": 2}


class _Evaluator:
	def __init__(self, facts: PeriodFacts, rules: list[BillingRule]):
		self.facts = facts
		self.rules = rules
		self.by_code = {rule.code: rule for rule in rules}
		self.enrollments = {e.program: e for e in facts.enrollments}
		# What was left out of or merged in the minutes comes first: it explains the rest.
		self.reasons: list[Reason] = [Reason("", program, text) for program, text in facts.minute_notes]
		self.pending: list[tuple[BillingRule, Line]] = []
		self.explained_programs: set[str] = set()
		# Exclusions hold both ways, whichever record names them.
		self.exclusion_scope = {
			frozenset((rule.code, exclusion.code)): exclusion.scope
			for rule in rules
			for exclusion in rule.excludes
		}

	def reason(self, rule: BillingRule, text: str) -> None:
		self.reasons.append(Reason(rule.code, rule.program, text))

	def pool_minutes(self, rule: BillingRule) -> int:
		if self.facts.intervals:
			return union_minutes(
				interval
				for performer in rule.performer_types
				for interval in self.facts.intervals.get((rule.pool, performer), ())
			)
		return sum(self.facts.minutes.get((rule.pool, performer), 0) for performer in rule.performer_types)

	def missing_elements(self, rule: BillingRule, enrollment: EnrollmentFacts) -> list[str]:
		facts = self.facts
		missing = []
		if rule.requires_consent and not enrollment.consented:
			missing.append(f"no consent on the {rule.program} enrollment")
		if rule.requires_care_plan and not facts.care_plan_active:
			missing.append("no active care plan")
		if rule.min_conditions and facts.chronic_conditions < rule.min_conditions:
			missing.append(
				f"{rule.code} needs {_plural(rule.min_conditions, 'chronic condition')}; "
				f"the care plan has {facts.chronic_conditions}"
			)
		if rule.max_conditions is not None and facts.chronic_conditions > rule.max_conditions:
			missing.append(
				f"{rule.code} is for at most {_plural(rule.max_conditions, 'chronic condition')}; "
				f"the care plan has {facts.chronic_conditions}"
			)
		if rule.requires_interactive and rule.program not in facts.interactive_programs:
			missing.append(f"{rule.code} needs an interactive (real-time, two-way) contact this month")
		if rule.care_month == "First Month of Care" and not enrollment.first_month_of_care:
			missing.append(f"{rule.code} is for the first month of care only")
		if rule.care_month == "Later Months" and enrollment.first_month_of_care:
			missing.append(f"{rule.code} is for months after the first month of care")
		if rule.requires_qmb and not facts.qmb:
			missing.append(f"{rule.code} needs a Qualified Medicare Beneficiary")
		if rule.requires_initiating_visit and not enrollment.initiating_visit:
			missing.append(
				f"{rule.code} needs an initiating visit in which the practitioner identified the social needs; "
				"none recorded"
			)
		if rule.min_device_days is not None and facts.device_days < rule.min_device_days:
			missing.append(
				f"{rule.code} needs {rule.min_device_days} days of device data; {facts.device_days} recorded"
			)
		if rule.max_device_days is not None and facts.device_days > rule.max_device_days:
			missing.append(
				f"{rule.code} is for at most {rule.max_device_days} days of device data; {facts.device_days} recorded"
			)
		return missing

	def transition_gaps(self, rule: BillingRule) -> list[str]:
		tcm = self.facts.transition
		if tcm is None:
			return [f"{rule.code} needs a discharge (transition of care) this period"]
		gaps = []
		if rule.max_business_days_to_contact is not None and (
			tcm.business_days_to_contact is None
			or tcm.business_days_to_contact > rule.max_business_days_to_contact
		):
			gaps.append(
				f"{rule.code} needs an interactive contact within {rule.max_business_days_to_contact} business days of discharge"
			)
		if rule.max_days_to_face_to_face is not None and (
			tcm.days_to_face_to_face is None or tcm.days_to_face_to_face > rule.max_days_to_face_to_face
		):
			gaps.append(
				f"{rule.code} needs a face-to-face visit within {rule.max_days_to_face_to_face} days of discharge"
			)
		if not tcm.medication_reconciled:
			gaps.append(f"{rule.code} needs medication reconciliation by the face-to-face visit")
		if (
			rule.min_complexity
			and COMPLEXITY_ORDER.get(tcm.complexity, 0) < COMPLEXITY_ORDER[rule.min_complexity]
		):
			gaps.append(f"{rule.code} needs {rule.min_complexity.lower()} complexity decision making")
		return gaps

	def date_of_service(self, rule: BillingRule) -> date:
		if (
			rule.max_days_to_face_to_face is not None
			and self.facts.transition
			and self.facts.transition.face_to_face_date
		):
			return self.facts.transition.face_to_face_date
		return _month_end(self.facts.month)

	def evaluate_base(self, rule: BillingRule) -> None:
		enrollment = self.enrollments.get(rule.program)
		if enrollment is None:
			return  # not enrolled in this program: nothing to explain
		missing = self.missing_elements(rule, enrollment)
		if rule.max_days_to_face_to_face is not None or rule.max_business_days_to_contact is not None:
			missing += self.transition_gaps(rule)
		if rule.period == DEVICE_EPISODE:
			if not self.facts.device_setup_due:
				missing.append(f"{rule.code} is billed once per device episode; no new episode this month")
		if missing:
			for text in missing:  # one reason each, so a shared gap reads once per program
				self.reason(rule, text)
			return
		minutes = self.pool_minutes(rule) if rule.performer_types else 0
		if rule.first_unit_minutes:
			if minutes < rule.first_unit_minutes:
				if minutes == 0 and rule.program in self.explained_programs:
					return  # "30 minutes short of 99491" when nobody logged physician time is noise
				self.explained_programs.add(rule.program)
				short = rule.first_unit_minutes - minutes
				self.reason(rule, f"{_plural(short, 'minute')} short of {rule.code}")
				return
		line = Line(rule.code, 1, rule.program, enrollment.practitioner, self.date_of_service(rule), minutes)
		self.pending.append((rule, line))

	def add_ons_for(self, base_rule: BillingRule, base_line: Line) -> list[tuple[BillingRule, Line]]:
		lines = []
		for rule in self.rules:
			if base_rule.code not in rule.base_codes or not rule.add_on_minutes:
				continue
			enrollment = self.enrollments[base_rule.program]
			missing = self.missing_elements(rule, enrollment)
			if missing:
				for text in missing:
					self.reason(rule, text)
				continue
			beyond = base_line.minutes - (base_rule.first_unit_minutes or 0)
			units = beyond // rule.add_on_minutes
			if units < 1:
				self.reason(
					rule,
					f"{_plural(rule.add_on_minutes - beyond, 'minute')} short of {rule.code} "
					f"({base_line.minutes} of {(base_rule.first_unit_minutes or 0) + rule.add_on_minutes} minutes)",
				)
				continue
			if rule.max_units is not None and units > rule.max_units:
				self.reason(
					rule,
					f"{rule.code} is capped at {_plural(rule.max_units, 'unit')} a month; "
					f"{base_line.minutes} minutes would make {units}",
				)
				units = rule.max_units
			lines.append(
				(
					rule,
					Line(
						rule.code,
						units,
						rule.program,
						base_line.practitioner,
						base_line.date_of_service,
						base_line.minutes,
					),
				)
			)
		return lines

	def excluded_by(self, rule: BillingRule, line: Line, kept: list[tuple[BillingRule, Line]]) -> Line | None:
		"""The kept line this one may not share the period with, if any."""
		for _other_rule, other in kept:
			scope = self.exclusion_scope.get(frozenset((rule.code, other.code)))
			if scope and (scope != SAME_PRACTITIONER or other.practitioner == line.practitioner):
				return other
		return None

	def run(self) -> Evaluation:
		for rule in self.rules:
			if not rule.is_add_on:
				self.evaluate_base(rule)
		qualified = {line.code for _rule, line in self.pending}
		kept: list[tuple[BillingRule, Line]] = []
		for rule, line in self.pending:
			if rule.requires_code_with and not (set(rule.requires_code_with) & qualified):
				self.reason(
					rule,
					f"{rule.code} is billable only with {' or '.join(rule.requires_code_with)} in the same month",
				)
				continue
			winner = self.excluded_by(rule, line, kept)
			if winner:
				self.reason(
					rule,
					f"{rule.code} not billed: {winner.code} is billed this period and they may not be combined",
				)
				continue
			kept.append((rule, line))
			kept.extend(self.add_ons_for(rule, line))
		lines = [line for _rule, line in kept]
		self.note_alternatives(lines)
		return Evaluation(lines, self.reasons)

	def note_alternatives(self, lines: list[Line]) -> None:
		"""'99454 needs 16 days …; 99445 billed instead' reads better than two separate facts."""
		billed = {line.code: line for line in lines}
		for i, reason in enumerate(self.reasons):
			rule = self.by_code.get(reason.code)
			if not rule:
				continue
			if "not billed" in reason.text:
				continue
			for code, line in billed.items():
				if line.program == rule.program and frozenset((rule.code, code)) in self.exclusion_scope:
					self.reasons[i] = Reason(
						reason.code, reason.program, f"{reason.text}, {code} billed instead"
					)
					break


def evaluate(facts: PeriodFacts, rules: list[BillingRule]) -> Evaluation:
	"""Billable lines and reasons for one patient's month, under ``rules`` (already the rules in force)."""
	return _Evaluator(facts, rules).run()
