"""The quality measures' rules on plain facts, at their boundaries."""

from datetime import date, datetime, timedelta

import pytest

from care_management.domain.quality_measures import (
	AFTER,
	BEFORE,
	DEPRESSION_REMISSION,
	DIABETES,
	DIABETES_POOR_CONTROL,
	DISCHARGE_FOLLOW_UP,
	HIGH_BLOOD_PRESSURE,
	MEASURES,
	MEASURES_BY_ID,
	PERIOD,
	BloodPressure,
	Diagnosis,
	Event,
	LabResult,
	PatientFacts,
	Reason,
	Score,
	Tally,
	Window,
	add_months,
	after_enrollment,
	before_enrollment,
	blood_pressure_value,
	earliest_fact_needed,
	evaluate,
	hba1c_percent,
	is_hba1c_test,
	measure_cases,
	reporting_window,
)

BP = MEASURES_BY_ID[HIGH_BLOOD_PRESSURE]
A1C = MEASURES_BY_ID[DIABETES_POOR_CONTROL]
PHQ = MEASURES_BY_ID[DEPRESSION_REMISSION]
FOLLOW_UP = MEASURES_BY_ID[DISCHARGE_FOLLOW_UP]
YEAR = Window(date(2026, 1, 1), date(2026, 12, 31))
AS_OF = date(2027, 3, 1)
BORN_1960 = date(1960, 6, 15)


def at(day: date, hour: int = 9) -> datetime:
	return datetime(day.year, day.month, day.day, hour)


def patient(**facts) -> PatientFacts:
	return PatientFacts("P1", facts.pop("birth_date", BORN_1960), **facts)


def hypertensive(*readings, **facts) -> PatientFacts:
	return patient(diagnoses=(Diagnosis("I10", date(2025, 3, 1)),), blood_pressures=tuple(readings), **facts)


def one(cases):
	assert len(cases) == 1, cases
	return cases[0]


# --- Controlling high blood pressure (CMS165)


@pytest.mark.parametrize(
	"systolic, diastolic, controlled",
	[(139, 89, True), (140, 89, False), (139, 90, False), (140, 90, False), (120, 95, False)],
)
def test_blood_pressure_is_controlled_only_below_140_and_below_90(systolic, diastolic, controlled):
	case = one(
		evaluate(BP, hypertensive(BloodPressure(at(date(2026, 6, 1)), systolic, diastolic)), YEAR, AS_OF)
	)
	assert case.in_denominator
	assert case.in_numerator is controlled
	assert case.reason == (Reason.BP_CONTROLLED if controlled else Reason.BP_NOT_CONTROLLED)


def test_the_last_reading_in_the_period_counts_not_an_earlier_good_one():
	facts = hypertensive(
		BloodPressure(at(date(2026, 3, 1)), 120, 70, ("Vital Signs", "early")),
		BloodPressure(at(date(2026, 11, 1)), 150, 95, ("Vital Signs", "late")),
		BloodPressure(at(date(2027, 1, 5)), 118, 70, ("Vital Signs", "after the period")),
	)
	case = one(evaluate(BP, facts, YEAR, AS_OF))
	assert not case.in_numerator
	assert case.source == ("Vital Signs", "late")
	assert case.detail == (150, 95, date(2026, 11, 1))


def test_of_several_readings_on_the_last_day_the_lowest_systolic_and_lowest_diastolic_count():
	day = date(2026, 10, 2)
	facts = hypertensive(BloodPressure(at(day, 9), 150, 80), BloodPressure(at(day, 15), 135, 92))
	case = one(evaluate(BP, facts, YEAR, AS_OF))
	assert case.detail == (135, 80, day)
	assert case.in_numerator


def test_no_reading_in_the_period_is_in_the_denominator_and_not_controlled():
	case = one(evaluate(BP, hypertensive(BloodPressure(at(date(2025, 12, 31)), 120, 70)), YEAR, AS_OF))
	assert (case.in_denominator, case.in_numerator, case.reason) == (True, False, Reason.NO_BP)


@pytest.mark.parametrize("age, counted", [(17, False), (18, True), (85, True), (86, False)])
def test_blood_pressure_ages_18_to_85_at_the_end_of_the_period(age, counted):
	born = date(2026 - age, 12, 31)  # turns ``age`` on the period's last day
	facts = hypertensive(BloodPressure(at(date(2026, 6, 1)), 120, 70), birth_date=born)
	case = one(evaluate(BP, facts, YEAR, AS_OF))
	assert case.in_denominator is counted
	if not counted:
		assert case.reason == Reason.AGE
		assert case.detail == (age,)


