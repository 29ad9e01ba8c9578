"""Reading 999 and 277CA acknowledgments and matching them to the claims we sent
(domain/claim_acknowledgments.py). Every file the tests build passes pyx12 against
its 005010X231A1 or 005010X214 map, and pyx12 is shown to fail one with a required
segment removed."""

import json
from decimal import Decimal

import pytest
from acknowledgment_files import ack_277ca, ack_999, transaction_277ca, transaction_999
from remittance_files import remittance_835
from x12_checks import pyx12_errors, segments, with_se_recount

from care_management.domain import claim_acknowledgments as acks
from care_management.domain.claim_acknowledgments import (
	ACCEPTED,
	NOT_MATCHED,
	PENDING,
	REJECTED,
	Sent,
	Status,
	match,
	parse_acknowledgments,
)

ACCEPTED_CLAIM = {"claim_id": "ACC-SINV-26-00001", "payer_claim_number": "22634500001"}
REJECTED_CLAIM = {
	"claim_id": "ACC-SINV-26-00002",
	"statuses": [("A7", "164", "IL"), ("A7", "21", "IL")],
	"action": "U",
	"charge": "125.5",
	"message": "MEMBER ID NOT ON FILE",
}
SYNTAX_REJECTION = {
	"group_control_number": 17,
	"code": "R",
	"sets": [
		{
			"control_number": "0017",
			"code": "R",
			"set_errors": ("5",),
			"segment_errors": [
				{
					"segment": "NM1",
					"position": 25,
					"loop": "2010",
					"code": "8",
					"elements": [{"position": 9, "reference": "67", "code": "7", "data": "<b>X</b>"}],
				}
			],
		}
	],
}
SENT = [
	Sent("CLMX-1", "ACC-SINV-26-00001", "17", "0017", Decimal("62")),
	Sent("CLMX-1", "ACC-SINV-26-00002", "17", "0017", Decimal("125.5")),
]


def assert_valid(text: str):
	valid, errors, _ack = pyx12_errors(text)
	assert errors == []
	assert valid


# ---------------------------------------------------------------- the test files are real 999s and 277CAs


@pytest.mark.parametrize(
	"text",
	[
		ack_999([{"group_control_number": 17, "sets": [{"control_number": "0017"}]}]),
		ack_999([SYNTAX_REJECTION]),
		ack_999(
			[
				{
					"group_control_number": 17,
					"code": "P",
					"sets": [{"control_number": "0017"}, {"control_number": "0018", "code": "R"}],
				},
				{"group_control_number": 18, "code": "R", "group_errors": ("5",), "accepted": 0},
			],
			newline=False,
		),
		ack_277ca([ACCEPTED_CLAIM, REJECTED_CLAIM]),
		ack_277ca([REJECTED_CLAIM], newline=False),
	],
)
def test_the_files_the_tests_build_pass_pyx12(text):
	assert_valid(text)


@pytest.mark.parametrize(
	"build, prefix, reported",
	[
		(lambda: ack_999([SYNTAX_REJECTION]), "AK1*", '"Table 1 - Header" (HEADER) missing'),
		(lambda: ack_999([SYNTAX_REJECTION]), "AK9*", '"Functional Group Response Trailer" (AK9) missing'),
		(lambda: ack_999([SYNTAX_REJECTION]), "IK5*", '"Transaction Set Response Trailer" (IK5) missing'),
		(lambda: ack_277ca([ACCEPTED_CLAIM]), "BHT*", 'Mandatory loop "Header" (HEADER) missing'),
		(lambda: ack_277ca([ACCEPTED_CLAIM]), "STC*A2", '"Claim Level Status Information" (STC) missing'),
		(lambda: ack_277ca([ACCEPTED_CLAIM]), "NM1*QC", 'Mandatory loop "Patient Name" (2100D) missing'),
	],
)
def test_pyx12_fails_a_file_with_a_required_segment_removed(build, prefix, reported):
	segs = segments(build())
	kept = [s for s in segs if not s.startswith(prefix)]
	assert len(kept) == len(segs) - 1
	valid, errors, _ack = pyx12_errors(with_se_recount(kept))
	assert not valid
	assert any(reported in json.loads(e)["err_str"] for e in errors), errors


# ---------------------------------------------------------------- 999


