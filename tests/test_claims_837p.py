"""837P interchanges (care_management.domain.claims_837p), each generated file
validated by pyx12 against its 005010X222A1 map."""

import io
import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from x12_checks import pyx12_errors, segments, with_se_recount

from care_management.domain import claims_837p as x837
from care_management.domain import provider_ids
from care_management.domain.claims_837p import (
	Address,
	BillingProvider,
	Claim,
	ClaimFileError,
	Interchange,
	Patient,
	Payer,
	Problem,
	Receiver,
	RenderingProvider,
	ServiceLine,
	Submitter,
	Subscriber,
	claim_problems,
	clean_text,
	interchange_problems,
	render_837p,
)

TODAY = date(2026, 12, 1)
BILLING = BillingProvider(
	name="Good Health Clinic",
	npi="1234567893",
	tax_id="12-3456789",
	address=Address("123 Main St", "Springfield", "IL", "62701-1234", line2="Suite 4"),
	taxonomy_code="207Q00000X",
)
SMITH = RenderingProvider("Smith", "John", "1245319599", taxonomy_code="207Q00000X")
MEDICARE = Payer("Medicare Part B", "12345", "MB")


def subscriber(**changes) -> Subscriber:
	base = Subscriber(
		last_name="Doe",
		first_name="Jane",
		member_id="1EG4-TE5-MK73",
		birth_date=date(1950, 1, 2),
		sex="F",
		address=Address("9 Elm St", "Springfield", "IL", "62701"),
	)
	return replace(base, **changes)


def line(code="99490", charge="62.00", pointers=(1,), **changes) -> ServiceLine:
	return ServiceLine(code, Decimal(charge), date(2026, 11, 30), tuple(pointers), **changes)


def claim(claim_id="CM-202611-0001", **changes) -> Claim:
	base = Claim(
		claim_id=claim_id,
		payer=MEDICARE,
		subscriber=subscriber(),
		diagnoses=("E11.9", "I10"),
		lines=(line(pointers=(1, 2)), line("99439", "47.50", (1,), control_number="BL-0001")),
		rendering_provider=SMITH,
	)
	return replace(base, **changes)


def interchange(*claims: Claim, **changes) -> Interchange:
	base = Interchange(
		sender_id="SENDER01",
		receiver_id="CLEARHOUSE",
		interchange_control_number=17,
		group_control_number=17,
		transaction_control_number=17,
		created_at=datetime(2026, 12, 1, 10, 30),
		submitter=Submitter(
			"Good Health Clinic", "SUB01", "Billing Office", "(555) 555-1234", "billing@example.org"
		),
		receiver=Receiver("Clearing House", "RCV01"),
		billing_provider=BILLING,
		claims=claims or (claim(),),
		usage="T",
	)
	return replace(base, **changes)


def render(ic: Interchange, newline: bool = True) -> str:
	return render_837p(ic, newline=newline, today=TODAY)


def assert_valid(text: str):
	valid, errors, ack = pyx12_errors(text)
	assert errors == []
	assert valid
	assert "IK5*A~" in ack and "AK9*A*" in ack, ack


# ---------------------------------------------------------------- valid files


