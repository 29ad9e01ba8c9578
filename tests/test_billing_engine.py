"""Every worked check and exclusion of billing-rules-2026.md, and the month,
cap and year boundaries around them."""

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from care_management.domain.billing.engine import EnrollmentFacts, PeriodFacts, TransitionFacts, evaluate
from care_management.domain.billing.rules import ordered_rules, rules_in_force

SEED = (
	Path(__file__).resolve().parent.parent
	/ "care_management"
	/ "setup"
	/ "seed_data"
	/ "billing_codes_2026.json"
)
RULES = rules_in_force(ordered_rules(json.loads(SEED.read_text())), date(2026, 3, 15))
CS, MD, BH, CHW = (
	"Clinical Staff",
	"Physician/QHP",
	"Behavioral Health Care Manager",
	"Community Health Worker / Navigator",
)
MARCH = date(2026, 3, 1)


def enrolled(*programs, consented=True, practitioner="DR-1", first_month=False):
	return [EnrollmentFacts(p, practitioner, consented, first_month) for p in programs]


def ccm(minutes, conditions=2, consented=True, plan=True, performer=CS):
	return PeriodFacts(
		month=MARCH,
		enrollments=enrolled("CCM", consented=consented),
		minutes={("CCM", performer): minutes},
		care_plan_active=plan,
		chronic_conditions=conditions,
	)


def reasons(evaluation):
	return [r.text for r in evaluation.reasons]


# --- worked checks -----------------------------------------------------------


def test_19_minutes_is_one_minute_short_of_99490():
	result = evaluate(ccm(19), RULES)
	assert result.lines == []
	assert "1 minute short of 99490" in reasons(result)


def test_45_minutes_bill_99490_and_one_99439():
	assert evaluate(ccm(45), RULES).codes() == {"99490": 1, "99439": 1}


def test_65_minutes_bill_two_99439_and_85_stay_capped_at_two():
	assert evaluate(ccm(65), RULES).codes() == {"99490": 1, "99439": 2}
	capped = evaluate(ccm(85), RULES)
	assert capped.codes() == {"99490": 1, "99439": 2}
	assert any("capped at 2 units" in text for text in reasons(capped))


def test_no_consent_means_nothing_billable():
	result = evaluate(ccm(40, consented=False), RULES)
	assert result.lines == []
	assert any("no consent on the CCM enrollment" in text for text in reasons(result))


def test_one_chronic_condition_is_not_ccm_but_pcm_when_enrolled():
	only_ccm = evaluate(ccm(40, conditions=1), RULES)
	assert only_ccm.lines == []
	assert any("needs 2 chronic conditions; the care plan has 1" in text for text in reasons(only_ccm))
	facts = replace(ccm(40, conditions=1), enrollments=enrolled("CCM", "PCM"), minutes={("PCM", CS): 40})
	assert evaluate(facts, RULES).codes() == {"99426": 1}


def rpm(device_days, minutes, interactive=True):
	return PeriodFacts(
		month=MARCH,
		enrollments=enrolled("RPM"),
		minutes={("RPM", CS): minutes},
		interactive_programs={"RPM"} if interactive else set(),
		device_days=device_days,
	)


def test_rpm_12_days_and_25_minutes_bill_99445_and_99457():
	result = evaluate(rpm(12, 25), RULES)
	assert result.codes() == {"99445": 1, "99457": 1}
	assert "99454 needs 16 days of device data; 12 recorded, 99445 billed instead" in reasons(result)


def test_rpm_18_days_and_12_interactive_minutes_bill_99454_and_99470():
	assert evaluate(rpm(18, 12), RULES).codes() == {"99454": 1, "99470": 1}


# --- exclusions --------------------------------------------------------------


def test_99490_and_99491_are_one_or_the_other_for_a_practitioner():
	facts = replace(ccm(25), minutes={("CCM", CS): 25, ("CCM", MD): 35})
	result = evaluate(facts, RULES)
	# 99490 comes first in the seeded priority; the practitioner's 35 minutes are not moved onto it.
	assert result.codes() == {"99490": 1}
	assert "99491 not billed: 99490 is billed this period and they may not be combined" in reasons(result)
	other_practitioner = replace(
		facts, enrollments=[EnrollmentFacts("CCM", "DR-1", True)], minutes={("CCM", MD): 35}
	)
	assert evaluate(other_practitioner, RULES).codes() == {"99491": 1}


