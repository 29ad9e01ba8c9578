"""How far a patient's minutes this month are from the next billable step.

Each billing family has a ladder of cumulative minutes at which another unit
becomes billable (CCM clinical staff: 20 for 99490, then 40 and 60 for the
two 99439 add-ons). The worklist uses it to show "5 minutes to the next
threshold". These defaults follow billing-rules-2026.md; the Billing Code
records of the billing module supersede them once they exist.
"""

from __future__ import annotations

DEFAULT_LADDERS: dict[str, tuple[int, ...]] = {
	"CCM": (20, 40, 60),
	"Complex CCM": (60, 90),
	"PCM": (30, 60),
	"RPM": (10, 20, 40, 60, 80),
	"BHI": (20,),
	"CoCM": (60, 90),
	"CHI": (60, 90, 120),
	"PIN": (60, 90),
}


def minutes_to_next_threshold(minutes: int, ladder: tuple[int, ...]) -> int | None:
	"""Minutes still needed for the next step, or None when the ladder is done."""
	for step in ladder:
		if minutes < step:
			return step - minutes
	return None


def near_threshold(minutes: int, ladder: tuple[int, ...], within: int = 5) -> bool:
	remaining = minutes_to_next_threshold(minutes, ladder)
	return remaining is not None and remaining <= within
