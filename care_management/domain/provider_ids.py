"""Shape checks for the identifiers a claim carries: NPI, Medicare MBI, NUCC
taxonomy code, EIN.

Each ``*_problem`` function returns ``None`` when the value is acceptable, or
one of the fixed English sentences below (no interpolated values, so a
controller can pass it straight to ``_()`` and name the field itself). Each
``normalise_*`` function returns the form the value is stored and sent in.

- NPI: 10 digits whose last digit is the Luhn check digit computed over the
  first nine digits prefixed with 80840 (CMS, "Requirements for NPI check
  digit"). 1234567893 is CMS's own example of a valid NPI.
- MBI: CMS's 11-character Medicare Beneficiary Identifier. Position 1 is a digit
  1-9; 2, 5, 8 and 9 are letters; 4, 7, 10 and 11 are digits; 3 and 6 are a
  letter or a digit. Letters never include S, L, O, I, B or Z. It may be written
  with dashes (1EG4-TE5-MK73); it is stored and sent without them, upper case.
- Taxonomy code: the NUCC Health Care Provider Taxonomy shape, 10 characters,
  three digits, six letters or digits, then X (207Q00000X). Only the shape: the
  code list is published by NUCC and changes twice a year.
- EIN: 9 digits, written 12-3456789 or 123456789, stored without the dash.
"""

import re

NPI_NOT_10_DIGITS = "An NPI is exactly 10 digits."
NPI_BAD_CHECK_DIGIT = "The NPI's last digit does not match its check digit; check it for a typing error."
MBI_WRONG_LENGTH = "A Medicare Beneficiary Identifier (MBI) has 11 letters and digits."
MBI_WRONG_SHAPE = (
	"This is not a Medicare Beneficiary Identifier (MBI): it must look like 1EG4-TE5-MK73 "
	"(digits in positions 1, 4, 7, 10 and 11, letters in 2, 5, 8 and 9, never S, L, O, I, B or Z)."
)
TAXONOMY_WRONG_SHAPE = "A provider taxonomy code is 10 characters ending in X, such as 207Q00000X."
EIN_WRONG_SHAPE = "A tax ID (EIN) is 9 digits, such as 12-3456789."

# CMS: letters S, L, O, I, B, Z are never used, to avoid confusion with digits.
_MBI_LETTER = "[AC-HJKMNP-RT-Y]"
_MBI_ALNUM = "[0-9AC-HJKMNP-RT-Y]"
_MBI = re.compile(
	rf"^[1-9]{_MBI_LETTER}{_MBI_ALNUM}[0-9]{_MBI_LETTER}{_MBI_ALNUM}[0-9]{_MBI_LETTER}{_MBI_LETTER}[0-9]{{2}}$"
)
_TAXONOMY = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
_NPI_PREFIX = "80840"  # card issuer prefix for US health applications (ISO 7812)


def _strip(value: str | None, drop: str = "") -> str:
	text = "".join((value or "").split()).upper()
	for character in drop:
		text = text.replace(character, "")
	return text


def normalise_npi(npi: str | None) -> str:
	return _strip(npi)


def npi_check_digit(first_nine: str) -> int:
	"""The Luhn check digit of 80840 followed by the NPI's first nine digits."""
	total = 0
	# Luhn: from the rightmost payload digit leftwards, double every other one.
	for position, digit in enumerate(reversed(_NPI_PREFIX + first_nine)):
		value = int(digit)
		if position % 2 == 0:
			value *= 2
			if value > 9:
				value -= 9
		total += value
	return (10 - total % 10) % 10


def npi_problem(npi: str | None) -> str | None:
	npi = normalise_npi(npi)
	if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
		return NPI_NOT_10_DIGITS
	if npi_check_digit(npi[:9]) != int(npi[9]):
		return NPI_BAD_CHECK_DIGIT
	return None


def normalise_mbi(mbi: str | None) -> str:
	return _strip(mbi, drop="-")


def mbi_problem(mbi: str | None) -> str | None:
	mbi = normalise_mbi(mbi)
	if len(mbi) != 11:
		return MBI_WRONG_LENGTH
	if not _MBI.match(mbi):
		return MBI_WRONG_SHAPE
	return None


def normalise_taxonomy(code: str | None) -> str:
	return _strip(code)


def taxonomy_problem(code: str | None) -> str | None:
	return None if _TAXONOMY.match(normalise_taxonomy(code)) else TAXONOMY_WRONG_SHAPE


def normalise_ein(ein: str | None) -> str:
	return _strip(ein, drop="-")


def ein_problem(ein: str | None) -> str | None:
	ein = normalise_ein(ein)
	if len(ein) != 9 or not ein.isascii() or not ein.isdigit() or ein == "000000000":
		return EIN_WRONG_SHAPE
	return None