def test_one_claim_file_passes_pyx12():
	text = render(interchange())
	assert_valid(text)
	segs = segments(text)
	assert segs[0].startswith(
		"ISA*00*          *00*          *ZZ*SENDER01       *ZZ*CLEARHOUSE     *261201*1030*^*00501*000000017*0*T*:"
	)
	assert len(segs[0]) == 105  # ISA is fixed width: 106 with its terminator
	assert "GS*HC*SENDER01*CLEARHOUSE*20261201*1030*17*X*005010X222A1" in segs
	assert "NM1*85*2*GOOD HEALTH CLINIC*****XX*1234567893" in segs
	assert "N4*SPRINGFIELD*IL*627011234" in segs
	assert "REF*EI*123456789" in segs
	assert "SBR*P*18*******MB" in segs
	assert "NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73" in segs
	assert "DMG*D8*19500102*F" in segs
	assert "NM1*PR*2*MEDICARE PART B*****PI*12345" in segs
	assert "CLM*CM-202611-0001*109.5***11:B:1*Y*A*Y*Y" in segs
	assert "HI*ABK:E119*ABF:I10" in segs
	assert "NM1*82*1*SMITH*JOHN****XX*1245319599" in segs
	assert "SV1*HC:99490*62*UN*1***1:2" in segs
	assert "DTP*472*D8*20261130" in segs
	assert "REF*6R*BL-0001" in segs
	assert segs[-3:] == [f"SE*{len(segs) - 4}*0017", "GE*1*17", "IEA*1*000000017"]


def test_segment_count_and_hierarchy_across_claims_and_lines():
	claims = [
		claim(
			f"CM-{n}",
			subscriber=subscriber(member_id="1EG4TE5MK7" + str(n)),
			lines=tuple(line(pointers=(1,)) for _ in range(n)),
		)
		for n in range(1, 6)
	]
	text = render(interchange(*claims))
	assert_valid(text)
	segs = segments(text)
	st, se = (
		segs.index(next(s for s in segs if s.startswith("ST*"))),
		next(i for i, s in enumerate(segs) if s.startswith("SE*")),
	)
	assert segs[se] == f"SE*{se - st + 1}*0017"
	hls = [s.split("*") for s in segs if s.startswith("HL*")]
	assert [h[1] for h in hls] == [str(n) for n in range(1, 7)]
	assert hls[0] == ["HL", "1", "", "20", "1"]
	assert all(h[2:] == ["1", "22", "0"] for h in hls[1:])
	assert [s.split("*")[1] for s in segs if s.startswith("LX*")] == [
		"1",
		"1",
		"2",
		"1",
		"2",
		"3",
		"1",
		"2",
		"3",
		"4",
		"1",
		"2",
		"3",
		"4",
		"5",
	]
	assert sum(s.startswith("CLM*") for s in segs) == 5


def test_twelve_diagnoses_in_order_without_dots():
	codes = (
		"E11.9",
		"I10",
		"N18.30",
		"E78.5",
		"I50.9",
		"J44.9",
		"F32.A",
		"E66.9",
		"M17.0",
		"G47.33",
		"K21.9",
		"Z79.4",
	)
	text = render(interchange(claim(diagnoses=codes, lines=(line(pointers=(12, 1, 5, 9)),))))
	assert_valid(text)
	hi = next(s for s in segments(text) if s.startswith("HI*")).split("*")[1:]
	assert hi == ["ABK:E119"] + [f"ABF:{c.replace('.', '')}" for c in codes[1:]]
	assert "SV1*HC:99490*62*UN*1***12:1:5:9" in text


def test_fifty_lines_is_the_most_a_claim_carries():
	lines = tuple(line(pointers=(1,), control_number=f"L{n}") for n in range(50))
	assert_valid(render(interchange(claim(lines=lines))))
	problems = claim_problems(claim(lines=(*lines, line())), BILLING, TODAY)
	assert Problem("lines", x837.TOO_MANY_LINES, "CM-202611-0001") in problems


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_replacement_and_void_carry_the_original_claim_number(frequency):
	text = render(interchange(claim(frequency_code=frequency, original_claim_number="2026334123456")))
	assert_valid(text)
	segs = segments(text)
	clm = next(i for i, s in enumerate(segs) if s.startswith("CLM*"))
	assert segs[clm].split("*")[5] == f"11:B:{frequency}"
	assert segs[clm + 1] == "REF*F8*2026334123456"


