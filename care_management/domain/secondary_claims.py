"""A claim to the secondary payer, from the primary payer's adjudication (its 835).

The site reads what its posted remittance stored for the primary's claim into
``PrimaryAdjudication`` and hands it, with the secondary claim built as any
other (its payer and subscriber the secondary coverage's), to
``with_primary_adjudication``. That returns the claim with its COB loops
(claims_837p.OtherPayer and a LineAdjudication on every line), or the reason it
cannot go yet; nothing here reads a database.

    PrimaryAdjudication
      status_code                CLP02 (1 processed as primary, 4 denied, 19-21 forwarded, 22 reversal)
      paid: Decimal              CLP04
      payer_claim_number         CLP07 (Medicare's ICN), written in 2330B REF*F8
      adjudication_date          BPR16 of its payment: DTP*573 of every line
      adjustments                claim-level CAS (claims_837p.CasAdjustment)
      services                   AdjudicatedService per SVC: control_number (REF*6R, our line),
                                 procedure_code, modifiers, service_date, charge, paid, units, adjustments
      crossover_name             NM1*TT: whom the payer forwarded the claim to

Reasons (fixed English sentences the site translates):

- NOT_ADJUDICATED: no posted 835 of the primary's claim; hold until it is posted.
- FORWARDED: the primary forwarded the claim to the secondary (Medicare
  crossover, CLP02 19-21): the secondary has it already, so none is sent.
- REVERSED: the latest answer is a reversal; wait for the corrected remittance.
- LINE_NOT_ADJUDICATED: a line of the secondary claim is not in the 835.
- CHARGE_DIFFERS: the 835 adjudicated a different charge for a line.
- PARTIAL_WITH_CLAIM_ADJUSTMENTS: the secondary claim carries only some of the
  primary's lines while the 835 adjusted the claim as a whole, which cannot be
  shared out between lines.
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from care_management.domain import claims_837p as x12

FORWARDED_STATUSES = frozenset(("19", "20", "21"))
REVERSAL = "22"

NOT_ADJUDICATED = (
	"The primary payer has not adjudicated this claim yet: post its 835 remittance, then export the "
	"secondary claim."
)
FORWARDED = (
	"The primary payer forwarded this claim to the secondary payer itself (crossover): no secondary claim "
	"is sent."
)
REVERSED = (
	"The primary payer's latest remittance reverses its payment of this claim: post the corrected "
	"remittance, then export the secondary claim."
)
LINE_NOT_ADJUDICATED = (
	"A service line of this claim is not on the primary payer's remittance: check the primary's claim "
	"and its 835."
)
CHARGE_DIFFERS = (
	"The primary payer's remittance adjudicated a different charge for a service line than this claim "
	"bills: correct the invoice or ask the primary payer."
)
PARTIAL_WITH_CLAIM_ADJUSTMENTS = (
	"The primary payer adjusted the claim as a whole, and this secondary claim carries only some of its "
	"lines: send it through the payer's portal."
)


@dataclass(frozen=True)
class AdjudicatedService:
	control_number: str
	procedure_code: str
	charge: Decimal
	paid: Decimal
	adjustments: tuple[x12.CasAdjustment, ...] = ()
	modifiers: tuple[str, ...] = ()
	units: Decimal | None = None
	service_date: date | None = None


@dataclass(frozen=True)
class PrimaryAdjudication:
	status_code: str
	paid: Decimal
	adjudication_date: date | None
	services: tuple[AdjudicatedService, ...]
	adjustments: tuple[x12.CasAdjustment, ...] = ()
	payer_claim_number: str = ""
	crossover_name: str = ""


def is_forwarded(adjudication: PrimaryAdjudication | None) -> bool:
	return adjudication is not None and adjudication.status_code in FORWARDED_STATUSES


def _matching_service(line: x12.ServiceLine, services, used: set[int]) -> int | None:
	"""The 835 service of a claim line: by its control number (REF*6R, echoed back),
	else the one unused service of the same code and date."""
	control = x12.clean_id(line.control_number)
	if control:
		for index, service in enumerate(services):
			if index not in used and x12.clean_id(service.control_number) == control:
				return index
	candidates = [
		index
		for index, service in enumerate(services)
		if index not in used
		and not service.control_number
		and x12.clean_id(service.procedure_code) == x12.clean_id(line.procedure_code)
		and (service.service_date is None or service.service_date == line.service_date)
	]
	return candidates[0] if len(candidates) == 1 else None


def with_primary_adjudication(
	claim: x12.Claim,
	adjudication: PrimaryAdjudication | None,
	primary_payer: x12.Payer,
	primary_subscriber: x12.Subscriber,
	relationship: str = x12.SELF,
) -> tuple[x12.Claim | None, str | None]:
	"""(the secondary claim with its COB loops, None) or (None, the reason it is held or not sent)."""
	if adjudication is None:
		return None, NOT_ADJUDICATED
	if adjudication.status_code in FORWARDED_STATUSES:
		return None, FORWARDED
	if adjudication.status_code == REVERSAL:
		return None, REVERSED
	used: set[int] = set()
	lines = []
	line_paid = Decimal(0)
	for line in claim.lines:
		index = _matching_service(line, adjudication.services, used)
		if index is None:
			return None, LINE_NOT_ADJUDICATED
		used.add(index)
		service = adjudication.services[index]
		if Decimal(str(service.charge)) != Decimal(str(line.charge)):
			return None, CHARGE_DIFFERS
		line_paid += Decimal(str(service.paid))
		lines.append(
			replace(
				line,
				adjudications=(
					x12.LineAdjudication(
						payer_id=primary_payer.payer_id,
						paid=Decimal(str(service.paid)),
						procedure_code=service.procedure_code or line.procedure_code,
						adjudication_date=adjudication.adjudication_date,
						adjustments=tuple(service.adjustments),
						units=Decimal(str(service.units)) if service.units is not None else line.units,
						modifiers=tuple(service.modifiers),
					),
				),
			)
		)
	all_lines = len(used) == len(adjudication.services)
	if adjudication.adjustments and not all_lines:
		return None, PARTIAL_WITH_CLAIM_ADJUSTMENTS
	# AMT*D: the whole claim's payment when every line is carried; otherwise what the
	# primary paid on the lines this claim carries (the claim then balances line by line).
	paid = Decimal(str(adjudication.paid)) if all_lines else line_paid
	other = x12.OtherPayer(
		payer=primary_payer,
		subscriber=primary_subscriber,
		paid=paid,
		adjustments=tuple(adjudication.adjustments) if all_lines else (),
		payer_responsibility="P",
		relationship=relationship,
		payer_claim_number=adjudication.payer_claim_number
		if x12.payer_claim_number_problem(adjudication.payer_claim_number) is None
		else "",
	)
	subscriber = replace(claim.subscriber, payer_responsibility="S")
	return replace(claim, subscriber=subscriber, lines=tuple(lines), other_payers=(other,)), None
