"""HL7 v2 ADT messages as a hospital sends them: bytes in, the facts the event rules need out.

python-hl7 does the parsing; this module decides what is HL7 at all (AR), what is
HL7 the practice cannot use (AE), and writes the acknowledgement. Everything that
goes wrong is a ``Refused`` with a reason a person can act on: the listener must
answer every frame and never stop on one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import hl7

# A whole ADT with every optional segment is a few kilobytes; a megabyte is junk.
MAX_MESSAGE_BYTES = 1_048_576
# The events the practice acts on (HL7 v2.5.1 chapter 3).
ADMISSION_EVENTS = frozenset({"A01", "A04"})
DISCHARGE_EVENT = "A03"
UPDATE_EVENT = "A08"
CANCEL_ADMISSION_EVENT = "A11"
CANCEL_DISCHARGE_EVENT = "A13"
USED_EVENTS = ADMISSION_EVENTS | {
	DISCHARGE_EVENT,
	UPDATE_EVENT,
	CANCEL_ADMISSION_EVENT,
	CANCEL_DISCHARGE_EVENT,
}

ACCEPT, ERROR, REJECT = "AA", "AE", "AR"
# HL7 table 0001 → Healthcare's Gender records; U, A, N say nothing to match on.
SEXES = {"M": "Male", "F": "Female", "O": "Other"}
# Text in an ACK must not carry the delimiters it is framed with.
_DELIMITERS = re.compile(r"[|^~\\&\r\n\x0b\x1c]")
# Control characters other than the segment and line breaks mean the bytes are not text.
_BINARY = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\x7f]")
_TIMESTAMP = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?(?:[+-]\d{4})?$")


class Refused(Exception):
	"""The message cannot be used. ``code`` is AR (not HL7) or AE (HL7 the practice cannot use)."""

	def __init__(self, code: str, reason: str, header: Header | None = None):
		super().__init__(reason)
		self.code = code
		self.reason = reason
		self.header = header


@dataclass(frozen=True)
class Header:
	sending_application: str
	sending_facility: str
	receiving_application: str
	receiving_facility: str
	message_type: str  # e.g. ADT^A03^ADT_A03
	event: str
	control_id: str
	processing_id: str
	version: str

	@property
	def sender(self) -> str:
		"""Who a control id is unique for (MSH-3 and MSH-4)."""
		return f"{self.sending_application}^{self.sending_facility}"


@dataclass(frozen=True)
class PatientIdentity:
	mrn: str
	assigning_authority: str
	family_name: str
	given_name: str
	birth_date: date | None
	sex: str | None  # a Gender name, or None when the message does not say

	@property
	def has_demographics(self) -> bool:
		return bool(self.family_name and self.given_name and self.birth_date and self.sex)


@dataclass(frozen=True)
class AdtEvent:
	header: Header
	event: str
	patient: PatientIdentity
	visit_number: str
	patient_class: str
	facility: str
	admitted_at: datetime | None
	discharged_at: datetime | None
	occurred_at: datetime


def storable_text(raw: bytes) -> str:
	"""The received bytes as text a database column holds: control bytes written as \\xNN."""
	text = decode(raw)
	return _BINARY.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def decode(raw: bytes) -> str:
	# UTF-8 is what v2.8 prefers; older feeds send Latin-1, which never fails to decode.
	try:
		return raw.decode("utf-8")
	except UnicodeDecodeError:
		return raw.decode("latin-1")


def read_event(raw: bytes) -> AdtEvent:
	"""Everything the event rules need, or ``Refused``. Never raises anything else."""
	if len(raw) > MAX_MESSAGE_BYTES:
		raise Refused(REJECT, f"Message is larger than {MAX_MESSAGE_BYTES} bytes.")
	text = decode(raw)
	if _BINARY.search(text):
		raise Refused(REJECT, "Message holds binary data, not HL7 text.")
	# Segments end in CR; some engines send LF or CRLF.
	text = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r \t")
	header = read_header(text)
	try:
		message = hl7.parse(text)
		return _event(message, header)
	except Refused:
		raise
	except Exception as error:  # python-hl7 raises what it meets: IndexError, KeyError, ParseException…
		raise Refused(ERROR, f"Message could not be read: {type(error).__name__}.", header) from None


def read_header(text: str) -> Header:
	"""MSH read by hand, so that even a message python-hl7 cannot parse is answered to its sender."""
	if not text.startswith("MSH"):
		raise Refused(REJECT, "Message does not begin with an MSH segment.")
	if len(text) < 8:
		raise Refused(REJECT, "MSH segment is too short.")
	field_separator = text[3]
	msh = text.split("\r", 1)[0]
	fields = msh.split(field_separator)
	encoding = fields[1] if len(fields) > 1 else ""
	if (
		field_separator.isalnum()
		or field_separator.isspace()
		or len(encoding) not in (4, 5)
		or len(set(encoding + field_separator)) != len(encoding) + 1
		or any(char.isalnum() or char.isspace() for char in encoding)
	):
		raise Refused(REJECT, "MSH-1 and MSH-2 are not valid field separator and encoding characters.")
	component = encoding[0]

	def field(number: int) -> str:
		# MSH-1 is the separator itself, so MSH-n is fields[n - 1].
		return fields[number - 1] if len(fields) >= number else ""

	message_type = field(9)
	type_parts = message_type.split(component)
	header = Header(
		sending_application=_first(field(3), component),
		sending_facility=_first(field(4), component),
		receiving_application=_first(field(5), component),
		receiving_facility=_first(field(6), component),
		message_type=message_type,
		event=type_parts[1] if len(type_parts) > 1 else "",
		control_id=field(10).strip(),
		processing_id=field(11),
		version=_first(field(12), component),
	)
	if not header.control_id:
		raise Refused(ERROR, "MSH-10 (message control id) is empty.", header)
	if type_parts[0] != "ADT":
		raise Refused(ERROR, f"Only ADT messages are accepted; this is {type_parts[0] or 'untyped'}.", header)
	return header


def _event(message, header: Header) -> AdtEvent:
	event = header.event or _field(message, "EVN", 1)
	if event not in USED_EVENTS:
		# Answered AA by the caller: the feed sends every ADT event, the practice uses a few.
		return AdtEvent(header, event, _EMPTY_PATIENT, "", "", "", None, None, _message_time(message, header))
	if not _has(message, "PID"):
		raise Refused(ERROR, "PID segment is missing.", header)
	patient = PatientIdentity(
		mrn=_field(message, "PID", 3, component=1),
		assigning_authority=_field(message, "PID", 3, component=4),
		family_name=_field(message, "PID", 5, component=1),
		given_name=_field(message, "PID", 5, component=2),
		birth_date=_date(_field(message, "PID", 7)),
		sex=SEXES.get(_field(message, "PID", 8).upper()),
	)
	if not patient.mrn and not patient.has_demographics:
		raise Refused(ERROR, "PID has neither an MRN (PID-3) nor name, birth date and sex.", header)
	has_visit = _has(message, "PV1")
	if not has_visit and event != UPDATE_EVENT:
		raise Refused(ERROR, "PV1 segment is missing.", header)
	occurred = (
		_timestamp(_field(message, "EVN", 6) if _has(message, "EVN") else "")
		or _timestamp(_field(message, "EVN", 2) if _has(message, "EVN") else "")
		or _message_time(message, header)
	)
	return AdtEvent(
		header=header,
		event=event,
		patient=patient,
		visit_number=_field(message, "PV1", 19, component=1) if has_visit else "",
		patient_class=_field(message, "PV1", 2) if has_visit else "",
		facility=(_field(message, "PV1", 3, component=4) if has_visit else "") or header.sending_facility,
		admitted_at=_timestamp(_field(message, "PV1", 44)) if has_visit else None,
		discharged_at=_timestamp(_field(message, "PV1", 45)) if has_visit else None,
		occurred_at=occurred,
	)


_EMPTY_PATIENT = PatientIdentity("", "", "", "", None, None)


def _has(message, segment: str) -> bool:
	return any(str(seg[0]) == segment for seg in message)


def _field(message, segment: str, number: int, component: int = 1) -> str:
	try:
		return str(message.extract_field(segment, 1, number, 1, component)).strip()
	except (KeyError, IndexError):
		return ""


def _first(value: str, component: str) -> str:
	return value.split(component, 1)[0].strip()


def _message_time(message, header: Header) -> datetime:
	stamp = _timestamp(_field(message, "MSH", 7))
	if not stamp:
		raise Refused(ERROR, "MSH-7 (date/time of message) is missing or not a date.", header)
	return stamp


def _timestamp(value: str) -> datetime | None:
	"""HL7 DTM (YYYY[MM[DD[HH[MM[SS]]]]][+/-ZZZZ]) as the sender's local time."""
	found = _TIMESTAMP.match(value or "")
	if not found:
		return None
	parts = [
		int(part) if part else default
		for part, default in zip(found.groups(), (0, 1, 1, 0, 0, 0), strict=True)
	]
	try:
		return datetime(*parts)
	except ValueError:
		return None