def test_new_claim_has_no_original_reference():
	text = render(interchange(claim(original_claim_number="2026334123456")))
	assert "REF*F8" not in text


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_replacement_without_original_claim_number_is_held(frequency):
	problems = claim_problems(claim(frequency_code=frequency), BILLING, TODAY)
	assert [p.field for p in problems] == ["original_claim_number"]
	assert problems[0].reason == x837.ORIGINAL_REQUIRED


def test_patient_who_is_not_the_subscriber_gets_a_patient_loop():
	child = Patient("Doe", "Jimmy", date(2010, 5, 6), "M", Address("9 Elm St", "Springfield", "IL", "62701"))
	text = render(
		interchange(
			claim(
				payer=Payer("Acme Health Plan", "ACME1", "CI"),
				subscriber=subscriber(
					member_id="XYZ123456", group_number="GRP-9", birth_date=None, address=None
				),
				patient_relationship="19",
				patient=child,
			)
		)
	)
	assert_valid(text)
	segs = segments(text)
	assert "HL*2*1*22*1" in segs and "HL*3*2*23*0" in segs
	assert "SBR*P**GRP-9******CI" in segs
	assert "PAT*19" in segs
	assert "NM1*QC*1*DOE*JIMMY" in segs
	assert "DMG*D8*20100506*M" in segs
	assert segs.index("NM1*QC*1*DOE*JIMMY") < segs.index(next(s for s in segs if s.startswith("CLM*")))


def test_rendering_provider_is_left_out_when_it_is_the_billing_provider():
	same = RenderingProvider("Clinic", "", BILLING.npi)
	text = render(interchange(claim(rendering_provider=same)))
	assert_valid(text)
	assert "NM1*82" not in text
	assert "NM1*82" not in render(interchange(claim(rendering_provider=None)))


def test_person_billing_provider():
	solo = replace(BILLING, name="Smith", first_name="John", npi="1245319599")
	text = render(interchange(claim(rendering_provider=None), billing_provider=solo))
	assert_valid(text)
	assert "NM1*85*1*SMITH*JOHN****XX*1245319599" in text


def test_many_claims_split_into_several_transaction_sets():
	claims = [claim(f"CM-{n}") for n in range(5)]
	text = render(interchange(*claims, max_claims_per_transaction=2))
	assert_valid(text)
	segs = segments(text)
	assert [s for s in segs if s.startswith("ST*")] == [f"ST*837*00{n}*005010X222A1" for n in (17, 18, 19)]
	assert [s.split("*")[2] for s in segs if s.startswith("SE*")] == ["0017", "0018", "0019"]
	assert "GE*3*17" in segs
	assert sum(s.startswith("CLM*") for s in segs) == 5


def test_newline_after_terminator_is_an_option():
	compact = render(interchange(), newline=False)
	assert "\n" not in compact
	assert compact.endswith("IEA*1*000000017~")
	assert compact == render(interchange(), newline=True).replace("\n", "")
	assert_valid(compact)


def test_amounts_and_units_are_written_without_trailing_zeros():
	assert x837.format_amount(Decimal("62.00")) == "62"
	assert x837.format_amount(Decimal("62.50")) == "62.5"
	assert x837.format_amount(Decimal("0.105")) == "0.1"  # banker's rounding of the half cent
	assert x837.format_amount("1234.56") == "1234.56"
	c = claim(lines=(line(charge="0.10"), line(charge="0.20", units=Decimal("2"))))
	assert c.total_charge == Decimal("0.30")
	text = render(interchange(c))
	assert "CLM*CM-202611-0001*0.3***" in text
	assert "SV1*HC:99490*0.2*UN*2***1" in text


# ---------------------------------------------------------------- sanitising


