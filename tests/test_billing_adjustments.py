"""Billing adjustments on top of the engine's lines: what needs approval, what applies, in what order."""

from hypothesis import given
from hypothesis import strategies as st

from care_management.domain.billing.adjustments import (
	ADD_CODE,
	ALREADY_HELD,
	DROP_CODE,
	HOLD,
	KINDS,
	NO_CODE,
	NOT_A_REDUCTION,
	NOT_BILLED,
	NOT_HELD,
	REDUCE_UNITS,
	RELEASE,
	UNITS_NOT_POSITIVE,
	Adjustment,
	EngineLine,
	apply,
	needs_approval,
	problem,
	units_change,
)

ENGINE = [EngineLine("99490", 1), EngineLine("99439", 2)]


def adj(name, kind, code=None, units=0, reason="why"):
	return Adjustment(name, kind, code, units, reason)


def test_only_billing_more_needs_approval():
	assert needs_approval(ADD_CODE, 0, 1)
	assert needs_approval(ADD_CODE, 2, 1)  # more units of a code the engine gave
	assert needs_approval(REDUCE_UNITS, 1, 3)  # "reducing" to more is billing more
	assert not needs_approval(REDUCE_UNITS, 2, 1)
	assert not needs_approval(DROP_CODE, 2, 0)
	assert not needs_approval(HOLD, 0, 0)
	assert not needs_approval(RELEASE, 0, 0)


def test_no_adjustment_leaves_the_engine_lines():
	record = apply(ENGINE, [])
	assert [(line.code, line.engine_units, line.units, line.changes) for line in record.lines] == [
		("99490", 1, 1, []),
		("99439", 2, 2, []),
	]
	assert not record.held and record.billable


def test_drop_reduce_and_add_apply_with_their_reasons():
	record = apply(
		ENGINE,
		[
			adj("A1", REDUCE_UNITS, "99439", 1, "only 20 minutes documented"),
			adj("A2", ADD_CODE, "99491", 1, "physician time in encounter"),
			adj("A3", DROP_CODE, "99490", reason="consent missing"),
		],
	)
	lines = {line.code: line for line in record.lines}
	assert lines["99439"].units == 1 and lines["99439"].engine_units == 2
	assert [(c.adjustment, c.delta, c.reason) for c in lines["99439"].changes] == [
		("A1", -1, "only 20 minutes documented")
	]
	assert lines["99491"].added and lines["99491"].units == 1
	assert lines["99490"].units == 0 and lines["99490"].changes[0].delta == -1
	assert [line.code for line in record.lines] == ["99490", "99439", "99491"]  # added codes last


def test_add_code_on_a_code_the_engine_gave_adds_units():
	record = apply(ENGINE, [adj("A1", ADD_CODE, "99439", 1)])
	assert record.units_of("99439") == 3
	assert len(record.lines) == 2


def test_hold_and_release_follow_the_order_they_took_effect():
	assert apply(ENGINE, [adj("H", HOLD)]).held_by.name == "H"
	assert not apply(ENGINE, [adj("H", HOLD), adj("R", RELEASE)]).held
	assert apply(ENGINE, [adj("H", HOLD), adj("R", RELEASE), adj("H2", HOLD)]).held_by.name == "H2"


def test_an_adjustment_that_no_longer_fits_changes_nothing():
	# The engine stopped giving 99439 (a re-close); the reduction has nothing to reduce.
	record = apply([EngineLine("99490", 1)], [adj("A1", REDUCE_UNITS, "99439", 1)])
	assert [(line.code, line.units) for line in record.lines] == [("99490", 1)]


def test_problems_name_what_does_not_fit():
	record = apply(ENGINE, [])
	assert problem(DROP_CODE, None, 0, record) == NO_CODE
	assert problem(DROP_CODE, "99491", 0, record) == NOT_BILLED
	assert problem(REDUCE_UNITS, "99439", 2, record) == NOT_A_REDUCTION
	assert problem(REDUCE_UNITS, "99439", 0, record) == UNITS_NOT_POSITIVE
	assert problem(ADD_CODE, "99491", 0, record) == UNITS_NOT_POSITIVE
	assert problem(ADD_CODE, "99491", 1, record) is None
	assert problem(RELEASE, None, 0, record) == NOT_HELD
	assert problem(HOLD, None, 0, record) is None
	assert problem(HOLD, None, 0, apply(ENGINE, [adj("H", HOLD)])) == ALREADY_HELD
	dropped = apply(ENGINE, [adj("D", DROP_CODE, "99439")])
	assert problem(REDUCE_UNITS, "99439", 1, dropped) == NOT_BILLED


@given(
	st.lists(
		st.tuples(
			st.sampled_from(KINDS),
			st.sampled_from(["99490", "99439", "99491"]),
			st.integers(min_value=0, max_value=5),
		),
		max_size=8,
	)
)
def test_units_never_go_negative_and_only_approved_kinds_bill_more(steps):
	adjustments = [adj(f"A{i}", kind, code, units) for i, (kind, code, units) in enumerate(steps)]
	record = apply(ENGINE, adjustments)
	engine = {line.code: line.units for line in ENGINE}
	for line in record.lines:
		assert line.units >= 0
		assert line.units == line.engine_units + sum(c.delta for c in line.changes)
		if line.units > engine.get(line.code, 0):
			# billed more than the engine: only through changes that need approval
			assert any(c.delta > 0 for c in line.changes)
	for kind, _code, units in steps:
		before = 2
		if units_change(kind, before, units) > 0:
			assert needs_approval(kind, before, units)
