"""ANSI X12 835 health care claim payment/advice (005010X221A1) read into plain data.

``parse_835(text)`` reads a remittance file as a payer or clearinghouse sends it
and returns ``(remittances, problems)``; nothing here touches a database or
posts a payment.

    Remittance             one ST-SE transaction set: one payment (check, EFT or none) to one payee
      control_number       ST02
      handling_code        BPR01: I remittance with payment, H notification only (nothing paid), C, D, P, U, X
      total_paid: Decimal  BPR02, the check or EFT amount
      credit_debit         BPR03: C credit to the provider, D debit (then BPR02 counts as negative)
      payment_method       BPR04: ACH, CHK, NON (no payment), BOP, FWT
      payment_date         BPR16 check issue or EFT effective date (None when unreadable)
      trace_number         TRN02, the check or EFT number that reassociates payment and remittance
      originator_id        TRN03, the payer's tax ID with a leading 1
      payer_name, payer_id N1*PR N102; REF*2U of the payer loop when there is one, else TRN03
      payee_name, payee_npi  N1*PE N102; N104 when N103 is XX (the NPI), else ""
      claims: tuple[ClaimPayment, ...]                  the claims read whole and balanced, in file order
      provider_adjustments: tuple[ProviderAdjustment, ...]   PLB
      segment_number       position of its ST segment in the file (ISA = 1)
      transaction_problems  the problems that make the whole remittance unsafe to post (see below)
    ClaimPayment           loop 2100
      claim_id             CLP01, our CLM01 patient control number echoed back
      status_code          CLP02: 1 primary, 2 secondary, 3 tertiary, 4 denied, 19-23 and 25 (22 reversal)
      charge, paid, patient_responsibility: Decimal      CLP03, CLP04, CLP05 (0 when empty)
      filing_code, payer_claim_number                    CLP06, CLP07 (Medicare's ICN)
      patient_last_name, patient_first_name, member_id   NM1*QC (member ID from NM1*IL when QC has none)
      adjustments: tuple[Adjustment, ...]                claim-level CAS
      services: tuple[ServicePayment, ...]               loops 2110
      segment_number       position of its CLP segment in the file (ISA = 1)
      crossover_name, crossover_id       NM1*TT: the payer the claim was forwarded to (Medicare
                                         crossover), NM103 and NM109; "" when not forwarded
      all_adjustments, is_denied (status 4), is_reversal (status 22), is_forwarded (19, 20, 21)
    ServicePayment         loop 2110
      procedure_code, modifiers                          SVC01 as adjudicated ("HC:99490:25")
      charge, paid: Decimal, units: Decimal | None       SVC02, SVC03, SVC05 (None when not sent)
      service_date         DTM*472, else DTM*150 (start of a period); None when neither is sent
      control_number       REF*6R, our line's control number echoed back ("" when not sent)
      adjustments          service-level CAS
      remark_codes         LQ*HE remittance advice remark codes (RARCs), in order
    Adjustment(group, reason, amount, quantity=None)     one CAS triple; group CO, PR, OA, PI (CR read too)
    ProviderAdjustment(reason, reference, amount)        one PLB pair, e.g. "WO:ABC123" and 25 (positive
                                                         amounts reduce the payment)
    Problem(segment_number, segment_id, claim_id, reason)

Every ``Problem.reason`` is one of the fixed English sentences defined below (no
interpolated values, so the site can translate it with ``_()``);
``segment_number`` counts segments from the ISA as 1, ``segment_id`` is the
segment's tag (for a missing segment: the tag that is missing, at its
transaction set's ST), ``claim_id`` the CLP01 of the claim it belongs to or "".

What happens to what:

- Not an X12 interchange, no 835 transaction set, or not version 005010X221:
  no remittances and exactly one problem (NOT_X12, NOT_835 or WRONG_VERSION).
  In a file that also holds readable 835 sets, each foreign or wrong-version
  set is skipped with that problem at its ST.
- A claim with any unreadable value (amount, date, code, a required element
  missing), a segment an 835 claim does not hold, or that does not balance is
  reported and left out of ``claims``: a claim is posted whole or not at all.
  Its payment still counts towards the transaction total, because the payer
  paid it. The other claims are read. A service or adjustment before any CLP
  is reported (claim_id "") and read into nothing.
- Every 835 set of the right version returns its ``Remittance``, even when its
  own reading failed, with what could be read (empty text, zero amounts, None
  dates). Such problems are listed both in the returned problems and in the
  remittance's ``transaction_problems``; **the caller must not post a
  remittance whose transaction_problems is not empty**. They are: BPR, TRN,
  N1*PR or N1*PE missing or unreadable; a segment the header does not hold; a
  PLB unreadable; the payment total not equal to the claims' payments less the
  provider adjustments; the set cut off before its SE, or an SE whose count or
  control number does not match.
- When a CLP04 cannot be read the transaction total cannot be checked, and is
  not: that claim is already reported and left out.
- The envelope (GS/GE, ISA/IEA) is checked too; a mismatch, a missing IEA or
  segments outside any set (what is left of a set whose ST was damaged) are
  problems with claim_id "" that belong to no remittance: the sets that were
  read whole up to their SE are sound. A caller that stops the whole file on
  any problem with an empty claim_id is stricter than this, never looser.

Delimiters are read from the ISA (element separator its 4th character,
component separator ISA16, segment terminator the character after ISA16).
Line breaks and blanks around segments are ignored, and the terminator may
itself be a line break. Amounts are exact ``Decimal`` values, compared exactly.

Not read: coordination of benefits detail (MIA/MOA), claim
and service supplemental amounts (AMT, QTY), provider summary (TS3/TS2), the
original submitted procedure when the payer changed it (SVC06).
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from care_management.domain import x12_envelope as envelope

VERSION = "005010X221A1"
# Errata and later releases of the same guide start the same way.
VERSION_PREFIX = "005010X221"

STATUS_DENIED = "4"
STATUS_REVERSAL = "22"
# Processed as primary, secondary, tertiary and forwarded to the next payer (crossover).
STATUS_FORWARDED = frozenset(("19", "20", "21"))
CLAIM_STATUS_CODES = frozenset("1 2 3 4 19 20 21 22 23 25".split())
# CR (correction and reversal) left the standard with 5010, but old adjustments still carry it.
ADJUSTMENT_GROUPS = frozenset("CO PR OA PI CR".split())
HANDLING_CODES = frozenset("C D H I P U X".split())
PAYMENT_METHODS = frozenset("ACH BOP CHK FWT NON".split())
# CLP06 as the 835 lists it, and the 837's own codes (CI commercial, BL...), which some
# payers echo back as they were billed.
FILING_CODES = frozenset("11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ".split())
SERVICE_ID_QUALIFIERS = frozenset("AD ER HC HP IV N4 N6 NU UI WK".split())
PROVIDER_ADJUSTMENT_REASONS = frozenset(
	"50 51 72 90 AH AM AP B2 B3 BD BN C5 CR CS CT CV CW DM E3 FB FC GO HM IP IR IS J1 L3 L6 LE LS OA "
	"OB PI PL RA RE SL TL WO WU".split()
)
# Qualifiers read in a claim and its services: anything else there is a damaged segment.
_CLAIM_NAME_ENTITIES = frozenset("QC IL 74 82 TT PR GB".split())
_SERVICE_DATE_QUALIFIERS = frozenset(("150", "151", "472"))
_SERVICE_REF_QUALIFIERS = frozenset(
	"6R 1S APC BB E9 G1 G3 LU RB 0B 1A 1B 1C 1D 1G 1H 1J D3 G2 HPI SY TJ 0K".split()
)
_REMARK_QUALIFIERS = frozenset(("HE", "RX"))

# The segments an 835 holds, where it holds them. A tag outside these is a damaged
# segment (or one from another transaction), never something to pass over: it may be
# what is left of a service line. N2 is 4010's, still sent by a few payers, harmless.
_HEADER_SEGMENTS = frozenset("BPR TRN CUR REF DTM N1 N2 N3 N4 PER RDM".split())
_DETAIL_SEGMENTS = frozenset("LX TS3 TS2 CLP CAS NM1 MIA MOA REF DTM PER AMT QTY SVC LQ PLB".split())
# The segments that end the header.
_DETAIL_OPENERS = frozenset("LX CLP SVC CAS PLB".split())
CREDIT, DEBIT = "C", "D"
CREDIT_DEBIT = frozenset((CREDIT, DEBIT))

# What parse_835 says; fixed sentences, translatable as they are.
NOT_X12 = "This is not an X12 file: it does not start with a complete ISA segment."
NOT_835 = "This is not a remittance advice (835); it was not read."
WRONG_VERSION = "This remittance is not in the 005010X221A1 format this system reads; it was not read."
BAD_AMOUNT = "An amount is not a number with at most two decimals."
BAD_QUANTITY = "A quantity is not a number."
BAD_DATE = "A date is not a real date written as YYYYMMDD."
BAD_CODE = "A code in this segment is not one the remittance format allows."
MISSING_VALUE = "A value the remittance requires is missing from this segment."
NO_CLAIM_ID = "A claim payment has no claim ID (patient control number)."
SERVICE_WITHOUT_CLAIM = "A service payment comes before any claim payment it could belong to."
ADJUSTMENT_WITHOUT_CLAIM = "An adjustment comes before any claim payment it could belong to."
SERVICE_NOT_BALANCED = "The service's charge less its payment does not equal its adjustments."
CLAIM_NOT_BALANCED = "The claim's charge less its payment does not equal its adjustments."
TOTAL_NOT_BALANCED = "The payment total does not equal the claims' payments less the provider adjustments."
MISSING_PAYMENT = "The remittance has no payment information (BPR segment)."
MISSING_TRACE = "The remittance has no check or EFT trace number (TRN segment)."
MISSING_PAYER = "The remittance does not name its payer (N1*PR segment)."
MISSING_PAYEE = "The remittance does not name the provider it pays (N1*PE segment)."
TRANSACTION_CUT_SHORT = "The remittance ends before its SE trailer: the file may have been cut short."
TRAILER_MISMATCH = "The remittance's SE trailer does not match it: segments may be missing."
FILE_CUT_SHORT = "The file ends before its closing IEA segment: it may have been cut short."
ENVELOPE_MISMATCH = "The file's GE or IEA trailer does not match its header: the file may be incomplete."
UNEXPECTED_SEGMENT = "This segment does not belong here in a remittance: the file may be damaged."
UNREADABLE_SEGMENT = "This segment could not be read."


@dataclass(frozen=True)
class Adjustment:
	group: str
	reason: str
	amount: Decimal
	quantity: Decimal | None = None


@dataclass(frozen=True)
class ServicePayment:
	procedure_code: str
	modifiers: tuple[str, ...]
	charge: Decimal
	paid: Decimal
	units: Decimal | None
	service_date: date | None
	control_number: str
	adjustments: tuple[Adjustment, ...]
	remark_codes: tuple[str, ...]


@dataclass(frozen=True)
class ClaimPayment:
	claim_id: str
	status_code: str
	charge: Decimal
	paid: Decimal
	patient_responsibility: Decimal
	filing_code: str
	payer_claim_number: str
	patient_last_name: str
	patient_first_name: str
	member_id: str
	adjustments: tuple[Adjustment, ...]
	services: tuple[ServicePayment, ...]
	segment_number: int
	crossover_name: str = ""
	crossover_id: str = ""

	@property
	def is_forwarded(self) -> bool:
		return self.status_code in STATUS_FORWARDED

	@property
	def all_adjustments(self) -> tuple[Adjustment, ...]:
		"""Claim-level adjustments, then each service's in order."""
		return self.adjustments + tuple(a for service in self.services for a in service.adjustments)

	@property
	def is_denied(self) -> bool:
		return self.status_code == STATUS_DENIED

	@property
	def is_reversal(self) -> bool:
		"""The payer takes back an earlier payment of this claim (amounts are negative)."""
		return self.status_code == STATUS_REVERSAL


