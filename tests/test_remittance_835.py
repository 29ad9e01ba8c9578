"""835 remittances (care_management.domain.remittance_835): files written by
tests/remittance_files.py, each validated by pyx12 against its 005010X221A1 map,
read back; then what a hostile or broken file does to the reader."""

import json
import random
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from remittance_files import interchange, remittance_835, transaction_set
from x12_checks import pyx12_errors, segments, with_se_recount

from care_management.domain import remittance_835 as r835
from care_management.domain.claims_837p import (
	Address,
	BillingProvider,
	Claim,
	Interchange,
	Payer,
	Receiver,
	ServiceLine,
	Submitter,
	Subscriber,
	render_837p,
)
from care_management.domain.remittance_835 import (
	Adjustment,
	ClaimPayment,
	Problem,
	ProviderAdjustment,
	Remittance,
	ServicePayment,
	parse_835,
)

D = Decimal

PAID = {
	"claim_id": "CM-202611-0001",
	"payer_claim_number": "2026334123456",
	"patient_last_name": "DOE",
	"patient_first_name": "JANE",
	"member_id": "1EG4TE5MK73",
	"services": [{"code": "99490", "charge": "62", "control_number": "BL-0001"}],
}
# Medicare allows 49.50 of 62: 12.50 written off (CO-45), 10 deductible (PR-2) the patient owes.
ADJUSTED = {
	"claim_id": "CM-202611-0002",
	"patient_responsibility": "10",
	"services": [
		{
			"code": "99490",
			"charge": "62",
			"adjustments": [("CO", "45", "12.5"), ("PR", "2", "10")],
			"control_number": "BL-0002",
			"allowed": "49.5",
			"remark_codes": ["N130"],
		}
	],
}
DENIED = {
	"claim_id": "CM-202611-0003",
	"status": "4",
	"charge": "62",
	"paid": "0",
	"adjustments": [("CO", "50", "62")],
}
# The payer takes back an earlier payment of 49.50 and pays the claim again at 40.
REVERSAL = {
	"claim_id": "CM-202611-0004",
	"status": "22",
	"charge": "-62",
	"paid": "-49.5",
	"payer_claim_number": "2026334000001",
	"services": [{"charge": "-62", "paid": "-49.5", "adjustments": [("CO", "45", "-12.5")]}],
}
CORRECTION = {
	"claim_id": "CM-202611-0004",
	"payer_claim_number": "2026334000002",
	"services": [{"charge": "62", "adjustments": [("CO", "45", "12.5"), ("PR", "1", "9.5")]}],
}
TWO_SERVICES = {
	"claim_id": "CM-202611-0005",
	"services": [
		{"code": "99490", "charge": "62", "paid": "49.5", "adjustments": [("CO", "45", "12.5")], "units": 1},
		{
			"code": "99439",
			"modifiers": ("25", "59"),
			"charge": "95",
			"adjustments": [("CO", "45", "19"), ("CO", "253", "1.52")],
			"units": 2,
			"date": date(2026, 11, 29),
			"control_number": "BL-0005",
		},
	],
}
NO_SERVICES = {
	"claim_id": "CM-202611-0006",
	"charge": "100",
	"paid": "70",
	"adjustments": [("CO", "45", "20"), ("PR", "3", "10")],
	"patient_responsibility": "10",
}


def claim(n: int, charge="62", **changes) -> dict:
	base = {
		"claim_id": f"CM-{n:05d}",
		"services": [{"charge": charge, "adjustments": [("CO", "45", "12.5")], "control_number": f"BL-{n}"}],
	}
	return {**base, **changes}


def position(text: str, prefix: str, occurrence: int = 0) -> int:
	"""Segment number (ISA = 1) of the occurrence-th segment starting with prefix."""
	numbers = [n for n, s in enumerate(segments(text), start=1) if s.startswith(prefix)]
	return numbers[occurrence]


def assert_valid(text: str):
	# No 999: pyx12 4.0 cannot write one for an 835 (its AK2 wants ST03, which the 835
	# does not use); its verdict and errors are the check.
	valid, errors, _ack = pyx12_errors(text, acknowledge=False)
	assert errors == []
	assert valid


def read(text: str) -> tuple[Remittance, list[Problem]]:
	remittances, problems = parse_835(text)
	assert len(remittances) == 1
	return remittances[0], problems


def read_clean(text: str) -> Remittance:
	remittance, problems = read(text)
	assert problems == []
	assert remittance.transaction_problems == ()
	return remittance


def edit(text: str, old: str, new: str) -> str:
	"""text with old replaced by new and SE01 recounted, so the edit is the only change."""
	assert old in text
	return with_se_recount(segments(text.replace(old, new)))


def replace_segment(text: str, prefix: str, new: str) -> str:
	"""text with the one segment starting with prefix replaced whole."""
	old = next(s for s in segments(text) if s.startswith(prefix))
	assert text.count(old + "~") == 1
	return text.replace(old + "~", new + "~")


def replace_nth(text: str, prefix: str, occurrence: int, new: str) -> str:
	"""text with the occurrence-th segment starting with prefix replaced whole."""
	segs = segments(text)
	segs[position(text, prefix, occurrence) - 1] = new
	return "~\n".join(segs) + "~\n"


REASONS = {value for name, value in vars(r835).items() if name.isupper() and isinstance(value, str)}


# ---------------------------------------------------------------- the builder writes valid 835s


