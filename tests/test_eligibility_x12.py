"""270 eligibility inquiries and 271 responses (005010X279A1): the batch 270 the
app writes and the 271s it reads, checked by linuxforhealth-x12."""

from datetime import date, datetime

import pytest
from lfh_x12_checks import lfh_read
from x12_checks import segments
from x12_checks import with_se_recount as recount

from care_management.domain import eligibility_x12 as ex

SERVICE_DAY = date(2026, 11, 1)
PROVIDER = ex.Provider("Good Health Clinic", "1234567893", "12-3456789")


def member(trace="COV-00001", member_id="1EG4TE5MK73", last="Doe", first="Jane") -> ex.Member:
	return ex.Member(
		trace, "Medicare Part B", "12345", member_id, last, first, date(1950, 1, 2), "F", SERVICE_DAY
	)


def inquiry(*members) -> ex.Inquiry:
	return ex.Inquiry(
		"SENDER01",
		"RCV01",
		42,
		datetime(2026, 12, 1, 10, 30),
		PROVIDER,
		members or (member(), member("COV-00002", "2EG4TE5MK73", "Roe", "Rick")),
		usage="T",
	)


def test_a_batch_270_passes_linuxforhealth():
	text = ex.render_270(inquiry())
	assert lfh_read(text) == {"ok": True, "models": ["EligibilityInquiry"]}
	segs = segments(text)
	assert "GS*HS*SENDER01*RCV01*20261201*1030*42*X*005010X279A1" in segs
	assert "ST*270*0042*005010X279A1" in segs
	assert segs.count("EQ*30") == 2
	assert "TRN*1*COV-00002*1123456789" in segs
	assert "NM1*IL*1*ROE*RICK****MI*2EG4TE5MK73" in segs
	assert "DTP*291*D8*20261101" in segs
	se = next(s for s in segs if s.startswith("SE*"))
	assert se == f"SE*{segs.index(se) - 1}*0042"


@pytest.mark.parametrize("prefix", ["BHT*", "NM1*PR*", "NM1*1P*", "NM1*IL*", "HL*3*"])
def test_linuxforhealth_refuses_a_270_without_a_required_segment(prefix):
	segs = segments(ex.render_270(inquiry(member())))
	kept = [s for s in segs if not s.startswith(prefix)]
	assert len(kept) < len(segs)
	assert lfh_read(recount(kept))["ok"] is False


# ---------------------------------------------------------------- 271


def answer_set(control: str, subscribers: list[list[str]]) -> list[str]:
	"""One 271 set: per subscriber its payer and receiver levels (as the 270 asked)."""
	body = [f"ST*271*{control}*005010X279A1", f"BHT*0022*11*{control}*20261202*0900"]
	hl = 0
	for subscriber in subscribers:
		body += [
			f"HL*{hl + 1}**20*1",
			"NM1*PR*2*MEDICARE PART B*****PI*12345",
			f"HL*{hl + 2}*{hl + 1}*21*1",
			"NM1*1P*2*GOOD HEALTH CLINIC*****XX*1234567893",
			f"HL*{hl + 3}*{hl + 2}*22*0",
			*subscriber,
		]
		hl += 3
	body.append(f"SE*{len(body) + 1}*{control}")
	return body


def interchange(*sets: list[str]) -> list[str]:
	return [
		"ISA*00*          *00*          *ZZ*RCV01          *ZZ*SENDER01       *261202*0900*^*00501*000000077*0*T*:",
		"GS*HB*RCV01*SENDER01*20261202*0900*77*X*005010X279A1",
		*[s for one in sets for s in one],
		f"GE*{len(sets)}*77",
		"IEA*1*000000077",
	]


ACTIVE = [
	"TRN*2*COV-00001*1123456789",
	"NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73",
	"DMG*D8*19500102*F",
	"DTP*291*D8*20261101",
	"EB*1*IND*30*MB*MEDICARE PART B",
	"EB*1*IND*30*QM",
]
INACTIVE = [
	"TRN*2*COV-00002*1123456789",
	"NM1*IL*1*ROE*RICK****MI*2EG4TE5MK73",
	"DTP*291*D8*20261101",
	"EB*6*IND*30*MB",
]
ADVANTAGE = [
	"TRN*2*COV-00003*1123456789",
	"NM1*IL*1*POE*PAT****MI*3EG4TE5MK73",
	"EB*1*IND*30*MA",
	"EB*R**30*HN",
	"LS*2120",
	"NM1*PRP*2*SUNSHINE ADVANTAGE PLAN*****PI*H1234",
	"LE*2120",
	"EB*R**30*MC",
]
NOT_FOUND = [
	"TRN*2*COV-00004*1123456789",
	"NM1*IL*1*NOE*NED****MI*4EG4TE5MK73",
	"AAA*Y**75*C",
]


