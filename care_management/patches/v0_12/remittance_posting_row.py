"""Existing sites get the row remittance postings wait on one after the other
(billing/remittance.one_posting_at_a_time); new sites get it on install."""

from care_management.billing.remittance import make_posting_row


def execute():
	make_posting_row()
