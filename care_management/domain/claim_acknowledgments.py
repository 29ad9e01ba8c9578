"""Clearinghouse acknowledgments of our 837P files read into plain data, and matched
to the claims we sent.

``parse_acknowledgments(text)`` reads a file holding 999 implementation
acknowledgments (005010X231A1) and/or 277CA claim acknowledgments (005010X214),
in any number of functional groups and transaction sets, and returns
``(AcknowledgmentFile, problems)``; ``match(file, sent)`` turns it into one
``Verdict`` per claim we sent (and one per claim or group we never sent).
Nothing here touches a database.

    AcknowledgmentFile
      groups: tuple[GroupAck, ...]         one per 999 ST-SE (an answer to one 837 functional group)
      reports: tuple[ClaimReport, ...]     one per 277CA ST-SE
    GroupAck                               999
      group_control_number                 AK102: the GS06 of the 837 it answers
      functional_code                      AK101 (HC for claims)
      code                                 AK901: A accepted, E accepted with errors, P partially, R rejected
      group_errors                         AK905-909
      sets: tuple[SetAck, ...]             AK2 loops
      segment_number, problems             its ST; what made it unsafe to use (then it is not used)
    SetAck                                 one AK2 ... IK5
      control_number                       AK202: the ST02 of the 837 transaction set
      code, errors                         IK501 (A, E, M, R, W, X), IK502-506
      segment_errors: tuple[SegmentError]  IK3 (segment, position, loop, code) with its IK4 ElementErrors
    ClaimReport                            277CA
      batch_references                     TRN02 of loops 2200B: the 837's BHT03 the clearinghouse echoes
      payer_name, payer_id                 NM1 of loop 2100A
      claims: tuple[ClaimStatus, ...]      loops 2200D read whole
    ClaimStatus                            one claim (loop 2000D/2200D)
      claim_id                             TRN02: our CLM01 (the payer invoice's name)
      statuses: tuple[Status, ...]         every STC01, STC10, STC11 of the claim (not its lines)
      action                               STC03 of the first STC: WQ accepted, U rejected
      charge: Decimal | None               STC04
      message                              STC12 free text
      payer_claim_number                   REF*1K (the payer's claim control number, Medicare's ICN)
      patient_last_name, patient_first_name, member_id    NM1*QC
      outcome                              ACCEPTED, REJECTED or PENDING (see outcome_of)

    Sent(export, claim_id, group_control_number, set_control_number, charge, payer_claim_number)
      one claim of a submitted Claim Export as the caller knows it
    Verdict(export, claim_id, source, outcome, statuses, reasons, fix, message,
            payer_claim_number, segment_number)
      outcome is ACCEPTED, REJECTED, PENDING or NOT_MATCHED (then export is "")

Every ``Problem.reason``, each of ``Verdict.reasons`` and ``Verdict.fix`` is one of the fixed
English sentences below, or made of the code meanings below (no value of the file in
them, so the site can translate them with ``_()``); ``Verdict.message`` is the
file's own text (STC12, IK4 bad data), to be escaped wherever it is shown.

What happens to what:

- Not an X12 interchange, or no 999 / 277 set of the right version in it: no
  groups or reports and one problem (NOT_X12, NOT_ACKNOWLEDGMENT, WRONG_VERSION).
  Other transaction sets in the file (an 835, a TA1's neighbours) are skipped, each
  with its problem.
- A 999 or 277CA set cut off before its SE, or whose SE does not match, is returned
  with that problem in its ``problems`` and must not be used: match() ignores it.
- A 277CA claim that cannot be read (no TRN02, no STC, an STC without a category)
  is reported with its claim ID and left out; the others are read.
- The envelope is checked (GS/GE, ISA/IEA counts and control numbers); a mismatch is
  a problem with claim_id "" belonging to no set: a caller that refuses the whole
  file on such a problem (the import does) is never looser than this.

Delimiters are read from the ISA, as the 835 reader does (CRLF or no line breaks at
all, blanks around segments ignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from care_management.domain import x12_envelope as envelope

VERSION_999 = "005010X231"
VERSION_277CA = "005010X214"

ACCEPTED, REJECTED, PENDING, NOT_MATCHED = "Accepted", "Rejected", "Pending", "Not Matched"
SOURCE_999, SOURCE_277CA = "999", "277CA"

# Health Care Claim Status Category Codes, X12 external code list 507
# (https://x12.org/codes/claim-status-category-codes). The 277CA (005010X214, 2200D STC01-1)
# uses the acknowledgment ("A") and error ("E") categories; the others are read as pending.
CATEGORY_MEANINGS = {
	"A0": "Forwarded: the claim has been forwarded to another entity.",
	"A1": "Received: the claim has been received; this does not yet mean it was accepted for adjudication.",
	"A2": "Accepted into the adjudication system.",
	"A3": "Returned as unprocessable: rejected and not entered into the adjudication system.",
	"A4": "Not found: the claim cannot be found in the adjudication system.",
	"A5": "Split: the claim was split upon acceptance into the adjudication system.",
	"A6": "Rejected for missing information: the claim lacks what the status details name.",
	"A7": "Rejected for invalid information: the claim has invalid information as the status details name.",
	"A8": "Rejected for a relational field in error.",
	"E0": "Response not possible: error on the submitted data.",
	"E1": "Response not possible: system status.",
	"E2": "Information holder is not responding; resubmit later.",
	"E3": "Correction required: relational fields in error.",
	"E4": "Trading partner agreement requirement not met: data correction required.",
}
ACCEPTED_CATEGORIES = frozenset(("A0", "A1", "A2", "A5"))
REJECTED_CATEGORIES = frozenset(("A3", "A4", "A6", "A7", "A8", "E0", "E3", "E4"))

# Health Care Claim Status Codes, X12 external code list 508
# (https://x12.org/codes/claim-status-codes): the ones a 277CA commonly carries. Any
# other code is shown by its number.
STATUS_MEANINGS = {
	"0": "Cannot provide further status electronically.",
	"16": "Claim has been forwarded to entity.",
	"19": "Entity acknowledges receipt of claim.",
	"20": "Accepted for processing.",
	"21": "Missing or invalid information.",
	"24": "Entity not approved as an electronic submitter.",
	"26": "Entity not found.",
	"28": "Claim submitted to wrong payer.",
	"30": "Subscriber and subscriber id mismatched.",
	"33": "Subscriber and subscriber id not found.",
	"54": "Duplicate of a previously processed claim/line.",
	"88": "Entity not eligible for benefits for submitted dates of service.",
	"97": "Patient eligibility not found with entity.",
	"109": "Entity not eligible.",
	"116": "Claim submitted to incorrect payer.",
	"125": "Entity's name.",
	"126": "Entity's address.",
	"128": "Entity's tax id.",
	"145": "Entity's specialty code.",
	"153": "Entity's id number.",
	"157": "Entity's gender.",
	"158": "Entity's date of birth.",
	"164": "Entity's contract/member number.",
	"187": "Date(s) of service.",
	"562": "Entity's National Provider Identifier (NPI).",
}
# Entity Identifier Codes (X12 element 98) a 277CA names in STC01-3.
ENTITY_MEANINGS = {
	"03": "dependent",
	"40": "receiver",
	"41": "submitter",
	"77": "service location",
	"82": "rendering provider",
	"85": "billing provider",
	"87": "pay-to provider",
	"DN": "referring provider",
	"IL": "subscriber",
	"PR": "payer",
	"QC": "patient",
}

# What billing staff correct, by the entity the status names (then by the status code).
FIX_MEMBER = (
	"Correct the member ID, name or birth date on the patient's Patient Coverage (as on the insurance card), "
	"then export the claim again."
)
FIX_PATIENT = (
	"Correct the patient's name, birth date, sex or address on the Patient, then export the claim again."
)
FIX_BILLING_PROVIDER = (
	"Correct the company's Group NPI, Tax ID, taxonomy or billing address, then export the claim again."
)
FIX_RENDERING = "Correct the billing practitioner's NPI or taxonomy code, then export the claim again."
FIX_PAYER = (
	"Check the payer and its Payer ID on the Patient Coverage and the Customer, then export the claim again."
)
FIX_DUPLICATE = (
	"The payer already has this claim: do not send it again; wait for its remittance, or correct it with a "
	"replacement once the payer has its claim number."
)
FIX_ELIGIBILITY = (
	"The payer has no coverage for the patient on the service dates: check the Patient Coverage (plan, dates, "
	"Medicare Advantage) and bill the right payer."
)
FIX_FILE = (
	"The clearinghouse rejected the file's syntax: export the claims again (correct what the errors name on "
	"the records the claims are made from); if it happens again, send the 999 to the app's maintainers."
)
FIX_GENERAL = "Correct what the status names on the claim's records, then export the claim again."

_FIX_BY_STATUS = {"54": FIX_DUPLICATE, "88": FIX_ELIGIBILITY, "97": FIX_ELIGIBILITY, "109": FIX_ELIGIBILITY}
_FIX_BY_STATUS.update(dict.fromkeys(("28", "116"), FIX_PAYER))
_FIX_BY_STATUS.update(dict.fromkeys(("30", "33"), FIX_MEMBER))
_FIX_BY_ENTITY = {
	"IL": FIX_MEMBER,
	"03": FIX_PATIENT,
	"QC": FIX_PATIENT,
	"85": FIX_BILLING_PROVIDER,
	"87": FIX_BILLING_PROVIDER,
	"82": FIX_RENDERING,
	"PR": FIX_PAYER,
}

# 999 codes (005010X231A1 IK501 / AK901).
SET_ACCEPTED_CODES = frozenset(("A", "E"))
SET_REJECTED_CODES = frozenset(("M", "R", "W", "X"))
SET_CODE_MEANINGS = {
	"A": "Accepted.",
	"E": "Accepted, with errors noted.",
	"P": "Partially accepted: at least one transaction set was rejected.",
	"M": "Rejected: message authentication code failed.",
	"R": "Rejected.",
	"W": "Rejected: assurance failed validity tests.",
	"X": "Rejected: content could not be analyzed.",
}
# IK304 implementation segment syntax error codes.
SEGMENT_ERROR_MEANINGS = {
	"1": "unrecognized segment",
	"2": "unexpected segment",
	"3": "required segment missing",
	"4": "loop occurs over maximum times",
	"5": "segment exceeds maximum use",
	"6": "segment not in defined transaction set",
	"7": "segment not in proper sequence",
	"8": "segment has data element errors",
	"I4": "implementation 'not used' segment present",
	"I6": "implementation dependent segment missing",
	"I7": "implementation loop occurs under minimum times",
	"I8": "implementation segment below minimum use",
	"I9": "implementation dependent 'not used' segment present",
}
# IK403 implementation data element syntax error codes.
ELEMENT_ERROR_MEANINGS = {
	"1": "required data element missing",
	"2": "conditional required data element missing",
	"3": "too many data elements",
	"4": "data element too short",
	"5": "data element too long",
	"6": "invalid character in data element",
	"7": "invalid code value",
	"8": "invalid date",
	"9": "invalid time",
	"10": "exclusion condition violated",
	"12": "too many repetitions",
	"13": "too many components",
	"I6": "code value not used in implementation",
	"I9": "implementation dependent data element missing",
	"I10": "implementation 'not used' data element present",
	"I11": "implementation too few repetitions",
	"I12": "implementation pattern match failure",
	"I13": "implementation dependent 'not used' data element present",
}

# What parse_acknowledgments and match say; fixed sentences, translatable as they are.
NOT_X12 = "This is not an X12 file: it does not start with a complete ISA segment."
NOT_ACKNOWLEDGMENT = "This is not a 999 or 277CA acknowledgment; it was not read."
WRONG_VERSION = (
	"This acknowledgment is not in the 005010X231A1 (999) or 005010X214 (277CA) format; it was not read."
)
OTHER_TRANSACTION = "This transaction set is neither a 999 nor a 277CA; it was skipped."
TRANSACTION_CUT_SHORT = "The acknowledgment ends before its SE trailer: the file may have been cut short."
TRAILER_MISMATCH = "The acknowledgment's SE trailer does not match it: segments may be missing."
FILE_CUT_SHORT = "The file ends before its closing IEA segment: it may have been cut short."
ENVELOPE_MISMATCH = "The file's GE or IEA trailer does not match its header: the file may be incomplete."
UNEXPECTED_SEGMENT = "This segment does not belong here: the file may be damaged."
NO_CLAIM_ID = "A claim's acknowledgment has no patient control number (TRN segment)."
NO_STATUS = "A claim's acknowledgment has no readable status (STC segment with a category code)."
BAD_AMOUNT = "An amount is not a number."
NO_GROUP_NUMBER = "The 999 does not name the group control number of the file it answers (AK1 segment)."
NO_SET_NUMBER = "An AK2 segment does not name the transaction set control number it answers."
NO_VERDICT = "The 999 has no AK9 segment saying whether the file was accepted."
NOT_CLAIMS_999 = "This 999 answers a functional group that is not claims (AK101 is not HC); it was skipped."
UNKNOWN_GROUP = (
	"This 999 answers a claim file this system did not send (no Claim Export has its group control number)."
)
UNKNOWN_CLAIM = "No submitted Claim Export sent a claim with this patient control number."
CHARGE_MISMATCH = "The acknowledged charge is not the charge of the claim sent: it answers another claim."
FILE_REJECTED = "The clearinghouse rejected the transaction set that carried this claim (999)."
FILE_ACCEPTED = "The clearinghouse accepted the transaction set that carried this claim (999)."
FILE_PARTLY = "The 999 accepts the file in part and does not say whether this claim's set was accepted."


@dataclass(frozen=True)
class Problem:
	segment_number: int
	segment_id: str
	claim_id: str
	reason: str


@dataclass(frozen=True)
class ElementError:
	position: str
	reference: str
	code: str
	data: str


@dataclass(frozen=True)
class SegmentError:
	segment_id: str
	position: str
	loop: str
	code: str
	elements: tuple[ElementError, ...]


@dataclass(frozen=True)
class SetAck:
	control_number: str
	code: str
	errors: tuple[str, ...]
	segment_errors: tuple[SegmentError, ...]


@dataclass(frozen=True)
class GroupAck:
	functional_code: str
	group_control_number: str
	code: str
	group_errors: tuple[str, ...]
	sets: tuple[SetAck, ...]
	segment_number: int
	problems: tuple[Problem, ...] = ()

	def set_outcome(self, control_number: str) -> str:
		"""ACCEPTED, REJECTED or PENDING for the 837 set with this ST02: its own IK5 when
		the 999 lists it, else the group's AK9 (A or E: all accepted; R: all rejected)."""
		for answered in self.sets:
			if _same_number(answered.control_number, control_number):
				return _code_outcome(answered.code)
		if self.code == "P":
			return PENDING
		return _code_outcome(self.code)


