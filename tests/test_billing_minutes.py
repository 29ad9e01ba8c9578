"""Which minutes count: inside consent and enrollment dates, and simultaneous staff once."""

from datetime import date, datetime

from care_management.domain.billing.engine import EnrollmentFacts, PeriodFacts, evaluate
from care_management.domain.billing.minutes import (
	EnrollmentWindow,
	TimedLog,
	count_month,
	merge,
	union_minutes,
)
from care_management.domain.billing.rules import BillingRule

CLINICAL = "Clinical Staff"
PHYSICIAN = "Physician/QHP"
NOV = date(2026, 11, 1)

CCM_99490 = BillingRule(
	code="99490",
	program="CCM",
	performer_types=(CLINICAL,),
	first_unit_minutes=20,
	requires_care_plan=True,
	min_conditions=2,
)
CCM_99439 = BillingRule(
	code="99439",
	program="CCM",
	base_codes=("99490",),
	performer_types=(CLINICAL,),
	add_on_minutes=20,
	max_units=2,
)
CCM_POOLED = BillingRule(
	code="99490", program="CCM", performer_types=(CLINICAL, PHYSICIAN), first_unit_minutes=20
)


def log(name, day, hour, minute, minutes, performer=CLINICAL, program="CCM", interactive=False):
	return TimedLog(name, program, performer, datetime(2026, 11, day, hour, minute), minutes, interactive)


def ccm_window(consent=date(2026, 11, 1), start=date(2026, 10, 1), end=None, requires_consent=True):
	return EnrollmentWindow("CCM", start, end, consent, requires_consent)


def facts_from(counted, consented=True):
	return PeriodFacts(
		month=NOV,
		enrollments=[EnrollmentFacts("CCM", "PRAC-1", consented=consented)],
		minutes=counted.minutes,
		intervals=counted.intervals,
		minute_notes=counted.notes,
		interactive_programs=counted.interactive_programs,
		care_plan_active=True,
		chronic_conditions=2,
	)


# ------------------------------------------------------------- consent window
def test_consent_mid_month_counts_only_the_minutes_from_the_consent_day_on():
	counted = count_month(
		[log("OL-1", 5, 10, 0, 25), log("OL-2", 23, 10, 0, 12)], [ccm_window(consent=date(2026, 11, 21))]
	)
	assert counted.minutes == {("CCM", CLINICAL): 12}
	assert ("CCM", "25 minutes before consent on 21 Nov not counted") in counted.notes


def test_minutes_before_consent_do_not_bill_99490_and_the_record_says_why():
	counted = count_month([log("OL-1", 5, 10, 0, 25)], [ccm_window(consent=date(2026, 11, 21))])
	evaluation = evaluate(facts_from(counted), [CCM_99490, CCM_99439])
	assert evaluation.lines == []
	texts = [reason.text for reason in evaluation.reasons]
	assert texts[0] == "25 minutes before consent on 21 Nov not counted"
	assert "20 minutes short of 99490" in texts


def test_a_log_on_the_consent_day_counts():
	counted = count_month([log("OL-1", 21, 9, 0, 25)], [ccm_window(consent=date(2026, 11, 21))])
	assert counted.minutes == {("CCM", CLINICAL): 25}
	assert counted.notes == []
	assert evaluate(facts_from(counted), [CCM_99490]).codes() == {"99490": 1}


def test_no_consent_recorded_counts_nothing():
	counted = count_month([log("OL-1", 5, 10, 0, 40)], [ccm_window(consent=None)])
	assert counted.minutes == {}
	assert counted.notes == [("CCM", "40 minutes with no consent recorded not counted")]


def test_a_program_that_needs_no_consent_counts_from_its_start_date():
	counted = count_month(
		[log("OL-1", 2, 10, 0, 10), log("OL-2", 9, 10, 0, 15)],
		[ccm_window(consent=None, start=date(2026, 11, 5), requires_consent=False)],
	)
	assert counted.minutes == {("CCM", CLINICAL): 15}
	assert counted.notes == [("CCM", "10 minutes before the enrollment started on 5 Nov not counted")]


def test_minutes_after_the_enrollment_ended_are_not_counted():
	counted = count_month(
		[log("OL-1", 10, 10, 0, 20), log("OL-2", 16, 10, 0, 30)], [ccm_window(end=date(2026, 11, 15))]
	)
	assert counted.minutes == {("CCM", CLINICAL): 20}
	assert counted.notes == [("CCM", "30 minutes after the enrollment ended on 15 Nov not counted")]


def test_each_program_is_judged_by_its_own_consent():
	bhi = EnrollmentWindow("BHI", date(2026, 10, 1), None, date(2026, 11, 10))
	counted = count_month(
		[log("OL-1", 5, 10, 0, 20), log("OL-2", 5, 11, 0, 20, program="BHI")],
		[ccm_window(consent=date(2026, 11, 1)), bhi],
	)
	assert counted.minutes == {("CCM", CLINICAL): 20}
	assert counted.notes == [("BHI", "20 minutes before consent on 10 Nov not counted")]


