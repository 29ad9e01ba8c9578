"""ICD-10-CM code shape.

Only the shape is checked (letter, digit, letter-or-digit, then an optional
dot and up to four more characters): the code list itself is licensed and
changes every October, so the app does not ship one.
"""

import re

# The FHIR system URI of ICD-10-CM, which Healthcare's Code System records carry
# as their uri too, and the name the app gives the Code System it makes.
ICD10_CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10_CM_CODE_SYSTEM = "ICD-10-CM"

_ICD10_CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def normalise_icd10(code: str | None) -> str:
	"""Upper case, no spaces, and the dot after the third character that
	coders often leave out (E119 -> E11.9)."""
	code = "".join((code or "").split()).upper()
	if len(code) > 3 and "." not in code:
		code = f"{code[:3]}.{code[3:]}"
	return code


def is_icd10_cm(code: str) -> bool:
	return bool(_ICD10_CM.match(code))


def is_icd10_cm_code_system(name: str | None, uri: str | None = None) -> bool:
	"""Whether a Code System record holds ICD-10-CM diagnoses: its URI is the FHIR
	one (Healthcare's own seed gives it), or its name, ignoring case, blanks and
	punctuation, starts with ICD10 ("ICD-10-CM", "ICD10CM", "ICD-10") and is not
	ICD-10-PCS, whose procedure codes are no diagnoses."""
	if (uri or "").strip().rstrip("/").lower() == ICD10_CM_SYSTEM:
		return True
	key = re.sub(r"[^A-Z0-9]", "", (name or "").upper())
	return key.startswith("ICD10") and "PCS" not in key