@dataclass(frozen=True)
class Status:
	category: str
	code: str
	entity: str


@dataclass(frozen=True)
class ClaimStatus:
	claim_id: str
	statuses: tuple[Status, ...]
	action: str
	charge: Decimal | None
	message: str
	payer_claim_number: str
	patient_last_name: str
	patient_first_name: str
	member_id: str
	segment_number: int

	@property
	def outcome(self) -> str:
		return outcome_of(self.statuses, self.action)


@dataclass(frozen=True)
class ClaimReport:
	batch_references: tuple[str, ...]
	payer_name: str
	payer_id: str
	claims: tuple[ClaimStatus, ...]
	segment_number: int
	problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class AcknowledgmentFile:
	groups: tuple[GroupAck, ...] = ()
	reports: tuple[ClaimReport, ...] = ()


@dataclass(frozen=True)
class Sent:
	export: str
	claim_id: str
	group_control_number: str
	set_control_number: str
	charge: Decimal | None = None
	payer_claim_number: str = ""


@dataclass(frozen=True)
class Verdict:
	export: str
	claim_id: str
	source: str
	outcome: str
	statuses: str
	reasons: tuple[str, ...]
	fix: str
	message: str
	payer_claim_number: str
	segment_number: int


# ---------------------------------------------------------------- meanings


