"""Programs offered as an addition or a switch, and the best-paying combination, from
the 2026 billing codes' own exclusions (the seed the app installs) and a price list."""

import json
from datetime import date
from pathlib import Path

import pytest

from care_management.domain.billing.rules import (
	PATIENT,
	SAME_PRACTITIONER,
	Exclusion,
	ordered_rules,
	rule_from_dict,
	rules_in_force,
)
from care_management.domain.program_offers import (
	ADD,
	SWITCH,
	Candidate,
	Catalogue,
	conflict,
	monthly_amount,
	offers,
	primary_rules,
)

SEED_DATA = Path(__file__).resolve().parent.parent / "care_management" / "setup" / "seed_data"
RULES = rules_in_force(
	ordered_rules(json.loads((SEED_DATA / "billing_codes_2026.json").read_text())), date(2026, 3, 15)
)
# The demo's price list (near the CY2026 national amounts): 99490 60, 99491 82, 99424 83,
# 99426 62, 99484 45, 99492 157, 99493 140, G0556 15, G0557 50, G0558 110, ...
PRICES = {k: v for k, v in json.loads((SEED_DATA / "demo_prices.json").read_text()).items() if k != "_note"}
PROGRAMS = ["CCM", "Complex CCM", "PCM", "RPM", "BHI", "CoCM", "TCM", "APCM", "CHI", "PIN"]
CATALOGUE = Catalogue(RULES, PRICES, {p: p for p in PROGRAMS})


def offer_of(found, program):
	return next(o for o in found if o.program == program)


def test_primary_codes_leave_out_add_ons_and_codes_billed_only_beside_another():
	assert [r.code for r in primary_rules(RULES, "CCM")] == ["99490", "99491"]
	assert [r.code for r in primary_rules(RULES, "APCM")] == ["G0558", "G0557", "G0556"]


def test_pcm_to_a_ccm_patient_is_a_switch_with_the_monthly_difference():
	found, best = offers(Candidate(current=("CCM",), qualifies_for=("PCM",), conditions=2), CATALOGUE)
	pcm = offer_of(found, "PCM")
	# 99490 and 99491 each exclude 99424 and 99426 (same practitioner).
	assert pcm.kind == SWITCH
	assert pcm.replaces == ("CCM",)
	assert pcm.conflict_scope == SAME_PRACTITIONER
	# PCM at least 62 (99426), CCM at least 60 (99490): +2 a month.
	assert pcm.monthly_amount == 62
	assert pcm.monthly_difference == pytest.approx(2)
	assert best == ("PCM",) and pcm.best


def test_bhi_is_an_addition_to_ccm_and_both_are_the_best_combination():
	found, best = offers(Candidate(current=("CCM",), qualifies_for=("BHI",), conditions=2), CATALOGUE)
	bhi = offer_of(found, "BHI")
	assert (bhi.kind, bhi.replaces, bhi.monthly_difference) == (ADD, (), 45)
	assert best == ("BHI", "CCM") and bhi.best


def test_cocm_to_a_bhi_patient_replaces_bhi():
	found, best = offers(Candidate(current=("BHI",), qualifies_for=("CoCM",)), CATALOGUE)
	cocm = offer_of(found, "CoCM")
	# 99492 and 99493 exclude 99484 (same practitioner); CoCM at least 140 (99493) against 45.
	assert (cocm.kind, cocm.replaces, cocm.monthly_difference) == (SWITCH, ("BHI",), 95)
	assert best == ("CoCM",)


def test_apcm_to_a_ccm_patient_is_a_switch_paying_by_the_patients_level():
	patient = Candidate(current=("CCM",), qualifies_for=("APCM", "RPM"), conditions=3)
	found, best = offers(patient, CATALOGUE)
	apcm = offer_of(found, "APCM")
	# G0556-G0558 each exclude 99490 and 99491. Three conditions, not QMB: G0557 (50).
	assert (apcm.kind, apcm.replaces, apcm.monthly_amount, apcm.monthly_difference) == (
		SWITCH,
		("CCM",),
		50,
		-10,
	)
	assert not apcm.best
	# RPM excludes nothing of CCM's: an addition, and in the best combination with CCM.
	assert offer_of(found, "RPM").kind == ADD
	assert best == ("CCM", "RPM")
	# A QMB patient's APCM (G0558, 110) pays more than CCM: the best combination switches.
	found, best = offers(
		Candidate(current=("CCM",), qualifies_for=("APCM",), qmb=True, conditions=3), CATALOGUE
	)
	assert offer_of(found, "APCM").monthly_difference == 50 and best == ("APCM",)