@pytest.mark.parametrize(
	"claims, options",
	[
		([PAID], {}),
		([ADJUSTED], {}),
		([DENIED], {}),  # nothing paid: BPR*H*0*C*NON
		([REVERSAL, CORRECTION, PAID], {}),
		([TWO_SERVICES], {}),
		([NO_SERVICES], {}),
		([PAID, ADJUSTED], {"provider_adjustments": [("WO", "ABC123", "5"), ("72", "", "-2.25")]}),
		([PAID], {"payer_id": "", "newline": False}),
		([], {"provider_adjustments": [("L6", "INTEREST", "-1.5")]}),
		([claim(n, statement_date=date(2026, 11, 1)) for n in range(30)], {"control_number": 42}),
	],
)
def test_builder_files_pass_pyx12(claims, options):
	text = remittance_835(claims, **options)
	assert_valid(text)
	segs = segments(text)
	assert segs[0].startswith("ISA*00*          *00*          *ZZ*12345          *ZZ*GOODHEALTH     *")
	assert len(segs[0]) == 105
	st = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
	se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
	assert segs[se].split("*")[1] == str(se - st + 1)
	assert ("\n" in text) is options.get("newline", True)


def test_two_transaction_sets_in_one_file_pass_pyx12():
	text = interchange(
		[
			transaction_set([PAID], control_number=1),
			transaction_set([ADJUSTED, DENIED], control_number=2, trace_number="EFT0002"),
		]
	)
	assert_valid(text)
	assert "GE*2*1" in segments(text)


def test_what_the_builder_writes():
	segs = segments(remittance_835([ADJUSTED], provider_adjustments=[("WO", "ABC123", "5")]))
	assert segs[1] == "GS*HP*12345*GOODHEALTH*20261215*0930*1*X*005010X221A1"
	assert segs[2] == "ST*835*0001"
	assert segs[3] == "BPR*I*34.5*C*ACH*CCP*01*999999999*DA*123456*1123456789**01*999988880*DA*98765*20261215"
	assert segs[4] == "TRN*1*EFT0001*1123456789"
	assert (
		"N1*PR*MEDICARE PART B" in segs
		and "REF*2U*12345" in segs
		and "PER*BL*EDI SUPPORT*TE*8005551234" in segs
	)
	assert "N1*PE*GOOD HEALTH CLINIC*XX*1234567893" in segs and "REF*TJ*123456789" in segs
	assert "CLP*CM-202611-0002*1*62*39.5*10*MB*ICN-CM-202611-0002" in segs
	assert "SVC*HC:99490*62*39.5**1" in segs
	assert "CAS*CO*45*12.5" in segs and "CAS*PR*2*10" in segs
	assert "PLB*1234567893*20261231*WO:ABC123*5" in segs
	assert segs[-3:] == [f"SE*{len(segs) - 4}*0001", "GE*1*1", "IEA*1*000000001"]


# ---------------------------------------------------------------- pyx12 is a real check


def test_pyx12_accepts_the_unaltered_recount():
	assert_valid(with_se_recount(segments(remittance_835([PAID]))))


@pytest.mark.parametrize(
	"prefix, reported",
	[
		("BPR*", 'Mandatory loop "Header" (HEADER) missing'),
		("N1*PR*", 'Mandatory loop "Payer Identification" (1000A) missing'),
		("N1*PE*", 'Mandatory loop "Payee Identification" (1000B) missing'),
		("TRN*", 'Mandatory segment "Reassociation Trace Number" (TRN) missing'),
		("NM1*QC*", 'Mandatory segment "Patient Name" (NM1) missing'),
		("CLP*", 'Mandatory loop "Claim Payment Information" (2100) missing'),
	],
)
def test_pyx12_reports_a_missing_required_segment(prefix, reported):
	segs = segments(remittance_835([PAID]))
	kept = [s for s in segs if not s.startswith(prefix)]
	assert len(kept) == len(segs) - 1
	valid, errors, _ack = pyx12_errors(with_se_recount(kept), acknowledge=False)
	assert not valid
	assert any(reported in json.loads(e)["err_str"] for e in errors), errors


def test_pyx12_reports_a_wrong_segment_count():
	text = remittance_835([PAID])
	se = next(s for s in segments(text) if s.startswith("SE*"))
	valid, errors, _ack = pyx12_errors(
		text.replace(se, f"SE*{int(se.split('*')[1]) + 1}*0001"), acknowledge=False
	)
	assert not valid and errors


# ---------------------------------------------------------------- reading back


def test_paid_claim_round_trip():
	text = remittance_835([PAID])
	remittance = read_clean(text)
	assert remittance == Remittance(
		control_number="0001",
		handling_code="I",
		total_paid=D("62"),
		credit_debit="C",
		payment_method="ACH",
		payment_date=date(2026, 12, 15),
		trace_number="EFT0001",
		originator_id="1123456789",
		payer_name="MEDICARE PART B",
		payer_id="12345",
		payee_name="GOOD HEALTH CLINIC",
		payee_npi="1234567893",
		claims=(
			ClaimPayment(
				claim_id="CM-202611-0001",
				status_code="1",
				charge=D("62"),
				paid=D("62"),
				patient_responsibility=D("0"),
				filing_code="MB",
				payer_claim_number="2026334123456",
				patient_last_name="DOE",
				patient_first_name="JANE",
				member_id="1EG4TE5MK73",
				adjustments=(),
				services=(
					ServicePayment(
						procedure_code="99490",
						modifiers=(),
						charge=D("62"),
						paid=D("62"),
						units=D("1"),
						service_date=date(2026, 11, 30),
						control_number="BL-0001",
						adjustments=(),
						remark_codes=(),
					),
				),
				segment_number=position(text, "CLP*"),
			),
		),
		provider_adjustments=(),
		segment_number=3,
		transaction_problems=(),
	)
	assert remittance.claims[0].segment_number == 17
	assert not remittance.claims[0].is_denied and not remittance.claims[0].is_reversal


def test_claim_paid_with_contractual_write_off_and_deductible():
	(paid,) = read_clean(remittance_835([ADJUSTED])).claims
	assert (paid.charge, paid.paid, paid.patient_responsibility) == (D("62"), D("39.5"), D("10"))
	assert paid.adjustments == ()
	assert paid.all_adjustments == (Adjustment("CO", "45", D("12.5")), Adjustment("PR", "2", D("10")))
	(service,) = paid.services
	assert service.remark_codes == ("N130",)
	assert service.control_number == "BL-0002"