def outcome_of(statuses: tuple[Status, ...], action: str = "") -> str:
	"""A claim is rejected when any of its categories is a rejection (a clearinghouse's
	A1 receipt often comes with the payer's A3), accepted when one is an acceptance and
	none a rejection; otherwise the action code decides (U rejected, WQ accepted), and a
	claim with neither is pending."""
	categories = {s.category for s in statuses}
	if categories & REJECTED_CATEGORIES:
		return REJECTED
	if categories & ACCEPTED_CATEGORIES:
		return ACCEPTED
	if action == "U":
		return REJECTED
	if action == "WQ":
		return ACCEPTED
	return PENDING


def _code_outcome(code: str) -> str:
	if code in SET_ACCEPTED_CODES:
		return ACCEPTED
	if code in SET_REJECTED_CODES:
		return REJECTED
	return PENDING


def status_text(status: Status) -> str:
	"""A3:21:IL as codes, for the Codes column."""
	return ":".join(part for part in (status.category, status.code, status.entity) if part)


def describe_status(status: Status) -> tuple[str, ...]:
	"""The status in sentences from the code lists, each translatable on its own (a code
	the lists here do not hold is named by its code, which is letters and digits only)."""
	parts = [CATEGORY_MEANINGS.get(status.category, "Status category " + _known(status.category) + ".")]
	if status.code:
		parts.append(STATUS_MEANINGS.get(status.code, "Status code " + _known(status.code) + "."))
	if status.entity:
		parts.append("Entity: " + ENTITY_MEANINGS.get(status.entity, _known(status.entity)) + ".")
	return tuple(parts)