def test_a_999_accepting_the_file_accepts_every_claim_it_carried():
	ack, problems = parse_acknowledgments(
		ack_999([{"group_control_number": 17, "sets": [{"control_number": "0017"}]}])
	)
	assert problems == []
	(group,) = ack.groups
	assert (group.group_control_number, group.code) == ("17", "A")
	verdicts = match(ack, SENT)
	assert [(v.claim_id, v.outcome, v.source) for v in verdicts] == [
		("ACC-SINV-26-00001", ACCEPTED, "999"),
		("ACC-SINV-26-00002", ACCEPTED, "999"),
	]


def test_a_999_rejecting_the_set_rejects_its_claims_with_the_errors_in_words():
	ack, problems = parse_acknowledgments(ack_999([SYNTAX_REJECTION]))
	assert problems == []
	(answered,) = ack.groups[0].sets
	assert answered.code == "R" and answered.errors == ("5",)
	(error,) = answered.segment_errors
	assert (error.segment_id, error.position, error.loop, error.code) == ("NM1", "25", "2010", "8")
	assert error.elements[0].data == "<b>X</b>"
	verdict = match(ack, SENT)[0]
	assert verdict.outcome == REJECTED
	assert verdict.reasons == (
		acks.FILE_REJECTED,
		"NM1 segment 25: segment has data element errors; NM19: invalid code value",
	)
	assert verdict.fix == acks.FIX_FILE
	# The file's own data is kept apart, for the site to escape.
	assert verdict.message == "<b>X</b>" and "<" not in "".join(verdict.reasons)


def test_a_set_the_999_does_not_list_takes_the_groups_verdict():
	ack, _ = parse_acknowledgments(ack_999([{"group_control_number": 17, "code": "R", "accepted": 0}]))
	assert {v.outcome for v in match(ack, SENT)} == {REJECTED}
	ack, _ = parse_acknowledgments(ack_999([{"group_control_number": 17, "code": "P", "accepted": 0}]))
	assert {v.outcome for v in match(ack, SENT)} == {PENDING}


def test_a_999_for_a_file_we_never_sent_is_one_unmatched_verdict():
	ack, _ = parse_acknowledgments(
		ack_999([{"group_control_number": 999, "sets": [{"control_number": "0999"}]}])
	)
	(verdict,) = match(ack, SENT)
	assert (
		verdict.outcome == NOT_MATCHED and verdict.reasons == (acks.UNKNOWN_GROUP,) and verdict.export == ""
	)


def test_group_control_numbers_match_padded_or_not():
	ack, _ = parse_acknowledgments(
		ack_999([{"group_control_number": "000000017", "sets": [{"control_number": "17"}]}])
	)
	assert [v.outcome for v in match(ack, SENT)] == [ACCEPTED, ACCEPTED]


def test_several_999_sets_and_groups_in_one_file():
	other = [*SENT, Sent("CLMX-2", "ACC-SINV-26-00003", "18", "0018")]
	first = transaction_999({"group_control_number": 17, "sets": [{"control_number": "0017"}]}, 1)
	second = transaction_999({"group_control_number": 18, "code": "R", "accepted": 0}, 2)
	text = ack_999([]).replace("ST*999", "X")  # envelope only; the sets are put in by hand below
	isa, gs = segments(text)[:2]
	text = "~\r\n".join(
		[
			isa,
			gs,
			*first,
			"GE*1*1",
			"GS" + gs[2:].replace("*1*X*", "*2*X*"),
			*second,
			"GE*1*2",
			"IEA*2*000000001",
		]
	)
	ack, problems = parse_acknowledgments(text + "~\r\n")
	assert problems == []
	assert len(ack.groups) == 2
	assert [(v.claim_id, v.outcome) for v in match(ack, other)] == [
		("ACC-SINV-26-00001", ACCEPTED),
		("ACC-SINV-26-00002", ACCEPTED),
		("ACC-SINV-26-00003", REJECTED),
	]


# ---------------------------------------------------------------- 277CA


def test_a_277ca_accepts_and_rejects_claims_one_by_one():
	ack, problems = parse_acknowledgments(ack_277ca([ACCEPTED_CLAIM, REJECTED_CLAIM], batch_reference="0017"))
	assert problems == []
	(report,) = ack.reports
	assert report.batch_references == ("0017",) and report.payer_id == "12345"
	accepted, rejected = report.claims
	assert accepted.outcome == ACCEPTED and accepted.payer_claim_number == "22634500001"
	assert rejected.statuses == (Status("A7", "164", "IL"), Status("A7", "21", "IL"))
	assert rejected.action == "U" and rejected.charge == Decimal("125.5")
	assert rejected.message == "MEMBER ID NOT ON FILE" and rejected.member_id == "1EG4TE5MK73"
	first, second = match(ack, SENT)
	assert (first.outcome, first.export, first.payer_claim_number) == (ACCEPTED, "CLMX-1", "22634500001")
	assert first.fix == ""
	assert (second.outcome, second.statuses) == (REJECTED, "A7:164:IL A7:21:IL")
	assert second.reasons[:3] == (
		acks.CATEGORY_MEANINGS["A7"],
		"Entity's contract/member number.",
		"Entity: subscriber.",
	)
	assert second.fix == acks.FIX_MEMBER


