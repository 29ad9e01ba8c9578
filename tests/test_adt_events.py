"""Which patient an ADT event is about and what it does (domain/adt_events.py), and the
TCM deadlines a discharge opens (domain/transitional_care.py)."""

from datetime import date

from adt_samples import adt

from care_management.domain.adt_events import (
	ADMIT,
	CANCEL_ADMISSION,
	CANCEL_DISCHARGE,
	DISCHARGE,
	NOTHING,
	UPDATE,
	Candidate,
	action_for,
	admission_date,
	discharge_date,
	match_patient,
)
from care_management.domain.adt_message import read_event
from care_management.domain.transitional_care import tcm_deadlines

IDENTITY = read_event(adt("A03", "M1", discharged="202612041530")).patient


def test_each_event_has_its_action():
	actions = {
		event: action_for(read_event(adt(event, "M1")))
		for event in ("A01", "A04", "A03", "A08", "A11", "A13", "A02")
	}
	assert actions == {
		"A01": ADMIT,
		"A04": ADMIT,
		"A03": DISCHARGE,
		"A08": UPDATE,
		"A11": CANCEL_ADMISSION,
		"A13": CANCEL_DISCHARGE,
		"A02": NOTHING,
	}


def test_the_mrn_from_the_sending_facility_decides_first():
	match = match_patient(IDENTITY, ["HLC-PAT-1"], [Candidate("HLC-PAT-2")])
	assert (match.patient, match.matched_by) == ("HLC-PAT-1", "MRN")


def test_without_an_mrn_match_one_patient_of_that_name_birth_date_and_sex_is_the_match():
	match = match_patient(IDENTITY, [], [Candidate("HLC-PAT-2")])
	assert (match.patient, match.matched_by) == ("HLC-PAT-2", "Demographics")


def test_an_mrn_on_two_patients_goes_to_review():
	match = match_patient(IDENTITY, ["HLC-PAT-1", "HLC-PAT-3"], [])
	assert not match.found
	assert "is on 2 patients" in match.review_reason


def test_two_patients_with_the_same_demographics_go_to_review_never_a_guess():
	match = match_patient(IDENTITY, [], [Candidate("HLC-PAT-2"), Candidate("HLC-PAT-4")])
	assert not match.found
	assert "2 patients have this name" in match.review_reason


def test_no_patient_goes_to_review():
	assert match_patient(IDENTITY, [], []).review_reason.startswith("No patient")


def test_a_namesake_holding_another_mrn_from_the_same_hospital_is_not_the_patient():
	match = match_patient(IDENTITY, [], [Candidate("HLC-PAT-2", mrn_from_same_authority="PATID9999")])
	assert not match.found
	assert "PATID9999" in match.review_reason


def test_without_a_sex_demographics_cannot_match():
	identity = read_event(adt("A01", "M1", sex="U", mrn="NEW1")).patient
	assert not match_patient(identity, [], [Candidate("HLC-PAT-2")]).found


def test_the_discharge_date_is_pv1_45_else_when_the_event_happened():
	assert discharge_date(read_event(adt("A03", "M1", discharged="202612041530"))) == date(2026, 12, 4)
	no_pv1_45 = read_event(adt("A03", "M1", admitted="", sent="202612050800"))
	assert discharge_date(no_pv1_45) == date(2026, 12, 5)
	assert admission_date(read_event(adt("A01", "M1", admitted="202612011123"))) == date(2026, 12, 1)


def test_a_friday_discharge_must_be_contacted_by_tuesday_and_seen_in_7_or_14_days():
	friday = date(2026, 12, 4)
	moderate = tcm_deadlines(friday, "Moderate", set())
	assert moderate.contact_due == date(2026, 12, 8)
	assert moderate.face_to_face_due == date(2026, 12, 18)
	assert tcm_deadlines(friday, "High", set()).face_to_face_due == date(2026, 12, 11)


def test_a_holiday_moves_the_contact_deadline():
	christmas_eve = date(2026, 12, 24)
	deadlines = tcm_deadlines(christmas_eve, "Moderate", {date(2026, 12, 25)})
	assert deadlines.contact_due == date(2026, 12, 29)  # Fri holiday, weekend, Mon 28, Tue 29
