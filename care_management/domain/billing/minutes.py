"""Which logged minutes are a program's minutes in a month, and how many they are.

Two rules of billing-rules-2026.md decide it, before any threshold is looked at:

- A log's minutes are its program's only when the log starts on or after the
  enrollment's consent date (the consent day itself counts) and within the
  enrollment's start and end dates. Minutes outside are logged and shown, never
  counted. A program that needs no consent only needs the dates; a program the
  patient has no enrollment in (TCM needs none) keeps its minutes as logged.
- Minutes that several staff spend on the same patient at the same moment count
  once: each log is the interval [start, start + its minutes), and a program's
  intervals are merged before they are summed. The engine merges again across
  the performer types of a code's pool (``union_minutes``), so a clinical-staff
  code takes the clinical-staff intervals and a practitioner's own code the
  practitioner's.

Whatever is left out or merged is said in plain words, program by program, for
the billing record's explanation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class TimedLog:
	name: str
	program: str  # billing family ('' when the log names no program)
	performer_type: str
	start: datetime
	minutes: int
	interactive: bool = False

	@property
	def interval(self) -> Interval:
		return (self.start, self.start + timedelta(minutes=self.minutes))


@dataclass(frozen=True)
class EnrollmentWindow:
	"""When a program's minutes may count: its dates and, where it needs one, its consent."""

	program: str
	start_date: date
	end_date: date | None = None
	consent_date: date | None = None  # None: no consent recorded
	requires_consent: bool = True


@dataclass
class CountedTime:
	# (program, performer type) -> the merged intervals that count
	intervals: dict[tuple[str, str], tuple[Interval, ...]] = field(default_factory=dict)
	# (program, performer type) -> their minutes
	minutes: dict[tuple[str, str], int] = field(default_factory=dict)
	interactive_programs: set[str] = field(default_factory=set)
	notes: list[tuple[str, str]] = field(default_factory=list)  # (program, text)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
	"""Overlapping or touching intervals as one."""
	merged: list[list[datetime]] = []
	for start, end in sorted(intervals):
		if merged and start <= merged[-1][1]:
			merged[-1][1] = max(merged[-1][1], end)
		else:
			merged.append([start, end])
	return [(start, end) for start, end in merged]


def union_minutes(intervals: Iterable[Interval]) -> int:
	"""Whole minutes covered by the intervals, each moment once (rounded down: never more than worked)."""
	seconds = sum((end - start).total_seconds() for start, end in merge(intervals))
	return int(seconds // 60)


def _day(value: date) -> str:
	return f"{value.day} {value:%b}"


def _minutes(n: int) -> str:
	return f"{n} minute" if n == 1 else f"{n} minutes"


BEFORE_START = "before_start"
AFTER_END = "after_end"
NO_CONSENT = "no_consent"
BEFORE_CONSENT = "before_consent"


@dataclass(frozen=True)
class NotCounted:
	"""Why a log's minutes are not its program's: ``kind`` and the date it turns on."""

	kind: str
	day: date | None = None

	@property
	def text(self) -> str:
		if self.kind == BEFORE_START:
			return f"before the enrollment started on {_day(self.day)}"
		if self.kind == AFTER_END:
			return f"after the enrollment ended on {_day(self.day)}"
		if self.kind == NO_CONSENT:
			return "with no consent recorded"
		return f"before consent on {_day(self.day)}"


def why_not_counted(log: TimedLog, windows: list[EnrollmentWindow]) -> NotCounted | None:
	"""None when the log's program has no enrollment here, or one lets its minutes count; else why not."""
	reasons = []
	day = log.start.date()
	for window in windows:
		if window.program != log.program:
			continue
		if day < window.start_date:
			reasons.append(NotCounted(BEFORE_START, window.start_date))
		elif window.end_date and day > window.end_date:
			reasons.append(NotCounted(AFTER_END, window.end_date))
		elif window.requires_consent and window.consent_date is None:
			reasons.append(NotCounted(NO_CONSENT))
		elif window.requires_consent and day < window.consent_date:
			reasons.append(NotCounted(BEFORE_CONSENT, window.consent_date))
		else:
			return None
	# With several enrollments of one program the first one's reason is the nearest.
	return reasons[0] if reasons else None


def count_month(logs: Iterable[TimedLog], windows: Iterable[EnrollmentWindow]) -> CountedTime:
	"""The counted minutes of one patient's month (``logs`` are already those whose outcome counts)."""
	by_program: dict[str, list[EnrollmentWindow]] = defaultdict(list)
	for window in windows:
		by_program[window.program].append(window)
	counted: dict[str, list[TimedLog]] = defaultdict(list)
	left_out: dict[tuple[str, str], int] = defaultdict(int)
	for log in sorted(logs, key=lambda log: (log.start, log.name)):
		why = why_not_counted(log, by_program.get(log.program, []))
		if why:
			left_out[(log.program, why.text)] += log.minutes
		else:
			counted[log.program].append(log)

	result = CountedTime()
	for (program, why), minutes in left_out.items():
		result.notes.append((program, f"{_minutes(minutes)} {why} not counted"))
	for program, program_logs in counted.items():
		by_performer: dict[str, list[Interval]] = defaultdict(list)
		for log in program_logs:
			by_performer[log.performer_type].append(log.interval)
			if log.interactive:
				result.interactive_programs.add(program)
		for performer, intervals in by_performer.items():
			merged = tuple(merge(intervals))
			result.intervals[(program, performer)] = merged
			result.minutes[(program, performer)] = union_minutes(merged)
		note = _overlap_note(program_logs)
		if note:
			result.notes.append((program, note))
	return result


def program_minutes(counted: CountedTime) -> dict[str, int]:
	"""Each program's counted minutes, whoever logged them, each moment once (the worklist's figure)."""
	by_program: dict[str, list[Interval]] = defaultdict(list)
	for (program, _performer), intervals in counted.intervals.items():
		by_program[program].extend(intervals)
	return {program: union_minutes(intervals) for program, intervals in by_program.items()}


def _overlap_note(logs: list[TimedLog]) -> str | None:
	"""'12 minutes logged by several staff at the same time counted once (OL-1, OL-2)'."""
	logged = sum(log.minutes for log in logs)
	once = union_minutes(log.interval for log in logs)
	if logged <= once:
		return None
	overlapping = set()
	ordered = sorted(logs, key=lambda log: log.interval)
	for i, log in enumerate(ordered):
		for other in ordered[i + 1 :]:
			if other.start >= log.interval[1]:
				break
			overlapping.update((log.name, other.name))
	return (
		f"{_minutes(logged - once)} logged by several staff at the same time counted once "
		f"({', '.join(sorted(overlapping))})"
	)
