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


# ------------------------------------------------ against the official code set

from importlib.metadata import version

from care_management.domain import icd10


def test_the_pinned_code_set_is_the_one_the_readme_names():
	assert version(icd10.CODE_SET_PACKAGE) == "1.5.0"


@pytest.mark.parametrize(
	"code", ["E11.9", "I10", "N18.30", "F32.A", "J44.9", "E11.65", "Z79.4", "S72.001A", "e119"]
)
def test_billable_codes_pass(code):
	assert icd10.icd10_problem(code) is None
	assert icd10.is_billable(code)


@pytest.mark.parametrize(
	"code, problem",
	[
		# Categories and subcategories with more specific codes under them.
		("E11", icd10.NOT_BILLABLE),
		("N18.3", icd10.NOT_BILLABLE),
		("I50", icd10.NOT_BILLABLE),
		("S72.001", icd10.NOT_BILLABLE),  # needs its 7th character
		# Right shape, but no such code.
		("Z99.99", icd10.NOT_IN_CODE_SET),
		("I10.9", icd10.NOT_IN_CODE_SET),
		("E11.99", icd10.NOT_IN_CODE_SET),
		# Not a code at all: a block and a chapter the package knows are still refused.
		("E08-E13", icd10.NOT_A_CODE),
		("4", icd10.NOT_A_CODE),
		("250.00", icd10.NOT_A_CODE),
		("", icd10.NOT_A_CODE),
	],
)
def test_codes_that_cannot_go_on_a_plan_or_claim(code, problem):
	assert icd10.icd10_problem(code) == problem
	assert not icd10.is_billable(code)


def test_descriptions_are_the_official_ones():
	assert icd10.description("E11.9") == "Type 2 diabetes mellitus without complications"
	assert icd10.description("i10") == "Essential (primary) hypertension"
	assert icd10.description("E11") == "Type 2 diabetes mellitus"
	assert icd10.description("Z99.99") == ""
	assert icd10.description("diabetes") == ""


def test_a_category_suggests_its_least_specific_billable_codes_first():
	codes, more = icd10.billable_codes_under("E11")
	assert codes == ["E11.8", "E11.9", "E11.A", "E11.00"]
	assert more
	assert all(icd10.is_billable(c) for c in codes)
	assert icd10.billable_codes_under("N18.3", limit=10) == (["N18.30", "N18.31", "N18.32"], False)
	assert icd10.billable_codes_under("Z99.99") == ([], False)
