"""ANSI X12 eligibility inquiry (270) and response (271), 005010X279A1, as plain data.

``render_270(inquiry)`` writes one batch 270: the practice asks each payer, for
each of its members, whether the coverage is active on a date (EQ*30, health
benefit plan coverage). Each member's question carries a trace number (TRN02,
the Patient Coverage's name) that the payer echoes back on the 271, so every
answer is matched to the coverage it is about.

``parse_271(text)`` reads a 271 (one or several ST sets, CRLF or one line) into
``(answers, problems)``: one ``EligibilityAnswer`` per subscriber (loop 2000C),
with what the app keeps of it:

    trace_number          TRN02 of the 2000C (our coverage name)
    payer_name, payer_id  2100A NM1*PR
    member_id, last_name, first_name    2100C NM1*IL
    status                ACTIVE (an EB01 1-5), INACTIVE (EB01 6 and no active one), or UNKNOWN
    rejections            AAA03 reject reason codes (72 invalid member ID, 75 subscriber not found...)
    plan_types            EB04 insurance type codes of the active benefits (MA, MB, HN, MC, QM...)
    medicare_advantage    an EB of insurance type HN/HM/12-16 style (Medicare risk HMO / MA plan), or EB01 R
                          (another payer) with such a type: the patient's Medicare is a Medicare Advantage plan
    medicare_advantage_plan  the 2120C NM1 name of that plan, when the 271 gives it
    qmb                   an EB with insurance type QM (Qualified Medicare Beneficiary)
    medicaid              an EB with insurance type MC (Medicaid): dual eligible when Medicare is too
    plan_description      EB05 of the first active benefit
    raw                   the subscriber's own segments as the file has them (kept as the payer's answer)

A problem is ``Problem(segment_number, segment_id, trace_number, reason)``, a
fixed English sentence. A transaction set that is cut short, whose SE does not
count its segments, or that is not a 271 of this version is refused whole (its
answers are dropped): nothing half-read is posted. A subscriber without a trace
number cannot be matched and is reported; the others are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from care_management.domain.claims_837p import _date, clean_id, clean_text

VERSION = "005010X279A1"
ACTIVE, INACTIVE, UNKNOWN = "Active", "Inactive", "Unknown"
ACTIVE_CODES = frozenset("12345")
INACTIVE_CODE = "6"
# EB04 insurance type codes that mean a Medicare Advantage (Part C) plan: HMO Medicare risk
# (HN), and the Medicare-risk plan codes CMS's HETS names in EB*R other-payer loops.
MEDICARE_ADVANTAGE_TYPES = frozenset(("HN", "HM", "PR", "PS", "12", "13", "14", "15", "16"))
QMB_TYPE = "QM"
MEDICAID_TYPE = "MC"

NOT_X12 = "This is not an X12 file: it does not start with a complete ISA segment."
NOT_271 = (
	"This transaction set is not an eligibility response (271) in the 005010X279A1 format; it was not read."
)
CUT_SHORT = (
	"The transaction set ends before its SE trailer: the file may have been cut short; it was not read."
)
TRAILER_MISMATCH = "The transaction set's SE trailer does not count its segments: it was not read."
NO_TRACE = "An answer has no trace number (TRN), so it cannot be matched to a coverage."
NO_271 = "The file holds no eligibility response (271)."


@dataclass(frozen=True)
class Provider:
	name: str
	npi: str
	tax_id: str


@dataclass(frozen=True)
class Member:
	trace_number: str  # our Patient Coverage name, echoed back in the 271
	payer_name: str
	payer_id: str
	member_id: str
	last_name: str
	first_name: str
	birth_date: date | None
	sex: str
	service_date: date


@dataclass(frozen=True)
class Inquiry:
	sender_id: str
	receiver_id: str
	control_number: int
	created_at: datetime
	provider: Provider
	members: tuple[Member, ...]
	usage: str = "P"


@dataclass(frozen=True)
class EligibilityAnswer:
	trace_number: str
	payer_name: str = ""
	payer_id: str = ""
	member_id: str = ""
	last_name: str = ""
	first_name: str = ""
	status: str = UNKNOWN
	rejections: tuple[str, ...] = ()
	plan_types: tuple[str, ...] = ()
	plan_description: str = ""
	medicare_advantage: bool = False
	medicare_advantage_plan: str = ""
	qmb: bool = False
	medicaid: bool = False
	raw: str = ""


@dataclass(frozen=True)
class Problem:
	segment_number: int
	segment_id: str
	trace_number: str
	reason: str


def _segment(*elements: object) -> str:
	return "*".join("" if e is None else str(e) for e in elements).rstrip("*")


def render_270(inquiry: Inquiry, newline: bool = True) -> str:
	"""One interchange, one transaction set: per member its payer (2000A), the practice
	(2000B) and the member (2000C) with the question (EQ*30 on the service date)."""
	ic = inquiry
	sender, receiver = clean_id(ic.sender_id), clean_id(ic.receiver_id)
	number = f"{ic.control_number:09d}"
	st02 = f"{ic.control_number % 10000:04d}"
	body = [
		_segment("ST", "270", st02, VERSION),
		# 0022 information source, subscriber, dependent; 13 request
		_segment("BHT", "0022", "13", st02, _date(ic.created_at), ic.created_at.strftime("%H%M")),
	]
	hl = 0
	# Each member under its own payer (2000A) and practice (2000B) levels: valid X12, and
	# what every reader takes (some follow only the first receiver and subscriber of a payer).
	for member in ic.members:
		body += [
			_segment("HL", hl + 1, "", "20", "1"),
			_segment(
				"NM1",
				"PR",
				"2",
				clean_text(member.payer_name, 60),
				"",
				"",
				"",
				"",
				"PI",
				clean_id(member.payer_id),
			),
			_segment("HL", hl + 2, hl + 1, "21", "1"),
			_segment(
				"NM1",
				"1P",
				"2",
				clean_text(ic.provider.name, 60),
				"",
				"",
				"",
				"",
				"XX",
				clean_id(ic.provider.npi),
			),
			_segment("HL", hl + 3, hl + 2, "22", "0"),
			# TRN03: "1" and the practice's EIN identifies who traces the inquiry.
			_segment(
				"TRN", "1", clean_id(member.trace_number), "1" + clean_id(ic.provider.tax_id).replace("-", "")
			),
			_segment(
				"NM1",
				"IL",
				"1",
				clean_text(member.last_name, 60),
				clean_text(member.first_name, 35),
				"",
				"",
				"",
				"MI",
				clean_id(member.member_id),
			),
		]
		hl += 3
		if member.birth_date:
			body.append(_segment("DMG", "D8", _date(member.birth_date), clean_id(member.sex) or "U"))
		body += [_segment("DTP", "291", "D8", _date(member.service_date)), _segment("EQ", "30")]
	body.append(_segment("SE", len(body) + 1, st02))
	created = ic.created_at
	segments = [
		_segment(
			"ISA",
			"00",
			" " * 10,
			"00",
			" " * 10,
			"ZZ",
			sender.ljust(15),
			"ZZ",
			receiver.ljust(15),
			created.strftime("%y%m%d"),
			created.strftime("%H%M"),
			"^",
			"00501",
			number,
			"0",
			ic.usage,
			":",
		),
		_segment(
			"GS",
			"HS",
			sender,
			receiver,
			_date(created),
			created.strftime("%H%M"),
			ic.control_number,
			"X",
			VERSION,
		),
		*body,
		_segment("GE", "1", ic.control_number),
		_segment("IEA", "1", number),
	]
	terminator = "~\n" if newline else "~"
	return terminator.join(segments) + terminator


# ---------------------------------------------------------------- reading


def _split(text: str):
	"""(element separator, component separator, segments) or None when there is no ISA."""
	text = text.lstrip("\ufeff \t\r\n")
	if not text.startswith("ISA") or len(text) < 106:
		return None
	element, terminator = text[3], text[105]
	segments = []
	for raw in text.split(terminator):
		raw = raw.strip("\r\n \t")
		if raw:
			segments.append(raw)
	return element, text[104], segments


@dataclass
class _Draft:
	number: int
	trace: str = ""
	payer_name: str = ""
	payer_id: str = ""
	member_id: str = ""
	last_name: str = ""
	first_name: str = ""
	codes: list[str] = field(default_factory=list)  # EB01s
	active_types: list[str] = field(default_factory=list)
	all_types: list[str] = field(default_factory=list)
	description: str = ""
	rejections: list[str] = field(default_factory=list)
	ma: bool = False
	ma_plan: str = ""
	in_ma_loop: bool = False
	raw: list[str] = field(default_factory=list)

	def answer(self) -> EligibilityAnswer:
		active = any(code in ACTIVE_CODES for code in self.codes)
		status = ACTIVE if active else INACTIVE if INACTIVE_CODE in self.codes else UNKNOWN
		return EligibilityAnswer(
			trace_number=self.trace,
			payer_name=self.payer_name,
			payer_id=self.payer_id,
			member_id=self.member_id,
			last_name=self.last_name,
			first_name=self.first_name,
			status=status,
			rejections=tuple(self.rejections),
			plan_types=tuple(dict.fromkeys(self.active_types)),
			plan_description=self.description,
			medicare_advantage=self.ma,
			medicare_advantage_plan=self.ma_plan,
			qmb=QMB_TYPE in self.all_types,
			medicaid=MEDICAID_TYPE in self.all_types,
			raw="~\n".join(self.raw) + "~" if self.raw else "",
		)


def _value(elements: list[str], index: int) -> str:
	return elements[index].strip() if index < len(elements) else ""


def parse_271(text: str) -> tuple[list[EligibilityAnswer], list[Problem]]:
	split = _split(text or "")
	if split is None:
		return [], [Problem(1, "ISA", "", NOT_X12)]
	element, _component, segments = split
	answers: list[EligibilityAnswer] = []
	problems: list[Problem] = []
	in_set = False
	set_answers: list[EligibilityAnswer] = []
	set_problems: list[Problem] = []
	draft: _Draft | None = None
	payer = ("", "")
	count = 0
	start = 0
	is_271 = False
	seen_271 = False

	def close_draft():
		nonlocal draft
		if draft is not None:
			if not draft.trace:
				set_problems.append(Problem(draft.number, "HL", "", NO_TRACE))
			else:
				set_answers.append(draft.answer())
		draft = None

	for number, raw in enumerate(segments, start=1):
		e = raw.split(element)
		tag = e[0].strip()
		if tag == "ST":
			if in_set:
				problems.append(Problem(start, "ST", "", CUT_SHORT))
			in_set, count, start = True, 1, number
			set_answers, set_problems, draft, payer = [], [], None, ("", "")
			is_271 = _value(e, 1) == "271" and _value(e, 3).startswith(VERSION[:10])
			if not is_271:
				problems.append(Problem(number, "ST", "", NOT_271))
			continue
		if not in_set:
			continue
		count += 1
		if tag == "SE":
			close_draft()
			in_set = False
			if not is_271:
				continue
			seen_271 = True
			if _value(e, 1) != str(count):
				problems.append(Problem(number, "SE", "", TRAILER_MISMATCH))
				continue
			answers += set_answers
			problems += set_problems
			continue
		if not is_271:
			continue
		if tag == "HL":
			close_draft()
			level = _value(e, 3)
			if level in ("22", "23"):
				draft = _Draft(number)
				draft.payer_name, draft.payer_id = payer
			continue
		if draft is None:
			if tag == "NM1" and _value(e, 1) == "PR":
				payer = (_value(e, 3), _value(e, 9))
			continue
		draft.raw.append(raw)
		if tag == "TRN" and _value(e, 1) == "2" and not draft.trace:
			draft.trace = _value(e, 2)
		elif tag == "NM1" and _value(e, 1) == "IL":
			draft.last_name, draft.first_name, draft.member_id = _value(e, 3), _value(e, 4), _value(e, 9)
		elif tag == "NM1" and draft.in_ma_loop and not draft.ma_plan:
			draft.ma_plan = _value(e, 3)
		elif tag == "AAA" and _value(e, 3):
			draft.rejections.append(_value(e, 3))
		elif tag == "EB":
			code, insurance = _value(e, 1), _value(e, 4)
			draft.codes.append(code)
			draft.in_ma_loop = False
			if insurance:
				draft.all_types.append(insurance)
				if code in ACTIVE_CODES:
					draft.active_types.append(insurance)
			if code in ACTIVE_CODES and not draft.description:
				draft.description = _value(e, 5)
			if insurance in MEDICARE_ADVANTAGE_TYPES and (code in ACTIVE_CODES or code == "R"):
				draft.ma = True
				draft.in_ma_loop = True
		elif tag == "LE":
			draft.in_ma_loop = False
	if in_set:
		problems.append(Problem(start, "ST", "", CUT_SHORT))
	if not seen_271 and not problems:
		problems.append(Problem(1, "ISA", "", NO_271))
	return answers, problems