def test_denied_claim():
	remittance = read_clean(remittance_835([DENIED]))
	assert (remittance.handling_code, remittance.payment_method, remittance.total_paid) == ("H", "NON", D(0))
	(denied,) = remittance.claims
	assert denied.is_denied and not denied.is_reversal
	assert (denied.status_code, denied.paid, denied.services) == ("4", D(0), ())
	assert denied.adjustments == (Adjustment("CO", "50", D("62")),)


def test_a_claim_forwarded_to_the_secondary_payer_names_the_crossover_carrier():
	forwarded = {**ADJUSTED, "status": "19", "crossover": ("STATE MEDICAID", "SMCD1")}
	text = remittance_835([forwarded, ADJUSTED])
	valid, errors, _ack = pyx12_errors(text, acknowledge=False)
	assert valid and errors == []
	crossed, kept = read_clean(text).claims
	assert crossed.is_forwarded and not kept.is_forwarded
	assert (crossed.crossover_name, crossed.crossover_id) == ("STATE MEDICAID", "SMCD1")
	assert (kept.crossover_name, kept.crossover_id) == ("", "")


def test_reversal_and_correction_of_the_same_claim():
	remittance = read_clean(remittance_835([REVERSAL, CORRECTION]))
	assert remittance.total_paid == D("-9.5")  # 40 paid again less 49.50 taken back
	reversal, correction = remittance.claims
	assert reversal.claim_id == correction.claim_id == "CM-202611-0004"
	assert reversal.is_reversal and not correction.is_reversal
	assert (reversal.charge, reversal.paid) == (D("-62"), D("-49.5"))
	assert reversal.all_adjustments == (Adjustment("CO", "45", D("-12.5")),)
	assert (reversal.payer_claim_number, correction.payer_claim_number) == ("2026334000001", "2026334000002")
	assert correction.paid == D("40")


def test_two_services_on_one_claim():
	text = remittance_835([TWO_SERVICES])
	(two,) = read_clean(text).claims
	first, second = two.services
	assert (first.procedure_code, first.modifiers, first.paid, first.units) == ("99490", (), D("49.5"), D(1))
	assert (second.procedure_code, second.modifiers) == ("99439", ("25", "59"))
	assert (second.charge, second.paid, second.units) == (D("95"), D("74.48"), D(2))
	assert second.service_date == date(2026, 11, 29)
	assert (first.control_number, second.control_number) == ("", "BL-0005")
	assert second.adjustments == (Adjustment("CO", "45", D("19")), Adjustment("CO", "253", D("1.52")))
	assert "CAS*CO*45*19**253*1.52" in segments(text)  # one CAS per group code
	assert (two.charge, two.paid) == (D("157"), D("123.98"))
	assert [a.reason for a in two.all_adjustments] == ["45", "45", "253"]


def test_claim_without_services_balances_on_its_own_adjustments():
	(claim_only,) = read_clean(remittance_835([NO_SERVICES])).claims
	assert claim_only.services == ()
	assert claim_only.adjustments == (Adjustment("CO", "45", D("20")), Adjustment("PR", "3", D("10")))
	assert claim_only.patient_responsibility == D("10")


def test_provider_adjustments_reduce_the_payment():
	plb = [("WO", "ABC123", "5"), ("72", "", "-2.25"), ("L6", "INTEREST", "-0.5")]
	remittance = read_clean(remittance_835([PAID, ADJUSTED], provider_adjustments=plb))
	assert remittance.total_paid == D("62") + D("39.5") - D("5") + D("2.25") + D("0.5")
	assert remittance.provider_adjustments == (
		ProviderAdjustment("WO", "ABC123", D("5")),
		ProviderAdjustment("72", "", D("-2.25")),
		ProviderAdjustment("L6", "INTEREST", D("-0.5")),
	)


def test_more_than_six_provider_adjustments_take_a_second_plb():
	plb = [("WO", f"REF{n}", "1") for n in range(8)]
	text = remittance_835([PAID], provider_adjustments=plb)
	assert sum(s.startswith("PLB*") for s in segments(text)) == 2
	remittance = read_clean(text)
	assert [p.reference for p in remittance.provider_adjustments] == [f"REF{n}" for n in range(8)]
	assert remittance.total_paid == D("54")


def test_two_transaction_sets_are_two_remittances():
	text = interchange(
		[
			transaction_set([PAID], control_number=1),
			transaction_set([ADJUSTED, DENIED], control_number=2, trace_number="EFT0002", payer_id="67890"),
		]
	)
	remittances, problems = parse_835(text)
	assert problems == []
	assert [(r.control_number, r.trace_number, r.payer_id) for r in remittances] == [
		("0001", "EFT0001", "12345"),
		("0002", "EFT0002", "67890"),
	]
	assert [[c.claim_id for c in r.claims] for r in remittances] == [
		["CM-202611-0001"],
		["CM-202611-0002", "CM-202611-0003"],
	]
	assert remittances[1].segment_number == position(text, "ST*", 1)


def test_payer_id_is_the_trace_originator_without_a_2u_reference():
	remittance = read_clean(remittance_835([PAID], payer_id="", payer_tax_id="1987654321"))
	assert (remittance.payer_id, remittance.originator_id) == ("1987654321", "1987654321")


@pytest.mark.parametrize(
	"rewrite",
	[
		lambda t: t.replace("\n", ""),
		lambda t: t.replace("\n", "\r\n"),
		lambda t: t.replace("~\n", "~\r\n\r\n  "),
		lambda t: "\ufeff\r\n  " + t,
	],
	ids=["no-newline", "crlf", "blank-lines", "bom"],
)
def test_line_breaks_and_blanks_around_segments_do_not_matter(rewrite):
	text = remittance_835([PAID, TWO_SERVICES, DENIED], provider_adjustments=[("WO", "X1", "1")])
	assert read_clean(rewrite(text)) == read_clean(text)


