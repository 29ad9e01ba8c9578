"""Program enrollment rules: consent, month-end disenrollment, overlaps."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import Enum

# Statuses whose enrollment is in force for its dates. "Ended" still counts
# until its end date: disenrollment takes effect at the end of the month.
IN_FORCE_STATUSES = ("Active", "Paused", "Ended")


class ConsentGap(Enum):
	METHOD = "method"
	DATE = "date"
	OBTAINED_BY = "obtained_by"
	SERVICE_AVAILABLE = "told_service_available"
	COST_SHARING = "told_cost_sharing"
	ONE_PRACTITIONER_BILLS = "told_one_practitioner_bills"
	MAY_STOP_ANY_TIME = "told_may_stop_any_time"
	WRITTEN_FORM = "consent_form"
	DATE_IN_FUTURE = "date_in_future"


@dataclass(frozen=True)
class Consent:
	method: str | None  # "Verbal" or "Written"
	consent_date: date | None
	obtained_by: str | None
	told_service_available: bool = False
	told_cost_sharing: bool = False
	told_one_practitioner_bills: bool = False
	told_may_stop_any_time: bool = False
	form_attached: bool = False


def consent_gaps(consent: Consent, today: date) -> list[ConsentGap]:
	"""What is missing before the consent supports an active enrollment.

	Medicare expects the patient to have been told each of the four statements;
	a written consent must have its signed form attached.
	"""
	gaps: list[ConsentGap] = []
	if consent.method not in ("Verbal", "Written"):
		gaps.append(ConsentGap.METHOD)
	if not consent.consent_date:
		gaps.append(ConsentGap.DATE)
	elif consent.consent_date > today:
		gaps.append(ConsentGap.DATE_IN_FUTURE)
	if not consent.obtained_by:
		gaps.append(ConsentGap.OBTAINED_BY)
	for told, gap in (
		(consent.told_service_available, ConsentGap.SERVICE_AVAILABLE),
		(consent.told_cost_sharing, ConsentGap.COST_SHARING),
		(consent.told_one_practitioner_bills, ConsentGap.ONE_PRACTITIONER_BILLS),
		(consent.told_may_stop_any_time, ConsentGap.MAY_STOP_ANY_TIME),
	):
		if not told:
			gaps.append(gap)
	if consent.method == "Written" and not consent.form_attached:
		gaps.append(ConsentGap.WRITTEN_FORM)
	return gaps


def month_end(day: date) -> date:
	return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def effective_end_date(requested: date | None, today: date) -> date:
	"""Disenrollment takes effect at the end of the month it is asked for."""
	return month_end(requested or today)


def periods_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
	"""Inclusive date ranges; an open end runs forever."""
	return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def is_active_on(status: str, start: date, end: date | None, on: date) -> bool:
	"""Whether the patient is in the program on a day (paused enrollments are not)."""
	return status in ("Active", "Ended") and start <= on and (end is None or on <= end)
