from datetime import date

from care_management.domain.enrollment import (
	Consent,
	ConsentGap,
	consent_gaps,
	effective_end_date,
	is_active_on,
	month_end,
	periods_overlap,
)

TODAY = date(2026, 11, 24)
FULL_VERBAL = Consent(
	method="Verbal",
	consent_date=date(2026, 11, 2),
	obtained_by="cm@example.org",
	told_service_available=True,
	told_cost_sharing=True,
	told_one_practitioner_bills=True,
	told_may_stop_any_time=True,
)


def test_complete_verbal_consent_has_no_gaps():
	assert consent_gaps(FULL_VERBAL, TODAY) == []


def test_no_consent_at_all_lists_every_gap():
	gaps = consent_gaps(Consent(None, None, None), TODAY)
	assert gaps == [
		ConsentGap.METHOD,
		ConsentGap.DATE,
		ConsentGap.OBTAINED_BY,
		ConsentGap.SERVICE_AVAILABLE,
		ConsentGap.COST_SHARING,
		ConsentGap.ONE_PRACTITIONER_BILLS,
		ConsentGap.MAY_STOP_ANY_TIME,
	]


def test_each_untold_statement_is_a_gap():
	consent = Consent(**{**FULL_VERBAL.__dict__, "told_cost_sharing": False})
	assert consent_gaps(consent, TODAY) == [ConsentGap.COST_SHARING]


def test_written_consent_needs_the_signed_form():
	written = Consent(**{**FULL_VERBAL.__dict__, "method": "Written"})
	assert consent_gaps(written, TODAY) == [ConsentGap.WRITTEN_FORM]
	attached = Consent(**{**written.__dict__, "form_attached": True})
	assert consent_gaps(attached, TODAY) == []


def test_consent_dated_in_the_future_is_a_gap():
	consent = Consent(**{**FULL_VERBAL.__dict__, "consent_date": date(2026, 11, 25)})
	assert consent_gaps(consent, TODAY) == [ConsentGap.DATE_IN_FUTURE]


def test_month_end_handles_leap_years_and_december():
	assert month_end(date(2028, 2, 3)) == date(2028, 2, 29)
	assert month_end(date(2026, 2, 3)) == date(2026, 2, 28)
	assert month_end(date(2026, 12, 31)) == date(2026, 12, 31)


def test_disenrollment_takes_effect_at_month_end():
	assert effective_end_date(date(2026, 3, 10), TODAY) == date(2026, 3, 31)
	assert effective_end_date(None, TODAY) == date(2026, 11, 30)


def test_overlap_of_inclusive_and_open_periods():
	jan = (date(2026, 1, 1), date(2026, 1, 31))
	assert periods_overlap(*jan, date(2026, 1, 31), None)
	assert not periods_overlap(*jan, date(2026, 2, 1), None)
	assert periods_overlap(date(2026, 1, 1), None, date(2030, 1, 1), date(2030, 1, 2))
	assert not periods_overlap(date(2026, 3, 1), None, date(2026, 1, 1), date(2026, 2, 28))


def test_ended_enrollment_stays_active_until_its_end_date_and_paused_is_not_active():
	assert is_active_on("Ended", date(2026, 1, 1), date(2026, 11, 30), TODAY)
	assert not is_active_on("Ended", date(2026, 1, 1), date(2026, 10, 31), TODAY)
	assert not is_active_on("Paused", date(2026, 1, 1), None, TODAY)
	assert not is_active_on("Active", date(2026, 12, 1), None, TODAY)
	assert not is_active_on("Pending Consent", date(2026, 1, 1), None, TODAY)
