from datetime import date

from care_management.domain.business_days import add_business_days, business_days_between

FRIDAY = date(2026, 11, 20)


def test_a_friday_discharge_is_due_by_tuesday():
	assert add_business_days(FRIDAY, 2, set()) == date(2026, 11, 24)


def test_holidays_are_skipped():
	thanksgiving = date(2026, 11, 26)
	assert add_business_days(date(2026, 11, 25), 2, {thanksgiving}) == date(2026, 11, 30)


def test_counting_business_days_to_a_contact():
	assert business_days_between(FRIDAY, date(2026, 11, 23), set()) == 1
	assert business_days_between(FRIDAY, date(2026, 11, 24), set()) == 2
	assert business_days_between(FRIDAY, FRIDAY, set()) == 0
	assert business_days_between(FRIDAY, date(2026, 11, 25), {date(2026, 11, 23)}) == 2
