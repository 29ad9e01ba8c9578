"""Reading HL7 v2.5.1 ADT messages and answering them (domain/adt_message.py)."""

from datetime import date, datetime

import pytest
from adt_samples import adt

from care_management.domain.adt_message import (
	ACCEPT,
	ERROR,
	MAX_MESSAGE_BYTES,
	REJECT,
	Refused,
	ack,
	read_event,
	storable_text,
)

NOW = datetime(2026, 12, 7, 11, 30)


def refusal(raw: bytes) -> Refused:
	with pytest.raises(Refused) as refused:
		read_event(raw)
	return refused.value


def test_a_discharge_gives_the_patient_the_visit_and_the_discharge_time():
	event = read_event(adt("A03", "MSG00003", discharged="202612041530"))
	assert event.event == "A03"
	assert event.header.sender == "ADT1^GOOD HEALTH HOSPITAL"
	assert event.header.control_id == "MSG00003"
	assert event.patient.mrn == "PATID1234"
	assert event.patient.assigning_authority == "GHH"
	assert (event.patient.family_name, event.patient.given_name) == ("EVERYMAN", "ADAM")
	assert event.patient.birth_date == date(1961, 6, 15)
	assert event.patient.sex == "Male"
	assert event.visit_number == "V20261201"
	assert event.facility == "GHH"
	assert event.admitted_at == datetime(2026, 12, 1, 11, 23)
	assert event.discharged_at == datetime(2026, 12, 4, 15, 30)


def test_segments_ended_by_line_feeds_are_read_too():
	assert read_event(adt("A01", "MSG1", segment_end="\n")).patient.mrn == "PATID1234"
	assert read_event(adt("A01", "MSG1", segment_end="\r\n")).visit_number == "V20261201"


def test_an_unknown_sex_is_not_a_sex_to_match_on():
	event = read_event(adt("A04", "MSG1", sex="U"))
	assert event.patient.sex is None
	assert not event.patient.has_demographics


def test_an_event_the_practice_does_not_use_is_read_but_carries_nothing():
	event = read_event(adt("A02", "MSG1"))
	assert event.event == "A02"
	assert event.patient.mrn == ""


def test_text_that_is_not_hl7_is_rejected():
	assert refusal(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").code == REJECT
	assert refusal(b"").code == REJECT


def test_binary_data_is_rejected():
	assert refusal(b"MSH|^~\\&|A|B\x00\x01\x02\xff").code == REJECT


def test_wrong_encoding_characters_are_rejected():
	for bad in (b"MSH|^^^^|A|B|C|D|2026||ADT^A01|1|P|2.5.1", b"MSHA^~\\&A", b"MSH|^~|A|B"):
		assert refusal(bad).code == REJECT, bad


def test_a_message_too_large_is_rejected_before_it_is_read():
	assert refusal(b"MSH|" + b"x" * MAX_MESSAGE_BYTES).code == REJECT


def test_hl7_other_than_adt_is_an_error_with_the_header_kept_for_the_answer():
	raw = adt("A01", "MSG9").replace(b"ADT^A01^ADT_A01", b"ORU^R01^ORU_R01")
	refused = refusal(raw)
	assert refused.code == ERROR
	assert refused.header.control_id == "MSG9"


def test_a_missing_pid_or_pv1_is_an_error():
	raw = adt("A03", "MSG1", discharged="202612041530")
	without_pid = b"\r".join(seg for seg in raw.split(b"\r") if not seg.startswith(b"PID"))
	without_pv1 = b"\r".join(seg for seg in raw.split(b"\r") if not seg.startswith(b"PV1"))
	assert refusal(without_pid).reason == "PID segment is missing."
	assert refusal(without_pv1).reason == "PV1 segment is missing."


def test_a_message_without_a_control_id_is_an_error():
	assert refusal(adt("A01", "")).code == ERROR


def test_a_patient_without_an_mrn_or_demographics_is_an_error():
	assert refusal(adt("A01", "MSG1", mrn="", sex="")).code == ERROR


def test_the_ack_answers_the_sender_with_its_control_id():
	event = read_event(adt("A01", "MSG00001"))
	answer = ack(ACCEPT, "Processed", event.header, "ADT-2026-0000001", NOW).decode()
	msh, msa = answer.strip("\r").split("\r")
	assert msh.split("|")[2:6] == ["CARE_MANAGEMENT", "PRACTICE", "ADT1", "GOOD HEALTH HOSPITAL"]
	assert msh.split("|")[8] == "ACK^A01^ACK"
	assert msa.split("|")[:3] == ["MSA", "AA", "MSG00001"]


def test_a_refusal_carries_its_reason_without_breaking_the_framing():
	answer = ack(ERROR, "PID|segment ^missing\r", None, "X", NOW).decode()
	segments = answer.strip("\r").split("\r")
	assert [segment[:3] for segment in segments] == ["MSH", "MSA", "ERR"]
	assert segments[1].split("|")[1] == "AE"
	assert "PID segment  missing" in segments[1]


def test_binary_is_stored_as_readable_escapes():
	assert storable_text(b"MSH\x00\x1c|\xff") == "MSH\\x00\\x1c|ÿ"
	assert storable_text(adt("A01", "1")).startswith("MSH|^~\\&|ADT1")
