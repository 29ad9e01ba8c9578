"""Rules for outreach logs: the time they record and the follow-up they propose.

Billing trusts these minutes, so a log must describe one coherent stretch of
work: it ends after it starts, is not in the future, is no longer than four
hours, and its duration is the time between start and end less any time the
timer was paused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from care_management.domain.risk_tiers import RiskTier, next_contact_due

MAX_DURATION_MINUTES = 240
# Start to end, pauses included. Bounding it lets the overlap check read only
# the performer's logs of the day before (an index range, not their history).
MAX_SPAN = timedelta(hours=24)
# A duration typed by hand may differ from the clock by rounding.
DURATION_TOLERANCE_MINUTES = 1

REACHED = "Reached"
# Outcomes whose minutes count toward billing thresholds by default. Attempts
# that reached nobody are logged but not counted (billing-rules-2026.md).
COUNTED_OUTCOMES = ("Reached", "Not Applicable")


class TimeProblem(Enum):
	END_BEFORE_START = "end_before_start"
	START_IN_FUTURE = "start_in_future"
	NOT_POSITIVE = "not_positive"
	TOO_LONG = "too_long"
	DURATION_MISMATCH = "duration_mismatch"
	SPANS_TOO_LONG = "spans_too_long"


@dataclass(frozen=True)
class LoggedTime:
	start: datetime
	end: datetime
	duration_minutes: int
	paused_minutes: int = 0

	@property
	def clock_minutes(self) -> int:
		"""Minutes between start and end, less pauses, to the nearest minute."""
		return round((self.end - self.start).total_seconds() / 60) - (self.paused_minutes or 0)


def time_problems(time: LoggedTime, now: datetime) -> list[TimeProblem]:
	problems = []
	if time.start > now:
		problems.append(TimeProblem.START_IN_FUTURE)
	if time.end < time.start:
		problems.append(TimeProblem.END_BEFORE_START)
		return problems
	if time.end - time.start > MAX_SPAN:
		problems.append(TimeProblem.SPANS_TOO_LONG)
	if time.duration_minutes is None or time.duration_minutes <= 0:
		problems.append(TimeProblem.NOT_POSITIVE)
	elif time.duration_minutes > MAX_DURATION_MINUTES:
		problems.append(TimeProblem.TOO_LONG)
	if time.duration_minutes and abs(time.duration_minutes - time.clock_minutes) > DURATION_TOLERANCE_MINUTES:
		problems.append(TimeProblem.DURATION_MISMATCH)
	return problems


def counting_month(start: datetime) -> date:
	"""A log's minutes count toward the calendar month in which it started."""
	return date(start.year, start.month, 1)


def counts_toward_thresholds(outcome: str, counted_outcomes: tuple[str, ...] = COUNTED_OUTCOMES) -> bool:
	return outcome in counted_outcomes


def propose_follow_up(contact_day: date, tier: RiskTier, outcome: str) -> date:
	"""The next contact: the tier's cadence after reaching the patient, its
	shorter retry interval after an attempt that reached nobody."""
	return next_contact_due(contact_day, tier, reached=outcome in COUNTED_OUTCOMES)


# --- the form's timer, whose state is stored on the draft log so it survives a reload


@dataclass(frozen=True)
class TimerState:
	started_at: datetime
	paused_at: datetime | None = None
	paused_seconds: int = 0

	def elapsed_seconds(self, now: datetime) -> int:
		until = self.paused_at or now
		return max(0, int((until - self.started_at).total_seconds()) - (self.paused_seconds or 0))

	def pause(self, now: datetime) -> TimerState:
		return self if self.paused_at else TimerState(self.started_at, now, self.paused_seconds)

	def resume(self, now: datetime) -> TimerState:
		if not self.paused_at:
			return self
		paused = self.paused_seconds + int((now - self.paused_at).total_seconds())
		return TimerState(self.started_at, None, paused)

	def stop(self, now: datetime) -> LoggedTime:
		"""The logged time when the timer stops now (a paused timer ends when it was paused)."""
		resumed = self.resume(self.paused_at) if self.paused_at else self
		end = self.paused_at or now
		paused_minutes = round(resumed.paused_seconds / 60)
		duration = max(1, round(self.elapsed_seconds(now) / 60))
		return LoggedTime(self.started_at, end, duration, paused_minutes)