def test_hostile_text_is_sanitised_and_the_file_still_validates():
	hostile = "O'Brien*~:^\nJr ~IEA*1*0~"
	long_name = "Wolfeschlegelsteinhausenbergerdorff" * 4
	c = claim(
		subscriber=subscriber(
			last_name=hostile,
			first_name="Zoë-Ñúñez 李",
			middle_name=long_name,
			address=Address("1*2~3:4^5 Main\tStreet\r\n" + "x" * 80, "São Paulo", "IL", "62701"),
		),
		payer=replace(MEDICARE, name="Medicare ~ Part*B"),
	)
	ic = interchange(c, billing_provider=replace(BILLING, name="Clinic*Name~With:Delims^" + "Z" * 100))
	text = render(ic)
	assert_valid(text)
	segs = segments(text)
	assert sum(s.startswith("IEA*") for s in segs) == 1
	nm1 = next(s for s in segs if s.startswith("NM1*IL*")).split("*")
	assert nm1[3] == "O'BRIEN JR IEA10"
	assert nm1[4] == "ZOE-NUNEZ LI"  # 李 transliterated (Li), not dropped
	assert len(nm1[5]) == 25 and nm1[5] == long_name.upper()[:25]
	n3 = next(s for s in segs if s.startswith("N3*9") or s.startswith("N3*12345")).split("*")
	assert n3[1].startswith("12345 MAIN STREET X") and len(n3[1]) == 55
	assert "N4*SAO PAULO*IL*62701" in segs
	assert "NM1*PR*2*MEDICARE PARTB*****PI*12345" in segs
	billing = next(s for s in segs if s.startswith("NM1*85*")).split("*")
	assert billing[3].startswith("CLINICNAMEWITHDELIMS") and len(billing[3]) == 60


@pytest.mark.parametrize(
	"raw, cleaned",
	[
		("a*b~c:d^e", "ABCDE"),
		("  many   blanks\there ", "MANY BLANKS HERE"),
		# Transliterated, not dropped: payers match names letter by letter.
		("Ærøskøbing", "AEROSKOBING"),
		("José Müller", "JOSE MULLER"),
		("Øberg-Łukasz", "OBERG-LUKASZ"),
		("Straße", "STRASSE"),
		("Dvořák Şahin", "DVORAK SAHIN"),
		("Nguyễn Thị Đức", "NGUYEN THI DUC"),
		("O’Brien", "O'BRIEN"),
		("Ørsted*~", "ORSTED"),  # what the transliteration leaves outside the X12 set still goes
		("\x00\x07bell", "BELL"),
		(None, ""),
	],
)
def test_clean_text(raw, cleaned):
	assert clean_text(raw, 60) == cleaned


def test_identifiers_are_not_cut_but_held():
	problems = claim_problems(claim("C" * 39), BILLING, TODAY)
	assert [(p.field, p.reason) for p in problems] == [("claim_id", x837.TOO_LONG)]
	assert claim_problems(claim("C" * 38), BILLING, TODAY) == []


# ---------------------------------------------------------------- pyx12 catches what is missing


def test_pyx12_accepts_the_unaltered_recount():
	assert_valid(with_se_recount(segments(render(interchange()))))


@pytest.mark.parametrize(
	"prefix, reported",
	[
		("NM1*85*", "(2010AA) missing"),
		("HI*", "(HI) missing"),
		("SV1*", "(SV1) missing"),
		("CLM*", "Segment HI*ABK:E119 not found"),
		("NM1*IL*", "Segment N3*9 ELM ST not found"),
		("NM1*PR*", "(2010BB) missing"),
		("NM1*41*", "(1000A) missing"),
		("DTP*472*", '"Date - Service Date" (DTP) missing'),
		("REF*EI*", '"Billing Provider Tax Identification" (REF) missing'),
	],
)
def test_pyx12_reports_a_missing_required_segment(prefix, reported):
	segs = segments(render(interchange()))
	kept = [s for s in segs if not s.startswith(prefix)]
	assert len(kept) < len(segs)
	valid, errors, ack = pyx12_errors(with_se_recount(kept))
	assert not valid
	assert any(reported in json.loads(e)["err_str"] for e in errors), errors
	assert "IK5*R" in ack  # the 999 rejects the transaction set