@dataclass(frozen=True)
class ProviderAdjustment:
	reason: str
	reference: str
	amount: Decimal


@dataclass(frozen=True)
class Problem:
	segment_number: int
	segment_id: str
	claim_id: str
	reason: str


@dataclass(frozen=True)
class Remittance:
	control_number: str
	handling_code: str
	total_paid: Decimal
	credit_debit: str
	payment_method: str
	payment_date: date | None
	trace_number: str
	originator_id: str
	payer_name: str
	payer_id: str
	payee_name: str
	payee_npi: str
	claims: tuple[ClaimPayment, ...]
	provider_adjustments: tuple[ProviderAdjustment, ...]
	segment_number: int = 0
	transaction_problems: tuple[Problem, ...] = ()


# ---------------------------------------------------------------- values


class _Unreadable(Exception):
	"""A value that cannot be read; carries the sentence that says why."""

	def __init__(self, reason: str):
		super().__init__(reason)
		self.reason = reason


# X12 R: an optional minus and a decimal point that are not counted, at most 18
# digits (15 for a quantity); a remittance carries cents at most.
_AMOUNT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]{0,2})?|\.[0-9]{1,2})")
_QUANTITY = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_AMOUNT_DIGITS, _QUANTITY_DIGITS = 18, 15


def _digit_count(text: str) -> int:
	return len(text) - text.startswith("-") - ("." in text)


