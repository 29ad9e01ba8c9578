"""Secondary claims: the coordination-of-benefits loops (2320, 2330A/B, 2430) of
the 837P, filled from the primary payer's adjudication, checked by pyx12."""

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from test_claims_837p import (
	BILLING,
	MEDICARE,
	TODAY,
	assert_valid,
	claim,
	interchange,
	line,
	render,
	subscriber,
)
from x12_checks import pyx12_errors, segments, with_se_recount

from care_management.domain import claims_837p as x837
from care_management.domain import secondary_claims as sc
from care_management.domain.claims_837p import (
	CasAdjustment,
	LineAdjudication,
	OtherPayer,
	Payer,
	claim_problems,
)

MEDICAID = Payer("State Medicaid", "SMCD1", "MC")
PAID_ON = date(2026, 12, 20)


def adjudication(paid, *adjustments, code="99490", payer_id="12345") -> LineAdjudication:
	return LineAdjudication(payer_id, Decimal(paid), code, PAID_ON, tuple(adjustments))


def cas(group, reason, amount) -> CasAdjustment:
	return CasAdjustment(group, reason, Decimal(amount))


def secondary_claim(**changes):
	"""Medicare allowed 62 and 47.50 at 80%: paid 49.60 and 38, the 20% coinsurance
	(PR-2) and nothing written off; a claim-level nothing."""
	lines = (
		line(pointers=(1, 2), adjudications=(adjudication("49.60", cas("PR", "2", "12.40")),)),
		line(
			"99439",
			"47.50",
			(1,),
			control_number="BL-0001",
			adjudications=(adjudication("38", cas("PR", "2", "9.50"), code="99439"),),
		),
	)
	primary = OtherPayer(
		payer=MEDICARE,
		subscriber=subscriber(),
		paid=Decimal("87.60"),
		payer_claim_number="ICN-2026-0001",
	)
	base = claim(
		payer=MEDICAID,
		subscriber=subscriber(member_id="MCD778899", payer_responsibility="S"),
		lines=lines,
		other_payers=(primary,),
	)
	return replace(base, **changes)


def test_secondary_claim_with_cob_loops_passes_pyx12():
	text = render(interchange(secondary_claim()))
	assert_valid(text)
	segs = segments(text)
	assert "SBR*S*18*******MC" in segs
	assert "NM1*PR*2*STATE MEDICAID*****PI*SMCD1" in segs
	# 2320 / 2330A / 2330B, after the claim's own loops and before its lines
	start = segs.index("SBR*P*18*******MB")
	assert segs[start : start + 6] == [
		"SBR*P*18*******MB",
		"AMT*D*87.6",
		"AMT*EAF*21.9",
		"OI***Y***Y",
		"NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73",
		"N3*9 ELM ST",
	]
	assert "NM1*PR*2*MEDICARE PART B*****PI*12345" in segs
	assert "REF*F8*ICN-2026-0001" in segs
	assert start < segs.index("LX*1")
	# 2430 of each line, after its REF*6R
	assert segs[segs.index("REF*6R*BL-0001") + 1 :][:4] == [
		"SVD*12345*38*HC:99439**1",
		"CAS*PR*2*9.5",
		"DTP*573*D8*20261220",
		"AMT*EAF*9.5",
	]
	assert "SVD*12345*49.6*HC:99490**1" in segs


def test_claim_level_adjustments_and_a_denied_line_balance():
	lines = (
		line(pointers=(1, 2), adjudications=(adjudication("0", cas("CO", "50", "62")),)),
		line(
			"99439", "47.50", (1,), adjudications=(adjudication("38", cas("PR", "2", "9.50"), code="99439"),)
		),
	)
	primary = OtherPayer(MEDICARE, subscriber(), Decimal("36"), (cas("CO", "253", "2"),))
	ready = secondary_claim(lines=lines, other_payers=(primary,))
	assert claim_problems(ready, BILLING, TODAY) == []
	text = render(interchange(ready))
	assert_valid(text)
	segs = segments(text)
	assert "CAS*CO*253*2" in segs and "CAS*CO*50*62" in segs and "AMT*D*36" in segs