def test_pyx12_reports_a_wrong_segment_count():
	text = render(interchange())
	se = next(s for s in segments(text) if s.startswith("SE*"))
	count = int(se.split("*")[1])
	valid, errors, _ack = pyx12_errors(text.replace(se, f"SE*{count + 1}*0017"))
	assert not valid and errors


def test_pyx12_reports_an_unescaped_delimiter():
	text = render(interchange()).replace("NM1*IL*1*DOE*JANE", "NM1*IL*1*DO*E*JANE")
	valid, errors, _ack = pyx12_errors(text)
	assert not valid and errors


# ---------------------------------------------------------------- what holds a claim


def fields(problems: list[Problem]) -> list[str]:
	return [p.field for p in problems]


def test_a_good_claim_has_no_problems():
	assert claim_problems(claim(), BILLING, TODAY) == []
	assert interchange_problems(interchange()) == []


@pytest.mark.parametrize(
	"changes, field, reason",
	[
		({"subscriber": subscriber(member_id="")}, "subscriber.member_id", x837.REQUIRED),
		(
			{"subscriber": subscriber(member_id="123456789A")},
			"subscriber.member_id",
			provider_ids.MBI_WRONG_LENGTH,
		),
		(
			{"subscriber": subscriber(member_id="1SG4TE5MK73")},
			"subscriber.member_id",
			provider_ids.MBI_WRONG_SHAPE,
		),
		({"subscriber": subscriber(birth_date=None)}, "subscriber.birth_date", x837.REQUIRED),
		({"subscriber": subscriber(birth_date=date(2027, 1, 1))}, "subscriber.birth_date", x837.BAD_DATE),
		({"subscriber": subscriber(address=None)}, "subscriber.address", x837.REQUIRED),
		(
			{"subscriber": subscriber(address=Address("", "Springfield", "IL", "62701"))},
			"subscriber.address.line1",
			x837.REQUIRED,
		),
		(
			{"subscriber": subscriber(address=Address("9 Elm", "Springfield", "Illinois", "62701"))},
			"subscriber.address.state",
			x837.BAD_STATE,
		),
		(
			{"subscriber": subscriber(address=Address("9 Elm", "Springfield", "IL", "6270"))},
			"subscriber.address.postal_code",
			x837.BAD_ZIP,
		),
		({"subscriber": subscriber(sex="X")}, "subscriber.sex", x837.BAD_SEX),
		({"subscriber": subscriber(last_name="***")}, "subscriber.last_name", x837.NAME_REQUIRED),
		(
			{"subscriber": subscriber(payer_responsibility="S")},
			"subscriber.payer_responsibility",
			x837.SECONDARY_NOT_SUPPORTED,
		),
		({"diagnoses": ()}, "diagnoses", x837.NO_DIAGNOSIS),
		({"diagnoses": ("E11.9", "diabetes")}, "diagnoses[1]", x837.BAD_DIAGNOSIS),
		({"diagnoses": ("E11.9", "E119")}, "diagnoses[1]", x837.DUPLICATE_DIAGNOSIS),
		({"lines": ()}, "lines", x837.NO_LINES),
		({"lines": (line(pointers=()),)}, "lines[0].diagnosis_pointers", x837.NO_POINTER),
		({"lines": (line(pointers=(1, 2, 1)),)}, "lines[0].diagnosis_pointers", x837.BAD_POINTER),
		({"lines": (line(pointers=(3,)),)}, "lines[0].diagnosis_pointers", x837.BAD_POINTER),
		({"lines": (line(pointers=(0,)),)}, "lines[0].diagnosis_pointers", x837.BAD_POINTER),
		({"lines": (line(pointers=(1, 2, 1, 2, 1)),)}, "lines[0].diagnosis_pointers", x837.NO_POINTER),
		({"lines": (line(code="9949"),)}, "lines[0].procedure_code", x837.BAD_PROCEDURE),
		(
			{"lines": (line(modifiers=("25", "GT", "95", "59", "XU")),)},
			"lines[0].modifiers",
			x837.BAD_MODIFIERS,
		),
		({"lines": (line(charge="0"),)}, "lines[0].charge", x837.BAD_CHARGE),
		({"lines": (line(units=Decimal(0)),)}, "lines[0].units", x837.BAD_UNITS),
		(
			{"lines": (line(service_end_date=date(2026, 11, 1)),)},
			"lines[0].service_end_date",
			x837.BAD_END_DATE,
		),
		({"place_of_service": "office"}, "place_of_service", x837.BAD_PLACE_OF_SERVICE),
		({"frequency_code": "2"}, "frequency_code", x837.BAD_FREQUENCY),
		({"payer": Payer("Medicare", "", "MB")}, "payer.payer_id", x837.BAD_PAYER_ID),
		({"payer": Payer("Medicare", "12345", "XX")}, "payer.claim_filing_code", x837.BAD_FILING_CODE),
		(
			{"rendering_provider": replace(SMITH, npi="1245319590")},
			"rendering_provider.npi",
			provider_ids.NPI_BAD_CHECK_DIGIT,
		),
		({"patient_relationship": "19"}, "patient", x837.PATIENT_REQUIRED),
		(
			{
				"patient_relationship": "99",
				"patient": Patient("Doe", "J", date(2010, 1, 1), "M", subscriber().address),
			},
			"patient_relationship",
			x837.BAD_RELATIONSHIP,
		),
	],
)
def test_a_claim_missing_something_required_is_held_with_its_reason(changes, field, reason):
	held = claim(**changes)
	problems = claim_problems(held, BILLING, TODAY)
	assert Problem(field, reason, held.claim_id) in problems, problems
	with pytest.raises(ClaimFileError) as refused:
		render(interchange(held))
	assert Problem(field, reason, held.claim_id) in refused.value.problems


