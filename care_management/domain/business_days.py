"""Business days between two dates, skipping weekends and the practice's holidays."""

from __future__ import annotations

from datetime import date, timedelta


def business_days_between(start: date, end: date, holidays: set[date]) -> int:
	"""Business days after ``start`` up to and including ``end`` (0 if ``end`` is on or before ``start``)."""
	days = 0
	day = start
	while day < end:
		day += timedelta(days=1)
		if day.weekday() < 5 and day not in holidays:
			days += 1
	return days


def add_business_days(start: date, count: int, holidays: set[date]) -> date:
	day = start
	added = 0
	while added < count:
		day += timedelta(days=1)
		if day.weekday() < 5 and day not in holidays:
			added += 1
	return day
