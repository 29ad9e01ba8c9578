"""ANSI X12 837 professional claims (005010X222A1) from plain data.

The site fills these frozen dataclasses and hands one ``Interchange`` to
``render_837p``; nothing here reads a database.

    Interchange            one file: ISA/GS envelope, submitter, receiver, one billing provider, claims
      sender_id, receiver_id              ISA06 / ISA08 (and GS02 / GS03 unless application_* are set)
      interchange_control_number: int     ISA13 / IEA02, 1-999999999, unique and increasing per sender
      group_control_number: int           GS06 / GE02
      transaction_control_number: int     ST02 / SE02 of the first transaction set (+1 for each further
                                          set when there are more than max_claims_per_transaction claims)
      created_at: datetime                ISA09/10, GS04/05, BHT04/05
      submitter: Submitter(name, id, contact_name, contact_phone, contact_email="")   loop 1000A
      receiver: Receiver(name, id)                                                      loop 1000B
      billing_provider: BillingProvider(name, npi, tax_id, address, taxonomy_code="", first_name="")
                                          loop 2000A/2010AA; first_name set = a person billing (NM102 1)
      claims: tuple[Claim, ...]
      usage: "P" production or "T" test (ISA15); sender/receiver_qualifier "ZZ" (ISA05/07)
    Claim                  loop 2000B (+2000C) / 2300
      claim_id             CLM01 patient control number (<= 38 characters, echoed back on the 835)
      payer: Payer(name, payer_id, claim_filing_code="MB")      2010BB; code per PLAN_TYPE_FILING_CODE
      subscriber: Subscriber(last_name, first_name, member_id, birth_date, sex, address, middle_name="",
                             suffix="", group_number="", payer_responsibility="P")     2000B SBR / 2010BA
      diagnoses: tuple[str, ...]          ICD-10-CM, in order, dot optional; HI ABK then ABF, at most 12;
                                          each a billable code of the code set domain/icd10.py carries
      lines: tuple[ServiceLine, ...]      at most 50
      place_of_service="11", frequency_code="1" (1 new, 7 replacement, 8 void),
      original_claim_number=""            payer's claim control number (Medicare's ICN) of the claim
                                          replaced or voided, REF*F8, required for 7 and 8
                                          (payer_claim_number_problem checks one as typed)
      patient_relationship="18"           18 = the patient is the subscriber; otherwise PAT01 (01 spouse,
      patient: Patient | None             19 child, G8 other...) and patient is required (loop 2000C)
      rendering_provider: RenderingProvider(last_name, first_name, npi, taxonomy_code="", middle_name="")
                                          2310B, written only when its NPI differs from the billing NPI
    ServiceLine            loop 2400
      procedure_code, charge: Decimal, service_date: date, diagnosis_pointers: tuple[int, ...] (1-4,
      positions in Claim.diagnoses counted from 1), units=1, modifiers=(), service_end_date=None (RD8),
      control_number="" (REF*6R: the line's id, echoed back on the 835)
    Address(line1, city, state, postal_code, line2="")

``claim_problems(claim, billing_provider=None)`` lists what makes one claim
impossible to send, ``interchange_problems(interchange)`` what makes the whole
file impossible (envelope, submitter, billing provider). Both return
``Problem(field, reason)`` records: ``field`` is a path into the dataclasses
(``"lines[2].diagnosis_pointers"``, ``"subscriber.member_id"``), ``reason`` one of
the fixed English sentences defined in this module or in ``provider_ids`` (no
interpolated values, so the site can translate it with ``_()``), and
``claim_id`` the claim it belongs to. Hold each claim that has problems, send
the rest: ``render_837p`` raises ``ClaimFileError`` carrying the problems
rather than write an invalid file.

``render_837p(interchange, newline=False, claims_checked=False)`` returns the interchange
text (``claims_checked=True`` when every claim has just passed ``claim_problems``).
Delimiters: ``*`` elements, ``:`` components, ``^`` repetitions, ``~`` segments
(``newline=True`` puts a line break after each ``~``). Free text (names,
addresses) is sanitised: transliterated to ASCII (anyascii), X12 delimiters and characters
outside the X12 extended set removed, blanks collapsed, upper-cased, cut to the
element's maximum length. Identifiers (claim ID, member ID, NPI...) are never
cut: one that is too long is a problem, because a truncated ID no longer
matches the remittance that comes back.

Coordination of benefits (a claim to a secondary payer, ``payer_responsibility`` "S"
or "T"): ``Claim.other_payers`` holds what each earlier payer decided and
``ServiceLine.adjudications`` what each decided per line, copied from its 835:

    OtherPayer             loops 2320 / 2330A / 2330B
      payer: Payer                        2330B NM1*PR (payer_id is NM109 and SVD01) and SBR09
      subscriber: Subscriber              2330A NM1*IL, the member on that payer's coverage
      paid: Decimal                       AMT*D, what it paid on the claim
      adjustments: tuple[CasAdjustment]   claim-level CAS of its 835
      payer_responsibility="P", relationship="18", payer_claim_number=""  SBR01, SBR02, 2330B REF*F8
    LineAdjudication       loop 2430
      payer_id, paid, procedure_code, adjudication_date (DTP*573, its 835's BPR16),
      adjustments: tuple[CasAdjustment], units=1, modifiers=()
    CasAdjustment(group, reason, amount, quantity=None)

A claim to a secondary payer without them is a problem (the other payer's
adjudication is required), and so is one whose amounts do not balance: each
line's charge is its SVD02 plus its CAS, and the claim's charge the AMT*D plus
every CAS (the 837P guide's COB balancing), so the payer's own check cannot
refuse it.

Not covered: referring/supervising/facility loops, attachments.
"""

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from anyascii import anyascii

from care_management.domain import provider_ids
from care_management.domain.icd10 import (
	NOT_BILLABLE,
	NOT_IN_CODE_SET,
	icd10_problem,
	is_icd10_cm,
	normalise_icd10,
)

VERSION = "005010X222A1"
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"

MAX_DIAGNOSES = 12
MAX_LINES_PER_CLAIM = 50
MAX_DIAGNOSIS_POINTERS = 4
MAX_MODIFIERS = 4
# The implementation guide recommends at most 5000 claims per ST-SE transaction set.
MAX_CLAIMS_PER_TRANSACTION = 5000

# SBR09 claim filing indicator for the plan types a practice sets on a coverage.
PLAN_TYPE_FILING_CODE = {
	"Medicare Part B": "MB",
	"Medicare Advantage": "16",  # HMO Medicare Risk: how Medicare Advantage plans are filed
	"Medicaid": "MC",
	"Commercial": "CI",
}
FILING_CODES = frozenset("11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ".split())
FREQUENCY_NEW, FREQUENCY_REPLACEMENT, FREQUENCY_VOID = "1", "7", "8"
SELF = "18"
# PAT01 individual relationship codes allowed in 2000C.
PATIENT_RELATIONSHIPS = frozenset(["01", "19", "20", "21", "39", "40", "53", "G8"])
SEXES = frozenset("FMU")

