"""Coverage in force on a date of service, and the payer / patient share split."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_management.domain.billing.coverage import (
	ENDED,
	NO_COVERAGE,
	NOT_IN_FORCE,
	PRIMARY,
	SECONDARY,
	SECONDARY_ONLY,
	Coverage,
	coverage_on,
	normalize_member_id,
	overlapping,
	split_allowed,
)


def cov(name, order=PRIMARY, start=date(2026, 1, 1), end=None, qmb=False, payer="Medicare"):
	return Coverage(name, payer, "Medicare Part B", order, start, end, qmb)


def test_the_primary_and_secondary_in_force_on_the_day_are_picked():
	old = cov("old", end=date(2026, 3, 31), payer="Old Plan")
	new = cov("new", start=date(2026, 4, 1), payer="New Plan")
	medigap = cov("gap", SECONDARY, start=date(2026, 2, 1))
	assert coverage_on([old, new, medigap], date(2026, 3, 31)).primary == old
	picked = coverage_on([old, new, medigap], date(2026, 4, 1))
	assert (picked.primary, picked.secondary, picked.problem) == (new, medigap, None)
	assert coverage_on([old, new, medigap], date(2026, 1, 15)).secondary is None


def test_missing_expired_and_secondary_only_coverage_are_named():
	day = date(2026, 5, 1)
	assert coverage_on([], day).problem == NO_COVERAGE
	ended = coverage_on([cov("c1", end=date(2026, 4, 30))], day)
	assert (ended.primary, ended.problem, ended.ended.name) == (None, ENDED, "c1")
	assert ended.describe(day) == "coverage c1 ended 2026-04-30, before 2026-05-01"
	later = coverage_on([cov("c1", start=date(2026, 6, 1))], day)
	assert later.problem == NOT_IN_FORCE
	assert later.describe(day) == "no coverage in force on 2026-05-01"
	only_secondary = coverage_on([cov("c2", SECONDARY)], day)
	assert only_secondary.primary is None and only_secondary.problem == SECONDARY_ONLY


def test_overlaps_are_found_only_within_one_order():
	a = cov("a", end=date(2026, 6, 30))
	assert overlapping(cov("b", start=date(2026, 6, 30)), [a]) == [a]
	assert overlapping(cov("b", start=date(2026, 7, 1)), [a]) == []
	assert overlapping(cov("b", SECONDARY), [a]) == []
	assert overlapping(cov("a", start=date(2026, 2, 1)), [a]) == []  # itself, edited
	open_ended = cov("c", start=date(2025, 1, 1))
	assert overlapping(cov("d", start=date(2030, 1, 1)), [open_ended]) == [open_ended]


def test_part_b_pays_80_percent_and_the_patient_the_coinsurance():
	split = split_allowed("62.00", 80)
	assert (split.primary, split.secondary, split.patient, split.written_off) == (
		Decimal("49.60"),
		0,
		Decimal("12.40"),
		0,
	)


def test_rounding_gives_the_payer_the_half_cent_and_the_cents_add_up():
	split = split_allowed("41.17", 80)  # 32.936
	assert (split.primary, split.patient) == (Decimal("32.94"), Decimal("8.23"))


def test_qmb_patient_owes_nothing_and_a_secondary_takes_the_coinsurance():
	qmb = split_allowed("62.00", 80, qmb=True)
	assert (qmb.patient, qmb.written_off) == (0, Decimal("12.40"))
	medicaid = split_allowed("62.00", 80, secondary_share_percent=100, qmb=True)
	assert (medicaid.secondary, medicaid.patient, medicaid.written_off) == (Decimal("12.40"), 0, 0)
	partial = split_allowed("62.00", 80, secondary_share_percent=50)
	assert (partial.secondary, partial.patient) == (Decimal("6.20"), Decimal("6.20"))


def test_a_code_without_cost_sharing_is_billed_to_the_payer_in_full():
	split = split_allowed("62.00", 80, secondary_share_percent=100, no_cost_sharing=True)
	assert (split.primary, split.secondary, split.patient) == (Decimal("62.00"), 0, 0)


def test_shares_out_of_range_are_refused():
	with pytest.raises(ValueError):
		split_allowed("10", 120)
	with pytest.raises(ValueError):
		split_allowed("10", 80, secondary_share_percent=-1)
	with pytest.raises(ValueError):
		split_allowed("-1", 80)


@given(
	cents=st.integers(min_value=0, max_value=10_000_000),
	primary=st.decimals(min_value=0, max_value=100, places=2),
	secondary=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
	qmb=st.booleans(),
	no_cost_sharing=st.booleans(),
)
def test_the_shares_always_add_up_to_the_allowed_amount_in_whole_cents(
	cents, primary, secondary, qmb, no_cost_sharing
):
	allowed = Decimal(cents) / 100
	split = split_allowed(
		allowed, primary, secondary_share_percent=secondary, qmb=qmb, no_cost_sharing=no_cost_sharing
	)
	parts = (split.primary, split.secondary, split.patient, split.written_off)
	assert sum(parts) == allowed
	assert all(part >= 0 and part == part.quantize(Decimal("0.01")) for part in parts)
	if qmb:
		assert split.patient == 0


def test_member_ids_are_kept_bare_and_upper_case():
	assert normalize_member_id(" 1eg4-te5-mk73 ") == "1EG4TE5MK73"