@pytest.mark.parametrize(
	"statuses, action, outcome",
	[
		([("A1", "19", "PR")], "WQ", ACCEPTED),
		([("A2", "20", "")], "WQ", ACCEPTED),
		([("A1", "19", "PR"), ("A3", "21", "85")], "U", REJECTED),
		([("A6", "562", "85")], "U", REJECTED),
		([("A8", "21", "")], "U", REJECTED),
		([("P1", "", "")], "", PENDING),
		([("ZZ", "1", "")], "U", REJECTED),
	],
)
def test_the_status_category_decides_acceptance(statuses, action, outcome):
	claim = {"claim_id": "ACC-SINV-26-00001", "statuses": statuses, "action": action}
	ack, _ = parse_acknowledgments(ack_277ca([claim]))
	assert ack.reports[0].claims[0].outcome == outcome


@pytest.mark.parametrize(
	"status, fix",
	[
		(("A7", "562", "85"), acks.FIX_BILLING_PROVIDER),
		(("A7", "562", "82"), acks.FIX_RENDERING),
		(("A3", "54", ""), acks.FIX_DUPLICATE),
		(("A3", "33", "IL"), acks.FIX_MEMBER),
		(("A7", "158", "QC"), acks.FIX_PATIENT),
		(("A3", "21", ""), acks.FIX_GENERAL),
	],
)
def test_what_to_fix_follows_the_entity_and_status(status, fix):
	assert acks.fix_for((Status(*status),)) == fix


def test_a_277ca_claim_we_never_sent_is_reported_not_matched():
	ack, problems = parse_acknowledgments(ack_277ca([ACCEPTED_CLAIM, {"claim_id": "NOT-OURS-1"}]))
	assert problems == []
	verdicts = match(ack, SENT)
	assert [(v.claim_id, v.outcome) for v in verdicts] == [
		("ACC-SINV-26-00001", ACCEPTED),
		("NOT-OURS-1", NOT_MATCHED),
	]
	assert verdicts[1].reasons == (acks.UNKNOWN_CLAIM,)


def test_a_277ca_with_another_charge_answers_another_claim():
	ack, _ = parse_acknowledgments(ack_277ca([{**ACCEPTED_CLAIM, "charge": "99"}]))
	(verdict,) = match(ack, SENT)
	assert verdict.outcome == NOT_MATCHED and verdict.reasons == (acks.CHARGE_MISMATCH,)


def test_a_claim_sent_twice_is_matched_to_the_sending_the_report_names_else_the_latest():
	twice = [
		Sent("CLMX-1", "ACC-SINV-26-00002", "17", "0017", Decimal("125.5")),
		Sent("CLMX-3", "ACC-SINV-26-00002", "21", "0021", Decimal("125.5")),
	]
	ack, _ = parse_acknowledgments(ack_277ca([REJECTED_CLAIM], batch_reference="0017"))
	assert match(ack, twice)[0].export == "CLMX-1"
	ack, _ = parse_acknowledgments(ack_277ca([REJECTED_CLAIM], batch_reference="XYZ"))
	assert match(ack, twice)[0].export == "CLMX-3"


def test_a_claim_without_status_is_reported_and_the_others_read():
	text = ack_277ca([ACCEPTED_CLAIM, REJECTED_CLAIM])
	text = with_se_recount([s for s in segments(text) if not s.startswith("STC*A7")])
	ack, problems = parse_acknowledgments(text)
	assert [c.claim_id for c in ack.reports[0].claims] == ["ACC-SINV-26-00001"]
	assert [(p.segment_id, p.claim_id, p.reason) for p in problems] == [
		("STC", "ACC-SINV-26-00002", acks.NO_STATUS)
	]


# ---------------------------------------------------------------- real-world oddities and hostile files


def test_crlf_one_line_and_blank_padded_files_read_the_same():
	text = ack_277ca([ACCEPTED_CLAIM, REJECTED_CLAIM])
	expected, _ = parse_acknowledgments(text)
	for variant in (
		text.replace("\n", "\r\n"),
		text.replace("\n", ""),
		"\ufeff\r\n  " + text.replace("~\n", "~  \r\n\r\n"),
	):
		ack, problems = parse_acknowledgments(variant)
		assert problems == []
		assert [c.claim_id for c in ack.reports[0].claims] == [c.claim_id for c in expected.reports[0].claims]