_DATE = re.compile(r"[0-9]{8}")
_CODE = re.compile(r"[A-Z0-9]{1,5}")  # CARC and RARC codes
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_PROCEDURE = re.compile(r"[A-Z0-9]{1,48}")
_ZERO = Decimal(0)


def _value(elements: list[str], index: int) -> str:
	return elements[index].strip() if index < len(elements) else ""


def _required(elements: list[str], index: int) -> str:
	value = _value(elements, index)
	if not value:
		raise _Unreadable(MISSING_VALUE)
	return value


# A file of 10,000 claims repeats the same few charges and payments.
@lru_cache(maxsize=8192)
def _amount(text: str) -> Decimal:
	if not _AMOUNT.fullmatch(text) or _digit_count(text) > _AMOUNT_DIGITS:
		raise _Unreadable(BAD_AMOUNT)
	return Decimal(text)


def _optional_amount(text: str) -> Decimal:
	return _amount(text) if text else _ZERO


def _quantity(text: str) -> Decimal | None:
	if not text:
		return None
	if not _QUANTITY.fullmatch(text) or _digit_count(text) > _QUANTITY_DIGITS:
		raise _Unreadable(BAD_QUANTITY)
	return Decimal(text)


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
	if not _DATE.fullmatch(text):
		raise _Unreadable(BAD_DATE)
	try:
		return date(int(text[:4]), int(text[4:6]), int(text[6:]))
	except ValueError:
		raise _Unreadable(BAD_DATE)


