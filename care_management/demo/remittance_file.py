"""835 remittance files (005010X221A1) written from plain dicts, as a payer would
send them: the demo posts its months' remittances with it, and the tests of both
tiers read it (tests/remittance_files.py), so it imports only the standard
library and care_management.domain.

    remittance_835(claims, ...)            one interchange holding one transaction set
    transaction_set(claims, ...)           the ST-SE segments of one payment, for interchange()
    interchange(sets, ...)                 ISA/GS ... GE/IEA around one or more transaction sets

A claim is a dict:
    claim_id                   CLP01, our CLM01
    status="1"                 CLP02 (4 denied, 22 reversal)
    charge, paid               CLP03, CLP04; by default the services' charges, and what balances
                               (charge less every claim and service adjustment)
    patient_responsibility=0   CLP05
    filing_code="MB", payer_claim_number="ICN-<claim_id>"              CLP06, CLP07
    patient_last_name="DOE", patient_first_name="JANE", member_id="1EG4TE5MK73"   NM1*QC
    crossover=None             (name, payer ID): NM1*TT, the payer a forwarded claim (status 19-21) went to
    statement_date=None        DTM*232 when set
    adjustments=[]             claim-level CAS: (group, reason, amount) or (group, reason, amount, quantity)
    services=[]                loops 2110, each a dict:
        code="99490", modifiers=(), charge, paid (by default charge less its adjustments),
        date=2026-11-30 (DTM*472), units=1 (SVC05), control_number="" (REF*6R when set),
        adjustments=[], allowed=None (AMT*B6 when set), remark_codes=() (LQ*HE)
provider_adjustments are (reason, reference, amount) triples, written as PLB pairs.

Amounts are written as X12 R: cents at most, no trailing zeros. Delimiters: "*"
elements, ":" components, "^" repetitions, "~" segments, each followed by a line
break when newline is true.
"""

from datetime import date, datetime
from decimal import Decimal

from care_management.domain.claims_837p import format_amount

ELEMENT, COMPONENT, REPETITION, SEGMENT = "*", ":", "^", "~"
CREATED = datetime(2026, 12, 15, 9, 30)
SERVICE_DATE = date(2026, 11, 30)


def _segment(*elements: object) -> str:
	"""Elements joined by *, trailing empty ones dropped as X12 requires."""
	return ELEMENT.join("" if e is None else str(e) for e in elements).rstrip(ELEMENT)


def _amount(value: object) -> str:
	return format_amount(Decimal(str(value)))


def _sum(values) -> Decimal:
	return sum((Decimal(str(v)) for v in values), Decimal(0))


def _adjusted(adjustments) -> Decimal:
	return _sum(adjustment[2] for adjustment in adjustments)


def _cas(adjustments) -> list[str]:
	"""One CAS per group code in the order first met, at most six reasons each, as the
	guide asks (a group code is not repeated while its CAS has room)."""
	by_group: dict[str, list[tuple]] = {}
	for group, reason, amount, *quantity in adjustments:
		by_group.setdefault(group, []).append((reason, amount, quantity[0] if quantity else None))
	segments = []
	for group, triples in by_group.items():
		for start in range(0, len(triples), 6):
			elements: list[object] = ["CAS", group]
			for reason, amount, quantity in triples[start : start + 6]:
				elements += [reason, _amount(amount), "" if quantity is None else _amount(quantity)]
			segments.append(_segment(*elements))
	return segments


def _service_segments(service: dict) -> list[str]:
	adjustments = service.get("adjustments", [])
	charge = Decimal(str(service["charge"]))
	paid = service.get("paid", charge - _adjusted(adjustments))
	procedure = COMPONENT.join(["HC", service.get("code", "99490"), *service.get("modifiers", ())])
	segments = [
		_segment("SVC", procedure, _amount(charge), _amount(paid), "", _amount(service.get("units", 1))),
		_segment("DTM", "472", service.get("date", SERVICE_DATE).strftime("%Y%m%d")),
		*_cas(adjustments),
	]
	if service.get("control_number"):
		segments.append(_segment("REF", "6R", service["control_number"]))
	if service.get("allowed") is not None:
		segments.append(_segment("AMT", "B6", _amount(service["allowed"])))
	segments += [_segment("LQ", "HE", code) for code in service.get("remark_codes", ())]
	return segments


def claim_paid(claim: dict) -> Decimal:
	"""CLP04 as the builder writes it: as given, or what balances the claim."""
	if "paid" in claim:
		return Decimal(str(claim["paid"]))
	services = claim.get("services", [])
	adjusted = _adjusted(claim.get("adjustments", [])) + _sum(
		_adjusted(s.get("adjustments", [])) for s in services
	)
	return _claim_charge(claim) - adjusted


def _claim_charge(claim: dict) -> Decimal:
	if "charge" in claim:
		return Decimal(str(claim["charge"]))
	return _sum(s["charge"] for s in claim.get("services", []))