def text_of(segs: list[str], terminator="~\n") -> str:
	return terminator.join(segs) + terminator


def test_what_a_271_says_of_each_subscriber():
	# linuxforhealth-x12 0.57 checks a subscriber's AAA against the receiver's codes (it has no 72
	# or 75 there), so the file it checks leaves out the subscriber the payer did not find.
	checked = text_of(interchange(answer_set("0001", [ACTIVE, INACTIVE, ADVANTAGE])))
	assert lfh_read(checked) == {"ok": True, "models": ["EligibilityBenefit"]}
	text = text_of(interchange(answer_set("0001", [ACTIVE, INACTIVE, ADVANTAGE, NOT_FOUND])))
	answers, problems = ex.parse_271(text)
	assert problems == []
	by_trace = {a.trace_number: a for a in answers}
	active = by_trace["COV-00001"]
	assert (active.status, active.qmb, active.medicare_advantage) == (ex.ACTIVE, True, False)
	assert active.plan_types == ("MB", "QM") and active.plan_description == "MEDICARE PART B"
	assert active.member_id == "1EG4TE5MK73" and "EB*1*IND*30*MB" in active.raw
	assert by_trace["COV-00002"].status == ex.INACTIVE
	advantage = by_trace["COV-00003"]
	assert advantage.medicare_advantage and advantage.medicare_advantage_plan == "SUNSHINE ADVANTAGE PLAN"
	assert advantage.medicaid and advantage.status == ex.ACTIVE
	missing = by_trace["COV-00004"]
	assert (missing.status, missing.rejections) == (ex.UNKNOWN, ("75",))


@pytest.mark.parametrize("terminator", ["~", "~\r\n", "~\n"])
def test_one_line_crlf_and_several_sets_read_the_same(terminator):
	text = text_of(
		interchange(answer_set("0001", [ACTIVE]), answer_set("0002", [INACTIVE, ADVANTAGE])), terminator
	)
	answers, problems = ex.parse_271(text)
	assert problems == []
	assert [a.trace_number for a in answers] == ["COV-00001", "COV-00002", "COV-00003"]


def test_a_set_cut_short_or_miscounted_is_refused_whole_and_the_others_kept():
	good = answer_set("0001", [ACTIVE])
	miscounted = answer_set("0002", [INACTIVE, ADVANTAGE])
	miscounted = [s for s in miscounted if not s.startswith("EB*R**30*MC")]  # SE01 now counts one too many
	answers, problems = ex.parse_271(text_of(interchange(good, miscounted)))
	assert [a.trace_number for a in answers] == ["COV-00001"]
	assert [p.reason for p in problems] == [ex.TRAILER_MISMATCH]
	cut = interchange(good, answer_set("0003", [INACTIVE]))[:-4]
	answers, problems = ex.parse_271(text_of(cut))
	assert [a.trace_number for a in answers] == ["COV-00001"]
	assert [p.reason for p in problems] == [ex.CUT_SHORT]


def test_hostile_and_foreign_files_are_refused():
	assert ex.parse_271("") == ([], [ex.Problem(1, "ISA", "", ex.NOT_X12)])
	assert ex.parse_271("<html>not x12</html>")[1][0].reason == ex.NOT_X12
	claim_file = text_of(interchange(["ST*837*0001*005010X222A1", "SE*2*0001"]))
	answers, problems = ex.parse_271(claim_file)
	assert answers == [] and problems[0].reason == ex.NOT_271
	untraced = [s for s in ACTIVE if not s.startswith("TRN*")]
	answers, problems = ex.parse_271(text_of(interchange(answer_set("0001", [untraced, INACTIVE]))))
	assert [a.trace_number for a in answers] == ["COV-00002"]
	assert [p.reason for p in problems] == [ex.NO_TRACE]


@pytest.mark.parametrize("prefix", ["BHT*", "NM1*PR*", "NM1*IL*"])
def test_linuxforhealth_refuses_a_271_without_a_required_segment(prefix):
	segs = interchange(answer_set("0001", [INACTIVE]))
	kept = [s for s in segs if not s.startswith(prefix)]
	assert len(kept) < len(segs)
	assert lfh_read(recount(kept))["ok"] is False