def test_thirteen_diagnoses_are_refused():
	codes = (*(f"E11.{n}" for n in range(10)), "I10", "I11.9", "I12.9")
	assert Problem("diagnoses", x837.TOO_MANY_DIAGNOSES, "CM-202611-0001") in claim_problems(
		claim(diagnoses=codes), BILLING, TODAY
	)


def test_medicare_advantage_and_medicaid_member_ids_are_not_mbis():
	for code in ("16", "MC", "CI"):
		assert (
			claim_problems(
				claim(payer=Payer("Plan", "PLAN1", code), subscriber=subscriber(member_id="W123456789")),
				BILLING,
				TODAY,
			)
			== []
		)
	assert fields(
		claim_problems(
			claim(payer=Payer("Plan", "PLAN1", "16"), subscriber=subscriber(member_id="W12-345")),
			BILLING,
			TODAY,
		)
	) == ["subscriber.member_id"]


def test_good_claims_render_once_the_held_one_is_left_out():
	good, bad = claim("CM-1"), claim("CM-2", diagnoses=())
	ready = [c for c in (good, bad) if not claim_problems(c, BILLING, TODAY)]
	assert ready == [good]
	assert_valid(render(interchange(*ready)))


def test_claims_already_checked_are_not_checked_again_but_the_envelope_is():
	bad = claim("CM-2", diagnoses=())
	with pytest.raises(ClaimFileError):
		render_837p(interchange(bad), today=TODAY)
	# The caller vouches for the claims (it held the faulty ones); the file is still written
	# only with a sound envelope.
	assert "CLM*CM-1*" in render_837p(interchange(claim("CM-1")), today=TODAY, claims_checked=True)
	with pytest.raises(ClaimFileError) as envelope:
		render_837p(interchange(claim("CM-1"), receiver_id=""), today=TODAY, claims_checked=True)
	assert fields(envelope.value.problems) == ["receiver_id"]