def test_a_birthday_the_day_after_the_period_ends_keeps_the_younger_age():
	facts = hypertensive(BloodPressure(at(date(2026, 6, 1)), 120, 70), birth_date=date(2009, 1, 1))
	assert one(evaluate(BP, facts, YEAR, AS_OF)).reason == Reason.AGE  # 17 on 31 December


def test_without_a_birth_date_a_patient_is_not_in_an_age_limited_denominator():
	facts = hypertensive(BloodPressure(at(date(2026, 6, 1)), 120, 70), birth_date=None)
	assert one(evaluate(BP, facts, YEAR, AS_OF)).reason == Reason.AGE


def test_without_a_hypertension_code_the_measure_is_not_about_the_patient():
	facts = patient(diagnoses=(Diagnosis("I11.9", date(2025, 1, 1)),))  # not in CMS165's value set
	assert evaluate(BP, facts, YEAR, AS_OF) == []
	later = patient(diagnoses=(Diagnosis("I10", date(2027, 1, 2)),))  # diagnosed after the period
	assert evaluate(BP, later, YEAR, AS_OF) == []


def test_end_stage_renal_disease_at_any_time_excludes_but_pregnancy_only_in_the_period():
	reading = BloodPressure(at(date(2026, 6, 1)), 150, 95)
	esrd = (
		*hypertensive(reading).diagnoses,
		Diagnosis("N18.6", date(2020, 1, 1), ("Patient Encounter", "E")),
	)
	case = one(evaluate(BP, patient(diagnoses=esrd, blood_pressures=(reading,)), YEAR, AS_OF))
	assert (case.in_denominator, case.excluded, case.reason) == (False, True, Reason.EXCLUDED)
	assert case.source == ("Patient Encounter", "E")
	old_pregnancy = (*hypertensive(reading).diagnoses, Diagnosis("O10.02", date(2024, 1, 1)))
	case = one(evaluate(BP, patient(diagnoses=old_pregnancy, blood_pressures=(reading,)), YEAR, AS_OF))
	assert case.in_denominator and not case.excluded
	pregnant = (*hypertensive(reading).diagnoses, Diagnosis("Z34.80", date(2026, 2, 1)))
	assert one(evaluate(BP, patient(diagnoses=pregnant, blood_pressures=(reading,)), YEAR, AS_OF)).excluded


# --- Diabetes HbA1c poor control (CMS122, inverse)


def diabetic(*results, **facts) -> PatientFacts:
	return patient(diagnoses=(Diagnosis("E11.9", date(2024, 1, 1)),), hba1c=tuple(results), **facts)


@pytest.mark.parametrize("percent, poor", [(9.0, False), (9.1, True), (8.9, False), (12.0, True)])
def test_hba1c_poor_control_is_above_9_percent_and_exactly_9_is_not(percent, poor):
	case = one(evaluate(A1C, diabetic(LabResult(at(date(2026, 5, 1)), percent)), YEAR, AS_OF))
	assert case.in_denominator
	assert case.in_numerator is poor


def test_no_hba1c_in_the_period_counts_as_poor_control():
	case = one(evaluate(A1C, diabetic(LabResult(at(date(2025, 12, 1)), 6.5)), YEAR, AS_OF))
	assert (case.in_denominator, case.in_numerator, case.reason) == (True, True, Reason.NO_HBA1C)


def test_the_most_recent_hba1c_decides():
	facts = diabetic(LabResult(at(date(2026, 2, 1)), 10.5), LabResult(at(date(2026, 9, 1)), 7.2))
	assert not one(evaluate(A1C, facts, YEAR, AS_OF)).in_numerator


@pytest.mark.parametrize("age, counted", [(17, False), (18, True), (75, True), (76, False)])
def test_diabetes_ages_18_to_75(age, counted):
	facts = diabetic(LabResult(at(date(2026, 5, 1)), 7), birth_date=date(2026 - age, 12, 31))
	assert one(evaluate(A1C, facts, YEAR, AS_OF)).in_denominator is counted


def test_diabetes_codes_include_pre_existing_not_gestational_diabetes():
	assert DIABETES.matches("E119") and DIABETES.matches("e11.65") and DIABETES.matches("O24.112")
	assert not DIABETES.matches("O24.410") and not DIABETES.matches("E16.2")


def test_palliative_care_in_the_period_excludes_from_the_diabetes_measure():
	facts = diabetic()
	facts = patient(diagnoses=(*facts.diagnoses, Diagnosis("Z51.5", date(2026, 4, 1))))
	case = one(evaluate(A1C, facts, YEAR, AS_OF))
	assert case.excluded and not case.in_denominator


