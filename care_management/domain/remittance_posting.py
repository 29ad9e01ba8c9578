"""What a remittance's money does to the practice's payer invoices (pure).

``allocate(claims, invoices, payer, total_paid)`` decides, claim by claim of one
835 payment (``remittance_835.ClaimPayment``), how much of it goes to the payer
invoice the claim was made from (CLP01 is that invoice's name):

- a processed claim (CLP02 1, 2, 3, 19, 20, 21) pays its invoice up to what the
  invoice still owes; more than that stays unallocated on the payer (an advance
  the clerk applies), less leaves the invoice partly outstanding ("Paid Short",
  typically Medicare's sequestration or a lower allowed amount: see the CAS);
- a denied claim (4), or one paid nothing, allocates nothing and is listed with
  its adjustments;
- a reversal (22), a negative payment, a claim the payer did not adjudicate
  (23, 25), a claim naming no invoice of ours, an invoice of another payer or a
  cancelled one: nothing is allocated, and the reason says what to do by hand;
- the allocations never add up to more than the payment (BPR02): when
  provider-level adjustments (PLB) took money back, the claims last in the file
  keep what is left outstanding.

``invoices`` maps each claim ID to an ``InvoiceState`` read (and locked) by the
site. Reasons are fixed English sentences, translated by the site.
"""

from dataclasses import dataclass
from decimal import Decimal

from care_management.domain.remittance_835 import STATUS_DENIED, STATUS_REVERSAL

PAID, PAID_SHORT, DENIED, REVERSAL, NOT_MATCHED, NOT_POSTED = (
	"Paid",
	"Paid Short",
	"Denied",
	"Reversal",
	"Not Matched",
	"Not Posted",
)

# CLP02 claim status codes (005010X221A1).
CLAIM_STATUS = {
	"1": "Processed as primary",
	"2": "Processed as secondary",
	"3": "Processed as tertiary",
	"4": "Denied",
	"19": "Processed as primary, forwarded to additional payer(s)",
	"20": "Processed as secondary, forwarded to additional payer(s)",
	"21": "Processed as tertiary, forwarded to additional payer(s)",
	"22": "Reversal of previous payment",
	"23": "Not our claim, forwarded to additional payer(s)",
	"25": "Predetermination pricing only, no payment",
}
PROCESSED = frozenset(["1", "2", "3", "19", "20", "21"])

NO_INVOICE = "No Sales Invoice has this claim ID: the claim was not sent from this site."
NOT_A_PAYER_INVOICE = "The invoice with this claim ID does not bill a payer (it is a patient's invoice)."
OTHER_PAYER = "The invoice with this claim ID is billed to another payer."
INVOICE_NOT_SUBMITTED = "The invoice is cancelled or not submitted: post this payment by hand."
UNKNOWN_PAYER = (
	"The file's payer matches no Customer marked Is Payer: set the payer's Payer ID on its Customer, then read "
	"the file again."
)
DENIED_BY_PAYER = "Denied by the payer: see the claim's adjustments for why."
NOTHING_PAID = "The payer paid nothing for this claim: see the claim's adjustments."
REVERSED = (
	"The payer reverses an earlier payment of this claim: cancel or amend the Payment Entry that posted it."
)
NEGATIVE_PAYMENT = "A negative payment that is not a reversal: post it by hand."
NOT_ADJUDICATED = "The payer did not adjudicate this claim for payment."
OVERPAID = "The payer paid more than the invoice still owes; the rest stays unallocated on the payer."
UNDERPAID = "The payer paid less than the invoice still owes: see the claim's adjustments."
NOTHING_OWED = "The invoice owes nothing any more; the payment stays unallocated on the payer."
PAYMENT_REDUCED = (
	"The payment was reduced by provider-level adjustments (PLB); this claim keeps the rest outstanding."
)


@dataclass(frozen=True)
class InvoiceState:
	name: str
	customer: str
	docstatus: int
	outstanding: Decimal
	is_payer_invoice: bool
	patient: str = ""


@dataclass(frozen=True)
class ClaimOutcome:
	claim_id: str
	invoice: str  # empty when the claim names no invoice of ours
	outcome: str
	allocated: Decimal
	reason: str = ""


def allocate(
	claims, invoices: dict[str, InvoiceState], payer: str | None, total_paid: Decimal
) -> list[ClaimOutcome]:
	"""One outcome per claim, in the file's order (see the module docstring)."""
	owed = {state.name: state.outstanding for state in invoices.values()}
	left = max(Decimal(total_paid), Decimal(0))
	outcomes = []
	for claim in claims:
		invoice = invoices.get(claim.claim_id)
		name = invoice.name if invoice else ""

		def refused(outcome: str, reason: str, _claim=claim, _name=name) -> ClaimOutcome:
			return ClaimOutcome(_claim.claim_id, _name, outcome, Decimal(0), reason)

		if invoice is None:
			outcomes.append(refused(NOT_MATCHED, NO_INVOICE))
		elif not invoice.is_payer_invoice:
			outcomes.append(refused(NOT_MATCHED, NOT_A_PAYER_INVOICE))
		elif not payer:
			outcomes.append(refused(NOT_POSTED, UNKNOWN_PAYER))
		elif invoice.customer != payer:
			outcomes.append(refused(NOT_MATCHED, OTHER_PAYER))
		elif claim.status_code == STATUS_REVERSAL:
			outcomes.append(refused(REVERSAL, REVERSED))
		elif claim.status_code == STATUS_DENIED:
			outcomes.append(refused(DENIED, DENIED_BY_PAYER))
		elif claim.status_code not in PROCESSED:
			outcomes.append(refused(NOT_POSTED, NOT_ADJUDICATED))
		elif claim.paid < 0:
			outcomes.append(refused(NOT_POSTED, NEGATIVE_PAYMENT))
		elif claim.paid == 0:
			outcomes.append(refused(DENIED, NOTHING_PAID))
		elif invoice.docstatus != 1:
			outcomes.append(refused(NOT_POSTED, INVOICE_NOT_SUBMITTED))
		else:
			outcomes.append(_paid(claim, invoice, owed, left))
			left -= outcomes[-1].allocated
	return outcomes


def _paid(claim, invoice: InvoiceState, owed: dict[str, Decimal], left: Decimal) -> ClaimOutcome:
	still_owed = max(owed[invoice.name], Decimal(0))
	allocated = min(claim.paid, still_owed, left)
	owed[invoice.name] = still_owed - allocated
	if still_owed == 0:
		reason = NOTHING_OWED
	elif allocated < min(claim.paid, still_owed):
		reason = PAYMENT_REDUCED
	elif claim.paid > still_owed:
		reason = OVERPAID
	elif claim.paid < still_owed:
		reason = UNDERPAID
	else:
		reason = ""
	outcome = PAID_SHORT if allocated < still_owed else PAID
	return ClaimOutcome(claim.claim_id, invoice.name, outcome, allocated, reason)