def test_several_reasons_of_one_group_share_one_cas():
	lines = (
		line(
			pointers=(1, 2), adjudications=(adjudication("40", cas("PR", "1", "10"), cas("PR", "2", "12")),)
		),
		line("99439", "47.50", (1,), adjudications=(adjudication("47.50", code="99439"),)),
	)
	primary = OtherPayer(MEDICARE, subscriber(), Decimal("87.50"))
	text = render(interchange(secondary_claim(lines=lines, other_payers=(primary,))))
	assert_valid(text)
	assert "CAS*PR*1*10**2*12" in segments(text)


def fields(problems):
	return [(p.field, p.reason) for p in problems]


def test_a_secondary_claim_without_the_primary_adjudication_is_held():
	held = secondary_claim(other_payers=(), lines=claim().lines)
	assert ("subscriber.payer_responsibility", x837.SECONDARY_NOT_SUPPORTED) in fields(
		claim_problems(held, BILLING, TODAY)
	)


@pytest.mark.parametrize(
	"change, problem",
	[
		(
			lambda c: replace(c, lines=(replace(c.lines[0], adjudications=()), c.lines[1])),
			("lines[0].adjudications", x837.LINE_NOT_ADJUDICATED),
		),
		(
			lambda c: replace(
				c,
				lines=(
					replace(c.lines[0], adjudications=(adjudication("50", cas("PR", "2", "12.40")),)),
					c.lines[1],
				),
			),
			("lines[0].adjudications", x837.LINE_NOT_BALANCED),
		),
		(
			lambda c: replace(c, other_payers=(replace(c.other_payers[0], paid=Decimal("80")),)),
			("other_payers[0].paid", x837.CLAIM_NOT_BALANCED),
		),
		(
			lambda c: replace(c, other_payers=(replace(c.other_payers[0], paid=Decimal("-1")),)),
			("other_payers[0].paid", x837.BAD_PAID),
		),
		(
			lambda c: replace(
				c,
				lines=(
					replace(c.lines[0], adjudications=(adjudication("49.60", cas("XX", "2", "12.40")),)),
					c.lines[1],
				),
			),
			("lines[0].adjudications.adjustments[0]", x837.BAD_ADJUSTMENT),
		),
		(
			lambda c: replace(
				c,
				lines=(
					replace(
						c.lines[0],
						adjudications=(replace(c.lines[0].adjudications[0], adjudication_date=None),),
					),
					c.lines[1],
				),
			),
			("lines[0].adjudications.adjudication_date", x837.ADJUDICATION_DATE_REQUIRED),
		),
		(
			lambda c: replace(
				c, other_payers=(replace(c.other_payers[0], subscriber=subscriber(member_id="")),)
			),
			("other_payers[0].subscriber.member_id", x837.BAD_MEMBER_ID),
		),
		(
			lambda c: replace(c, other_payers=(replace(c.other_payers[0], payer=Payer("", "1", "MB")),)),
			("other_payers[0].payer.name", x837.NAME_REQUIRED),
		),
	],
)
def test_cob_that_cannot_be_sent_holds_the_claim(change, problem):
	assert claim_problems(secondary_claim(), BILLING, TODAY) == []
	assert problem in fields(claim_problems(change(secondary_claim()), BILLING, TODAY))
	with pytest.raises(x837.ClaimFileError):
		render(interchange(change(secondary_claim())))