@pytest.mark.parametrize(
	"mapping",
	[
		{"*": "|", ":": ">"},
		{"*": "|", ":": "^", "^": "{"},
		{"*": "|", ":": ">", "~": None},  # the line break alone ends each segment
		{"~": "'", "*": "+", ":": "\\"},
	],
	ids=["pipe-angle", "pipe-caret", "newline-terminator", "edifact-like"],
)
def test_delimiters_are_read_from_the_isa(mapping):
	text = remittance_835([PAID, TWO_SERVICES], provider_adjustments=[("WO", "ABC123", "5")])
	other = text.translate(str.maketrans(mapping))
	assert other != text
	assert read_clean(other) == read_clean(text)
	assert read_clean(other).claims[1].services[1].modifiers == ("25", "59")
	assert read_clean(other).provider_adjustments == (ProviderAdjustment("WO", "ABC123", D("5")),)


def test_a_newline_terminated_file_passes_pyx12_too():
	text = remittance_835([TWO_SERVICES]).translate(str.maketrans({"*": "|", ":": ">", "~": None}))
	assert_valid(text)


def test_service_date_from_a_period_start_when_there_is_no_472():
	text = edit(remittance_835([PAID]), "DTM*472*20261130~", "DTM*150*20261101~DTM*151*20261130~")
	(service,) = read_clean(text).claims[0].services
	assert service.service_date == date(2026, 11, 1)
	both = edit(remittance_835([PAID]), "DTM*472*20261130~", "DTM*150*20261101~DTM*472*20261130~")
	assert read_clean(both).claims[0].services[0].service_date == date(2026, 11, 30)


def test_no_service_date_is_none():
	text = edit(remittance_835([PAID]), "DTM*472*20261130~\n", "")
	assert read_clean(text).claims[0].services[0].service_date is None


def test_member_id_from_the_insured_when_the_patient_has_none():
	text = edit(
		remittance_835([PAID]),
		"NM1*QC*1*DOE*JANE****MI*1EG4TE5MK73~",
		"NM1*QC*1*DOE*JIMMY~NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73~",
	)
	(paid,) = read_clean(text).claims
	assert (paid.patient_first_name, paid.member_id) == ("JIMMY", "1EG4TE5MK73")


def test_adjustment_quantity_and_six_reasons_in_one_cas():
	reasons = [("CO", str(r), "1", "2") for r in (45, 253, 97, 16, 18, 29, 31)]
	text = remittance_835([{"claim_id": "CM-Q", "charge": "10", "adjustments": reasons}])
	assert sum(s.startswith("CAS*CO*") for s in segments(text)) == 2
	(claim_q,) = read_clean(text).claims
	assert [a.reason for a in claim_q.adjustments] == ["45", "253", "97", "16", "18", "29", "31"]
	assert all(a.quantity == D(2) for a in claim_q.adjustments)
	assert claim_q.paid == D(3)


def test_a_debit_counts_against_the_claims():
	text = remittance_835([REVERSAL], total_paid="49.5").replace("BPR*I*49.5*C*", "BPR*I*49.5*D*")
	remittance = read_clean(text)
	assert (remittance.credit_debit, remittance.total_paid) == ("D", D("49.5"))


def test_st03_is_read_when_a_payer_sends_it():
	text = remittance_835([PAID]).replace("ST*835*0001~", "ST*835*0001*005010X221A1~")
	assert read_clean(text).claims[0].claim_id == "CM-202611-0001"


# ---------------------------------------------------------------- not a remittance


@pytest.mark.parametrize(
	"text",
	[
		"",
		"   \n\t",
		"hello, world",
		"Lorem ipsum dolor sit amet~" * 20,
		"ISA*00*" + " " * 40 + "~",  # an ISA cut short
		remittance_835([PAID])[:105],
		"ISA*00*          *00*          *ZZ*12345          *ZZ*GOODHEALTH     *261215*0930*^*00501*000000001*0*P*:A"
		+ "GS*HP~",  # a letter where the terminator belongs
		None,
		b"ISA*00",
	],
)
def test_not_x12(text):
	assert parse_835(text) == ([], [Problem(1, "ISA", "", r835.NOT_X12)])


def test_an_837_claim_file_is_not_a_remittance():
	address = Address("123 Main St", "Springfield", "IL", "627011234")
	claim_837 = Claim(
		claim_id="CM-1",
		payer=Payer("Medicare Part B", "12345", "MB"),
		subscriber=Subscriber("Doe", "Jane", "1EG4TE5MK73", date(1950, 1, 2), "F", address),
		diagnoses=("E11.9",),
		lines=(ServiceLine("99490", D("62"), date(2026, 11, 30), (1,)),),
	)
	text = render_837p(
		Interchange(
			sender_id="SENDER01",
			receiver_id="CLEARHOUSE",
			interchange_control_number=1,
			group_control_number=1,
			transaction_control_number=1,
			created_at=datetime(2026, 12, 1, 10, 30),
			submitter=Submitter("Good Health Clinic", "SUB01", "Billing", "5555551234"),
			receiver=Receiver("Clearing House", "RCV01"),
			billing_provider=BillingProvider("Good Health Clinic", "1234567893", "123456789", address),
			claims=(claim_837,),
		),
		today=date(2026, 12, 1),
	)
	assert parse_835(text) == ([], [Problem(3, "ST", "", r835.NOT_835)])


def test_an_envelope_without_any_transaction_is_not_a_remittance():
	text = interchange([])
	assert parse_835(text) == ([], [Problem(1, "ISA", "", r835.NOT_835)])


