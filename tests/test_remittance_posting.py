"""What an 835 payment does to the payer invoices (care_management.domain.remittance_posting)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from care_management.domain import remittance_posting as posting
from care_management.domain.remittance_posting import InvoiceState, allocate

PAYER = "Medicare Part B"


@dataclass(frozen=True)
class Paid:
	"""The fields of a ClaimPayment that allocation reads."""

	claim_id: str
	paid: Decimal
	status_code: str = "1"


def invoice(name, outstanding="86.40", customer=PAYER, docstatus=1, is_payer_invoice=True) -> InvoiceState:
	return InvoiceState(name, customer, docstatus, Decimal(outstanding), is_payer_invoice, patient="P-1")


def outcome_of(claims, invoices, total=None, payer=PAYER):
	total = sum((c.paid for c in claims), Decimal(0)) if total is None else Decimal(total)
	return [
		(o.claim_id, o.invoice, o.outcome, o.allocated, o.reason)
		for o in allocate(claims, {i.name: i for i in invoices}, payer, total)
	]


def test_a_claim_paid_in_full_settles_its_invoice():
	assert outcome_of([Paid("SINV-1", Decimal("86.40"))], [invoice("SINV-1")]) == [
		("SINV-1", "SINV-1", posting.PAID, Decimal("86.40"), "")
	]


def test_a_claim_paid_less_leaves_the_rest_outstanding():
	# Medicare's 2 % sequestration: 86.40 owed, 84.67 paid.
	assert outcome_of([Paid("SINV-1", Decimal("84.67"))], [invoice("SINV-1")]) == [
		("SINV-1", "SINV-1", posting.PAID_SHORT, Decimal("84.67"), posting.UNDERPAID)
	]


def test_a_claim_paid_more_than_owed_allocates_what_is_owed():
	assert outcome_of([Paid("SINV-1", Decimal("100"))], [invoice("SINV-1", "86.40")]) == [
		("SINV-1", "SINV-1", posting.PAID, Decimal("86.40"), posting.OVERPAID)
	]


def test_two_payments_of_one_invoice_in_one_file_never_allocate_more_than_it_owes():
	claims = [Paid("SINV-1", Decimal("50")), Paid("SINV-1", Decimal("50"))]
	assert outcome_of(claims, [invoice("SINV-1", "86.40")]) == [
		("SINV-1", "SINV-1", posting.PAID_SHORT, Decimal("50"), posting.UNDERPAID),
		("SINV-1", "SINV-1", posting.PAID, Decimal("36.40"), posting.OVERPAID),
	]


def test_an_invoice_already_paid_takes_nothing_more():
	assert outcome_of([Paid("SINV-1", Decimal("10"))], [invoice("SINV-1", "0")]) == [
		("SINV-1", "SINV-1", posting.PAID, Decimal("0"), posting.NOTHING_OWED)
	]


@pytest.mark.parametrize(
	"claim, invoices, outcome, reason",
	[
		(Paid("SINV-9", Decimal("10")), [], posting.NOT_MATCHED, posting.NO_INVOICE),
		(
			Paid("SINV-1", Decimal("10")),
			[invoice("SINV-1", is_payer_invoice=False)],
			posting.NOT_MATCHED,
			posting.NOT_A_PAYER_INVOICE,
		),
		(
			Paid("SINV-1", Decimal("10")),
			[invoice("SINV-1", customer="Other Plan")],
			posting.NOT_MATCHED,
			posting.OTHER_PAYER,
		),
		(Paid("SINV-1", Decimal("0"), "4"), [invoice("SINV-1")], posting.DENIED, posting.DENIED_BY_PAYER),
		(Paid("SINV-1", Decimal("0")), [invoice("SINV-1")], posting.DENIED, posting.NOTHING_PAID),
		(Paid("SINV-1", Decimal("-86.40"), "22"), [invoice("SINV-1")], posting.REVERSAL, posting.REVERSED),
		(Paid("SINV-1", Decimal("-5")), [invoice("SINV-1")], posting.NOT_POSTED, posting.NEGATIVE_PAYMENT),
		(
			Paid("SINV-1", Decimal("0"), "25"),
			[invoice("SINV-1")],
			posting.NOT_POSTED,
			posting.NOT_ADJUDICATED,
		),
		(
			Paid("SINV-1", Decimal("10")),
			[invoice("SINV-1", docstatus=2)],
			posting.NOT_POSTED,
			posting.INVOICE_NOT_SUBMITTED,
		),
	],
)
def test_claims_that_allocate_nothing_say_why(claim, invoices, outcome, reason):
	[(claim_id, _invoice, got_outcome, allocated, got_reason)] = outcome_of([claim], invoices, total="0")
	assert (claim_id, got_outcome, allocated, got_reason) == (claim.claim_id, outcome, Decimal(0), reason)


def test_an_unknown_payer_posts_nothing():
	assert outcome_of([Paid("SINV-1", Decimal("10"))], [invoice("SINV-1")], payer=None) == [
		("SINV-1", "SINV-1", posting.NOT_POSTED, Decimal(0), posting.UNKNOWN_PAYER)
	]


def test_a_payment_reduced_by_provider_adjustments_is_never_overallocated():
	# 30 + 40 paid on the claims, 10 taken back by a PLB: BPR02 is 60.
	claims = [Paid("SINV-1", Decimal("30")), Paid("SINV-2", Decimal("40"))]
	result = outcome_of(claims, [invoice("SINV-1", "30"), invoice("SINV-2", "40")], total="60")
	assert result == [
		("SINV-1", "SINV-1", posting.PAID, Decimal("30"), ""),
		("SINV-2", "SINV-2", posting.PAID_SHORT, Decimal("30"), posting.PAYMENT_REDUCED),
	]
	assert sum(row[3] for row in result) == Decimal("60")


def test_denials_and_unmatched_claims_do_not_use_up_the_payment():
	claims = [Paid("SINV-9", Decimal("5")), Paid("SINV-1", Decimal("0"), "4"), Paid("SINV-2", Decimal("40"))]
	result = outcome_of(claims, [invoice("SINV-1"), invoice("SINV-2", "40")], total="45")
	assert [row[2:4] for row in result] == [
		(posting.NOT_MATCHED, Decimal(0)),
		(posting.DENIED, Decimal(0)),
		(posting.PAID, Decimal("40")),
	]