_SAFE_CODE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _known(code: str) -> str:
	"""A code from the file as it may appear in a reason: letters and digits only, short."""
	return code if code and len(code) <= 5 and set(code) <= _SAFE_CODE else "?"


def fix_for(statuses: tuple[Status, ...]) -> str:
	for status in statuses:
		if status.category in REJECTED_CATEGORIES and status.code in _FIX_BY_STATUS:
			return _FIX_BY_STATUS[status.code]
	for status in statuses:
		if status.category in REJECTED_CATEGORIES and status.entity in _FIX_BY_ENTITY:
			return _FIX_BY_ENTITY[status.entity]
	return FIX_GENERAL


def describe_set_errors(answered: SetAck) -> tuple[str, str]:
	"""(the 999's errors in words, the bad data it quotes): the words are made of code
	meanings only; the quoted data is the file's, to be escaped where shown."""
	words, data = [], []
	for error in answered.segment_errors:
		meaning = SEGMENT_ERROR_MEANINGS.get(error.code, "error " + _known(error.code))
		words.append(f"{_known(error.segment_id)} segment {_number(error.position)}: {meaning}")
		for element in error.elements:
			element_meaning = ELEMENT_ERROR_MEANINGS.get(element.code, "error " + _known(element.code))
			words.append(f"{_known(error.segment_id)}{_number(element.position)}: {element_meaning}")
			if element.data:
				data.append(element.data)
	return "; ".join(words), "; ".join(data)