@pytest.mark.parametrize(
	"old, new",
	[
		("*X*005010X221A1~", "*X*004010X091A1~"),  # the 4010 835 of before 2012
		("ST*835*0001~", "ST*835*0001*004010X091A1~"),
		("*X*005010X221A1~", "*X*~"),  # no version anywhere
	],
)
def test_wrong_version_is_not_read(old, new):
	text = remittance_835([PAID]).replace(old, new)
	assert parse_835(text) == ([], [Problem(3, "ST", "", r835.WRONG_VERSION)])


def test_a_foreign_set_beside_a_remittance_is_skipped_and_reported():
	foreign = [s.replace("ST*835*", "ST*277*") for s in transaction_set([ADJUSTED], control_number=2)]
	text = interchange([foreign, transaction_set([PAID], control_number=3)])
	remittances, problems = parse_835(text)
	assert [r.control_number for r in remittances] == ["0003"]
	assert [c.claim_id for c in remittances[0].claims] == ["CM-202611-0001"]
	assert problems == [Problem(3, "ST", "", r835.NOT_835)]


# ---------------------------------------------------------------- hostile claims


THREE = [claim(1), claim(2), claim(3)]


def claim_ids(remittance: Remittance) -> list[str]:
	return [c.claim_id for c in remittance.claims]


@pytest.mark.parametrize("bad", ["12,5x", "12.345", "1e3", "", " ", "--5", "5-", "$62", "+62", "1" * 19])
def test_bad_claim_charge_leaves_that_claim_out(bad):
	text = replace_segment(remittance_835(THREE), "CLP*CM-00002*", f"CLP*CM-00002*1*{bad}*49.5*0*MB*ICN-2")
	remittance, problems = read(text)
	reason = r835.MISSING_VALUE if not bad.strip() else r835.BAD_AMOUNT
	assert problems == [Problem(position(text, "CLP*CM-00002*"), "CLP", "CM-00002", reason)]
	assert claim_ids(remittance) == ["CM-00001", "CM-00003"]
	assert remittance.transaction_problems == ()  # its payment could be read: the total still balances
	assert remittance.total_paid == D("148.5")


def test_amounts_with_two_decimals_or_none_are_good():
	text = replace_segment(remittance_835(THREE), "CLP*CM-00002*", "CLP*CM-00002*1*62.00*49.50*.00*MB*ICN-2")
	(_, second, _) = read_clean(text).claims
	assert (second.charge, second.paid, second.patient_responsibility) == (D("62"), D("49.5"), D(0))


def test_bad_service_amount_reports_the_service_segment_and_its_claim():
	text = remittance_835(THREE)
	svc = position(text, "SVC*", 1)
	text = replace_nth(text, "SVC*", 1, "SVC*HC:99490*62*4x9.5**1")
	remittance, problems = read(text)
	assert problems == [Problem(svc, "SVC", "CM-00002", r835.BAD_AMOUNT)]
	assert claim_ids(remittance) == ["CM-00001", "CM-00003"]


def test_unreadable_claim_payment_skips_the_total_check_only():
	text = replace_segment(remittance_835(THREE), "CLP*CM-00002*", "CLP*CM-00002*1*62*4,95*0*MB*ICN-2")
	remittance, problems = read(text)
	assert problems == [Problem(position(text, "CLP*CM-00002*"), "CLP", "CM-00002", r835.BAD_AMOUNT)]
	assert claim_ids(remittance) == ["CM-00001", "CM-00003"]
	assert remittance.transaction_problems == ()


@pytest.mark.parametrize("bad", ["20261340", "20260230", "2026113", "2026-11-30", "00000000", ""])
def test_bad_service_date(bad):
	text = remittance_835(THREE)
	dtm = position(text, "DTM*472*", 2)
	text = replace_nth(text, "DTM*472*", 2, f"DTM*472*{bad}")
	remittance, problems = read(text)
	reason = r835.MISSING_VALUE if not bad else r835.BAD_DATE
	assert problems == [Problem(dtm, "DTM", "CM-00003", reason)]
	assert claim_ids(remittance) == ["CM-00001", "CM-00002"]


@pytest.mark.parametrize(
	"clp, reason",
	[
		("CLP*CM-00002*1*62*49.5", r835.MISSING_VALUE),  # fewer than 7 elements
		("CLP*CM-00002*1*62*49.5*0*MB", r835.MISSING_VALUE),
		("CLP**1*62*49.5*0*MB*ICN-2", r835.NO_CLAIM_ID),
		("CLP*CM-00002*9*62*49.5*0*MB*ICN-2", r835.BAD_CODE),
		("CLP*CM-00002**62*49.5*0*MB*ICN-2", r835.MISSING_VALUE),
		("CLP*CM-00002*1*62*49.5*x*MB*ICN-2", r835.BAD_AMOUNT),
		("CLP", r835.MISSING_VALUE),
	],
)
def test_broken_claim_is_reported_and_its_services_do_not_leak(clp, reason):
	original = remittance_835(THREE)
	text = replace_segment(original, "CLP*CM-00002*", clp)
	claim_id = clp.split("*")[1] if "*" in clp else ""
	remittance, problems = read(text)
	assert problems == [Problem(position(original, "CLP*CM-00002*"), "CLP", claim_id, reason)]
	first, third = remittance.claims
	assert (first.claim_id, third.claim_id) == ("CM-00001", "CM-00003")
	# The broken claim's SVC, CAS and REF stayed with it: the first claim is untouched.
	assert [s.control_number for s in first.services] == ["BL-1"]
	assert first.all_adjustments == (Adjustment("CO", "45", D("12.5")),)


