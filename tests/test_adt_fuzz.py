"""Hostile input on the ADT parse path: whatever arrives, the answer is an event or a
Refused with an AR/AE code, and an ACK can always be written for it."""

from datetime import datetime

from adt_samples import adt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from care_management.domain.adt_message import (
	ACCEPT,
	ERROR,
	REJECT,
	AdtEvent,
	Refused,
	ack,
	read_event,
	storable_text,
)

NOW = datetime(2026, 12, 7)
VALID = adt("A03", "MSG00003", discharged="202612041530")
HL7_BYTES = st.sampled_from(list(b"|^~\\&\r\nMSHPIDPV1EVN0123456789AZ \x0b\x1c\x00\xff"))


def answer(raw: bytes) -> bytes:
	try:
		event = read_event(raw)
	except Refused as refused:
		assert refused.code in (REJECT, ERROR)
		assert refused.reason
		return ack(refused.code, refused.reason, refused.header, "ADT-1", NOW)
	assert isinstance(event, AdtEvent)
	return ack(ACCEPT, "ok", event.header, "ADT-1", NOW)


def check(raw: bytes) -> None:
	reply = answer(raw)
	assert reply.startswith(b"MSH|^~\\&|")
	assert b"\x1c" not in reply and b"\x0b" not in reply
	assert isinstance(storable_text(raw), str)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_are_answered(raw):
	check(raw)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HL7_BYTES, max_size=400).map(bytes))
def test_hl7_looking_noise_is_answered(raw):
	check(b"MSH" + raw)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
	st.integers(min_value=0, max_value=len(VALID)),
	st.binary(max_size=40),
	st.integers(min_value=0, max_value=len(VALID)),
)
def test_a_real_message_cut_or_spliced_anywhere_is_answered(cut, inserted, at):
	check(VALID[:cut])
	check(VALID[:at] + inserted + VALID[at:])


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_any_field_value_is_answered(value):
	raw = adt("A03", value or "X", mrn=value, family=value, dob=value, visit=value, discharged=value)
	check(raw)
