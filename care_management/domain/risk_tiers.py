"""Risk tiers and the contact cadence they set.

A practice defines its tiers (e.g. High, Medium, Low) in Care Management
Settings, each with the number of days between contacts once the patient was
reached, and a shorter retry interval after an attempt that reached nobody.
The order of the rows is the order of risk: the first row is the highest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum


class TierProblemKind(Enum):
	MISSING_NAME = "missing_name"
	DUPLICATE_NAME = "duplicate_name"
	CADENCE_NOT_POSITIVE = "cadence_not_positive"
	RETRY_NOT_POSITIVE = "retry_not_positive"
	RETRY_LONGER_THAN_CADENCE = "retry_longer_than_cadence"


@dataclass(frozen=True)
class RiskTier:
	name: str
	cadence_days: int
	retry_days: int | None = None

	def days_until_next_contact(self, reached: bool) -> int:
		"""Days from a contact to the next one: the cadence after a reached
		contact, the (shorter) retry interval after an unanswered attempt."""
		if reached or not self.retry_days:
			return self.cadence_days
		return self.retry_days


@dataclass(frozen=True)
class TierProblem:
	kind: TierProblemKind
	row: int  # 1-based, as the desk numbers table rows
	tier: str


def _normalised(name: str | None) -> str:
	return " ".join((name or "").split()).casefold()


def find_tier_problems(tiers: list[RiskTier]) -> list[TierProblem]:
	"""Every reason the list of tiers cannot be saved, in row order.

	Names are compared without regard to case or repeated spaces, since
	"High" and "high " would look like one tier to a care manager.
	"""
	problems: list[TierProblem] = []
	seen: set[str] = set()
	for row, tier in enumerate(tiers, start=1):
		key = _normalised(tier.name)
		if not key:
			problems.append(TierProblem(TierProblemKind.MISSING_NAME, row, ""))
			continue
		if key in seen:
			problems.append(TierProblem(TierProblemKind.DUPLICATE_NAME, row, tier.name))
		seen.add(key)
		if tier.cadence_days is None or tier.cadence_days <= 0:
			problems.append(TierProblem(TierProblemKind.CADENCE_NOT_POSITIVE, row, tier.name))
		if tier.retry_days is not None and tier.retry_days != 0:
			if tier.retry_days < 0:
				problems.append(TierProblem(TierProblemKind.RETRY_NOT_POSITIVE, row, tier.name))
			elif tier.cadence_days and tier.cadence_days > 0 and tier.retry_days > tier.cadence_days:
				problems.append(TierProblem(TierProblemKind.RETRY_LONGER_THAN_CADENCE, row, tier.name))
	return problems


def next_contact_due(last_contact: date, tier: RiskTier, reached: bool) -> date:
	"""The date the next contact is due after a contact on ``last_contact``."""
	return last_contact + timedelta(days=tier.days_until_next_contact(reached))


DEFAULT_TIERS: tuple[RiskTier, ...] = (
	RiskTier("High", cadence_days=7, retry_days=2),
	RiskTier("Medium", cadence_days=14, retry_days=3),
	RiskTier("Low", cadence_days=30, retry_days=7),
)