def test_bad_adjustment_group_or_missing_amount():
	text = remittance_835(THREE)
	cas = position(text, "CAS*", 0)
	bad_group = text.replace("CAS*CO*45*12.5~", "CAS*XX*45*12.5~", 1)
	remittance, problems = read(bad_group)
	assert problems == [Problem(cas, "CAS", "CM-00001", r835.BAD_CODE)]
	assert claim_ids(remittance) == ["CM-00002", "CM-00003"]
	no_amount = text.replace("CAS*CO*45*12.5~", "CAS*CO*45~", 1)
	assert read(no_amount)[1] == [Problem(cas, "CAS", "CM-00001", r835.MISSING_VALUE)]
	bad_quantity = text.replace("CAS*CO*45*12.5~", "CAS*CO*45*12.5*two~", 1)
	assert read(bad_quantity)[1] == [Problem(cas, "CAS", "CM-00001", r835.BAD_QUANTITY)]


@pytest.mark.parametrize(
	"old, new, segment_id, reason",
	[
		("SVC*HC:99490*62*49.5**1", "S:C*HC:99490*62*49.5**1", "S:C", r835.UNEXPECTED_SEGMENT),
		("SVC*HC:99490*62*49.5**1", "N1*HC:99490*62*49.5**1", "N1", r835.UNEXPECTED_SEGMENT),
		("SVC*HC:99490*62*49.5**1", "SVC*H-C:99490*62*49.5**1", "SVC", r835.BAD_CODE),
		("SVC*HC:99490*62*49.5**1", "SVC*HC:99490:2*62*49.5**1", "SVC", r835.BAD_CODE),
		("SVC*HC:99490*62*49.5**1", "SVC*HC*62*49.5**1", "SVC", r835.MISSING_VALUE),
		("SVC*HC:99490*62*49.5**1", "SVC*HC:99490*62*49.5**x", "SVC", r835.BAD_QUANTITY),
		("DTM*472*20261130", "DTM*9*20261130", "DTM", r835.BAD_CODE),
		("REF*6R*BL-2", "REF*xBL-2", "REF", r835.BAD_CODE),
		("REF*6R*BL-2", "REF*6R", "REF", r835.MISSING_VALUE),
		("CAS*CO*45*12.5", "CAS*CO*4 5*12.5", "CAS", r835.BAD_CODE),
		("NM1*QC*1*DOE*JANE", "NM1*QCx1*DOE*JANE", "NM1", r835.BAD_CODE),
		("CLP*CM-00002*1*62*49.5*0*MB*", "CLP*CM-00002*1*62*49.5*0*MBX*", "CLP", r835.BAD_CODE),
	],
)
def test_damaged_segment_in_a_claim_leaves_it_out(old, new, segment_id, reason):
	original = remittance_835(THREE)
	second = position(original, "CLP*CM-00002*")
	numbers = [n for n, s in enumerate(segments(original), 1) if n >= second and s.startswith(old)]
	assert numbers, old
	segs = segments(original)
	segs[numbers[0] - 1] = segs[numbers[0] - 1].replace(old, new)
	remittance, problems = read(with_se_recount(segs))
	assert problems == [Problem(numbers[0], segment_id, "CM-00002", reason)]
	assert claim_ids(remittance) == ["CM-00001", "CM-00003"]


def test_remark_codes_are_checked():
	text = remittance_835([ADJUSTED])
	assert read(text.replace("LQ*HE*N130~", "LQ*HE*N-130~"))[1] == [
		Problem(position(text, "LQ*"), "LQ", "CM-202611-0002", r835.BAD_CODE)
	]
	assert read_clean(text.replace("LQ*HE*N130~", "LQ*RX*N130~")).claims[0].services[0].remark_codes == ()


def test_damaged_segment_in_the_header_is_a_transaction_problem():
	text = remittance_835([PAID]).replace("PER*BL*", "PEX*BL*")
	remittance, problems = read(text)
	assert problems == [Problem(position(text, "PEX*"), "PEX", "", r835.UNEXPECTED_SEGMENT)]
	assert remittance.transaction_problems == tuple(problems)
	assert claim_ids(remittance) == ["CM-202611-0001"]


def test_unknown_provider_adjustment_reason():
	text = remittance_835([PAID], provider_adjustments=[("WO", "ABC123", "5")]).replace(
		"WO:ABC123", "W0:ABC123"
	)
	remittance, problems = read(text)
	assert problems == [Problem(position(text, "PLB*"), "PLB", "", r835.BAD_CODE)]
	assert remittance.transaction_problems == tuple(problems)


def test_commercial_filing_code_as_the_837_sent_it_is_read():
	(commercial,) = read_clean(remittance_835([dict(PAID, filing_code="CI")])).claims
	assert commercial.filing_code == "CI"


def test_service_before_any_claim():
	text = remittance_835(THREE)
	lx = position(text, "LX*")
	text = edit(text, "LX*1~", "LX*1~SVC*HC:99490*62*62**1~DTM*472*20261130~CAS*CO*45*0~")
	remittance, problems = read(text)
	assert problems == [Problem(lx + 1, "SVC", "", r835.SERVICE_WITHOUT_CLAIM)]
	assert claim_ids(remittance) == ["CM-00001", "CM-00002", "CM-00003"]
	assert [len(c.services) for c in remittance.claims] == [1, 1, 1]
	assert remittance.transaction_problems == ()


def test_adjustment_before_any_claim():
	text = edit(remittance_835(THREE), "LX*1~", "LX*1~CAS*CO*45*1~")
	remittance, problems = read(text)
	assert problems == [Problem(position(text, "LX*") + 1, "CAS", "", r835.ADJUSTMENT_WITHOUT_CLAIM)]
	assert claim_ids(remittance) == ["CM-00001", "CM-00002", "CM-00003"]


def test_unbalanced_claim_is_left_out():
	text = replace_segment(remittance_835(THREE), "CLP*CM-00002*", "CLP*CM-00002*1*63*49.5*0*MB*ICN-2")
	remittance, problems = read(text)
	assert problems == [Problem(position(text, "CLP*CM-00002*"), "CLP", "CM-00002", r835.CLAIM_NOT_BALANCED)]
	assert claim_ids(remittance) == ["CM-00001", "CM-00003"]
	assert remittance.transaction_problems == ()