def _claim_segments(claim: dict) -> list[str]:
	claim_id = claim["claim_id"]
	segments = [
		_segment(
			"CLP",
			claim_id,
			claim.get("status", "1"),
			_amount(_claim_charge(claim)),
			_amount(claim_paid(claim)),
			_amount(claim.get("patient_responsibility", 0)),
			claim.get("filing_code", "MB"),
			claim.get("payer_claim_number", f"ICN-{claim_id}"),
		),
		*_cas(claim.get("adjustments", [])),
		_segment(
			"NM1",
			"QC",
			"1",
			claim.get("patient_last_name", "DOE"),
			claim.get("patient_first_name", "JANE"),
			"",
			"",
			"",
			"MI",
			claim.get("member_id", "1EG4TE5MK73"),
		),
	]
	if claim.get("crossover"):
		name, payer_id = claim["crossover"]
		segments.append(_segment("NM1", "TT", "2", name, "", "", "", "", "PI", payer_id))
	if claim.get("statement_date"):
		segments.append(_segment("DTM", "232", claim["statement_date"].strftime("%Y%m%d")))
	for service in claim.get("services", []):
		segments += _service_segments(service)
	return segments


def _plb_segments(provider_npi: str, fiscal_period: date, adjustments) -> list[str]:
	segments = []
	adjustments = list(adjustments)
	for start in range(0, len(adjustments), 6):
		elements: list[object] = ["PLB", provider_npi, fiscal_period.strftime("%Y%m%d")]
		for reason, reference, amount in adjustments[start : start + 6]:
			elements += [f"{reason}{COMPONENT}{reference}" if reference else reason, _amount(amount)]
		segments.append(_segment(*elements))
	return segments


def transaction_set(
	claims: list[dict],
	*,
	trace_number: str = "EFT0001",
	payer_name: str = "MEDICARE PART B",
	payer_id: str = "12345",
	payer_tax_id: str = "1123456789",
	payee_name: str = "GOOD HEALTH CLINIC",
	payee_npi: str = "1234567893",
	payee_tax_id: str = "123456789",
	payment_date: date = date(2026, 12, 15),
	control_number: int = 1,
	provider_adjustments=(),
	total_paid=None,
) -> list[str]:
	"""ST through SE of one payment; SE01 counts ST through SE."""
	if total_paid is None:
		total_paid = _sum(claim_paid(c) for c in claims) - _sum(a[2] for a in provider_adjustments)
	total_paid = Decimal(str(total_paid))
	paid_on = payment_date.strftime("%Y%m%d")
	st02 = f"{control_number:04d}"
	if total_paid:
		# I: remittance and payment together, by ACH from the payer's account to the practice's.
		bpr = _segment(
			"BPR", "I", _amount(total_paid), "C", "ACH", "CCP", "01", "999999999", "DA", "123456",
			payer_tax_id, "", "01", "999988880", "DA", "98765", paid_on,
		)  # fmt: skip
	else:
		# H: notification only; nothing is paid, so no bank details.
		bpr = _segment("BPR", "H", "0", "C", "NON", *[""] * 11, paid_on)
	segments = [
		# ST03 is not used in the 835 (unlike the 837): the version is GS08.
		_segment("ST", "835", st02),
		bpr,
		_segment("TRN", "1", trace_number, payer_tax_id),
		_segment("DTM", "405", paid_on),
		_segment("N1", "PR", payer_name),
		_segment("N3", "PO BOX 1234"),
		_segment("N4", "SPRINGFIELD", "IL", "627011234"),
	]
	if payer_id:
		segments.append(_segment("REF", "2U", payer_id))
	segments += [
		_segment("PER", "BL", "EDI SUPPORT", "TE", "8005551234"),
		_segment("N1", "PE", payee_name, "XX", payee_npi),
		_segment("N3", "123 MAIN ST"),
		_segment("N4", "SPRINGFIELD", "IL", "62701"),
		_segment("REF", "TJ", payee_tax_id),
	]
	if claims:
		segments.append(_segment("LX", "1"))
	for claim in claims:
		segments += _claim_segments(claim)
	segments += _plb_segments(payee_npi, date(payment_date.year, 12, 31), provider_adjustments)
	segments.append(_segment("SE", len(segments) + 1, st02))
	return segments


def interchange(
	transaction_sets: list[list[str]],
	*,
	sender_id: str = "12345",
	receiver_id: str = "GOODHEALTH",
	control_number: int = 1,
	created: datetime = CREATED,
	newline: bool = True,
) -> str:
	"""The ISA/GS envelope around transaction sets made by transaction_set."""
	isa = _segment(
		"ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender_id.ljust(15), "ZZ", receiver_id.ljust(15),
		created.strftime("%y%m%d"), created.strftime("%H%M"), REPETITION, "00501",
		f"{control_number:09d}", "0", "P", COMPONENT,
	)  # fmt: skip
	gs = _segment(
		"GS", "HP", sender_id, receiver_id, created.strftime("%Y%m%d"), created.strftime("%H%M"),
		control_number, "X", "005010X221A1",
	)  # fmt: skip
	segments = [isa, gs]
	for transaction in transaction_sets:
		segments += transaction
	segments += [
		_segment("GE", len(transaction_sets), control_number),
		_segment("IEA", 1, f"{control_number:09d}"),
	]
	terminator = SEGMENT + "\n" if newline else SEGMENT
	return terminator.join(segments) + terminator


def remittance_835(claims: list[dict], *, control_number: int = 1, newline: bool = True, **payment) -> str:
	"""One interchange, one group, one payment to the practice (``payment``: the
	keyword arguments of transaction_set)."""
	transaction = transaction_set(claims, control_number=control_number, **payment)
	return interchange([transaction], control_number=control_number, newline=newline)