def _date(value: str) -> date | None:
	stamp = _timestamp(value)
	return stamp.date() if stamp else None


def ack(
	code: str,
	text: str,
	header: Header | None,
	ack_control_id: str,
	now: datetime,
	receiving_application: str = "CARE_MANAGEMENT",
) -> bytes:
	"""The original-mode ACK (MSH + MSA, and ERR when refused), without MLLP framing."""
	h = header
	their_application = h.sending_application if h else ""
	their_facility = h.sending_facility if h else ""
	our_facility = h.receiving_facility if h else ""
	event = h.event if h else ""
	segments = [
		"|".join(
			[
				"MSH",
				"^~\\&",
				_clean(receiving_application),
				_clean(our_facility),
				_clean(their_application),
				_clean(their_facility),
				now.strftime("%Y%m%d%H%M%S"),
				"",
				f"ACK^{_clean(event)}^ACK" if event else "ACK",
				_clean(ack_control_id),
				_clean(h.processing_id) if h and h.processing_id else "P",
				"2.5.1",
			]
		),
		"|".join(["MSA", code, _clean(h.control_id) if h else "", _clean(text)[:80]]),
	]
	if code != ACCEPT:
		# ERR-3 (HL7 error code, table 0357): 207 application internal error, 100 segment sequence error.
		segments.append(
			"|".join(["ERR", "", "", "207" if code == ERROR else "100", "E", "", "", _clean(text)])
		)
	return ("\r".join(segments) + "\r").encode("utf-8")


def _clean(value: str) -> str:
	return _DELIMITERS.sub(" ", value or "")