def test_unbalanced_claim_without_services():
	text = remittance_835([NO_SERVICES]).replace("CAS*PR*3*10~", "CAS*PR*3*10.01~")
	remittance, problems = read(text)
	assert problems == [Problem(position(text, "CLP*"), "CLP", "CM-202611-0006", r835.CLAIM_NOT_BALANCED)]
	assert remittance.claims == ()


def test_unbalanced_service_is_left_out_with_its_claim():
	text = remittance_835([TWO_SERVICES]).replace("CAS*CO*45*19**253*1.52~", "CAS*CO*45*19**253*1.5~")
	remittance, problems = read(text)
	# The claim does not balance either, once its service does not.
	assert problems == [
		Problem(position(text, "CLP*"), "CLP", "CM-202611-0005", r835.CLAIM_NOT_BALANCED),
		Problem(position(text, "SVC*", 1), "SVC", "CM-202611-0005", r835.SERVICE_NOT_BALANCED),
	]
	assert remittance.claims == ()


def test_service_that_balances_inside_an_unbalanced_claim():
	# The claim says 1 cent more was paid than its services account for.
	text = remittance_835([TWO_SERVICES]).replace(
		"CLP*CM-202611-0005*1*157*123.98*", "CLP*CM-202611-0005*1*157*123.99*"
	)
	remittance, problems = read(text)
	# Problems come in segment order: the BPR's total, then the claim.
	assert [p.reason for p in problems] == [r835.TOTAL_NOT_BALANCED, r835.CLAIM_NOT_BALANCED]
	assert remittance.claims == ()


# ---------------------------------------------------------------- hostile transactions


def test_unbalanced_total_returns_the_remittance_marked_unsafe():
	text = remittance_835(THREE, total_paid="148.49")
	remittance, problems = read(text)
	problem = Problem(position(text, "BPR*"), "BPR", "", r835.TOTAL_NOT_BALANCED)
	assert problems == [problem]
	assert remittance.transaction_problems == (problem,)
	assert claim_ids(remittance) == ["CM-00001", "CM-00002", "CM-00003"]
	assert remittance.total_paid == D("148.49")


def test_total_counts_the_payment_of_a_claim_left_out():
	text = replace_segment(remittance_835(THREE), "CLP*CM-00002*", "CLP*CM-00002*1*63*49.5*0*MB*ICN-2")
	assert read(text)[0].total_paid == D("148.5")  # 3 x 49.50: the held claim was paid too


def test_missing_bpr_returns_what_could_be_read():
	text = remittance_835([PAID])
	st = position(text, "ST*")
	text = with_se_recount([s for s in segments(text) if not s.startswith("BPR*")])
	remittance, problems = read(text)
	assert problems == [Problem(st, "BPR", "", r835.MISSING_PAYMENT)]
	assert remittance.transaction_problems == tuple(problems)
	assert (remittance.total_paid, remittance.handling_code, remittance.payment_date) == (D(0), "", None)
	assert remittance.trace_number == "EFT0001"
	assert claim_ids(remittance) == ["CM-202611-0001"]


@pytest.mark.parametrize(
	"bpr, reasons, total, paid_on",
	[
		("BPR*I*6,2*C*ACH", [r835.BAD_AMOUNT, r835.MISSING_VALUE], D(0), None),
		("BPR*I*62*C*ACH************20261340", [r835.BAD_DATE], D(62), None),
		("BPR*I*62*X*CASH************20261215", [r835.BAD_CODE, r835.BAD_CODE], D(62), date(2026, 12, 15)),
		("BPR", [r835.MISSING_VALUE] * 5, D(0), None),
	],
)
def test_bad_bpr_returns_what_could_be_read(bpr, reasons, total, paid_on):
	text = replace_segment(remittance_835([PAID]), "BPR*", bpr)
	remittance, problems = read(text)
	assert problems == [Problem(4, "BPR", "", reason) for reason in reasons]
	assert remittance.transaction_problems == tuple(problems)
	assert (remittance.total_paid, remittance.payment_date) == (total, paid_on)
	assert claim_ids(remittance) == ["CM-202611-0001"]


def test_missing_trace_payer_and_payee():
	text = remittance_835([PAID])
	kept = [s for s in segments(text) if not s.startswith(("TRN*", "N1*PR*", "N1*PE*"))]
	remittance, problems = read(with_se_recount(kept))
	assert problems == [
		Problem(3, "TRN", "", r835.MISSING_TRACE),
		Problem(3, "N1", "", r835.MISSING_PAYER),
		Problem(3, "N1", "", r835.MISSING_PAYEE),
	]
	assert (remittance.trace_number, remittance.payer_name, remittance.payee_npi) == ("", "", "")
	# Without its N1*PR the REF*2U belongs to no payer loop, and there is no TRN03.
	assert remittance.payer_id == ""


@pytest.mark.parametrize(
	"segment, reason",
	[
		("TRN*1*EFT0001", r835.MISSING_VALUE),
		("TRN*2*EFT0001*1123456789", r835.BAD_CODE),
		("TRN", r835.MISSING_VALUE),
		("N1*PE*GOOD HEALTH CLINIC", r835.MISSING_VALUE),
		("N1*PE", r835.MISSING_VALUE),
	],
)
def test_bad_trace_or_payee(segment, reason):
	prefix = "TRN*" if segment.startswith("TRN") else "N1*PE*"
	text = replace_segment(remittance_835([PAID]), prefix, segment)
	remittance, problems = read(text)
	assert problems == [Problem(position(text, segment), segment.split("*")[0], "", reason)]
	assert remittance.transaction_problems == tuple(problems)


