import pytest

from care_management.domain.icd10 import is_icd10_cm, is_icd10_cm_code_system, normalise_icd10


@pytest.mark.parametrize(
	"raw, code",
	[
		("e11.9", "E11.9"),
		("E119", "E11.9"),
		(" i10 ", "I10"),
		("N18.30", "N18.30"),
		("F32A", "F32.A"),
		("Z79.4", "Z79.4"),
	],
)
def test_valid_codes_are_normalised(raw, code):
	assert normalise_icd10(raw) == code
	assert is_icd10_cm(code)


@pytest.mark.parametrize("raw", ["diabetes", "11.9", "E1", "E11.12345", "250.00", "E11-9"])
def test_implausible_codes_are_refused(raw):
	assert not is_icd10_cm(normalise_icd10(raw))


@pytest.mark.parametrize(
	"name, uri, expected",
	[
		("ICD-10-CM", "", True),
		("icd10cm", None, True),
		("ICD 10 CM (2026)", "", True),
		("ICD-10", "", True),
		("ICD10-CM", "", True),
		("My diagnoses", "http://hl7.org/fhir/sid/icd-10-cm", True),
		("My diagnoses", "http://hl7.org/fhir/sid/icd-10-cm/", True),
		("ICD-10-PCS", "", False),
		("ICD10PCS", "", False),
		("ICD-9-CM", "", False),
		("SNOMED CT", "http://snomed.info/sct", False),
		("", "", False),
		(None, None, False),
	],
)
def test_which_code_systems_hold_icd10_cm_diagnoses(name, uri, expected):
	assert is_icd10_cm_code_system(name, uri) is expected