def _number(text: str) -> str:
	head = text.split(":")[0].strip()
	return head if head.isdigit() and len(head) <= 6 else "?"


def _same_number(a: str, b: str) -> bool:
	"""Control numbers compared as numbers (GS06 "17" is ST02 "0017"'s neighbour, and a
	999 may pad or not)."""
	a, b = a.strip(), b.strip()
	if a.isdigit() and b.isdigit():
		return int(a) == int(b)
	return a == b and a != ""


# ---------------------------------------------------------------- reading


_value = envelope.value


class _Reader:
	"""One 999 or 277 transaction set, segment by segment."""

	def __init__(self, kind: str, number: int, elements: list[str], component: str):
		self.kind, self.number, self.component = kind, number, component
		self.control_number = _value(elements, 2)
		self.count = 1
		self.problems: list[Problem] = []
		# 999
		self.functional_code = self.group_control_number = self.group_code = ""
		self.group_errors: tuple[str, ...] = ()
		self.seen_ak1 = self.seen_ak9 = False
		self.sets: list[SetAck] = []
		self.set_draft: dict | None = None
		self.segment_draft: dict | None = None
		# 277CA
		self.batch_references: list[str] = []
		self.payer_name = self.payer_id = ""
		self.hl_level = ""
		self.claims: list[ClaimStatus] = []
		self.claim: dict | None = None
		self.in_service = False

	def read(self, number: int, segment_id: str, elements: list[str]):
		self.count += 1
		try:
			if self.kind == "999":
				self._read_999(number, segment_id, elements)
			else:
				self._read_277(number, segment_id, elements)
		except Exception:
			# Hostile input never stops the file: the segment is this set's problem.
			self.problems.append(Problem(number, segment_id, "", UNEXPECTED_SEGMENT))

	# -------------------------------------------------------- 999

	def _read_999(self, number: int, segment_id: str, e: list[str]):
		if segment_id == "AK1":
			self.seen_ak1 = True
			self.functional_code, self.group_control_number = _value(e, 1), _value(e, 2)
			if not self.group_control_number:
				self.problems.append(Problem(number, "AK1", "", NO_GROUP_NUMBER))
		elif segment_id == "AK2":
			self._close_set()
			self.set_draft = {"control_number": _value(e, 2), "segment_errors": [], "number": number}
			if not _value(e, 2):
				self.problems.append(Problem(number, "AK2", "", NO_SET_NUMBER))
		elif segment_id == "IK3" and self.set_draft is not None:
			self.segment_draft = {
				"segment_id": _value(e, 1),
				"position": _value(e, 2),
				"loop": _value(e, 3),
				"code": _value(e, 4),
				"elements": [],
			}
			self.set_draft["segment_errors"].append(self.segment_draft)
		elif segment_id == "IK4" and self.segment_draft is not None:
			self.segment_draft["elements"].append(
				ElementError(_value(e, 1), _value(e, 2), _value(e, 3), _value(e, 4))
			)
		elif segment_id == "IK5" and self.set_draft is not None:
			self.set_draft["code"] = _value(e, 1)
			self.set_draft["errors"] = tuple(v for v in (_value(e, i) for i in range(2, 7)) if v)
			self._close_set()
		elif segment_id == "AK9":
			self._close_set()
			self.seen_ak9 = True
			self.group_code = _value(e, 1)
			self.group_errors = tuple(v for v in (_value(e, i) for i in range(5, 10)) if v)
		elif segment_id in ("CTX", "IK3", "IK4", "IK5"):
			pass  # context of an error, or an error outside any AK2: nothing to match it to
		else:
			self.problems.append(Problem(number, segment_id, "", UNEXPECTED_SEGMENT))

	def _close_set(self):
		draft, self.set_draft, self.segment_draft = self.set_draft, None, None
		if draft is None:
			return
		self.sets.append(
			SetAck(
				control_number=draft["control_number"],
				code=draft.get("code", ""),
				errors=draft.get("errors", ()),
				segment_errors=tuple(
					SegmentError(s["segment_id"], s["position"], s["loop"], s["code"], tuple(s["elements"]))
					for s in draft["segment_errors"]
				),
			)
		)

	# -------------------------------------------------------- 277CA

	def _read_277(self, number: int, segment_id: str, e: list[str]):
		if segment_id == "HL":
			self._close_claim()
			self.hl_level = _value(e, 3)
			self.in_service = False
			if self.hl_level == "PT":
				self.claim = {"number": number, "statuses": [], "trn": "", "stc": False}
		elif segment_id == "NM1":
			if self.hl_level == "20":
				self.payer_name, self.payer_id = _value(e, 3), _value(e, 9)
			elif self.claim is not None and _value(e, 1) == "QC":
				self.claim.update(last=_value(e, 3), first=_value(e, 4), member=_value(e, 9))
		elif segment_id == "TRN":
			if self.hl_level == "21" and _value(e, 2):
				self.batch_references.append(_value(e, 2))
			elif self.claim is not None and not self.in_service:
				self.claim["trn"] = _value(e, 2)
		elif segment_id == "STC":
			if self.claim is not None and not self.in_service:
				self._claim_stc(e)
		elif segment_id == "REF":
			if self.claim is not None and not self.in_service and _value(e, 1) == "1K":
				self.claim["payer_claim_number"] = _value(e, 2)
		elif segment_id == "SVC":
			self.in_service = True  # line-level statuses: the claim's verdict is its own STC
		elif segment_id not in ("BHT", "DTP", "QTY", "AMT", "PER"):
			self.problems.append(Problem(number, segment_id, "", UNEXPECTED_SEGMENT))

	def _claim_stc(self, e: list[str]):
		claim = self.claim
		for index in (1, 10, 11):
			parts = [p.strip() for p in _value(e, index).split(self.component)]
			if parts and parts[0]:
				claim["statuses"].append(
					Status(parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "")
				)
		if not claim["stc"]:
			claim["stc"] = True
			claim["action"] = _value(e, 3)
			claim["charge_text"] = _value(e, 4)
			claim["message"] = _value(e, 12)

	def _close_claim(self):
		claim, self.claim = self.claim, None
		if claim is None:
			return
		if not claim["trn"]:
			self.problems.append(Problem(claim["number"], "TRN", "", NO_CLAIM_ID))
			return
		if not claim["statuses"]:
			self.problems.append(Problem(claim["number"], "STC", claim["trn"], NO_STATUS))
			return
		charge = None
		if claim.get("charge_text"):
			try:
				charge = Decimal(claim["charge_text"])
				if not charge.is_finite():
					raise InvalidOperation
			except InvalidOperation:
				self.problems.append(Problem(claim["number"], "STC", claim["trn"], BAD_AMOUNT))
				return
		self.claims.append(
			ClaimStatus(
				claim_id=claim["trn"],
				statuses=tuple(claim["statuses"]),
				action=claim.get("action", ""),
				charge=charge,
				message=claim.get("message", ""),
				payer_claim_number=claim.get("payer_claim_number", ""),
				patient_last_name=claim.get("last", ""),
				patient_first_name=claim.get("first", ""),
				member_id=claim.get("member", ""),
				segment_number=claim["number"],
			)
		)

	# -------------------------------------------------------- end

	def finish(self, number: int, elements: list[str] | None):
		if elements is None:
			self.problems.append(Problem(number, "SE", "", TRANSACTION_CUT_SHORT))
		elif _value(elements, 1) != str(self.count + 1) or _value(elements, 2) != self.control_number:
			self.problems.append(Problem(number, "SE", "", TRAILER_MISMATCH))
		if self.kind == "999":
			self._close_set()
			if not self.seen_ak1:
				self.problems.append(Problem(self.number, "AK1", "", NO_GROUP_NUMBER))
			if not self.seen_ak9:
				self.problems.append(Problem(self.number, "AK9", "", NO_VERDICT))
			return GroupAck(
				functional_code=self.functional_code,
				group_control_number=self.group_control_number,
				code=self.group_code,
				group_errors=self.group_errors,
				sets=tuple(self.sets),
				segment_number=self.number,
				problems=tuple(self.problems),
			)
		self._close_claim()
		return ClaimReport(
			batch_references=tuple(self.batch_references),
			payer_name=self.payer_name,
			payer_id=self.payer_id,
			claims=tuple(self.claims),
			segment_number=self.number,
			problems=tuple(self.problems),
		)


