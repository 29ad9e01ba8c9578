"""The deadlines of a Transitional Care Management window, counted from discharge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from care_management.domain.business_days import add_business_days

CONTACT_BUSINESS_DAYS = 2
# CPT 99496 (high complexity) needs the visit within 7 days, 99495 (moderate) within 14.
FACE_TO_FACE_DAYS = {"High": 7, "Moderate": 14}


@dataclass(frozen=True)
class TcmDeadlines:
	contact_due: date
	face_to_face_due: date


def tcm_deadlines(discharged: date, complexity: str | None, holidays: set[date]) -> TcmDeadlines:
	"""The interactive contact within 2 business days; the visit within 7 or 14 calendar days."""
	return TcmDeadlines(
		contact_due=add_business_days(discharged, CONTACT_BUSINESS_DAYS, holidays),
		face_to_face_due=discharged + timedelta(days=FACE_TO_FACE_DAYS.get(complexity or "Moderate", 14)),
	)