def test_complex_ccm_excludes_ccm_for_the_patient_whoever_bills():
	found, _best = offers(
		Candidate(current=("CCM",), qualifies_for=("Complex CCM",), conditions=2), CATALOGUE
	)
	assert offer_of(found, "Complex CCM").conflict_scope == PATIENT


def test_the_rule_reads_the_records_not_a_list_a_removed_exclusion_makes_an_addition():
	# Without 99490's and 99491's exclusions of the PCM codes, PCM adds to CCM.
	edited = [
		rule_from_dict({"code": r.code, "program": r.program, "excludes": []})
		if r.code in ("99490", "99491")
		else r
		for r in RULES
	]
	catalogue = Catalogue(edited, PRICES, {p: p for p in PROGRAMS})
	found, best = offers(Candidate(current=("CCM",), qualifies_for=("PCM",), conditions=2), catalogue)
	assert offer_of(found, "PCM").kind == ADD
	assert best == ("CCM", "PCM")


def test_an_exclusion_named_by_either_code_counts():
	a = rule_from_dict({"code": "A1", "program": "A", "excludes": [["B1", PATIENT]]})
	b = rule_from_dict({"code": "B1", "program": "B"})
	assert conflict([a], [b]) == conflict([b], [a]) == PATIENT
	# One pair free of exclusions is enough to bill both.
	b2 = rule_from_dict({"code": "B2", "program": "B"})
	assert conflict([a], [b, b2]) is None
	assert Exclusion("B1") in a.excludes


def test_a_program_without_billing_codes_or_prices_adds_and_counts_as_nothing():
	catalogue = Catalogue(RULES, {}, {"CCM": "CCM", "Wellness": None})
	found, best = offers(Candidate(current=("CCM",), qualifies_for=("Wellness",), conditions=2), catalogue)
	wellness = offer_of(found, "Wellness")
	assert (wellness.kind, wellness.monthly_amount, wellness.monthly_difference) == (ADD, 0, 0)
	# Nothing pays; keep what the patient is in.
	assert best == ("CCM",)


def test_monthly_amount_follows_the_codes_patient_conditions():
	apcm = primary_rules(RULES, "APCM")
	assert monthly_amount(apcm, PRICES, qmb=False, conditions=1) == 15  # G0556
	assert monthly_amount(apcm, PRICES, qmb=False, conditions=2) == 50  # G0557
	# G0558 comes first and excludes G0557 for the patient: the engine bills G0558.
	assert monthly_amount(apcm, PRICES, qmb=True, conditions=2) == 110
	# 99490 and 99491 exclude each other for one practitioner only: who does the work decides; the lower.
	assert monthly_amount(primary_rules(RULES, "CCM"), PRICES, qmb=False, conditions=2) == 60
	assert monthly_amount(primary_rules(RULES, "CCM"), PRICES, qmb=False, conditions=1) == 0
	# TCM: complexity is judged at the visit, so the moderate-complexity 99495 (200) is expected.
	assert monthly_amount(primary_rules(RULES, "TCM"), PRICES, qmb=False, conditions=0) == 200


def test_best_combination_among_several_current_and_offered_programs():
	patient = Candidate(current=("CCM", "BHI"), qualifies_for=("PCM", "CoCM", "RPM", "CHI"), conditions=2)
	found, best = offers(patient, CATALOGUE)
	# CoCM (140) instead of BHI (45), PCM (62) instead of CCM (60); RPM (20, 99453 the
	# lowest of its primary codes) and CHI (G0019, 80) add to any of them.
	assert offer_of(found, "CoCM").replaces == ("BHI",)
	assert offer_of(found, "PCM").replaces == ("CCM",)
	assert offer_of(found, "CHI").kind == ADD
	assert best == ("CHI", "CoCM", "PCM", "RPM")
	assert [o.program for o in found if not o.best] == []