def test_ccm_and_complex_ccm_never_together():
	facts = PeriodFacts(
		month=MARCH,
		enrollments=enrolled("CCM", "Complex CCM"),
		minutes={("CCM", CS): 25, ("Complex CCM", CS): 65},
		care_plan_active=True,
		chronic_conditions=3,
	)
	assert evaluate(facts, RULES).codes() == {"99487": 1}


def test_ccm_and_pcm_not_by_the_same_practitioner_but_allowed_by_two():
	facts = PeriodFacts(
		month=MARCH,
		enrollments=enrolled("CCM", "PCM"),
		minutes={("CCM", CS): 25, ("PCM", CS): 35},
		care_plan_active=True,
		chronic_conditions=2,
	)
	assert set(evaluate(facts, RULES).codes()) == {"99490"}
	two = replace(
		facts, enrollments=[EnrollmentFacts("CCM", "DR-1", True), EnrollmentFacts("PCM", "DR-2", True)]
	)
	assert set(evaluate(two, RULES).codes()) == {"99490", "99426"}


def test_ccm_with_tcm_rpm_and_bhi_on_separate_minutes_is_allowed():
	facts = PeriodFacts(
		month=MARCH,
		enrollments=enrolled("CCM", "RPM", "BHI", "TCM"),
		minutes={("CCM", CS): 20, ("RPM", CS): 20, ("BHI", CS): 20},
		interactive_programs={"RPM"},
		care_plan_active=True,
		chronic_conditions=2,
		device_days=20,
		transition=TransitionFacts(date(2026, 3, 2), 1, 6, date(2026, 3, 8), True, "High"),
	)
	assert evaluate(facts, RULES).codes() == {"99490": 1, "99457": 1, "99454": 1, "99484": 1, "99496": 1}


def test_99484_and_cocm_not_by_the_same_practitioner():
	facts = PeriodFacts(
		month=MARCH,
		enrollments=enrolled("CoCM", "BHI", first_month=True),
		minutes={("CoCM", BH): 75, ("BHI", CS): 25},
	)
	assert evaluate(facts, RULES).codes() == {"99492": 1}


def test_99445_and_99454_never_together_and_99470_never_with_99457():
	assert "99445" not in evaluate(rpm(20, 25), RULES).codes()
	assert evaluate(rpm(20, 25), RULES).codes() == {"99454": 1, "99457": 1}


def test_apcm_bundles_ccm_for_the_same_practitioner():
	facts = PeriodFacts(
		month=MARCH,
		enrollments=enrolled("APCM", "CCM"),
		minutes={("CCM", CS): 30},
		care_plan_active=True,
		chronic_conditions=3,
	)
	result = evaluate(facts, RULES)
	assert result.codes() == {"G0557": 1}
	assert any(text.startswith("99490 not billed") for text in reasons(result))


def test_apcm_level_follows_conditions_and_qmb():
	base = PeriodFacts(month=MARCH, enrollments=enrolled("APCM"), chronic_conditions=1)
	assert evaluate(base, RULES).codes() == {"G0556": 1}
	assert evaluate(replace(base, chronic_conditions=2), RULES).codes() == {"G0557": 1}
	assert evaluate(replace(base, chronic_conditions=2, qmb=True), RULES).codes() == {"G0558": 1}


def test_apcm_allows_chi_and_rpm():
	chi = EnrollmentFacts("CHI", "DR-1", consented=True, initiating_visit=True)
	facts = PeriodFacts(
		month=MARCH,
		enrollments=[*enrolled("APCM"), chi, *enrolled("RPM")],
		minutes={("CHI", CHW): 95, ("RPM", CS): 12},
		interactive_programs={"RPM"},
		chronic_conditions=2,
		device_days=3,
	)
	assert evaluate(facts, RULES).codes() == {"G0557": 1, "G0019": 1, "G0022": 1, "99445": 1, "99470": 1}