def test_a_second_enrollment_of_the_same_program_lets_its_own_dates_count():
	counted = count_month(
		[log("OL-1", 3, 10, 0, 10), log("OL-2", 20, 10, 0, 15)],
		[ccm_window(end=date(2026, 11, 5)), ccm_window(start=date(2026, 11, 18), consent=date(2026, 11, 18))],
	)
	assert counted.minutes == {("CCM", CLINICAL): 25}


def test_minutes_of_a_program_without_an_enrollment_stay_as_logged():
	"""TCM needs no enrollment; its rules are its own."""
	counted = count_month([log("OL-1", 3, 10, 0, 10, program="TCM")], [ccm_window()])
	assert counted.minutes == {("TCM", CLINICAL): 10}


def test_a_log_before_consent_does_not_make_the_month_interactive():
	counted = count_month(
		[log("OL-1", 5, 10, 0, 10, interactive=True), log("OL-2", 25, 10, 0, 10)],
		[ccm_window(consent=date(2026, 11, 21))],
	)
	assert counted.interactive_programs == set()


# ------------------------------------------------------- simultaneous staff
def test_two_staff_on_the_same_twelve_minute_call_count_twelve_minutes():
	counted = count_month([log("OL-1", 5, 10, 0, 12), log("OL-2", 5, 10, 0, 12)], [ccm_window()])
	assert counted.minutes == {("CCM", CLINICAL): 12}
	assert counted.notes == [
		("CCM", "12 minutes logged by several staff at the same time counted once (OL-1, OL-2)")
	]


def test_two_staff_on_one_call_do_not_reach_99490_together():
	counted = count_month([log("OL-1", 5, 10, 0, 12), log("OL-2", 5, 10, 0, 12)], [ccm_window()])
	evaluation = evaluate(facts_from(counted), [CCM_99490])
	assert evaluation.lines == []
	assert "8 minutes short of 99490" in [reason.text for reason in evaluation.reasons]


def test_partly_overlapping_logs_count_their_union():
	counted = count_month(
		[log("OL-1", 5, 10, 0, 12), log("OL-2", 5, 10, 5, 15), log("OL-3", 6, 9, 0, 5)], [ccm_window()]
	)
	assert counted.minutes == {("CCM", CLINICAL): 25}  # 10:00-10:20 and 5 minutes the next day
	assert counted.notes == [
		("CCM", "7 minutes logged by several staff at the same time counted once (OL-1, OL-2)")
	]


def test_back_to_back_logs_are_not_overlaps():
	counted = count_month([log("OL-1", 5, 10, 0, 10), log("OL-2", 5, 10, 10, 10)], [ccm_window()])
	assert counted.minutes == {("CCM", CLINICAL): 20}
	assert counted.notes == []


def test_a_clinical_staff_code_takes_the_clinical_staff_interval_only():
	"""A physician on the call does not add to 99490, nor take away from it."""
	counted = count_month(
		[log("OL-1", 5, 10, 0, 22), log("OL-2", 5, 10, 0, 22, performer=PHYSICIAN)], [ccm_window()]
	)
	assert counted.minutes == {("CCM", CLINICAL): 22, ("CCM", PHYSICIAN): 22}
	assert evaluate(facts_from(counted), [CCM_99490]).lines[0].minutes == 22


def test_a_pool_of_several_performer_types_counts_shared_minutes_once():
	counted = count_month(
		[log("OL-1", 5, 10, 0, 15), log("OL-2", 5, 10, 5, 15, performer=PHYSICIAN)], [ccm_window()]
	)
	assert evaluate(facts_from(counted), [CCM_POOLED]).lines[0].minutes == 20  # 10:00 to 10:20, not 30
	counted = count_month(
		[log("OL-1", 5, 10, 0, 10), log("OL-2", 5, 10, 5, 10, performer=PHYSICIAN)], [ccm_window()]
	)
	assert evaluate(facts_from(counted), [CCM_POOLED]).lines == []  # 15 minutes together, not 20


def test_the_add_on_counts_merged_minutes():
	logs = [log("OL-1", 5, 10, 0, 45), log("OL-2", 5, 10, 0, 45), log("OL-3", 12, 10, 0, 20)]
	evaluation = evaluate(facts_from(count_month(logs, [ccm_window()])), [CCM_99490, CCM_99439])
	assert evaluation.codes() == {"99490": 1, "99439": 2}  # 65 minutes, not 110


def test_without_intervals_the_engine_still_sums_minutes():
	facts = facts_from(count_month([], [ccm_window()]))
	facts.minutes = {("CCM", CLINICAL): 25}
	assert evaluate(facts, [CCM_99490]).codes() == {"99490": 1}


def test_merge_and_union_minutes_round_down_partial_minutes():
	a = (datetime(2026, 11, 5, 10, 0, 30), datetime(2026, 11, 5, 10, 12, 30))
	b = (datetime(2026, 11, 5, 10, 0, 0), datetime(2026, 11, 5, 10, 12, 0))
	assert merge([a, b]) == [(b[0], a[1])]
	assert union_minutes([a, b]) == 12
	assert union_minutes([]) == 0
