"""CMS-HCC V28 scores, checked against CMS's published 2026 tables by hand."""

from importlib.metadata import version

import pytest

from care_management.domain import hcc_risk


def test_the_pinned_model_package():
	assert version(hcc_risk.PACKAGE) == "0.4.0"


def test_a_worked_example_from_the_2026_v28_community_table():
	# Woman of 72, community, non-dual, aged. From the 2026 V28 CNA coefficients:
	#   F70-74                                     0.395
	#   E11.9  -> HCC 38  Diabetes w/o complication 0.166
	#   I50.9  -> HCC 226 Heart failure             0.360
	#   J44.9  -> HCC 280 COPD                      0.319
	#   N18.30 -> HCC 329 CKD stage 3               0.127
	#   DIABETES_HF_V28                             0.112
	#   HF_CHR_LUNG_V28                             0.078
	#   HF_KIDNEY_V28                               0.176
	#   D4 (four payment HCCs)                      0.000
	#                                       total   1.733
	score = hcc_risk.hcc_score(["E11.9", "I50.9", "J44.9", "N18.30"], age=72, sex="Female")
	assert score.score == pytest.approx(1.733)
	assert score.hccs == ("38", "226", "280", "329")
	assert score.segment == "community, non-dual, aged"
	assert "HCC 226" in score.explanation()


def test_hierarchies_keep_the_most_severe_hcc_of_a_family():
	# E11.22 (diabetic CKD) is HCC 37, which outranks HCC 38 (E11.9); N18.6 (ESRD,
	# HCC 326) outranks N18.30 (HCC 329).
	assert hcc_risk.hcc_score(["E11.9", "e1122"], age=80, sex="M").hccs == ("37",)
	assert hcc_risk.hcc_score(["N18.30", "N18.6"], age=80, sex="M").hccs == ("326",)


def test_no_diagnoses_is_the_demographic_cell_alone():
	assert hcc_risk.hcc_score([], age=72, sex="F").score == pytest.approx(0.395)
	# Codes that map to no HCC (hypertension, a category, nonsense) add nothing.
	assert hcc_risk.hcc_score(["I10", "E11", "Z99.99"], age=72, sex="F").hccs == ()


def test_unknown_age_or_sex_gives_no_score():
	assert hcc_risk.hcc_score(["E11.9"], age=None, sex="F") is None
	assert hcc_risk.hcc_score(["E11.9"], age=70, sex="") is None
	assert hcc_risk.hcc_score(["E11.9"], age=70, sex="Other") is None


def test_under_65_is_scored_in_the_disabled_segment():
	assert hcc_risk.hcc_score(["E11.9"], age=50, sex="F").segment == "community, non-dual, disabled"