@pytest.mark.parametrize(
	"typed, unit, percent",
	[
		("9.2", None, 9.2),
		("9,2 %", None, 9.2),
		(">14", None, 14.0),
		("<4.0", None, 4.0),
		("75", "mmol/mol", 9.0),
		("64 mmol/mol", None, 8.0),
		("86", None, 10.0),  # above 25: only mmol/mol can be that high
		("pending", None, None),
		("", None, None),
	],
)
def test_hba1c_results_as_labs_type_them(typed, unit, percent):
	assert hba1c_percent(typed, unit) == percent


def test_hba1c_test_names():
	for name in ("HbA1c", "Hemoglobin A1c", "HGBA1C", "Glycated Haemoglobin", "glycosylated hemoglobin"):
		assert is_hba1c_test(name), name
	assert (
		not is_hba1c_test("Hemoglobin") and not is_hba1c_test("Fasting Glucose") and not is_hba1c_test(None)
	)


def test_blood_pressure_values_as_typed():
	assert blood_pressure_value("138") == 138 and blood_pressure_value(" 88 mmHg") == 88
	assert blood_pressure_value("") is None and blood_pressure_value("n/a") is None
	assert blood_pressure_value("0") is None


# --- Depression remission at twelve months (CMS159)

# The index window is the period moved back 425 days: 2024-11-02 .. 2025-11-01 for 2026.
INDEX_DAY = date(2025, 3, 1)


def depressed(*scores, **facts) -> PatientFacts:
	return patient(diagnoses=(Diagnosis("F33.1", date(2025, 2, 1)),), phq9=tuple(scores), **facts)


def test_the_index_window_is_the_period_moved_back_12_months_and_60_days():
	assert PHQ.index_shift_days == 425
	assert one(evaluate(PHQ, depressed(Score(date(2025, 11, 1), 15)), YEAR, AS_OF))
	assert evaluate(PHQ, depressed(Score(date(2025, 11, 2), 15)), YEAR, AS_OF) == []
	assert one(evaluate(PHQ, depressed(Score(date(2024, 11, 2), 15)), YEAR, AS_OF))
	assert evaluate(PHQ, depressed(Score(date(2024, 11, 1), 15)), YEAR, AS_OF) == []


def test_an_index_needs_a_phq9_above_9_and_a_depression_diagnosis():
	assert evaluate(PHQ, depressed(Score(INDEX_DAY, 9)), YEAR, AS_OF) == []
	assert one(evaluate(PHQ, depressed(Score(INDEX_DAY, 10)), YEAR, AS_OF)).in_denominator
	no_diagnosis = patient(phq9=(Score(INDEX_DAY, 18),))
	assert evaluate(PHQ, no_diagnosis, YEAR, AS_OF) == []


@pytest.mark.parametrize(
	"days_after, in_window", [(304, False), (305, True), (365, True), (425, True), (426, False)]
)
def test_remission_is_a_phq9_below_5_at_12_months_plus_or_minus_60_days(days_after, in_window):
	follow_up = Score(INDEX_DAY + timedelta(days=days_after), 3, ("Needs Screening", "later"))
	case = one(
		evaluate(PHQ, depressed(Score(INDEX_DAY, 16, ("Needs Screening", "index")), follow_up), YEAR, AS_OF)
	)
	assert case.in_denominator
	assert case.in_numerator is in_window
	assert case.index == ("Needs Screening", "index")
	assert case.reason == (Reason.REMISSION if in_window else Reason.NO_REMISSION_SCORE)


@pytest.mark.parametrize("score, remitted", [(4, True), (5, False)])
def test_remission_is_below_5(score, remitted):
	facts = depressed(Score(INDEX_DAY, 16), Score(INDEX_DAY + timedelta(days=365), score))
	assert one(evaluate(PHQ, facts, YEAR, AS_OF)).in_numerator is remitted


def test_the_most_recent_phq9_in_the_remission_window_decides():
	facts = depressed(
		Score(INDEX_DAY, 16),
		Score(INDEX_DAY + timedelta(days=310), 2),
		Score(INDEX_DAY + timedelta(days=400), 11),
	)
	assert one(evaluate(PHQ, facts, YEAR, AS_OF)).reason == Reason.NO_REMISSION


def test_the_first_phq9_above_9_is_the_index_not_a_later_one():
	facts = depressed(Score(INDEX_DAY, 16), Score(INDEX_DAY + timedelta(days=200), 14))
	case = one(evaluate(PHQ, facts, YEAR, AS_OF))
	assert case.detail[:2] == (16, INDEX_DAY)