def test_bad_provider_adjustment_is_a_transaction_problem():
	text = remittance_835([PAID], provider_adjustments=[("WO", "ABC123", "5")])
	text = text.replace("WO:ABC123*5~", "WO:ABC123*5.x~")
	remittance, problems = read(text)
	assert problems == [Problem(position(text, "PLB*"), "PLB", "", r835.BAD_AMOUNT)]
	assert remittance.transaction_problems == tuple(problems)
	assert remittance.provider_adjustments == ()
	assert claim_ids(remittance) == ["CM-202611-0001"]


@pytest.mark.parametrize("se", ["SE*19*0001", "SE*21*0001", "SE*20*0002", "SE*20", "SE*x*0001", "SE"])
def test_se_that_does_not_match(se):
	text = remittance_835([PAID])
	assert "SE*20*0001~" in text
	text = replace_segment(text, "SE*", se)
	remittance, problems = read(text)
	assert problems == [Problem(position(text, "SE"), "SE", "", r835.TRAILER_MISMATCH)]
	assert remittance.transaction_problems == tuple(problems)


def test_envelope_mismatch_belongs_to_no_remittance():
	text = (
		remittance_835([PAID]).replace("GE*1*1~", "GE*2*1~").replace("IEA*1*000000001~", "IEA*1*000000002~")
	)
	remittance, problems = read(text)
	assert problems == [
		Problem(position(text, "GE*"), "GE", "", r835.ENVELOPE_MISMATCH),
		Problem(position(text, "IEA*"), "IEA", "", r835.ENVELOPE_MISMATCH),
	]
	assert remittance.transaction_problems == ()


def test_a_set_whose_st_is_damaged_is_reported_not_lost():
	text = interchange(
		[transaction_set([PAID], control_number=1), transaction_set([DENIED], control_number=2)]
	)
	damaged = text.replace("ST*835*0002~", "S*835*0002~")
	remittance, problems = read(damaged)
	assert problems == [
		Problem(position(damaged, "S*835*"), "S", "", r835.UNEXPECTED_SEGMENT),
		Problem(position(damaged, "GE*"), "GE", "", r835.ENVELOPE_MISMATCH),  # GE01 still counts two sets
	]
	assert remittance.control_number == "0001"
	assert remittance.transaction_problems == ()


def test_a_file_cut_short_never_raises_and_never_passes():
	text = remittance_835([PAID, TWO_SERVICES, DENIED], provider_adjustments=[("WO", "X1", "1")])
	whole = text.rstrip("~\n")
	for cut in range(len(text)):
		remittances, problems = parse_835(text[:cut])
		if text[:cut].rstrip("~\n") == whole:
			assert problems == []
			continue
		assert problems, cut
		assert all(p.reason in REASONS for p in problems)
		for remittance in remittances:
			for paid in remittance.claims:  # what is returned is whole and balanced
				assert paid.charge - paid.paid == sum((a.amount for a in paid.all_adjustments), D(0))


@pytest.mark.parametrize("before", ["CLP*CM-202611-0005*", "SE*"])
def test_a_remittance_cut_before_its_se_is_returned_unsafe(before):
	text = remittance_835([PAID, TWO_SERVICES])
	cut = text[: text.index(before)]
	remittance, problems = read(cut)
	end = len(segments(cut)) + 1
	assert Problem(end, "SE", "", r835.TRANSACTION_CUT_SHORT) in remittance.transaction_problems
	assert problems[-1] == Problem(end, "IEA", "", r835.FILE_CUT_SHORT)
	assert claim_ids(remittance) == ["CM-202611-0001", "CM-202611-0005"][: 1 if "CLP" in before else 2]


def test_a_file_cut_between_sets_keeps_the_whole_set():
	text = interchange(
		[transaction_set([PAID], control_number=1), transaction_set([DENIED], control_number=2)]
	)
	cut = text[: text.index("ST*835*0002")]
	remittance, problems = read(cut)
	assert problems == [Problem(len(segments(cut)) + 1, "IEA", "", r835.FILE_CUT_SHORT)]
	assert remittance.transaction_problems == ()


def test_random_damage_never_raises():
	"""Delimiters, digits and letters dropped into a good file at random: whatever
	comes back is whole, balanced and explained in the module's own sentences."""
	text = remittance_835(
		[PAID, ADJUSTED, DENIED, REVERSAL, CORRECTION, TWO_SERVICES, NO_SERVICES],
		provider_adjustments=[("WO", "ABC123", "5")],
	)
	chaos = random.Random(835)
	damaged_files = 0
	for _ in range(400):
		chars = list(text)
		for _ in range(chaos.randint(1, 4)):
			at = chaos.randrange(106, len(chars))
			chars[at : at + chaos.randint(0, 3)] = chaos.choice(
				["*", ":", "~", "", "-", "9", ".", "x", "ISA*"]
			)
		damaged = "".join(chars)
		remittances, problems = parse_835(damaged)
		assert all(p.reason in REASONS for p in problems)
		damaged_files += bool(problems)
		for remittance in remittances:
			for paid in remittance.claims:
				assert paid.claim_id
				assert paid.charge - paid.paid == sum((a.amount for a in paid.all_adjustments), D(0))
				for service in paid.services:
					assert service.charge - service.paid == sum((a.amount for a in service.adjustments), D(0))
	# Most damage is caught; the rest changed a name, an ID or text nothing checks.
	assert damaged_files > 300


# ---------------------------------------------------------------- size


def test_five_thousand_claims():
	claims = [claim(n, charge=str(60 + n % 7)) for n in range(5000)]
	text = remittance_835(claims, provider_adjustments=[("WO", "ABC123", "5")])
	remittance = read_clean(text)
	assert len(remittance.claims) == 5000
	assert remittance.claims[4999].claim_id == "CM-04999"
	assert remittance.claims[4999].segment_number == position(text, "CLP*CM-04999*")
	assert remittance.total_paid == sum((c.paid for c in remittance.claims), D(0)) - 5