def _code(text: str, allowed: frozenset[str]) -> str:
	if not text:
		raise _Unreadable(MISSING_VALUE)
	if text not in allowed:
		raise _Unreadable(BAD_CODE)
	return text


def _adjustments(elements: list[str]) -> list[Adjustment]:
	"""CAS: one group code, then up to six reason/amount/quantity triples."""
	group = _code(_value(elements, 1), ADJUSTMENT_GROUPS)
	adjustments = []
	for start in range(2, min(len(elements), 20), 3):
		reason = _value(elements, start)
		if not reason:
			if _value(elements, start + 1) or _value(elements, start + 2):
				raise _Unreadable(MISSING_VALUE)
			continue
		if not _CODE.fullmatch(reason):
			raise _Unreadable(BAD_CODE)
		amount = _amount(_required(elements, start + 1))
		adjustments.append(Adjustment(group, reason, amount, _quantity(_value(elements, start + 2))))
	if not adjustments:
		raise _Unreadable(MISSING_VALUE)
	return adjustments


# ---------------------------------------------------------------- reading


class _ServiceDraft:
	__slots__ = (
		"adjustments",
		"charge",
		"control_number",
		"date_150",
		"date_472",
		"modifiers",
		"number",
		"paid",
		"procedure_code",
		"remark_codes",
		"units",
	)

	def __init__(self, number: int):
		self.number = number
		self.procedure_code = ""
		self.modifiers: tuple[str, ...] = ()
		self.charge = self.paid = _ZERO
		self.units: Decimal | None = None
		self.date_472: date | None = None
		self.date_150: date | None = None
		self.control_number = ""
		self.adjustments: list[Adjustment] = []
		self.remark_codes: list[str] = []


