"""ICD-10-CM codes, checked against the official code set.

ICD-10-CM is published by CDC's National Center for Health Statistics and CMS
for free use; the code set (its tabular list: which codes exist, their official
descriptions, which are billable leaves) comes from the pinned
``simple-icd-10-cm`` package, which carries one release of the code set (see
``CODE_SET``). A practice moves to a newer release by upgrading that package
(bump its pin in pyproject.toml, then ``bench pip install``/``bench setup
requirements`` and restart).

The shape check (letter, digit, letter-or-digit, an optional dot and up to four
more characters) stays: it is what separates a code from the code set's
chapters ("4") and blocks ("E08-E13"), which the package also knows.

The package builds its whole tree (about 100,000 nodes) when first imported,
which takes a few seconds and some 150 MB: it is imported on first use, by the
code paths that check a code (a care plan's save, a claim file), never when
the app is loaded.
"""

import re
import warnings
from functools import cache, lru_cache

# The FHIR system URI of ICD-10-CM, which Healthcare's Code System records carry
# as their uri too, and the name the app gives the Code System it makes.
ICD10_CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10_CM_CODE_SYSTEM = "ICD-10-CM"

# The release the pinned package carries (simple-icd-10-cm 1.5.0: the April 1, 2026
# update of the FY2026 code set, for services from 2026-04-01).
CODE_SET = "ICD-10-CM April 1, 2026 (FY2026 update)"
CODE_SET_PACKAGE = "simple-icd-10-cm"

# Fixed sentences (no values in them) so the site can translate them.
NOT_A_CODE = "is not an ICD-10-CM code"
NOT_IN_CODE_SET = "is not in the ICD-10-CM code set"
NOT_BILLABLE = "is a category, not a billable code; use one of its more specific codes"

_ICD10_CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def normalise_icd10(code: str | None) -> str:
	"""Upper case, no spaces, and the dot after the third character that
	coders often leave out (E119 -> E11.9)."""
	code = "".join((code or "").split()).upper()
	if len(code) > 3 and "." not in code:
		code = f"{code[:3]}.{code[3:]}"
	return code


def is_icd10_cm(code: str) -> bool:
	"""Whether ``code`` has the shape of an ICD-10-CM code (whether it exists: ``icd10_problem``)."""
	return bool(_ICD10_CM.match(code))


@cache
def _code_set():
	# The package reads its data through importlib.resources' legacy calls, which
	# warn on every import; the warning is the package's, not ours to act on.
	with warnings.catch_warnings():
		warnings.simplefilter("ignore", DeprecationWarning)
		import simple_icd_10_cm

	return simple_icd_10_cm


@lru_cache(maxsize=8192)
def icd10_problem(code: str | None) -> str | None:
	"""What stops ``code`` (normalised) from going on a plan or a claim, if anything:
	it is no code, not in the code set, or a category whose more specific codes
	must be used."""
	code = normalise_icd10(code)
	if not is_icd10_cm(code):
		return NOT_A_CODE
	codes = _code_set()
	if not codes.is_valid_item(code):
		return NOT_IN_CODE_SET
	if not codes.is_leaf(code):
		return NOT_BILLABLE
	return None


def is_known(code: str | None) -> bool:
	return icd10_problem(code) in (None, NOT_BILLABLE)


def is_billable(code: str | None) -> bool:
	return icd10_problem(code) is None


def description(code: str | None) -> str:
	"""The official description of a code in the code set ("" when it is not in it)."""
	code = normalise_icd10(code)
	if not is_known(code):
		return ""
	return _code_set().get_description(code)


def billable_codes_under(code: str | None, limit: int = 4) -> tuple[list[str], bool]:
	"""Up to ``limit`` billable codes under a category, the least specific first (E11 ->
	E11.8, E11.9, E11.A, E11.00), and whether there are more."""
	code = normalise_icd10(code)
	if not is_known(code):
		return [], False
	codes = _code_set()
	leaves = [d for d in codes.get_descendants(code) if codes.is_leaf(d)]
	order = {d: i for i, d in enumerate(leaves)}
	leaves.sort(key=lambda d: (len(d), order[d]))
	return leaves[:limit], len(leaves) > limit


def is_icd10_cm_code_system(name: str | None, uri: str | None = None) -> bool:
	"""Whether a Code System record holds ICD-10-CM diagnoses: its URI is the FHIR
	one (Healthcare's own seed gives it), or its name, ignoring case, blanks and
	punctuation, starts with ICD10 ("ICD-10-CM", "ICD10CM", "ICD-10") and is not
	ICD-10-PCS, whose procedure codes are no diagnoses."""
	if (uri or "").strip().rstrip("/").lower() == ICD10_CM_SYSTEM:
		return True
	key = re.sub(r"[^A-Z0-9]", "", (name or "").upper())
	return key.startswith("ICD10") and "PCS" not in key