# Element maximum lengths in 005010X222A1.
_LEN = {
	"org_name": 60,  # NM103
	"last_name": 60,  # NM103
	"first_name": 35,  # NM104
	"middle_name": 25,  # NM105
	"suffix": 10,  # NM107
	"address": 55,  # N301, N302
	"city": 30,  # N401
	"contact_name": 60,  # PER02
	"id": 80,  # NM109
	"claim_id": 38,  # CLM01
	"reference": 50,  # REF02
	"group_number": 50,  # SBR03
	"isa_id": 15,  # ISA06, ISA08, GS02, GS03
}

# What claim_problems and interchange_problems say; fixed sentences, translatable as they are.
REQUIRED = "This is required on a claim."
NAME_REQUIRED = "A name is required, in letters or digits."
TOO_LONG = "This is longer than a claim allows."
BAD_CLAIM_ID = "A claim ID uses letters, digits and dashes only."
BAD_DATE = "Enter a date in the past."
BAD_SEX = "Sex on a claim is F, M or U (unknown)."
BAD_STATE = "A state is its two-letter postal code."
BAD_ZIP = "A ZIP code is 5 or 9 digits."
BILLING_ZIP_NOT_9 = "The billing provider's ZIP code must have 9 digits (ZIP+4)."
BAD_PHONE = "A contact phone is 10 digits with its area code."
BAD_PAYER_ID = "A payer ID is 2 to 80 letters or digits, as the clearinghouse lists it."
BAD_FILING_CODE = "This is not an X12 claim filing indicator code (MB, 16, MC, CI...)."
BAD_RESPONSIBILITY = "Payer responsibility is P (primary), S (secondary) or T (tertiary)."
SECONDARY_NOT_SUPPORTED = (
	"A claim to a secondary payer needs the primary payer's adjudication (its posted 835) for the "
	"coordination-of-benefits loops."
)
BAD_ADJUSTMENT = (
	"An adjustment is a group code (CO, PR, OA, PI), a reason code of 1 to 5 letters or digits and an amount."
)
BAD_PAID = "A paid amount is a number in whole cents, zero or more."
LINE_NOT_BALANCED = (
	"The other payer's paid amount and adjustments on this line do not add up to the line's charge."
)
CLAIM_NOT_BALANCED = "The other payer's paid amount and adjustments do not add up to the claim's charge."
LINE_NOT_ADJUDICATED = "The other payer's 835 has no adjudication of this service line."
ADJUDICATION_DATE_REQUIRED = "The other payer's adjudication date (its remittance date) is required."
BAD_MEMBER_ID = "A member ID is letters and digits only."
BAD_PAYER_CLAIM_NUMBER = (
	"A payer's claim number is at most 50 letters, digits and dashes, as the payer's remittance shows it."
)
BAD_RELATIONSHIP = (
	"The patient's relationship to the subscriber is 18 (self) or an X12 code such as 01, 19 or G8."
)
PATIENT_REQUIRED = (
	"When the patient is not the subscriber, the patient's own name, birth date and address are required."
)
BAD_FREQUENCY = "The claim frequency is 1 (new), 7 (replacement) or 8 (void)."
ORIGINAL_REQUIRED = "A replacement or void claim needs the payer's claim number of the original claim."
BAD_PLACE_OF_SERVICE = "A place of service is a two-digit CMS code, such as 11 (office)."
NO_DIAGNOSIS = "A claim needs at least one ICD-10-CM diagnosis."
TOO_MANY_DIAGNOSES = "A claim carries at most 12 diagnoses."
BAD_DIAGNOSIS = "This is not an ICD-10-CM code."
UNKNOWN_DIAGNOSIS = "This code is not in the ICD-10-CM code set; correct it on the care plan."
UNBILLABLE_DIAGNOSIS = (
	"This is an ICD-10-CM category, not a billable code; enter a more specific code on the care plan."
)
DUPLICATE_DIAGNOSIS = "The same diagnosis is listed twice."
NO_LINES = "A claim needs at least one service line."
TOO_MANY_LINES = "A claim carries at most 50 service lines."
BAD_PROCEDURE = "A procedure code is a 5-character HCPCS or CPT code, such as 99490 or G0556."
BAD_MODIFIERS = "A service line has at most 4 modifiers of 2 letters or digits each."
BAD_CHARGE = "A service line's charge must be more than zero."
BAD_UNITS = "A service line's units must be more than zero."
SUB_CENT_CHARGE = "A service line's charge must be in whole cents (two decimals), so that the claim's total is the sum of its lines."
SUB_HUNDREDTH_UNITS = "A service line's units must have at most two decimals."
NO_POINTER = "A service line needs 1 to 4 diagnosis pointers."
BAD_POINTER = "A diagnosis pointer must point at one of the claim's diagnoses, each at most once."
BAD_END_DATE = "The service's end date is before its start."
BAD_CONTROL_NUMBER = "A control number is a whole number from 1 to 999999999."
BAD_USAGE = "Usage is P (production) or T (test)."
BAD_QUALIFIER = "An interchange ID qualifier is two characters, such as ZZ."
NO_CLAIMS = "An interchange needs at least one claim."


@dataclass(frozen=True)
class Address:
	line1: str
	city: str
	state: str
	postal_code: str
	line2: str = ""


@dataclass(frozen=True)
class Submitter:
	name: str
	id: str
	contact_name: str
	contact_phone: str
	contact_email: str = ""


@dataclass(frozen=True)
class Receiver:
	name: str
	id: str


@dataclass(frozen=True)
class BillingProvider:
	name: str
	npi: str
	tax_id: str
	address: Address
	taxonomy_code: str = ""
	first_name: str = ""


@dataclass(frozen=True)
class RenderingProvider:
	last_name: str
	first_name: str
	npi: str
	taxonomy_code: str = ""
	middle_name: str = ""


@dataclass(frozen=True)
class Payer:
	name: str
	payer_id: str
	claim_filing_code: str = "MB"


@dataclass(frozen=True)
class Subscriber:
	last_name: str
	first_name: str
	member_id: str
	birth_date: date | None
	sex: str
	address: Address | None
	middle_name: str = ""
	suffix: str = ""
	group_number: str = ""
	payer_responsibility: str = "P"


@dataclass(frozen=True)
class Patient:
	last_name: str
	first_name: str
	birth_date: date | None
	sex: str
	address: Address | None
	middle_name: str = ""
	suffix: str = ""


@dataclass(frozen=True)
class CasAdjustment:
	group: str
	reason: str
	amount: Decimal
	quantity: Decimal | None = None


@dataclass(frozen=True)
class LineAdjudication:
	payer_id: str
	paid: Decimal
	procedure_code: str
	adjudication_date: date | None
	adjustments: tuple[CasAdjustment, ...] = ()
	units: Decimal = Decimal(1)
	modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class OtherPayer:
	payer: Payer
	subscriber: Subscriber
	paid: Decimal
	adjustments: tuple[CasAdjustment, ...] = ()
	payer_responsibility: str = "P"
	relationship: str = "18"
	payer_claim_number: str = ""