class _ClaimDraft:
	"""A claim while its segments come in. ``broken``: something in it could not be
	read, so it is left out whole rather than posted half-read."""

	__slots__ = (
		"adjustments",
		"broken",
		"charge",
		"claim_id",
		"crossover_id",
		"crossover_name",
		"filing_code",
		"first_name",
		"insured_id",
		"last_name",
		"member_id",
		"number",
		"paid",
		"patient_responsibility",
		"payer_claim_number",
		"services",
		"status_code",
	)

	def __init__(self, number: int, claim_id: str):
		self.number = number
		self.claim_id = claim_id
		self.broken = False
		self.status_code = self.filing_code = self.payer_claim_number = ""
		self.charge = self.paid = self.patient_responsibility = _ZERO
		self.last_name = self.first_name = self.member_id = self.insured_id = ""
		self.crossover_name = self.crossover_id = ""
		self.adjustments: list[Adjustment] = []
		self.services: list[_ServiceDraft] = []


class _Transaction:
	"""One ST-SE set being read, segment by segment."""

	def __init__(self, number: int, elements: list[str], component: str):
		self.number = number
		self.control_number = _value(elements, 2)
		self.component = component
		self.segment_count = 1  # ST itself; SE01 counts ST through SE
		self.problems: list[Problem] = []
		self.transaction_problems: list[Problem] = []
		self.handling_code = self.credit_debit = self.payment_method = ""
		self.total_paid = _ZERO
		self.total_paid_known = False
		self.bpr_number = number
		self.payment_date: date | None = None
		self.trace_number = self.originator_id = ""
		self.payer_name = self.payer_ref_id = self.payee_name = self.payee_npi = ""
		self.seen: set[str] = set()  # BPR, TRN, PR, PE
		self.in_header = True  # until the first claim, service or provider adjustment
		self.loop = ""  # the entity of the N1 loop being read (PR, PE)
		self.claims: list[ClaimPayment] = []
		self.claim: _ClaimDraft | None = None
		self.service: _ServiceDraft | None = None
		self.claims_paid = _ZERO
		self.claims_paid_known = True
		self.provider_adjustments: list[ProviderAdjustment] = []
		self.plb_total = _ZERO
		self.plb_known = True
		self.handlers = {
			"BPR": self._bpr,
			"TRN": self._trn,
			"N1": self._n1,
			"REF": self._ref,
			"LX": self._lx,
			"CLP": self._clp,
			"CAS": self._cas,
			"NM1": self._nm1,
			"SVC": self._svc,
			"DTM": self._dtm,
			"LQ": self._lq,
			"PLB": self._plb,
		}

	# -------------------------------------------------------- problems

	def _claim_problem(self, number: int, segment_id: str, reason: str, claim: _ClaimDraft | None):
		if claim is not None:
			claim.broken = True
		self.problems.append(Problem(number, segment_id, claim.claim_id if claim else "", reason))

	def _transaction_problem(self, number: int, segment_id: str, reason: str):
		problem = Problem(number, segment_id, "", reason)
		self.problems.append(problem)
		self.transaction_problems.append(problem)

	def read(self, number: int, segment_id: str, elements: list[str]):
		self.segment_count += 1
		if segment_id not in (_HEADER_SEGMENTS if self.in_header else _DETAIL_SEGMENTS):
			if not (self.in_header and segment_id in _DETAIL_OPENERS):
				self._segment_problem(number, segment_id, UNEXPECTED_SEGMENT)
				return
		handler = self.handlers.get(segment_id)
		if handler is None:
			return  # a segment this reader does not use (PER, N3, AMT, MOA...)
		try:
			handler(number, elements)
		except _Unreadable as unreadable:
			self._segment_problem(number, segment_id, unreadable.reason)
		except Exception:
			# Hostile input must never stop the file: whatever slipped past the checks
			# above is this segment's problem, reported like any other.
			self._segment_problem(number, segment_id, UNREADABLE_SEGMENT)

	def _segment_problem(self, number: int, segment_id: str, reason: str):
		if self.claim is not None:
			self._claim_problem(number, segment_id, reason, self.claim)
		else:
			self._transaction_problem(number, segment_id, reason)

	# -------------------------------------------------------- header

	# BPR, TRN and N1 come only in the header: read() refuses them among the claims.

	def _bpr(self, number: int, e: list[str]):
		self.seen.add("BPR")
		self.bpr_number = number
		# Element by element: a bad date must not hide the amount, and the remittance
		# is returned with whatever could be read.
		self.handling_code = self._header_value(number, "BPR", lambda: _code(_value(e, 1), HANDLING_CODES))
		total = self._header_value(number, "BPR", lambda: _amount(_required(e, 2)))
		self.total_paid_known = isinstance(total, Decimal)
		self.total_paid = total if self.total_paid_known else _ZERO
		self.credit_debit = self._header_value(number, "BPR", lambda: _code(_value(e, 3), CREDIT_DEBIT))
		self.payment_method = self._header_value(number, "BPR", lambda: _code(_value(e, 4), PAYMENT_METHODS))
		self.payment_date = self._header_value(number, "BPR", lambda: _date(_required(e, 16))) or None

	def _header_value(self, number: int, segment_id: str, read):
		"""read(), or "" after reporting why it could not be read."""
		try:
			return read()
		except _Unreadable as unreadable:
			self._transaction_problem(number, segment_id, unreadable.reason)
			return ""

	def _trn(self, number: int, e: list[str]):
		self.seen.add("TRN")
		self.trace_number = _value(e, 2)
		self.originator_id = _value(e, 3)
		if _value(e, 1) != "1":  # 1: current transaction trace numbers
			raise _Unreadable(BAD_CODE if _value(e, 1) else MISSING_VALUE)
		_required(e, 2)
		_required(e, 3)

	def _n1(self, number: int, e: list[str]):
		self.loop = entity = _value(e, 1)
		if entity == "PR":
			self.seen.add("PR")
			self.payer_name = _required(e, 2)
		elif entity == "PE":
			self.seen.add("PE")
			self.payee_name = _value(e, 2)
			qualifier, identifier = _value(e, 3), _value(e, 4)
			if qualifier == "XX":
				self.payee_npi = identifier
			_required(e, 2)
			_required(e, 3)
			_required(e, 4)

	def _ref(self, number: int, e: list[str]):
		if self.service is not None:
			qualifier = _code(_value(e, 1), _SERVICE_REF_QUALIFIERS)
			if qualifier == "6R":
				self.service.control_number = _required(e, 2)
		elif self.in_header and self.loop == "PR" and _value(e, 1) == "2U":
			self.payer_ref_id = _required(e, 2)

	# -------------------------------------------------------- claims

	def _lx(self, number: int, e: list[str]):
		self.close_claim()
		self.in_header = False

	def _clp(self, number: int, e: list[str]):
		self.close_claim()
		self.in_header = False
		claim = self.claim = _ClaimDraft(number, _value(e, 1))
		# The payer paid this claim whatever else is wrong with it: its payment counts
		# towards the transaction total even when the claim itself is left out.
		try:
			claim.paid = _amount(_required(e, 4))
		except _Unreadable:
			self.claims_paid_known = False
			raise
		self.claims_paid += claim.paid
		if not claim.claim_id:
			raise _Unreadable(NO_CLAIM_ID)
		claim.status_code = _code(_value(e, 2), CLAIM_STATUS_CODES)
		claim.charge = _amount(_required(e, 3))
		claim.patient_responsibility = _optional_amount(_value(e, 5))
		claim.filing_code = _code(_value(e, 6), FILING_CODES)
		claim.payer_claim_number = _required(e, 7)

	def _cas(self, number: int, e: list[str]):
		if self.claim is None:
			self.problems.append(Problem(number, "CAS", "", ADJUSTMENT_WITHOUT_CLAIM))
			return
		adjustments = _adjustments(e)
		(self.service.adjustments if self.service else self.claim.adjustments).extend(adjustments)

	def _nm1(self, number: int, e: list[str]):
		claim = self.claim
		if claim is None or self.service is not None:
			return
		entity = _code(_value(e, 1), _CLAIM_NAME_ENTITIES)
		if entity == "QC":
			claim.last_name, claim.first_name = _value(e, 3), _value(e, 4)
			claim.member_id = _value(e, 9)
		elif entity == "IL":
			claim.insured_id = _value(e, 9)
		elif entity == "TT":
			claim.crossover_name, claim.crossover_id = _value(e, 3), _value(e, 9)

	def _svc(self, number: int, e: list[str]):
		self.in_header = False
		if self.claim is None:
			# An orphan claim takes this service's DTM, CAS and REF, so they are not
			# mistaken for another claim's; it is never returned.
			self.claim = _ClaimDraft(number, "")
			self.claim.broken = True
			self.problems.append(Problem(number, "SVC", "", SERVICE_WITHOUT_CLAIM))
		service = self.service = _ServiceDraft(number)
		self.claim.services.append(service)
		procedure = [p.strip() for p in _required(e, 1).split(self.component)]
		_code(procedure[0], SERVICE_ID_QUALIFIERS)
		if len(procedure) < 2 or not procedure[1]:
			raise _Unreadable(MISSING_VALUE)
		modifiers = tuple(m for m in procedure[2:6] if m)
		if not _PROCEDURE.fullmatch(procedure[1]) or not all(_MODIFIER.fullmatch(m) for m in modifiers):
			raise _Unreadable(BAD_CODE)
		service.procedure_code, service.modifiers = procedure[1], modifiers
		service.charge = _amount(_required(e, 2))
		service.paid = _amount(_required(e, 3))
		service.units = _quantity(_value(e, 5))

	def _dtm(self, number: int, e: list[str]):
		service = self.service
		if service is None:
			return  # production, statement and received dates: not read
		qualifier = _code(_value(e, 1), _SERVICE_DATE_QUALIFIERS)
		if qualifier == "472":
			service.date_472 = _date(_required(e, 2))
		elif qualifier == "150":
			service.date_150 = _date(_required(e, 2))

	def _lq(self, number: int, e: list[str]):
		if self.service is None:
			return
		if _code(_value(e, 1), _REMARK_QUALIFIERS) == "HE":
			code = _required(e, 2)
			if not _CODE.fullmatch(code):
				raise _Unreadable(BAD_CODE)
			self.service.remark_codes.append(code)

	def close_claim(self):
		claim, self.claim, self.service = self.claim, None, None
		if claim is None or claim.broken:
			return
		services = []
		balanced = True
		service_adjustments = _ZERO
		for draft in claim.services:
			adjusted = sum((a.amount for a in draft.adjustments), _ZERO)
			service_adjustments += adjusted
			if draft.charge - draft.paid != adjusted:
				self._claim_problem(draft.number, "SVC", SERVICE_NOT_BALANCED, claim)
				balanced = False
			services.append(
				ServicePayment(
					procedure_code=draft.procedure_code,
					modifiers=draft.modifiers,
					charge=draft.charge,
					paid=draft.paid,
					units=draft.units,
					service_date=draft.date_472 or draft.date_150,
					control_number=draft.control_number,
					adjustments=tuple(draft.adjustments),
					remark_codes=tuple(draft.remark_codes),
				)
			)
		claim_adjustments = sum((a.amount for a in claim.adjustments), _ZERO)
		if claim.charge - claim.paid != claim_adjustments + service_adjustments:
			self._claim_problem(claim.number, "CLP", CLAIM_NOT_BALANCED, claim)
			balanced = False
		if not balanced:
			return
		self.claims.append(
			ClaimPayment(
				claim_id=claim.claim_id,
				status_code=claim.status_code,
				charge=claim.charge,
				paid=claim.paid,
				patient_responsibility=claim.patient_responsibility,
				filing_code=claim.filing_code,
				payer_claim_number=claim.payer_claim_number,
				patient_last_name=claim.last_name,
				patient_first_name=claim.first_name,
				member_id=claim.member_id or claim.insured_id,
				adjustments=tuple(claim.adjustments),
				services=tuple(services),
				segment_number=claim.number,
				crossover_name=claim.crossover_name,
				crossover_id=claim.crossover_id,
			)
		)

	# -------------------------------------------------------- footer

	def _plb(self, number: int, e: list[str]):
		self.close_claim()
		self.in_header = False
		try:
			_required(e, 1)  # provider identifier
			_date(_required(e, 2))  # fiscal period
			pairs = []
			for start in range(3, min(len(e), 15), 2):
				composite = _value(e, start)
				if not composite and not _value(e, start + 1):
					continue
				reason, _, reference = _required(e, start).partition(self.component)
				reason = _code(reason.strip(), PROVIDER_ADJUSTMENT_REASONS)
				amount = _amount(_required(e, start + 1))
				pairs.append(ProviderAdjustment(reason, reference.strip(), amount))
			if not pairs:
				raise _Unreadable(MISSING_VALUE)
		except _Unreadable:
			self.plb_known = False
			raise
		self.provider_adjustments += pairs
		self.plb_total += sum((p.amount for p in pairs), _ZERO)

	def finish(self, number: int, elements: list[str] | None) -> "Remittance":
		"""At the SE (elements) or where the set was found cut off (None)."""
		self.close_claim()
		if elements is None:
			self._transaction_problem(number, "SE", TRANSACTION_CUT_SHORT)
		elif _value(elements, 1) != str(self.segment_count + 1) or _value(elements, 2) != self.control_number:
			self._transaction_problem(number, "SE", TRAILER_MISMATCH)
		for seen, segment_id, reason in (
			("BPR", "BPR", MISSING_PAYMENT),
			("TRN", "TRN", MISSING_TRACE),
			("PR", "N1", MISSING_PAYER),
			("PE", "N1", MISSING_PAYEE),
		):
			if seen not in self.seen:
				self._transaction_problem(self.number, segment_id, reason)
		if self.total_paid_known and self.claims_paid_known and self.plb_known:
			signed_total = -self.total_paid if self.credit_debit == DEBIT else self.total_paid
			if signed_total != self.claims_paid - self.plb_total:
				self._transaction_problem(self.bpr_number, "BPR", TOTAL_NOT_BALANCED)
		return Remittance(
			control_number=self.control_number,
			handling_code=self.handling_code,
			total_paid=self.total_paid,
			credit_debit=self.credit_debit,
			payment_method=self.payment_method,
			payment_date=self.payment_date,
			trace_number=self.trace_number,
			originator_id=self.originator_id,
			payer_name=self.payer_name,
			payer_id=self.payer_ref_id or self.originator_id,
			payee_name=self.payee_name,
			payee_npi=self.payee_npi,
			claims=tuple(self.claims),
			provider_adjustments=tuple(self.provider_adjustments),
			segment_number=self.number,
			transaction_problems=tuple(self.transaction_problems),
		)


