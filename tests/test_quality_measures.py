"""Quality measure definitions of the pure core, at their boundaries."""

from datetime import date

from care_management.domain.quality_measures import (
	Reading,
	bp_controlled,
	depression_index,
	followed_up,
	hba1c_poor,
	in_age,
	in_remission,
	last_in,
	months_before,
	rate,
)


def test_blood_pressure_is_controlled_strictly_below_140_over_90():
	assert bp_controlled(Reading(date(2026, 11, 1), 139, 89))
	assert not bp_controlled(Reading(date(2026, 11, 1), 140, 80))
	assert not bp_controlled(Reading(date(2026, 11, 1), 130, 90))
	assert not bp_controlled(None)


def test_the_last_reading_in_the_period_decides():
	readings = [Reading(date(2026, 3, 1), 170, 100, "a"), Reading(date(2026, 10, 1), 128, 78, "b")]
	assert last_in(readings, date(2025, 12, 1), date(2026, 11, 30)).source == "b"
	assert last_in(readings, date(2025, 12, 1), date(2026, 9, 30)).source == "a"
	assert last_in(readings, date(2026, 11, 1), date(2026, 11, 30)) is None


def test_hba1c_poor_control_is_above_nine_or_missing():
	assert hba1c_poor(Reading(date(2026, 11, 1), 9.1))
	assert not hba1c_poor(Reading(date(2026, 11, 1), 9.0))
	assert hba1c_poor(None)


def test_age_bands_are_inclusive():
	assert in_age(18, (18, 85)) and in_age(85, (18, 85))
	assert not in_age(17, (18, 85)) and not in_age(86, (18, 85)) and not in_age(None, (18, 85))


def test_depression_index_and_remission_windows():
	end = date(2026, 11, 30)
	index = depression_index([Reading(date(2025, 9, 30), 15, None, "i"), Reading(date(2025, 9, 29), 20)], end)
	assert index.source == "i"  # 14 months before the end is the first day of the window
	assert depression_index([Reading(date(2026, 2, 1), 15)], end) is None  # 10 months before: too late
	assert in_remission(index, [Reading(date(2026, 9, 1), 4)])
	assert not in_remission(index, [Reading(date(2026, 9, 1), 5)])
	assert not in_remission(index, [Reading(date(2026, 7, 29), 2)])  # before 10 months after the index


def test_follow_up_counts_days_one_to_seven():
	discharged = date(2026, 11, 10)
	assert followed_up(discharged, [date(2026, 11, 17)]) == date(2026, 11, 17)
	assert followed_up(discharged, [date(2026, 11, 10), date(2026, 11, 18)]) is None


def test_months_before_keeps_the_day_or_the_month_end():
	assert months_before(date(2026, 11, 30), 12) == date(2025, 11, 30)
	assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
	assert months_before(date(2025, 9, 30), -14) == date(2026, 11, 30)


def test_rate_of_an_empty_denominator_is_none():
	assert rate(0, 0) is None
	assert rate(1, 3) == 33.3