_REASONS = envelope.Reasons(ENVELOPE_MISMATCH, FILE_CUT_SHORT, UNEXPECTED_SEGMENT)


def parse_acknowledgments(text: str) -> tuple[AcknowledgmentFile, list[Problem]]:
	"""Every 999 and 277CA set in the file and every problem met reading it, in
	segment order. Never raises on what the file holds."""
	if not isinstance(text, str):
		return AcknowledgmentFile(), [Problem(1, "ISA", "", NOT_X12)]
	text = text.lstrip(envelope.LEADING)
	delimiters = envelope.delimiters(text)
	if delimiters is None:
		return AcknowledgmentFile(), [Problem(1, "ISA", "", NOT_X12)]
	component = delimiters[1]
	groups: list[GroupAck] = []
	reports: list[ClaimReport] = []

	def open_set(number: int, elements: list[str], group_version: str):
		kind, version = _value(elements, 1), _value(elements, 3) or group_version
		expected = {"999": VERSION_999, "277": VERSION_277CA}.get(kind)
		if expected is None:
			return None, Problem(number, "ST", "", OTHER_TRANSACTION)
		if not version.startswith(expected):
			return None, Problem(number, "ST", "", WRONG_VERSION)
		return _Reader(kind, number, elements, component), None

	def close_set(reader: _Reader, number: int, elements: list[str] | None) -> list[Problem]:
		(groups if reader.kind == "999" else reports).append(reader.finish(number, elements))
		return reader.problems

	problems, skipped = envelope.walk(text, delimiters, open_set, close_set, _REASONS, Problem)
	if not groups and not reports:
		reason = NOT_ACKNOWLEDGMENT
		if any(p.reason == WRONG_VERSION for p in skipped):
			reason = WRONG_VERSION
		return AcknowledgmentFile(), [Problem(1, "ISA", "", reason)]
	problems.extend(skipped)
	problems.sort(key=lambda p: p.segment_number)
	return AcknowledgmentFile(tuple(groups), tuple(reports)), problems