def test_a_999_and_a_277ca_in_one_file():
	nine = segments(ack_999([{"group_control_number": 17, "sets": [{"control_number": "0017"}]}]))
	two = segments(ack_277ca([REJECTED_CLAIM], control_number=2))
	text = "~".join([*nine[:-1], *two[1:-1], "IEA*2*000000001"]) + "~"
	ack, problems = parse_acknowledgments(text)
	assert problems == []
	assert len(ack.groups) == 1 and len(ack.reports) == 1
	assert [(v.source, v.claim_id, v.outcome) for v in match(ack, SENT)] == [
		("999", "ACC-SINV-26-00001", ACCEPTED),
		("999", "ACC-SINV-26-00002", ACCEPTED),
		("277CA", "ACC-SINV-26-00002", REJECTED),
	]


def test_two_277ca_sets_in_one_group():
	sets = [
		transaction_277ca([ACCEPTED_CLAIM], control_number=1),
		transaction_277ca([REJECTED_CLAIM], control_number=2),
	]
	ack, problems = parse_acknowledgments(ack_277ca([], sets=sets))
	assert problems == []
	assert [c.claim_id for r in ack.reports for c in r.claims] == ["ACC-SINV-26-00001", "ACC-SINV-26-00002"]


@pytest.mark.parametrize(
	"text, reason",
	[
		("", acks.NOT_X12),
		("hello", acks.NOT_X12),
		(None, acks.NOT_X12),
		(b"ISA".decode() + "*" * 200, acks.NOT_X12),
		(remittance_835([]), acks.NOT_ACKNOWLEDGMENT),
		(ack_999([SYNTAX_REJECTION]).replace("005010X231A1", "004010X231"), acks.WRONG_VERSION),
	],
)
def test_a_file_that_is_no_acknowledgment_is_one_problem(text, reason):
	ack, problems = parse_acknowledgments(text)
	assert ack.groups == () and ack.reports == ()
	assert [p.reason for p in problems] == [reason]


def test_a_set_cut_short_is_not_used():
	text = ack_277ca([ACCEPTED_CLAIM, REJECTED_CLAIM])
	cut = "~\n".join(segments(text)[:-4]) + "~\n"
	ack, problems = parse_acknowledgments(cut)
	assert acks.TRANSACTION_CUT_SHORT in {p.reason for p in problems}
	assert acks.FILE_CUT_SHORT in {p.reason for p in problems}
	assert match(ack, SENT) == []


def test_a_wrong_segment_count_makes_the_set_unusable():
	text = ack_999([SYNTAX_REJECTION])
	se = next(s for s in segments(text) if s.startswith("SE*"))
	ack, problems = parse_acknowledgments(text.replace(se, "SE*99*0001"))
	assert [p.reason for p in problems] == [acks.TRAILER_MISMATCH]
	assert match(ack, SENT) == []


def test_an_envelope_mismatch_is_reported():
	text = ack_277ca([ACCEPTED_CLAIM]).replace("GE*1*1", "GE*2*1")
	_ack, problems = parse_acknowledgments(text)
	assert [p.reason for p in problems] == [acks.ENVELOPE_MISMATCH]


@pytest.mark.parametrize(
	"mutation",
	[
		lambda t: t.replace("TRN*2*ACC-SINV-26-00002", "TRN*2*<script>alert(1)</script>"),
		lambda t: t.replace("STC*A7:164:IL", "STC*<img src=x>:{{7*7}}:IL"),
		lambda t: t.replace("STC*A7:164:IL", "STC*A7:" + "9" * 500 + ":IL"),
		lambda t: t.replace("*125.5*", "*NaN*"),
		lambda t: t.replace("HL*5*3*PT", "HL*5*3*PT*" + "*" * 300),
		lambda t: t.replace("NM1*QC", "NM1"),
	],
)
def test_hostile_values_never_raise_and_never_reach_a_reason(mutation):
	ack, problems = parse_acknowledgments(mutation(ack_277ca([ACCEPTED_CLAIM, REJECTED_CLAIM])))
	for verdict in match(ack, SENT):
		text = " ".join(verdict.reasons) + verdict.fix
		assert "<" not in text and "{{" not in text and "9" * 10 not in text
	for problem in problems:
		assert problem.reason in {v for k, v in vars(acks).items() if k.isupper() and isinstance(v, str)}