@pytest.mark.parametrize(
	"prefix, reported",
	[
		("SBR*P*", "Segment AMT*D not found"),
		("OI*", "(OI) missing"),
		("NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73", "(2330A) missing"),
		("NM1*PR*2*MEDICARE", "(2330B) missing"),
		("DTP*573*", "(DTP) missing"),
	],
)
def test_pyx12_reports_a_missing_cob_segment(prefix, reported):
	segs = segments(render(interchange(secondary_claim())))
	kept = [s for s in segs if not s.startswith(prefix)]
	assert len(kept) < len(segs)
	valid, errors, _ack = pyx12_errors(with_se_recount(kept))
	assert not valid
	assert any(reported in json.loads(e)["err_str"] for e in errors), errors


def test_pyx12_reports_a_line_adjudication_without_its_svd():
	segs = segments(render(interchange(secondary_claim())))
	kept = [s for s in segs if not s.startswith("SVD*")]
	valid, errors, _ack = pyx12_errors(with_se_recount(kept))
	assert not valid and errors


def test_primary_claims_are_written_as_before():
	segs = segments(render(interchange()))
	assert not any(s.startswith(("SVD*", "OI*", "AMT*D", "DTP*573")) for s in segs)


# ---------------------------------------------------------------- from the primary's 835


def primary_answer(**changes) -> sc.PrimaryAdjudication:
	base = sc.PrimaryAdjudication(
		status_code="1",
		paid=Decimal("87.60"),
		adjudication_date=PAID_ON,
		payer_claim_number="ICN-2026-0001",
		services=(
			sc.AdjudicatedService("", "99490", Decimal("62"), Decimal("49.60"), (cas("PR", "2", "12.40"),)),
			sc.AdjudicatedService(
				"BL-0001", "99439", Decimal("47.50"), Decimal("38"), (cas("PR", "2", "9.50"),)
			),
		),
	)
	return replace(base, **changes)


def unadjudicated_secondary():
	return claim(payer=MEDICAID, subscriber=subscriber(member_id="MCD778899"))


def test_the_primary_adjudication_fills_the_cob_loops():
	built, reason = sc.with_primary_adjudication(
		unadjudicated_secondary(), primary_answer(), MEDICARE, subscriber()
	)
	assert reason is None
	assert built.subscriber.payer_responsibility == "S"
	assert built == secondary_claim()
	assert claim_problems(built, BILLING, TODAY) == []
	assert_valid(render(interchange(built)))


@pytest.mark.parametrize(
	"answer, reason",
	[
		(None, sc.NOT_ADJUDICATED),
		(primary_answer(status_code="19", crossover_name="STATE MEDICAID"), sc.FORWARDED),
		(primary_answer(status_code="20"), sc.FORWARDED),
		(primary_answer(status_code="22"), sc.REVERSED),
		(primary_answer(services=primary_answer().services[:1]), sc.LINE_NOT_ADJUDICATED),
		(
			primary_answer(
				services=(
					primary_answer().services[0],
					sc.AdjudicatedService("BL-0001", "99439", Decimal("40"), Decimal("40")),
				)
			),
			sc.CHARGE_DIFFERS,
		),
	],
)
def test_a_secondary_claim_waits_for_or_is_not_sent_after_the_primary(answer, reason):
	assert sc.with_primary_adjudication(unadjudicated_secondary(), answer, MEDICARE, subscriber()) == (
		None,
		reason,
	)


def test_a_secondary_claim_of_some_lines_pays_what_the_primary_paid_on_them():
	only_first = replace(unadjudicated_secondary(), lines=claim().lines[:1])
	built, reason = sc.with_primary_adjudication(only_first, primary_answer(), MEDICARE, subscriber())
	assert reason is None and built.other_payers[0].paid == Decimal("49.60")
	assert claim_problems(built, BILLING, TODAY) == []
	with_claim_cas = primary_answer(adjustments=(cas("CO", "253", "1"),))
	assert sc.with_primary_adjudication(only_first, with_claim_cas, MEDICARE, subscriber()) == (
		None,
		sc.PARTIAL_WITH_CLAIM_ADJUSTMENTS,
	)