def test_a_remission_window_still_open_is_pending_and_not_in_the_denominator():
	facts = depressed(Score(INDEX_DAY, 16))
	case = one(evaluate(PHQ, facts, YEAR, as_of=INDEX_DAY + timedelta(days=400)))
	assert (case.in_denominator, case.reason) == (False, Reason.REMISSION_PENDING)


def test_bipolar_disorder_excludes_from_depression_remission():
	facts = depressed(Score(INDEX_DAY, 16))
	facts = patient(diagnoses=(*facts.diagnoses, Diagnosis("F31.81", date(2023, 1, 1))), phq9=facts.phq9)
	assert one(evaluate(PHQ, facts, YEAR, AS_OF)).excluded


@pytest.mark.parametrize("age, counted", [(11, False), (12, True)])
def test_depression_remission_from_age_12_at_the_index(age, counted):
	facts = depressed(
		Score(INDEX_DAY, 16), birth_date=date(INDEX_DAY.year - age, INDEX_DAY.month, INDEX_DAY.day)
	)
	assert one(evaluate(PHQ, facts, YEAR, AS_OF)).in_denominator is counted


# --- Follow-up within 7 days of discharge

DISCHARGE = date(2026, 5, 10)


def discharged(*follow_ups, admissions=(), on=DISCHARGE) -> PatientFacts:
	return patient(
		discharges=(Event(on, ("Inpatient Record", "IP-1")),),
		follow_ups=tuple(follow_ups),
		admissions=admissions,
	)


@pytest.mark.parametrize("days, followed_up", [(0, True), (7, True), (8, False)])
def test_follow_up_on_the_day_of_discharge_up_to_7_days_after_it(days, followed_up):
	contact = Event(DISCHARGE + timedelta(days=days), ("Patient Encounter", "E-1"), "Patient Encounter")
	case = one(evaluate(FOLLOW_UP, discharged(contact), YEAR, AS_OF))
	assert case.in_denominator
	assert case.in_numerator is followed_up
	assert case.index == ("Inpatient Record", "IP-1")
	if followed_up:
		assert case.detail == (DISCHARGE, "Patient Encounter", contact.on, days)


def test_a_contact_before_the_discharge_is_no_follow_up():
	contact = Event(DISCHARGE - timedelta(days=1), ("Outreach Log", "L"), "Outreach Log")
	assert not one(evaluate(FOLLOW_UP, discharged(contact), YEAR, AS_OF)).in_numerator


def test_each_discharge_is_its_own_case_and_one_day_counts_once():
	facts = patient(
		discharges=(
			Event(date(2026, 2, 1), ("Inpatient Record", "A")),
			Event(date(2026, 2, 1), ("Care Transition", "A-again")),
			Event(date(2026, 8, 1), ("Care Transition", "B")),
			Event(date(2025, 12, 30), ("Inpatient Record", "before the period")),
		),
		follow_ups=(Event(date(2026, 2, 3), ("Patient Appointment", "PA"), "Patient Appointment"),),
	)
	cases = evaluate(FOLLOW_UP, facts, YEAR, AS_OF)
	assert [(c.index, c.in_numerator) for c in cases] == [
		(("Inpatient Record", "A"), True),
		(("Care Transition", "B"), False),
	]


def test_a_readmission_before_any_follow_up_excludes_the_discharge():
	readmitted = discharged(admissions=(Event(DISCHARGE + timedelta(days=3), ("Inpatient Record", "IP-2")),))
	case = one(evaluate(FOLLOW_UP, readmitted, YEAR, AS_OF))
	assert (case.in_denominator, case.excluded, case.reason) == (False, True, Reason.READMITTED)
	seen_first = discharged(
		Event(DISCHARGE + timedelta(days=1), ("Outreach Log", "L"), "Outreach Log"),
		admissions=(Event(DISCHARGE + timedelta(days=3), ("Inpatient Record", "IP-2")),),
	)
	assert one(evaluate(FOLLOW_UP, seen_first, YEAR, AS_OF)).in_numerator


def test_a_discharge_whose_7_days_are_still_running_is_pending():
	case = one(evaluate(FOLLOW_UP, discharged(), YEAR, as_of=DISCHARGE + timedelta(days=6)))
	assert (case.in_denominator, case.reason) == (False, Reason.FOLLOW_UP_PENDING)
	case = one(evaluate(FOLLOW_UP, discharged(), YEAR, as_of=DISCHARGE + timedelta(days=7)))
	assert (case.in_denominator, case.reason) == (True, Reason.NOT_FOLLOWED_UP)


# --- Windows, before and after enrollment