@pytest.mark.parametrize(
	"typed, problem",
	[
		("", None),
		("  ", None),
		("26330000123401", None),
		("1234-5678-AB", None),
		("2633 0000", x837.BAD_PAYER_CLAIM_NUMBER),
		("ICN*1~", x837.BAD_PAYER_CLAIM_NUMBER),
		("<b>1</b>", x837.BAD_PAYER_CLAIM_NUMBER),
		("1" * 50, None),
		("1" * 51, x837.BAD_PAYER_CLAIM_NUMBER),
		("ÉCN1", x837.BAD_PAYER_CLAIM_NUMBER),
	],
)
def test_payer_claim_number_as_typed(typed, problem):
	assert x837.payer_claim_number_problem(typed) == problem


@pytest.mark.parametrize(
	"changes, field",
	[
		({"billing_provider": replace(BILLING, npi="")}, "billing_provider.npi"),
		({"billing_provider": replace(BILLING, npi="1234567890")}, "billing_provider.npi"),
		({"billing_provider": replace(BILLING, tax_id="12345")}, "billing_provider.tax_id"),
		({"billing_provider": replace(BILLING, taxonomy_code="207Q0000")}, "billing_provider.taxonomy_code"),
		(
			{"billing_provider": replace(BILLING, address=Address("1 Main", "Springfield", "IL", "62701"))},
			"billing_provider.address.postal_code",
		),
		({"billing_provider": replace(BILLING, name="")}, "billing_provider.name"),
		({"sender_id": "S" * 16}, "sender_id"),
		({"receiver_id": ""}, "receiver_id"),
		({"interchange_control_number": 0}, "interchange_control_number"),
		({"group_control_number": 1_000_000_000}, "group_control_number"),
		({"transaction_control_number": "17"}, "transaction_control_number"),
		({"usage": "X"}, "usage"),
		({"submitter": Submitter("Clinic", "SUB01", "Office", "555-1234")}, "submitter.contact_phone"),
		({"claims": ()}, "claims"),
	],
)
def test_what_stops_the_whole_file(changes, field):
	ic = interchange(**changes)
	assert field in fields(interchange_problems(ic))
	with pytest.raises(ClaimFileError):
		render(ic)


def test_billing_zip_with_dash_is_accepted_as_nine_digits():
	assert (
		interchange_problems(
			interchange(
				billing_provider=replace(BILLING, address=replace(BILLING.address, postal_code="62701-1234"))
			)
		)
		== []
	)


# ---------------------------------------------------------------- cached checks and segments


def test_a_line_checked_before_is_checked_again_against_its_own_claim():
	# Same code, charge, date and pointers; only the claim's diagnosis count differs.
	two = claim(diagnoses=("E11.9", "I10"), lines=(line(pointers=(1, 2)),))
	one = claim(diagnoses=("E11.9",), lines=(line(pointers=(1, 2)),))
	assert claim_problems(two, BILLING, TODAY) == []
	assert ("lines[0].diagnosis_pointers", x837.BAD_POINTER) in [
		(p.field, p.reason) for p in claim_problems(one, BILLING, TODAY)
	]
	assert claim_problems(two, BILLING, TODAY) == []


def test_a_payer_checked_before_does_not_answer_for_another():
	assert claim_problems(claim(), BILLING, TODAY) == []
	bad = claim(payer=replace(MEDICARE, payer_id="1"))
	assert fields(claim_problems(bad, BILLING, TODAY)) == ["payer.payer_id"]
	other_provider = claim(rendering_provider=replace(SMITH, npi="1245319598"))
	assert fields(claim_problems(other_provider, BILLING, TODAY)) == ["rendering_provider.npi"]


