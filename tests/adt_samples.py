"""HL7 v2.5.1 ADT messages shaped like the chapter 3 examples (ADT^A01 of Adam Everyman at
Good Health Hospital), for the pure-core and integration tests alike
(care_management/tests/pure_checks.load("adt_samples"))."""

from __future__ import annotations

MESSAGE_STRUCTURE = {
	"A01": "ADT_A01",
	"A04": "ADT_A01",
	"A08": "ADT_A01",
	"A03": "ADT_A03",
	"A11": "ADT_A09",
	"A13": "ADT_A01",
}


def pv1(
	patient_class: str, visit: str, admitted: str = "", discharged: str = "", facility: str = "GHH"
) -> str:
	fields = [""] * 46
	fields[0] = "PV1"
	fields[1] = "1"
	fields[2] = patient_class
	fields[3] = f"2000^2012^01^{facility}"
	fields[7] = "004777^ATTEND^AARON^A^^^^^^^^^^^NPI"
	fields[10] = "SUR"
	fields[14] = "ADM"
	fields[15] = "A0"
	fields[19] = f"{visit}^^^{facility}^VN"
	fields[36] = "01" if discharged else ""  # discharge disposition: home
	fields[44] = admitted
	fields[45] = discharged
	return "|".join(fields)


def adt(
	event: str,
	control_id: str,
	*,
	mrn: str = "PATID1234",
	authority: str = "GHH",
	family: str = "EVERYMAN",
	given: str = "ADAM",
	dob: str = "19610615",
	sex: str = "M",
	visit: str = "V20261201",
	admitted: str = "202612011123",
	discharged: str = "",
	sent: str = "202612071126",
	sender: tuple[str, str] = ("ADT1", "GOOD HEALTH HOSPITAL"),
	patient_class: str = "I",
	segment_end: str = "\r",
) -> bytes:
	segments = [
		f"MSH|^~\\&|{sender[0]}|{sender[1]}|CARE_MANAGEMENT|PRACTICE|{sent}|SECURITY|"
		f"ADT^{event}^{MESSAGE_STRUCTURE.get(event, 'ADT_A01')}|{control_id}|P|2.5.1",
		f"EVN|{event}|{sent}|||004777^ATTEND^AARON^A|{discharged or admitted or sent}",
		f"PID|1||{mrn}^^^{authority}^MR~123456789^^^USSSA^SS||{family}^{given}^A^III||{dob}|{sex}||2106-3|"
		"2222 HOME STREET^^GREENSBORO^NC^27401-1020|GL|(555)555-2004|(555)555-2004||S||"
		f"{visit}^2^M10^ADT1^AN^A|444333333|987654^NC",
		"NK1|1|NUCLEAR^NELDA^W|SPO^SPOUSE||||NK^NEXT OF KIN",
		pv1(patient_class, visit, admitted, discharged),
	]
	return (segment_end.join(segments) + segment_end).encode("utf-8")


def frame(message: bytes) -> bytes:
	"""MLLP: <VT> message <FS><CR>."""
	return b"\x0b" + message + b"\x1c\r"
