"""NPI, MBI, taxonomy and EIN shape checks (care_management.domain.provider_ids)."""

import pytest

from care_management.domain import provider_ids
from care_management.domain.provider_ids import (
	ein_problem,
	mbi_problem,
	normalise_ein,
	normalise_mbi,
	npi_check_digit,
	npi_problem,
	taxonomy_problem,
)

# 1234567893 is CMS's worked example; the others are check-digit-valid NPIs.
VALID_NPIS = ["1234567893", "1245319599", "1679576722", "1003000126"]


def test_cms_worked_example_check_digit():
	# CMS "Requirements for NPI check digit": 80840 123456789 -> sum 67 -> check digit 3.
	assert npi_check_digit("123456789") == 3


@pytest.mark.parametrize("npi", VALID_NPIS)
def test_valid_npis_pass(npi):
	assert npi_problem(npi) is None


def test_blanks_around_an_npi_are_ignored():
	assert npi_problem(" 1234567893 ") is None
	assert provider_ids.normalise_npi(" 12345 67893") == "1234567893"


@pytest.mark.parametrize(
	"npi, problem",
	[
		(None, provider_ids.NPI_NOT_10_DIGITS),
		("", provider_ids.NPI_NOT_10_DIGITS),
		("123456789", provider_ids.NPI_NOT_10_DIGITS),
		("12345678930", provider_ids.NPI_NOT_10_DIGITS),
		("123456789A", provider_ids.NPI_NOT_10_DIGITS),
		("1234-567893", provider_ids.NPI_NOT_10_DIGITS),
		("１２３４５６７８９３", provider_ids.NPI_NOT_10_DIGITS),  # full-width digits are not ASCII
		("1234567890", provider_ids.NPI_BAD_CHECK_DIGIT),
		("1234567894", provider_ids.NPI_BAD_CHECK_DIGIT),
		("0000000000", provider_ids.NPI_BAD_CHECK_DIGIT),
	],
)
def test_malformed_npis_are_refused(npi, problem):
	assert npi_problem(npi) == problem


def test_exactly_one_check_digit_completes_nine_digits():
	valid = [d for d in "0123456789" if npi_problem("123456789" + d) is None]
	assert valid == ["3"]


@pytest.mark.parametrize("npi", VALID_NPIS)
def test_every_single_digit_typo_is_caught(npi):
	for position in range(10):
		for digit in "0123456789":
			if digit != npi[position]:
				typo = npi[:position] + digit + npi[position + 1 :]
				assert npi_problem(typo) == provider_ids.NPI_BAD_CHECK_DIGIT, typo


@pytest.mark.parametrize(
	"mbi", ["1EG4-TE5-MK73", "1EG4TE5MK73", "1eg4-te5-mk73", " 1EG4TE5MK73 ", "9A09A09AA99"]
)
def test_valid_mbis_pass_and_are_normalised(mbi):
	assert mbi_problem(mbi) is None
	assert normalise_mbi(mbi) in ("1EG4TE5MK73", "9A09A09AA99")


@pytest.mark.parametrize(
	"mbi",
	[
		"0EG4TE5MK73",  # position 1 is 1-9
		"11G4TE5MK73",  # position 2 is a letter
		"1E?4TE5MK73",  # position 3 is a letter or a digit
		"1EGATE5MK73",  # position 4 is a digit
		"1EG41E5MK73",  # position 5 is a letter
		"1EG4TEAMK73",  # position 7 is a digit
		"1EG4TE59K73",  # position 8 is a letter
		"1EG4TE5M173",  # position 9 is a letter
		"1EG4TE5MKA3",  # position 10 is a digit
		"1EG4TE5MK7A",  # position 11 is a digit
	],
)
def test_mbi_positions_are_checked(mbi):
	assert mbi_problem(mbi) == provider_ids.MBI_WRONG_SHAPE


@pytest.mark.parametrize("letter", list("SLOIBZ"))
@pytest.mark.parametrize("position", [1, 2, 4, 5, 7, 8])
def test_mbi_never_uses_the_excluded_letters(letter, position):
	mbi = list("1EG4TE5MK73")
	mbi[position] = letter
	assert mbi_problem("".join(mbi)) == provider_ids.MBI_WRONG_SHAPE


@pytest.mark.parametrize("mbi", [None, "", "1EG4TE5MK7", "1EG4TE5MK733", "123456789A"])
def test_mbi_length_is_checked(mbi):
	assert mbi_problem(mbi) == provider_ids.MBI_WRONG_LENGTH


@pytest.mark.parametrize("code", ["207Q00000X", "363LF0000X", "261QM1300X", "2084P0800X", " 207q00000x "])
def test_valid_taxonomy_codes_pass(code):
	assert taxonomy_problem(code) is None


@pytest.mark.parametrize(
	"code", [None, "", "207Q00000", "207Q00000Y", "207Q000000X", "X07Q00000X", "207Q0000-X"]
)
def test_malformed_taxonomy_codes_are_refused(code):
	assert taxonomy_problem(code) == provider_ids.TAXONOMY_WRONG_SHAPE


@pytest.mark.parametrize("ein", ["12-3456789", "123456789", " 12-3456789 "])
def test_valid_eins_pass(ein):
	assert ein_problem(ein) is None
	assert normalise_ein(ein) == "123456789"


@pytest.mark.parametrize(
	"ein", [None, "", "12345678", "1234567890", "12-345678A", "000000000", "１２３４５６７８９"]
)
def test_malformed_eins_are_refused(ein):
	assert ein_problem(ein) == provider_ids.EIN_WRONG_SHAPE