def test_lists_where_tuples_are_expected_are_checked_and_written_the_same():
	as_tuples = claim(lines=(line(pointers=(1, 2), modifiers=("25",)),))
	as_lists = claim(
		lines=(ServiceLine("99490", Decimal("62.00"), date(2026, 11, 30), [1, 2], modifiers=["25"]),)
	)
	assert claim_problems(as_lists, BILLING, TODAY) == claim_problems(as_tuples, BILLING, TODAY) == []
	assert render(interchange(as_lists)) == render(interchange(as_tuples))
	assert "SV1*HC:99490:25*62*UN*1***1:2" in segments(render(interchange(as_lists)))


# ---------------------------------------------------------------- transliteration and amounts


def test_names_and_addresses_are_transliterated_in_a_valid_file():
	person = subscriber(
		last_name="Øberg-Łukasz",
		first_name="Zoë",
		address=Address("12 Hauptstraße", "Łódź", "IL", "62701"),
	)
	text = render(interchange(claim(subscriber=person)))
	assert_valid(text)
	segs = segments(text)
	assert "NM1*IL*1*OBERG-LUKASZ*ZOE****MI*1EG4TE5MK73" in segs
	assert "N3*12 HAUPTSTRASSE" in segs
	assert "N4*LODZ*IL*62701" in segs


@pytest.mark.parametrize("charge", ["10.005", "62.001", "0.004"])
def test_a_charge_in_fractions_of_a_cent_is_refused(charge):
	held = claim(lines=(line(charge=charge), line(charge=charge)))
	problems = claim_problems(held, BILLING, TODAY)
	assert {(p.field, p.reason) for p in problems} >= {
		("lines[0].charge", x837.SUB_CENT_CHARGE),
		("lines[1].charge", x837.SUB_CENT_CHARGE),
	}
	with pytest.raises(ClaimFileError):
		render(interchange(held))


@pytest.mark.parametrize("units", ["0.004", "1.005", "2.125"])
def test_units_beyond_two_decimals_are_refused(units):
	problems = claim_problems(claim(lines=(line(units=Decimal(units)),)), BILLING, TODAY)
	assert ("lines[0].units", x837.SUB_HUNDREDTH_UNITS) in {(p.field, p.reason) for p in problems}


@pytest.mark.parametrize("charge, units", [("0", "1"), ("-5", "1"), ("62", "0"), ("NaN", "1"), ("62", "x")])
def test_nothing_or_nonsense_is_still_not_more_than_zero(charge, units):
	reasons = {
		p.reason for p in claim_problems(claim(lines=(line(charge=charge, units=units),)), BILLING, TODAY)
	}
	assert reasons & {x837.BAD_CHARGE, x837.BAD_UNITS}


def test_cents_and_hundredths_pass_and_clm02_is_the_sum_of_sv102():
	lines = (
		line(charge="10.01", pointers=(1,)),
		line("99439", "10.01", (1,), units=Decimal("1.25")),
		line("99439", "0.5", (2,), units=Decimal("0.5")),
	)
	held = claim(lines=lines)
	assert claim_problems(held, BILLING, TODAY) == []
	text = render(interchange(held))
	assert_valid(text)
	segs = segments(text)
	clm02 = Decimal(next(s for s in segs if s.startswith("CLM*")).split("*")[2])
	sv1 = [s.split("*") for s in segs if s.startswith("SV1*")]
	assert clm02 == sum(Decimal(s[2]) for s in sv1) == Decimal("20.52")
	assert [s[4] for s in sv1] == ["1", "1.25", "0.5"]


@pytest.mark.parametrize(
	"code, reason",
	[
		("E11", x837.UNBILLABLE_DIAGNOSIS),
		("N18.3", x837.UNBILLABLE_DIAGNOSIS),
		("Z99.99", x837.UNKNOWN_DIAGNOSIS),
	],
)
def test_a_diagnosis_that_is_not_a_billable_code_holds_the_claim(code, reason):
	held = claim(diagnoses=("I10", code))
	assert Problem("diagnoses[1]", reason, held.claim_id) in claim_problems(held, BILLING, TODAY)
	with pytest.raises(ClaimFileError):
		render(interchange(held))