def test_apcm_behavioral_add_on_needs_an_apcm_code():
	facts = PeriodFacts(month=MARCH, enrollments=enrolled("BHI"), minutes={("BHI", CS): 25})
	result = evaluate(facts, RULES)
	assert result.codes() == {"99484": 1}
	with_apcm = replace(facts, enrollments=enrolled("BHI", "APCM"), chronic_conditions=2)
	assert evaluate(with_apcm, RULES).codes() == {"G0557": 1, "G0570": 1}


# --- boundaries --------------------------------------------------------------


def test_unreached_attempts_do_not_count_because_they_never_reach_the_engine():
	# The engine sees only counted minutes; 0 minutes explains the whole threshold.
	assert "20 minutes short of 99490" in reasons(evaluate(ccm(0), RULES))


def test_add_on_needs_its_whole_block():
	result = evaluate(ccm(39), RULES)
	assert result.codes() == {"99490": 1}
	assert any(text.startswith("1 minute short of 99439") for text in reasons(result))


def test_cocm_first_month_and_later_months():
	first = PeriodFacts(
		month=MARCH, enrollments=enrolled("CoCM", first_month=True), minutes={("CoCM", BH): 100}
	)
	assert evaluate(first, RULES).codes() == {"99492": 1, "99494": 1}
	later = replace(first, enrollments=enrolled("CoCM", first_month=False))
	assert evaluate(later, RULES).codes() == {"99493": 1, "99494": 1}


def test_tcm_level_follows_face_to_face_timing_and_complexity():
	def tcm(days_to_visit, complexity, contact_days=2):
		return PeriodFacts(
			month=MARCH,
			enrollments=enrolled("TCM", consented=False),
			transition=TransitionFacts(
				date(2026, 3, 2),
				contact_days,
				days_to_visit,
				date(2026, 3, 2 + days_to_visit),
				True,
				complexity,
			),
		)

	assert evaluate(tcm(6, "High"), RULES).codes() == {"99496": 1}
	assert evaluate(tcm(10, "High"), RULES).codes() == {"99495": 1}
	assert evaluate(tcm(6, "Moderate"), RULES).codes() == {"99495": 1}
	late_call = evaluate(tcm(6, "High", contact_days=3), RULES)
	assert late_call.lines == []
	assert any("within 2 business days" in text for text in reasons(late_call))
	assert evaluate(tcm(6, "High"), RULES).lines[0].date_of_service == date(2026, 3, 8)


def test_monthly_codes_are_dated_at_month_end():
	assert evaluate(ccm(25), RULES).lines[0].date_of_service == date(2026, 3, 31)


def test_rules_change_between_years():
	records = json.loads(SEED.read_text())
	r2027 = [
		dict(r, effective_from="2027-01-01", effective_to=None)
		for r in records
		if r["code"] in ("99490", "99439")
	]
	for r in r2027:
		if r["code"] == "99490":
			r["first_unit_minutes"] = 15
	all_rules = ordered_rules(records + r2027)
	assert evaluate(ccm(17), rules_in_force(all_rules, date(2026, 12, 1))).lines == []
	assert evaluate(
		replace(ccm(17), month=date(2027, 1, 1)), rules_in_force(all_rules, date(2027, 1, 1))
	).codes() == {"99490": 1}


@pytest.mark.parametrize("program", ["CCM", "PCM", "RPM", "BHI", "CoCM", "CHI", "PIN"])
def test_no_enrollment_means_no_lines_and_no_noise(program):
	facts = PeriodFacts(month=MARCH, enrollments=[], minutes={(program, CS): 90})
	result = evaluate(facts, RULES)
	assert result.lines == [] and result.reasons == []


def test_an_empty_alternative_pool_is_not_reported_as_short():
	texts = reasons(evaluate(ccm(11), RULES))
	assert "9 minutes short of 99490" in texts
	assert not any("99491" in text for text in texts)
	assert reasons(evaluate(ccm(0), RULES)) == ["20 minutes short of 99490"]
