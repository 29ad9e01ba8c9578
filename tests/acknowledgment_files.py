"""999 (005010X231A1) and 277CA (005010X214) acknowledgment files written from plain
data, for tests: the pure-core tests import this module, the real-site tests load it
by file path, so it imports only the standard library.

    ack_999(groups, ...)                   one interchange holding one 999 per answered 837 group
    ack_277ca(claims, ...)                 one interchange holding one 277CA

A 999 answer to one 837 functional group is a dict:
    group_control_number      AK102, the 837's GS06
    sets                      [{"control_number": "0001" (AK202, the 837's ST02),
                                "code": "A" (IK501: A, E, R...), "set_errors": () (IK502-506),
                                "segment_errors": [{"segment": "NM1", "position": 25, "loop": "2010",
                                                    "code": "8", "elements": [{"position": 9,
                                                    "reference": "67", "code": "7", "data": "X"}]}]}]
    code="A"                  AK901 (A, E, P partially accepted, R)
    group_errors=()           AK905-909
    received=None, accepted=None   AK903, AK904; counted from the sets when None

A 277CA claim is a dict:
    claim_id                  TRN02 of loop 2200D, the 837's CLM01
    statuses=[("A2", "20", "")]    STC01 and STC10, STC11: (category, status, entity)
    action="WQ"               STC03 (WQ accepted, U rejected); "" to leave it out
    charge="62"               STC04
    message=""                STC12 free text
    payer_claim_number=""     REF*1K; "" to leave it out
    last_name="DOE", first_name="JANE", member_id="1EG4TE5MK73"   NM1*QC
    service_from, service_to  DTP*472 (RD8)

Delimiters: "*" elements, ":" components, "^" repetitions, "~" segments, each
followed by a line break when newline is true.
"""

from datetime import date, datetime

ELEMENT, COMPONENT, REPETITION, SEGMENT = "*", ":", "^", "~"
CREATED = datetime(2026, 12, 16, 8, 15)
RECEIVED = CREATED.date()


def _segment(*elements: object) -> str:
	return ELEMENT.join("" if e is None else str(e) for e in elements).rstrip(ELEMENT)


def _envelope(
	sets: list[list[str]],
	*,
	functional_code: str,
	version: str,
	sender_id: str,
	receiver_id: str,
	control_number: int,
	newline: bool,
	created: datetime = CREATED,
) -> str:
	isa = _segment(
		"ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender_id.ljust(15), "ZZ", receiver_id.ljust(15),
		created.strftime("%y%m%d"), created.strftime("%H%M"), REPETITION, "00501",
		f"{control_number:09d}", "0", "P", COMPONENT,
	)  # fmt: skip
	gs = _segment(
		"GS", functional_code, sender_id, receiver_id, created.strftime("%Y%m%d"), created.strftime("%H%M"),
		control_number, "X", version,
	)  # fmt: skip
	segments = [isa, gs]
	for transaction in sets:
		segments += transaction
	segments += [_segment("GE", len(sets), control_number), _segment("IEA", 1, f"{control_number:09d}")]
	terminator = SEGMENT + "\n" if newline else SEGMENT
	return terminator.join(segments) + terminator


# ---------------------------------------------------------------- 999


def transaction_999(group: dict, control_number: int = 1) -> list[str]:
	st02 = f"{control_number:04d}"
	segments = [
		_segment("ST", "999", st02, "005010X231A1"),
		_segment("AK1", "HC", group["group_control_number"], "005010X222A1"),
	]
	sets = group.get("sets", [])
	for answered in sets:
		segments.append(_segment("AK2", "837", answered["control_number"], "005010X222A1"))
		for error in answered.get("segment_errors", ()):
			segments.append(
				_segment("IK3", error["segment"], error["position"], error.get("loop", ""), error["code"])
			)
			for element in error.get("elements", ()):
				segments.append(
					_segment(
						"IK4",
						element["position"],
						element.get("reference", ""),
						element["code"],
						element.get("data", ""),
					)
				)
		segments.append(_segment("IK5", answered.get("code", "A"), *answered.get("set_errors", ())))
	accepted = group.get("accepted")
	if accepted is None:
		accepted = sum(1 for s in sets if s.get("code", "A") in ("A", "E"))
	received = group.get("received")
	if received is None:
		received = len(sets) or 1
	segments.append(
		_segment("AK9", group.get("code", "A"), received, received, accepted, *group.get("group_errors", ()))
	)
	segments.append(_segment("SE", len(segments) + 1, st02))
	return segments


def ack_999(
	groups: list[dict],
	*,
	control_number: int = 1,
	sender_id: str = "CLEARINGHOUSE",
	receiver_id: str = "123456789",
	newline: bool = True,
) -> str:
	"""One 999 transaction set per answered 837 group, in one functional group (FA)."""
	return _envelope(
		[transaction_999(group, n) for n, group in enumerate(groups, start=1)],
		functional_code="FA",
		version="005010X231A1",
		sender_id=sender_id,
		receiver_id=receiver_id,
		control_number=control_number,
		newline=newline,
	)