def test_reporting_windows_are_whole_calendar_months():
	assert reporting_window(date(2026, 12, 15), 12) == YEAR
	assert reporting_window(date(2026, 2, 3), 1) == Window(date(2026, 2, 1), date(2026, 2, 28))
	assert reporting_window(date(2026, 3, 31), 3) == Window(date(2026, 1, 1), date(2026, 3, 31))
	assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_before_enrollment_is_as_long_as_the_period_and_ends_the_day_before_enrollment():
	before = before_enrollment(YEAR, date(2026, 7, 1))
	assert before == Window(date(2025, 7, 1), date(2026, 6, 30))
	assert before.days == YEAR.days
	assert after_enrollment(YEAR, date(2026, 7, 1)) == Window(date(2026, 7, 1), YEAR.end)
	assert after_enrollment(YEAR, date(2024, 7, 1)) == YEAR
	assert (
		before_enrollment(YEAR, date(2027, 1, 1)) is None and after_enrollment(YEAR, date(2027, 1, 1)) is None
	)
	assert before_enrollment(YEAR, None) is None


def test_blood_pressure_before_and_after_enrollment():
	facts = hypertensive(
		BloodPressure(at(date(2026, 5, 1)), 160, 100),
		BloodPressure(at(date(2026, 11, 1)), 128, 78),
		enrollment_start=date(2026, 7, 1),
	)
	cases = measure_cases(BP, facts, YEAR, AS_OF)
	assert [c.in_numerator for c in cases[PERIOD]] == [True]
	assert [c.in_numerator for c in cases[BEFORE]] == [False]
	assert [c.in_numerator for c in cases[AFTER]] == [True]


def test_a_diagnosis_recorded_at_enrollment_counts_before_enrollment_too():
	enrolled = date(2026, 7, 1)
	facts = patient(
		diagnoses=(Diagnosis("I10", enrolled, ("Care Plan", "CP")),),
		blood_pressures=(BloodPressure(at(date(2026, 3, 1)), 150, 95),),
		enrollment_start=enrolled,
	)
	cases = measure_cases(BP, facts, YEAR, AS_OF)
	assert [c.reason for c in cases[BEFORE]] == [Reason.BP_NOT_CONTROLLED]
	assert [c.reason for c in cases[AFTER]] == [Reason.NO_BP]
	# Diagnosed only after the reporting period: in none of them.
	later = patient(diagnoses=(Diagnosis("I10", date(2027, 1, 5)),), enrollment_start=enrolled)
	assert measure_cases(BP, later, YEAR, AS_OF) == {PERIOD: [], BEFORE: [], AFTER: []}


def test_after_enrollment_a_depression_index_before_the_enrollment_start_is_not_counted():
	enrolled = date(2025, 6, 1)
	facts = depressed(
		Score(INDEX_DAY, 16),
		Score(INDEX_DAY + timedelta(days=365), 2),
		enrollment_start=enrolled,
	)
	cases = measure_cases(PHQ, facts, YEAR, AS_OF)
	assert [c.in_numerator for c in cases[PERIOD]] == [True]
	assert cases[AFTER] == []  # its index (March 2025) is before the enrollment
	assert [c.in_numerator for c in cases[BEFORE]] == []  # its remission window ran past enrollment
	late_index = depressed(Score(date(2025, 7, 1), 16), Score(date(2026, 7, 1), 3), enrollment_start=enrolled)
	assert [c.in_numerator for c in measure_cases(PHQ, late_index, YEAR, AS_OF)[AFTER]] == [True]


def test_facts_are_gathered_far_enough_back_for_every_window():
	assert earliest_fact_needed(YEAR, [date(2026, 7, 1), None]) == date(2025, 7, 1) - timedelta(days=425)


def test_a_tally_counts_denominator_numerator_exclusions_and_the_rate():
	tally = Tally()
	tally.add(evaluate(BP, hypertensive(BloodPressure(at(date(2026, 6, 1)), 120, 70)), YEAR, AS_OF))
	tally.add(evaluate(BP, hypertensive(BloodPressure(at(date(2026, 6, 1)), 150, 70)), YEAR, AS_OF))
	tally.add(evaluate(BP, hypertensive(birth_date=date(1930, 1, 1)), YEAR, AS_OF))
	assert (tally.denominator, tally.numerator, tally.rate) == (2, 1, 50.0)
	assert Tally().rate is None


def test_every_measure_says_what_it_simplifies():
	assert [m.ecqm for m in MEASURES] == ["CMS165", "CMS122", "CMS159", ""]
	assert [m.inverse for m in MEASURES] == [False, True, False, False]