def usable(part: GroupAck | ClaimReport) -> bool:
	"""A set read whole up to a matching SE, with what it must say."""
	return not any(
		p.reason in (TRANSACTION_CUT_SHORT, TRAILER_MISMATCH, NO_GROUP_NUMBER, NO_VERDICT)
		for p in part.problems
	)


# ---------------------------------------------------------------- matching


def match(ack: AcknowledgmentFile, sent: list[Sent]) -> list[Verdict]:
	"""One verdict per claim each usable set speaks of, in file order: for a 999, every
	claim of the 837 group it answers (a group we never sent is one NOT_MATCHED verdict
	with claim_id ""); for a 277CA, each claim it lists (one we never sent, or whose
	charge differs from what we sent, is NOT_MATCHED)."""
	verdicts: list[Verdict] = []
	by_group: dict[int | str, list[Sent]] = {}
	by_claim: dict[str, list[Sent]] = {}
	by_payer_number: dict[str, list[Sent]] = {}
	for claim in sent:
		by_group.setdefault(_number_key(claim.group_control_number), []).append(claim)
		by_claim.setdefault(claim.claim_id, []).append(claim)
		if claim.payer_claim_number:
			by_payer_number.setdefault(claim.payer_claim_number, []).append(claim)

	for group in ack.groups:
		if not usable(group) or group.functional_code not in ("HC", ""):
			continue
		claims = by_group.get(_number_key(group.group_control_number), [])
		if not claims:
			verdicts.append(
				Verdict(
					"", "", SOURCE_999, NOT_MATCHED, "", (UNKNOWN_GROUP,), "", "", "", group.segment_number
				)
			)
			continue
		for claim in claims:
			outcome = group.set_outcome(claim.set_control_number)
			answered = next(
				(s for s in group.sets if _same_number(s.control_number, claim.set_control_number)), None
			)
			codes = answered.code if answered else group.code
			words, data = describe_set_errors(answered) if answered else ("", "")
			if outcome == REJECTED:
				reasons, fix = (FILE_REJECTED, words) if words else (FILE_REJECTED,), FIX_FILE
			elif outcome == ACCEPTED:
				reasons, fix = (FILE_ACCEPTED,), ""
			else:
				reasons, fix = (FILE_PARTLY,), ""
			verdicts.append(
				Verdict(
					claim.export,
					claim.claim_id,
					SOURCE_999,
					outcome,
					codes,
					reasons,
					fix,
					data,
					"",
					group.segment_number,
				)
			)

	for report in ack.reports:
		if not usable(report):
			continue
		for status in report.claims:
			claim = _sent_claim(status, report, by_claim, by_payer_number)
			statuses = " ".join(status_text(s) for s in status.statuses)
			if claim is None or (
				status.charge is not None and claim.charge is not None and status.charge != claim.charge
			):
				verdicts.append(
					Verdict(
						"",
						status.claim_id,
						SOURCE_277CA,
						NOT_MATCHED,
						statuses,
						(UNKNOWN_CLAIM if claim is None else CHARGE_MISMATCH,),
						"",
						status.message,
						status.payer_claim_number,
						status.segment_number,
					)
				)
				continue
			outcome = status.outcome
			verdicts.append(
				Verdict(
					claim.export,
					claim.claim_id,
					SOURCE_277CA,
					outcome,
					statuses,
					tuple(part for s in status.statuses for part in describe_status(s)),
					fix_for(status.statuses) if outcome == REJECTED else "",
					status.message,
					status.payer_claim_number,
					status.segment_number,
				)
			)
	return verdicts


def _number_key(text: str) -> int | str:
	text = (text or "").strip()
	return int(text) if text.isdigit() else text


def _sent_claim(status: ClaimStatus, report: ClaimReport, by_claim, by_payer_number) -> Sent | None:
	"""The sending of this claim the 277CA answers: by CLM01 (else by the payer's claim
	number); of several sendings, the one whose transaction set the report names
	(2200B TRN02 echoes the 837's BHT03, our ST02), else the latest."""
	candidates = by_claim.get(status.claim_id) or by_payer_number.get(status.payer_claim_number, [])
	if not candidates:
		return None
	for reference in report.batch_references:
		named = [c for c in candidates if _same_number(c.set_control_number, reference)]
		if len(named) == 1:
			return named[0]
	return max(candidates, key=lambda c: _sort_key(c.group_control_number))


def _sort_key(text: str) -> tuple[int, str]:
	key = _number_key(text)
	return (key, "") if isinstance(key, int) else (-1, key)