# ---------------------------------------------------------------- the file

_REASONS = envelope.Reasons(ENVELOPE_MISMATCH, FILE_CUT_SHORT, UNEXPECTED_SEGMENT)


def parse_835(text: str) -> tuple[list[Remittance], list[Problem]]:
	"""Every remittance in the file and every problem met reading it, problems in
	segment order. Never raises on what the file holds."""
	if not isinstance(text, str):
		return [], [Problem(1, "ISA", "", NOT_X12)]
	text = text.lstrip(envelope.LEADING)
	delimiters = envelope.delimiters(text)
	if delimiters is None:
		return [], [Problem(1, "ISA", "", NOT_X12)]
	component = delimiters[1]
	remittances: list[Remittance] = []

	def open_set(number: int, elements: list[str], group_version: str):
		version = _value(elements, 3)
		if _value(elements, 1) != "835":
			return None, Problem(number, "ST", "", NOT_835)
		if not (version or group_version) or not all(
			v.startswith(VERSION_PREFIX) for v in (version, group_version) if v
		):
			return None, Problem(number, "ST", "", WRONG_VERSION)
		return _Transaction(number, elements, component), None

	def close_set(transaction: _Transaction, number: int, elements: list[str] | None) -> list[Problem]:
		remittances.append(transaction.finish(number, elements))
		return transaction.problems

	problems, skipped = envelope.walk(text, delimiters, open_set, close_set, _REASONS, Problem)
	if not remittances:
		# Nothing was read: one sentence says why, not the envelope's details.
		return [], [skipped[0] if skipped else Problem(1, "ISA", "", NOT_835)]
	problems.extend(skipped)
	problems.sort(key=lambda p: p.segment_number)
	return remittances, problems