# ---------------------------------------------------------------- 277CA


def _stc(statuses, action: str, charge, message: str = "", when: date | None = RECEIVED) -> str:
	composites = [COMPONENT.join(part for part in status).rstrip(COMPONENT) for status in statuses]
	elements: list[object] = ["STC", composites[0], when.strftime("%Y%m%d") if when else "", action, charge]
	if len(composites) > 1 or message:
		elements += ["", "", "", "", ""]  # STC05-09 not used in the 277CA
		elements += [
			composites[1] if len(composites) > 1 else "",
			composites[2] if len(composites) > 2 else "",
		]
		elements.append(message)
	return _segment(*elements)


def _claim_277ca(claim: dict, hl: int, parent_hl: int) -> list[str]:
	segments = [
		_segment("HL", hl, parent_hl, "PT"),
		_segment(
			"NM1",
			"QC",
			"1",
			claim.get("last_name", "DOE"),
			claim.get("first_name", "JANE"),
			"",
			"",
			"",
			"MI",
			claim.get("member_id", "1EG4TE5MK73"),
		),
		_segment("TRN", "2", claim["claim_id"]),
		_stc(
			claim.get("statuses", [("A2", "20", "")]),
			claim.get("action", "WQ"),
			claim.get("charge", "62"),
			claim.get("message", ""),
		),
	]
	if claim.get("payer_claim_number"):
		segments.append(_segment("REF", "1K", claim["payer_claim_number"]))
	service_from = claim.get("service_from", date(2026, 11, 1))
	service_to = claim.get("service_to", date(2026, 11, 30))
	segments.append(_segment("DTP", "472", "RD8", f"{service_from:%Y%m%d}-{service_to:%Y%m%d}"))
	return segments


def transaction_277ca(
	claims: list[dict],
	*,
	control_number: int = 1,
	batch_reference: str = "0001",
	payer_name: str = "MEDICARE PART B",
	payer_id: str = "12345",
	billing_npi: str = "1234567893",
	submitter_id: str = "123456789",
) -> list[str]:
	st02 = f"{control_number:04d}"
	received = CREATED.strftime("%Y%m%d")
	accepted = [c for c in claims if c.get("action", "WQ") != "U"]
	rejected = [c for c in claims if c.get("action", "WQ") == "U"]
	segments = [
		_segment("ST", "277", st02, "005010X214"),
		# 0085 information source to receiver, 08 status, TH receipt acknowledgment
		_segment("BHT", "0085", "08", f"ACK{control_number:06d}", received, CREATED.strftime("%H%M"), "TH"),
		_segment("HL", 1, "", "20", 1),
		_segment("NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id),
		_segment("TRN", "1", f"TRACE{control_number:04d}"),
		_segment("DTP", "050", "D8", received),
		_segment("DTP", "009", "D8", received),
		_segment("HL", 2, 1, "21", 1),
		_segment("NM1", "41", "2", "GOOD HEALTH CLINIC", "", "", "", "", "46", submitter_id),
		# TRN02 of the information receiver: the 837's BHT03
		_segment("TRN", "2", batch_reference),
		_stc([("A1", "19", "PR")], "WQ", _total(claims)),
		_segment("QTY", "90", len(accepted)),
		_segment("QTY", "AA", len(rejected)),
		_segment("AMT", "YU", _total(accepted)),
		_segment("AMT", "YY", _total(rejected)),
		_segment("HL", 3, 2, "19", 1),
		_segment("NM1", "85", "2", "GOOD HEALTH CLINIC", "", "", "", "", "XX", billing_npi),
		_segment("TRN", "1", "0"),
		_stc([("A1", "19", "PR")], "WQ", _total(claims), when=None),  # STC02 not used at 2200C
		_segment("QTY", "QA", len(accepted)),
		_segment("QTY", "QC", len(rejected)),
		_segment("AMT", "YU", _total(accepted)),
		_segment("AMT", "YY", _total(rejected)),
	]
	for n, claim in enumerate(claims):
		segments += _claim_277ca(claim, 4 + n, 3)
	segments.append(_segment("SE", len(segments) + 1, st02))
	return [s for s in segments if s]


def _total(claims) -> str:
	from decimal import Decimal

	total = sum((Decimal(str(c.get("charge", "62"))) for c in claims), Decimal(0))
	text = format(total.normalize(), "f")
	return text


def ack_277ca(
	claims: list[dict],
	*,
	control_number: int = 1,
	newline: bool = True,
	sets: list[list[str]] | None = None,
	**options,
) -> str:
	"""One interchange, one group (HN), one 277CA (``options``: transaction_277ca's)."""
	return _envelope(
		sets if sets is not None else [transaction_277ca(claims, control_number=control_number, **options)],
		functional_code="HN",
		version="005010X214",
		sender_id="CLEARINGHOUSE",
		receiver_id="123456789",
		control_number=control_number,
		newline=newline,
	)