@dataclass(frozen=True)
class ServiceLine:
	procedure_code: str
	charge: Decimal
	service_date: date
	diagnosis_pointers: tuple[int, ...]
	units: Decimal = Decimal(1)
	modifiers: tuple[str, ...] = ()
	service_end_date: date | None = None
	control_number: str = ""
	adjudications: tuple[LineAdjudication, ...] = ()


@dataclass(frozen=True)
class Claim:
	claim_id: str
	payer: Payer
	subscriber: Subscriber
	diagnoses: tuple[str, ...]
	lines: tuple[ServiceLine, ...]
	place_of_service: str = "11"
	frequency_code: str = FREQUENCY_NEW
	original_claim_number: str = ""
	patient_relationship: str = SELF
	patient: Patient | None = None
	rendering_provider: RenderingProvider | None = None
	other_payers: tuple[OtherPayer, ...] = ()

	@property
	def total_charge(self) -> Decimal:
		"""CLM02 must equal the sum of the lines' charges, so it is never entered separately."""
		return sum((Decimal(str(line.charge)) for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class Interchange:
	sender_id: str
	receiver_id: str
	interchange_control_number: int
	group_control_number: int
	transaction_control_number: int
	created_at: datetime
	submitter: Submitter
	receiver: Receiver
	billing_provider: BillingProvider
	claims: tuple[Claim, ...]
	usage: str = "P"
	sender_qualifier: str = "ZZ"
	receiver_qualifier: str = "ZZ"
	application_sender_code: str = ""
	application_receiver_code: str = ""
	acknowledgment_requested: bool = False
	max_claims_per_transaction: int = MAX_CLAIMS_PER_TRANSACTION


@dataclass(frozen=True)
class Problem:
	field: str
	reason: str
	claim_id: str = ""


class ClaimFileError(ValueError):
	def __init__(self, problems: list[Problem]):
		self.problems = problems
		super().__init__("; ".join(f"{p.claim_id or 'interchange'} {p.field}: {p.reason}" for p in problems))


# ---------------------------------------------------------------- sanitising

_DELIMITERS = ELEMENT + COMPONENT + REPETITION + SEGMENT
# X12 extended character set (basic plus lower case and a few symbols), less our delimiters.
_ALLOWED = frozenset(string.ascii_letters + string.digits + " !\"&'()+,-./;?=%@[]_{}\\|<>#$") - set(
	_DELIMITERS
)


# Anything outside the set, or a blank other than a single space: the slow path below.
_NEEDS_CLEANING = re.compile("[^" + re.escape("".join(sorted(_ALLOWED - {" "}))) + " ]|  |^ | $")


@lru_cache(maxsize=65536)
def _clean(text: str) -> str:
	if not _NEEDS_CLEANING.search(text):
		return text
	# Payers match names to their member files letter by letter: a letter outside ASCII
	# is transliterated (Ø -> O, Ł -> L, ß -> SS), never dropped. anyascii is a maintained
	# table of every Unicode character's ASCII reading; what it gives outside the X12 set
	# (a delimiter, a control character) is then removed.
	text = anyascii(text)
	text = "".join(c if c in _ALLOWED else " " if c.isspace() else "" for c in text)
	return " ".join(text.split())


def clean_text(value: object, max_length: int, upper: bool = True) -> str:
	"""Free text as an X12 element takes it: transliterated to ASCII (José -> JOSE,
	Øberg-Łukasz -> OBERG-LUKASZ, Straße -> STRASSE), delimiters and control characters removed, blanks collapsed, cut to
	max_length."""
	if value.__class__ is str:
		return _clean_text(value, max_length, upper)
	return _clean_text("" if value is None else str(value), max_length, upper)


# A claim's names and address are checked, then written: each is cleaned once. The
# cache holds a 10,000-claim file's texts between the two passes.
@lru_cache(maxsize=131072)
def _clean_text(text: str, max_length: int, upper: bool) -> str:
	text = _clean(text)
	if upper:
		text = text.upper()
	return text[:max_length].rstrip()


def clean_id(value: object) -> str:
	"""An identifier: no blanks, no delimiters, upper case, never cut."""
	if value.__class__ is str:
		return _clean_id(value)
	return _clean_id("" if value is None else str(value))


# A file of 10,000 claims cleans some 600,000 identifiers, most of them the same few
# codes, qualifiers and IDs again: each is cleaned once.
@lru_cache(maxsize=65536)
def _clean_id(text: str) -> str:
	return _clean(text).upper().replace(" ", "")


def _digits(value: object) -> str:
	return "".join(c for c in str(value or "") if c.isascii() and c.isdigit())


@lru_cache(maxsize=4096)
def format_amount(value: Decimal | int | float | str) -> str:
	"""X12 R: cents at most, no trailing zeros (62.50 -> 62.5, 62.00 -> 62)."""
	amount = Decimal(str(value)).quantize(Decimal("0.01"))
	text = format(amount, "f")
	if "." in text:
		text = text.rstrip("0").rstrip(".")
	return text


@lru_cache(maxsize=1024)
def _quantity(value: Decimal | int | float | str) -> str:
	return format_amount(Decimal(str(value)).quantize(Decimal("0.001")))


@lru_cache(maxsize=16384)
def _diagnosis_code(code: str) -> str:
	return normalise_icd10(code).replace(".", "")


# ---------------------------------------------------------------- problems

# A diagnosis must be a billable code of the code set domain/icd10.py carries.
_DIAGNOSIS_PROBLEMS = {NOT_IN_CODE_SET: UNKNOWN_DIAGNOSIS, NOT_BILLABLE: UNBILLABLE_DIAGNOSIS}

_CLAIM_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
_ALNUM = re.compile(r"^[A-Z0-9]+$")
_PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_POS = re.compile(r"^[0-9]{2}$")
_PAYER_CLAIM_NUMBER = re.compile(r"^[A-Za-z0-9-]+$")


def payer_claim_number_problem(value: str | None) -> str | None:
	"""What is wrong with a payer's claim number (ICN) as billing staff typed it, if
	anything; empty is allowed (not adjudicated yet). It goes into REF*F8 as it is,
	never cut or cleaned, so it must already be an X12 identifier."""
	text = (value or "").strip()
	if text and (len(text) > _LEN["reference"] or not _PAYER_CLAIM_NUMBER.match(text)):
		return BAD_PAYER_CLAIM_NUMBER
	return None


def _address_problems(address: Address | None, prefix: str, nine_digit_zip: bool = False) -> list[Problem]:
	if address is None:
		return [Problem(prefix, REQUIRED)]
	problems = []
	if not clean_text(address.line1, _LEN["address"]):
		problems.append(Problem(f"{prefix}.line1", REQUIRED))
	if len(clean_text(address.city, _LEN["city"])) < 2:
		problems.append(Problem(f"{prefix}.city", REQUIRED))
	if not _STATE.match(clean_id(address.state)):
		problems.append(Problem(f"{prefix}.state", BAD_STATE))
	zip_code = clean_id(address.postal_code).replace("-", "")
	if not zip_code.isdigit() or len(zip_code) not in (5, 9):
		problems.append(Problem(f"{prefix}.postal_code", BAD_ZIP))
	elif nine_digit_zip and len(zip_code) != 9:
		problems.append(Problem(f"{prefix}.postal_code", BILLING_ZIP_NOT_9))
	return problems


def _past_date_problems(birth_date: date | None, field_name: str, today: date) -> list[Problem]:
	if birth_date is None:
		return [Problem(field_name, REQUIRED)]
	if not isinstance(birth_date, date) or birth_date > today or birth_date.year < 1880:
		return [Problem(field_name, BAD_DATE)]
	return []


def _person_problems(person: Subscriber | Patient, prefix: str, today: date) -> list[Problem]:
	problems = []
	if not clean_text(person.last_name, _LEN["last_name"]):
		problems.append(Problem(f"{prefix}.last_name", NAME_REQUIRED))
	problems += _past_date_problems(person.birth_date, f"{prefix}.birth_date", today)
	if clean_id(person.sex) not in SEXES:
		problems.append(Problem(f"{prefix}.sex", BAD_SEX))
	problems += _address_problems(person.address, f"{prefix}.address")
	return problems


def _npi_problems(npi: str, field_name: str) -> list[Problem]:
	problem = provider_ids.npi_problem(npi)
	return [Problem(field_name, problem)] if problem else []


def _taxonomy_problems(code: str, field_name: str) -> list[Problem]:
	if not code:
		return []
	problem = provider_ids.taxonomy_problem(code)
	return [Problem(field_name, problem)] if problem else []


def billing_provider_problems(provider: BillingProvider, prefix: str = "billing_provider") -> list[Problem]:
	problems = []
	if not clean_text(provider.name, _LEN["org_name"]):
		problems.append(Problem(f"{prefix}.name", NAME_REQUIRED))
	problems += _npi_problems(provider.npi, f"{prefix}.npi")
	if ein := provider_ids.ein_problem(provider.tax_id):
		problems.append(Problem(f"{prefix}.tax_id", ein))
	problems += _taxonomy_problems(provider.taxonomy_code, f"{prefix}.taxonomy_code")
	problems += _address_problems(provider.address, f"{prefix}.address", nine_digit_zip=True)
	return problems


def _line_problems(line: ServiceLine, prefix: str, diagnosis_count: int, today: date) -> list[Problem]:
	values = (
		line.procedure_code,
		tuple(line.modifiers),
		line.charge,
		line.units,
		tuple(line.diagnosis_pointers or ()),
		line.service_date,
		line.service_end_date,
		diagnosis_count,
		today,
	)
	problems = [
		Problem(f"{prefix}.{field}", reason) for field, reason in _checked_once(_line_value_problems, *values)
	]
	if len(clean_id(line.control_number)) > _LEN["reference"]:
		problems.append(Problem(f"{prefix}.control_number", TOO_LONG))
	return problems


def _line_value_problems(
	procedure_code, modifiers, charge, units, pointers, service_date, service_end_date, diagnosis_count, today
) -> tuple[tuple[str, str], ...]:
	"""(field, reason) of what is wrong with a service line's values (its control number apart)."""
	problems = []
	if not _PROCEDURE.match(clean_id(procedure_code)):
		problems.append(("procedure_code", BAD_PROCEDURE))
	modifiers = [clean_id(m) for m in modifiers]
	if len(modifiers) > MAX_MODIFIERS or not all(_MODIFIER.match(m) for m in modifiers):
		problems.append(("modifiers", BAD_MODIFIERS))
	# CLM02 is the exact sum of the charges and SV102/SV104 are written to two decimals:
	# a value that does not fit them would make CLM02 differ from the sum of SV102 (two
	# lines of 10.005 -> CLM02 20.01, SV102s of 10 and 10) or write units of 0.004 as 0.
	problems += _amount_problems("charge", charge, BAD_CHARGE, SUB_CENT_CHARGE)
	problems += _amount_problems("units", units, BAD_UNITS, SUB_HUNDREDTH_UNITS)
	if not pointers or len(pointers) > MAX_DIAGNOSIS_POINTERS:
		problems.append(("diagnosis_pointers", NO_POINTER))
	elif len(set(pointers)) != len(pointers) or not all(
		isinstance(p, int) and 1 <= p <= min(diagnosis_count, MAX_DIAGNOSES) for p in pointers
	):
		problems.append(("diagnosis_pointers", BAD_POINTER))
	problems += [(p.field, p.reason) for p in _past_date_problems(service_date, "service_date", today)]
	if service_end_date is not None:
		if isinstance(service_date, date) and service_end_date < service_date:
			problems.append(("service_end_date", BAD_END_DATE))
		else:
			problems += [
				(p.field, p.reason) for p in _past_date_problems(service_end_date, "service_end_date", today)
			]
	return tuple(problems)


def _amount_problems(field: str, value, not_positive: str, too_precise: str) -> list[tuple[str, str]]:
	try:
		amount = Decimal(str(value))
		if not amount.is_finite() or amount <= 0:
			return [(field, not_positive)]
		if amount != amount.quantize(Decimal("0.01")):
			return [(field, too_precise)]
	except ArithmeticError:
		return [(field, not_positive)]
	return []


def claim_problems(
	claim: Claim, billing_provider: BillingProvider | None = None, today: date | None = None
) -> list[Problem]:
	"""Everything that stops this claim from being sent. With billing_provider, the
	rendering provider is checked only when it is not the billing provider itself."""
	today = today or date.today()
	problems: list[Problem] = []

	claim_id = clean_id(claim.claim_id)
	if not claim_id:
		problems.append(Problem("claim_id", REQUIRED))
	elif len(claim_id) > _LEN["claim_id"]:
		problems.append(Problem("claim_id", TOO_LONG))
	elif not _CLAIM_ID.match(claim_id):
		problems.append(Problem("claim_id", BAD_CLAIM_ID))

	payer = claim.payer
	problems += _checked_once(_payer_problems, payer)

	subscriber = claim.subscriber
	member_id = clean_id(subscriber.member_id)
	if not member_id:
		problems.append(Problem("subscriber.member_id", REQUIRED))
	elif clean_id(payer.claim_filing_code) == "MB":
		if mbi := provider_ids.mbi_problem(subscriber.member_id):
			problems.append(Problem("subscriber.member_id", mbi))
	elif not _ALNUM.match(member_id) or len(member_id) > _LEN["id"]:
		problems.append(Problem("subscriber.member_id", BAD_MEMBER_ID))
	responsibility = clean_id(subscriber.payer_responsibility)
	if responsibility not in ("P", "S", "T"):
		problems.append(Problem("subscriber.payer_responsibility", BAD_RESPONSIBILITY))
	elif responsibility != "P" and not claim.other_payers:
		problems.append(Problem("subscriber.payer_responsibility", SECONDARY_NOT_SUPPORTED))
	problems += cob_problems(claim)
	if len(clean_id(subscriber.group_number)) > _LEN["group_number"]:
		problems.append(Problem("subscriber.group_number", TOO_LONG))

	relationship = clean_id(claim.patient_relationship)
	if relationship == SELF:
		problems += _person_problems(subscriber, "subscriber", today)
	else:
		if relationship not in PATIENT_RELATIONSHIPS:
			problems.append(Problem("patient_relationship", BAD_RELATIONSHIP))
		if not clean_text(subscriber.last_name, _LEN["last_name"]):
			problems.append(Problem("subscriber.last_name", NAME_REQUIRED))
		if claim.patient is None:
			problems.append(Problem("patient", PATIENT_REQUIRED))
		else:
			problems += _person_problems(claim.patient, "patient", today)

	frequency = clean_id(claim.frequency_code)
	if frequency not in (FREQUENCY_NEW, FREQUENCY_REPLACEMENT, FREQUENCY_VOID):
		problems.append(Problem("frequency_code", BAD_FREQUENCY))
	elif frequency != FREQUENCY_NEW:
		original = clean_id(claim.original_claim_number)
		if not original:
			problems.append(Problem("original_claim_number", ORIGINAL_REQUIRED))
		elif len(original) > _LEN["reference"]:
			problems.append(Problem("original_claim_number", TOO_LONG))
	if not _POS.match(clean_id(claim.place_of_service)):
		problems.append(Problem("place_of_service", BAD_PLACE_OF_SERVICE))

	diagnoses = [normalise_icd10(code) for code in claim.diagnoses]
	if not diagnoses:
		problems.append(Problem("diagnoses", NO_DIAGNOSIS))
	if len(diagnoses) > MAX_DIAGNOSES:
		problems.append(Problem("diagnoses", TOO_MANY_DIAGNOSES))
	seen: set[str] = set()
	for index, code in enumerate(diagnoses):
		if not is_icd10_cm(code):
			problems.append(Problem(f"diagnoses[{index}]", BAD_DIAGNOSIS))
		elif code in seen:
			problems.append(Problem(f"diagnoses[{index}]", DUPLICATE_DIAGNOSIS))
		elif problem := _DIAGNOSIS_PROBLEMS.get(icd10_problem(code)):
			problems.append(Problem(f"diagnoses[{index}]", problem))
		seen.add(code)

	if not claim.lines:
		problems.append(Problem("lines", NO_LINES))
	if len(claim.lines) > MAX_LINES_PER_CLAIM:
		problems.append(Problem("lines", TOO_MANY_LINES))
	for index, line in enumerate(claim.lines):
		problems += _line_problems(line, f"lines[{index}]", len(diagnoses), today)

	rendering = claim.rendering_provider
	if rendering is not None and not _same_npi(rendering, billing_provider):
		problems += _checked_once(_rendering_provider_problems, rendering)

	return [Problem(p.field, p.reason, claim.claim_id) for p in problems]


ADJUSTMENT_GROUPS = frozenset("CO CR OA PI PR".split())
_REASON_CODE = re.compile(r"^[A-Z0-9]{1,5}$")
# A CAS segment carries six adjustments of one group; the guide allows five CAS per loop.
MAX_ADJUSTMENTS_PER_GROUP = 6
TOO_MANY_ADJUSTMENTS = "An adjudication carries at most 6 adjustments of one group."


def cob_problems(claim: Claim) -> list[Problem]:
	"""What stops a claim's coordination-of-benefits loops: each other payer's
	identity, amounts and adjustments, a 2430 of it on every line, and the balancing
	the 837P guide requires (line charge = SVD02 + line CAS; claim charge = AMT*D +
	claim CAS + every line CAS)."""
	problems: list[Problem] = []
	for index, other in enumerate(claim.other_payers):
		prefix = f"other_payers[{index}]"
		problems += [
			Problem(f"{prefix}.{p.field}", p.reason) for p in _checked_once(_payer_problems, other.payer)
		]
		if not clean_text(other.subscriber.last_name, _LEN["last_name"]):
			problems.append(Problem(f"{prefix}.subscriber.last_name", NAME_REQUIRED))
		member_id = clean_id(other.subscriber.member_id)
		if not member_id or not _ALNUM.match(member_id.replace("-", "")) or len(member_id) > _LEN["id"]:
			problems.append(Problem(f"{prefix}.subscriber.member_id", BAD_MEMBER_ID))
		if clean_id(other.payer_responsibility) not in ("P", "S", "T"):
			problems.append(Problem(f"{prefix}.payer_responsibility", BAD_RESPONSIBILITY))
		relationship = clean_id(other.relationship)
		if relationship != SELF and relationship not in PATIENT_RELATIONSHIPS:
			problems.append(Problem(f"{prefix}.relationship", BAD_RELATIONSHIP))
		if payer_claim_number_problem(other.payer_claim_number):
			problems.append(Problem(f"{prefix}.payer_claim_number", BAD_PAYER_CLAIM_NUMBER))
		if not _is_paid_amount(other.paid):
			problems.append(Problem(f"{prefix}.paid", BAD_PAID))
		problems += _adjustment_problems(other.adjustments, f"{prefix}.adjustments")
		payer_id = clean_id(other.payer.payer_id)
		line_adjustments = Decimal(0)
		balanced = _is_paid_amount(other.paid) and _adjustments_readable(other.adjustments)
		for number, line in enumerate(claim.lines):
			line_prefix = f"lines[{number}].adjudications"
			mine = [a for a in line.adjudications if clean_id(a.payer_id) == payer_id]
			if len(mine) != 1:
				problems.append(Problem(line_prefix, LINE_NOT_ADJUDICATED))
				balanced = False
				continue
			adjudication = mine[0]
			if adjudication.adjudication_date is None or not isinstance(adjudication.adjudication_date, date):
				problems.append(Problem(f"{line_prefix}.adjudication_date", ADJUDICATION_DATE_REQUIRED))
			if not _is_paid_amount(adjudication.paid):
				problems.append(Problem(f"{line_prefix}.paid", BAD_PAID))
				balanced = False
				continue
			problems += _adjustment_problems(adjudication.adjustments, f"{line_prefix}.adjustments")
			if not _adjustments_readable(adjudication.adjustments):
				balanced = False
				continue
			adjusted = sum((Decimal(str(a.amount)) for a in adjudication.adjustments), Decimal(0))
			line_adjustments += adjusted
			try:
				charge = Decimal(str(line.charge))
			except ArithmeticError:
				balanced = False
				continue
			if charge != Decimal(str(adjudication.paid)) + adjusted:
				problems.append(Problem(line_prefix, LINE_NOT_BALANCED))
				balanced = False
		if balanced:
			claim_adjusted = sum((Decimal(str(a.amount)) for a in other.adjustments), Decimal(0))
			if claim.total_charge != Decimal(str(other.paid)) + claim_adjusted + line_adjustments:
				problems.append(Problem(f"{prefix}.paid", CLAIM_NOT_BALANCED))
	return problems


def _is_paid_amount(value) -> bool:
	try:
		amount = Decimal(str(value))
	except ArithmeticError:
		return False
	return amount.is_finite() and amount >= 0 and amount == amount.quantize(Decimal("0.01"))


def _adjustments_readable(adjustments) -> bool:
	try:
		return all(Decimal(str(a.amount)).is_finite() for a in adjustments)
	except ArithmeticError:
		return False


def _adjustment_problems(adjustments, prefix: str) -> list[Problem]:
	problems = []
	per_group: dict[str, int] = {}
	for index, adjustment in enumerate(adjustments):
		group = clean_id(adjustment.group)
		per_group[group] = per_group.get(group, 0) + 1
		try:
			amount = Decimal(str(adjustment.amount))
			amount_ok = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
		except ArithmeticError:
			amount_ok = False
		if (
			group not in ADJUSTMENT_GROUPS
			or not _REASON_CODE.match(clean_id(adjustment.reason))
			or not amount_ok
		):
			problems.append(Problem(f"{prefix}[{index}]", BAD_ADJUSTMENT))
	if any(count > MAX_ADJUSTMENTS_PER_GROUP for count in per_group.values()):
		problems.append(Problem(prefix, TOO_MANY_ADJUSTMENTS))
	return problems


def _payer_problems(payer: Payer) -> tuple[Problem, ...]:
	problems = []
	if not clean_text(payer.name, _LEN["org_name"]):
		problems.append(Problem("payer.name", NAME_REQUIRED))
	payer_id = clean_id(payer.payer_id)
	if not _ALNUM.match(payer_id) or not 2 <= len(payer_id) <= _LEN["id"]:
		problems.append(Problem("payer.payer_id", BAD_PAYER_ID))
	if clean_id(payer.claim_filing_code) not in FILING_CODES:
		problems.append(Problem("payer.claim_filing_code", BAD_FILING_CODE))
	return tuple(problems)


def _rendering_provider_problems(rendering: RenderingProvider) -> tuple[Problem, ...]:
	problems = []
	if not clean_text(rendering.last_name, _LEN["last_name"]):
		problems.append(Problem("rendering_provider.last_name", NAME_REQUIRED))
	problems += _npi_problems(rendering.npi, "rendering_provider.npi")
	problems += _taxonomy_problems(rendering.taxonomy_code, "rendering_provider.taxonomy_code")
	return tuple(problems)


def _checked_once(check, *values) -> tuple:
	"""check(*values), answered from a cache: a file's claims share a handful of payers
	and rendering providers, and its lines the same few codes, charges and dates. Values
	that cannot be hashed are checked every time."""
	try:
		return _cached_check(check, *values)
	except TypeError:
		return check(*values)


@lru_cache(maxsize=8192)
def _cached_check(check, *values) -> tuple:
	return check(*values)


def _same_npi(rendering: RenderingProvider, billing: BillingProvider | None) -> bool:
	return billing is not None and clean_id(rendering.npi) == clean_id(billing.npi)


def interchange_problems(interchange: Interchange) -> list[Problem]:
	"""What stops the whole file: envelope, submitter, receiver, billing provider. Claims
	are checked one by one with claim_problems."""
	ic = interchange
	problems = []
	for name in ("sender_id", "receiver_id"):
		value = clean_id(getattr(ic, name))
		if not value:
			problems.append(Problem(name, REQUIRED))
		elif len(value) > _LEN["isa_id"]:
			problems.append(Problem(name, TOO_LONG))
	for name in ("application_sender_code", "application_receiver_code"):
		if len(clean_id(getattr(ic, name))) > _LEN["isa_id"]:
			problems.append(Problem(name, TOO_LONG))
	for name in ("sender_qualifier", "receiver_qualifier"):
		if len(clean_id(getattr(ic, name))) != 2:
			problems.append(Problem(name, BAD_QUALIFIER))
	for name in ("interchange_control_number", "group_control_number", "transaction_control_number"):
		value = getattr(ic, name)
		if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 999_999_999:
			problems.append(Problem(name, BAD_CONTROL_NUMBER))
	transaction_sets = -(-len(ic.claims) // max(ic.max_claims_per_transaction, 1))
	if (
		isinstance(ic.transaction_control_number, int)
		and ic.transaction_control_number + max(transaction_sets - 1, 0) > 999_999_999
	):
		problems.append(Problem("transaction_control_number", BAD_CONTROL_NUMBER))
	if ic.usage not in ("P", "T"):
		problems.append(Problem("usage", BAD_USAGE))
	if not isinstance(ic.created_at, datetime):
		problems.append(Problem("created_at", REQUIRED))

	if not clean_text(ic.submitter.name, _LEN["org_name"]):
		problems.append(Problem("submitter.name", NAME_REQUIRED))
	if not clean_id(ic.submitter.id) or len(clean_id(ic.submitter.id)) > _LEN["id"]:
		problems.append(Problem("submitter.id", REQUIRED))
	if not clean_text(ic.submitter.contact_name, _LEN["contact_name"]):
		problems.append(Problem("submitter.contact_name", NAME_REQUIRED))
	if len(_digits(ic.submitter.contact_phone)) != 10:
		problems.append(Problem("submitter.contact_phone", BAD_PHONE))
	if not clean_text(ic.receiver.name, _LEN["org_name"]):
		problems.append(Problem("receiver.name", NAME_REQUIRED))
	if not clean_id(ic.receiver.id) or len(clean_id(ic.receiver.id)) > _LEN["id"]:
		problems.append(Problem("receiver.id", REQUIRED))
	problems += billing_provider_problems(ic.billing_provider)
	if not ic.claims:
		problems.append(Problem("claims", NO_CLAIMS))
	return problems


# ---------------------------------------------------------------- rendering


def _segment(*elements: object) -> str:
	"""Elements joined by *, trailing empty elements dropped (X12 forbids them). No
	element ends in *: text and identifiers are cleaned of the delimiters first."""
	return ELEMENT.join(["" if e is None else str(e) for e in elements]).rstrip(ELEMENT)


def _composite(*components: object) -> str:
	values = ["" if c is None else str(c) for c in components]
	while values and values[-1] == "":
		values.pop()
	return COMPONENT.join(values)


@lru_cache(maxsize=4096)
def _date(value: date) -> str:
	return value.strftime("%Y%m%d")


def _address_segments(address: Address | None) -> list[str]:
	if address is None:
		return []
	zip_code = clean_id(address.postal_code).replace("-", "")
	line1, line2 = clean_text(address.line1, _LEN["address"]), clean_text(address.line2, _LEN["address"])
	city = clean_text(address.city, _LEN["city"])
	return [
		f"N3*{line1}*{line2}".rstrip(ELEMENT),
		f"N4*{city}*{clean_id(address.state)}*{zip_code}".rstrip(ELEMENT),
	]


def _person_name(
	entity: str, person: Subscriber | Patient, id_qualifier: str = "", id_value: str = ""
) -> str:
	last = clean_text(person.last_name, _LEN["last_name"])
	first = clean_text(person.first_name, _LEN["first_name"])
	middle = clean_text(person.middle_name, _LEN["middle_name"])
	suffix = clean_text(person.suffix, _LEN["suffix"])
	return f"NM1*{entity}*1*{last}*{first}*{middle}**{suffix}*{id_qualifier}*{id_value}".rstrip(ELEMENT)


def _demographics(person: Subscriber | Patient) -> list[str]:
	if person.birth_date is None:
		return []
	return [f"DMG*D8*{_date(person.birth_date)}*{clean_id(person.sex) or 'U'}"]


def _member_id(claim: Claim) -> str:
	if clean_id(claim.payer.claim_filing_code) == "MB":
		return provider_ids.normalise_mbi(claim.subscriber.member_id)
	return clean_id(claim.subscriber.member_id)


# A file names a handful of payers and rendering providers thousands of times.
@lru_cache(maxsize=1024)
def _payer_name_segment(payer: Payer) -> str:
	return f"NM1*PR*2*{clean_text(payer.name, _LEN['org_name'])}*****PI*{clean_id(payer.payer_id)}"


@lru_cache(maxsize=1024)
def _rendering_provider_segments(rendering: RenderingProvider) -> tuple[str, ...]:
	last = clean_text(rendering.last_name, _LEN["last_name"])
	first = clean_text(rendering.first_name, _LEN["first_name"])
	middle = clean_text(rendering.middle_name, _LEN["middle_name"])
	segments = [f"NM1*82*1*{last}*{first}*{middle}***XX*{provider_ids.normalise_npi(rendering.npi)}"]
	if rendering.taxonomy_code:
		segments.append(f"PRV*PE*PXC*{provider_ids.normalise_taxonomy(rendering.taxonomy_code)}")
	return tuple(segments)


# A month's lines are a few codes at a few charges, pointing at the first diagnoses.
@lru_cache(maxsize=4096)
def _service_segment(procedure_code: str, modifiers: tuple, charge, units, pointers: tuple) -> str:
	procedure = _composite("HC", clean_id(procedure_code), *(clean_id(m) for m in modifiers))
	pointers = COMPONENT.join(str(p) for p in pointers)
	return f"SV1*{procedure}*{format_amount(charge)}*UN*{_quantity(units)}***{pointers}".rstrip(ELEMENT)


def _claim_segments(claim: Claim, billing: BillingProvider, hl: int, parent_hl: int) -> tuple[list[str], int]:
	"""Loops 2000B (and 2000C) through 2400 for one claim; returns the segments and the last HL used.
	Segments are written as f-strings (a file has hundreds of thousands): each element is
	a cleaned string, and rstrip drops trailing empty elements as _segment does."""
	subscriber = claim.subscriber
	relationship = clean_id(claim.patient_relationship)
	is_self = relationship == SELF
	subscriber_hl = hl
	responsibility = clean_id(subscriber.payer_responsibility) or "P"
	group = clean_id(subscriber.group_number)
	filing = clean_id(claim.payer.claim_filing_code)
	segments = [
		f"HL*{subscriber_hl}*{parent_hl}*22*{'0' if is_self else '1'}",
		f"SBR*{responsibility}*{SELF if is_self else ''}*{group}******{filing}".rstrip(ELEMENT),
		_person_name("IL", subscriber, "MI", _member_id(claim)),
	]
	if is_self:
		segments += _address_segments(subscriber.address)
		segments += _demographics(subscriber)
	segments.append(_payer_name_segment(claim.payer))
	if not is_self:
		hl += 1
		patient = claim.patient
		segments.append(f"HL*{hl}*{subscriber_hl}*23*0")
		segments.append(f"PAT*{relationship}".rstrip(ELEMENT))
		segments.append(_person_name("QC", patient))
		segments += _address_segments(patient.address)
		segments += _demographics(patient)

	frequency = clean_id(claim.frequency_code)
	place = _composite(clean_id(claim.place_of_service), "B", frequency)
	# CLM06-09: provider's signature on file, assignment accepted (Medicare pays the
	# practice), benefits assigned to the provider, release of information on file.
	segments.append(f"CLM*{clean_id(claim.claim_id)}*{format_amount(claim.total_charge)}***{place}*Y*A*Y*Y")
	if frequency in (FREQUENCY_REPLACEMENT, FREQUENCY_VOID):
		segments.append(f"REF*F8*{clean_id(claim.original_claim_number)}".rstrip(ELEMENT))
	diagnoses = ELEMENT.join(
		f"{'ABK' if index == 0 else 'ABF'}{COMPONENT}{_diagnosis_code(code)}".rstrip(COMPONENT)
		for index, code in enumerate(claim.diagnoses)
	)
	segments.append(f"HI*{diagnoses}".rstrip(ELEMENT))
	rendering = claim.rendering_provider
	if rendering is not None and not _same_npi(rendering, billing):
		segments += _rendering_provider_segments(rendering)
	for other in claim.other_payers:
		segments += _other_payer_segments(claim, other)

	for number, line in enumerate(claim.lines, start=1):
		segments.append(f"LX*{number}")
		segments.append(
			_service_segment(
				line.procedure_code,
				tuple(line.modifiers),
				line.charge,
				line.units,
				tuple(line.diagnosis_pointers),
			)
		)
		if line.service_end_date and line.service_end_date != line.service_date:
			segments.append(f"DTP*472*RD8*{_date(line.service_date)}-{_date(line.service_end_date)}")
		else:
			segments.append(f"DTP*472*D8*{_date(line.service_date)}")
		if control := clean_id(line.control_number):
			segments.append(f"REF*6R*{control}")
		for adjudication in line.adjudications:
			segments += _line_adjudication_segments(adjudication)
	return segments, hl


def _cas_segments(adjustments) -> list[str]:
	"""One CAS per group code, its adjustments in the 835's order (reason, amount, quantity)."""
	groups: dict[str, list[str]] = {}
	for adjustment in adjustments:
		quantity = "" if adjustment.quantity is None else _quantity(adjustment.quantity)
		triple = f"{clean_id(adjustment.reason)}*{format_amount(adjustment.amount)}*{quantity}"
		groups.setdefault(clean_id(adjustment.group), []).append(triple)
	return [f"CAS*{group}*{'*'.join(triples)}".rstrip(ELEMENT) for group, triples in groups.items()]


def _patient_liability(adjustments) -> Decimal:
	return sum((Decimal(str(a.amount)) for a in adjustments if clean_id(a.group) == "PR"), Decimal(0))


def _other_payer_segments(claim: Claim, other: OtherPayer) -> list[str]:
	"""Loops 2320, 2330A and 2330B: what one earlier payer decided on the claim."""
	filing = clean_id(other.payer.claim_filing_code)
	responsibility = clean_id(other.payer_responsibility) or "P"
	group = clean_id(other.subscriber.group_number)
	member_id = clean_id(other.subscriber.member_id)
	if filing == "MB":
		member_id = provider_ids.normalise_mbi(other.subscriber.member_id)
	segments = [
		f"SBR*{responsibility}*{clean_id(other.relationship) or SELF}*{group}******{filing}".rstrip(ELEMENT)
	]
	segments += _cas_segments(other.adjustments)
	segments.append(f"AMT*D*{format_amount(other.paid)}")
	payer_id = clean_id(other.payer.payer_id)
	liability = _patient_liability(other.adjustments) + sum(
		(
			_patient_liability(a.adjustments)
			for line in claim.lines
			for a in line.adjudications
			if clean_id(a.payer_id) == payer_id
		),
		Decimal(0),
	)
	if liability > 0:
		segments.append(f"AMT*EAF*{format_amount(liability)}")
	# OI03 benefits assigned to the provider, OI06 release of information on file (as CLM08/09).
	segments.append("OI***Y***Y")
	segments.append(_person_name("IL", other.subscriber, "MI", member_id))
	segments += _address_segments(other.subscriber.address)
	segments.append(_payer_name_segment(other.payer))
	if number := clean_id(other.payer_claim_number):
		segments.append(f"REF*F8*{number}")
	return segments


def _line_adjudication_segments(adjudication: LineAdjudication) -> list[str]:
	"""Loop 2430: one earlier payer's decision on one service line."""
	procedure = _composite(
		"HC", clean_id(adjudication.procedure_code), *(clean_id(m) for m in adjudication.modifiers)
	)
	segments = [
		f"SVD*{clean_id(adjudication.payer_id)}*{format_amount(adjudication.paid)}*{procedure}**"
		f"{_quantity(adjudication.units)}"
	]
	segments += _cas_segments(adjudication.adjustments)
	segments.append(f"DTP*573*D8*{_date(adjudication.adjudication_date)}")
	liability = _patient_liability(adjudication.adjustments)
	if liability > 0:
		segments.append(f"AMT*EAF*{format_amount(liability)}")
	return segments


def _billing_provider_segments(provider: BillingProvider) -> list[str]:
	segments = [_segment("HL", 1, "", "20", "1")]
	if provider.taxonomy_code:
		segments.append(_segment("PRV", "BI", "PXC", provider_ids.normalise_taxonomy(provider.taxonomy_code)))
	is_person = bool(clean_text(provider.first_name, _LEN["first_name"]))
	segments.append(
		_segment(
			"NM1",
			"85",
			"1" if is_person else "2",
			clean_text(provider.name, _LEN["org_name"]),
			clean_text(provider.first_name, _LEN["first_name"]) if is_person else "",
			"",
			"",
			"",
			"XX",
			provider_ids.normalise_npi(provider.npi),
		)
	)
	segments += _address_segments(provider.address)
	segments.append(_segment("REF", "EI", provider_ids.normalise_ein(provider.tax_id)))
	return segments


def _transaction_set(ic: Interchange, claims: Iterable[Claim], control_number: int) -> list[str]:
	st02 = f"{control_number:04d}"
	submitter = ic.submitter
	contact = ["PER", "IC", clean_text(submitter.contact_name, _LEN["contact_name"]), "TE"]
	contact.append(_digits(submitter.contact_phone))
	email = clean_text(submitter.contact_email, 256, upper=False).replace(" ", "")
	if email:
		contact += ["EM", email]
	segments = [
		_segment("ST", "837", st02, VERSION),
		# 0019 originator's transaction, 00 original, CH chargeable (a claim, not an encounter report)
		_segment("BHT", "0019", "00", st02, _date(ic.created_at), ic.created_at.strftime("%H%M"), "CH"),
		_segment(
			"NM1",
			"41",
			"2",
			clean_text(submitter.name, _LEN["org_name"]),
			"",
			"",
			"",
			"",
			"46",
			clean_id(submitter.id),
		),
		_segment(*contact),
		_segment(
			"NM1",
			"40",
			"2",
			clean_text(ic.receiver.name, _LEN["org_name"]),
			"",
			"",
			"",
			"",
			"46",
			clean_id(ic.receiver.id),
		),
	]
	segments += _billing_provider_segments(ic.billing_provider)
	hl = 1
	for claim in claims:
		claim_segments, hl = _claim_segments(claim, ic.billing_provider, hl + 1, 1)
		segments += claim_segments
	segments.append(_segment("SE", len(segments) + 1, st02))
	return segments


def render_837p(
	interchange: Interchange, newline: bool = False, today: date | None = None, claims_checked: bool = False
) -> str:
	"""The 005010X222A1 interchange text. Raises ClaimFileError listing every problem
	when the envelope or any claim cannot be sent; the caller holds those claims back
	(claim_problems) and renders the rest. ``claims_checked``: the caller has just run
	claim_problems on every claim against this interchange's billing provider and
	kept only those with none, so they are not checked a second time (the envelope
	always is)."""
	ic = interchange
	problems = interchange_problems(ic)
	if not claims_checked:
		for claim in ic.claims:
			problems += claim_problems(claim, ic.billing_provider, today)
	if problems:
		raise ClaimFileError(problems)

	sender, receiver = clean_id(ic.sender_id), clean_id(ic.receiver_id)
	created = ic.created_at
	isa = _segment(
		"ISA",
		"00",
		" " * 10,
		"00",
		" " * 10,
		clean_id(ic.sender_qualifier),
		sender.ljust(15),
		clean_id(ic.receiver_qualifier),
		receiver.ljust(15),
		created.strftime("%y%m%d"),
		created.strftime("%H%M"),
		REPETITION,
		"00501",
		f"{ic.interchange_control_number:09d}",
		"1" if ic.acknowledgment_requested else "0",
		ic.usage,
		COMPONENT,
	)
	segments = [
		isa,
		_segment(
			"GS",
			"HC",
			clean_id(ic.application_sender_code) or sender,
			clean_id(ic.application_receiver_code) or receiver,
			_date(created),
			created.strftime("%H%M"),
			ic.group_control_number,
			"X",
			VERSION,
		),
	]
	per_set = max(ic.max_claims_per_transaction, 1)
	chunks = [ic.claims[start : start + per_set] for start in range(0, len(ic.claims), per_set)]
	for offset, chunk in enumerate(chunks):
		segments += _transaction_set(ic, chunk, ic.transaction_control_number + offset)
	segments.append(_segment("GE", len(chunks), ic.group_control_number))
	segments.append(_segment("IEA", 1, f"{ic.interchange_control_number:09d}"))
	terminator = SEGMENT + "\n" if newline else SEGMENT
	return terminator.join(segments) + terminator
