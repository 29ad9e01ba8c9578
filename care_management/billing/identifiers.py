"""Claim identifiers checked where they are entered: NPI and taxonomy on the
Healthcare Practitioner and the Company, the Company's Tax ID (EIN) once it bills
claims, a payer's ID on its Customer. doc_events (hooks.py) call these on
validate; the shape rules are the pure core's (domain/provider_ids.py)."""

from __future__ import annotations

import frappe
from frappe import _

from care_management.domain import provider_ids as ids


def translated(problem: str) -> str:
	"""The core's fixed sentences, each written out here so it is extracted for translation."""
	return {
		ids.NPI_NOT_10_DIGITS: _("An NPI is exactly 10 digits."),
		ids.NPI_BAD_CHECK_DIGIT: _(
			"The NPI's last digit does not match its check digit; check it for a typing error."
		),
		ids.MBI_WRONG_LENGTH: _("A Medicare Beneficiary Identifier (MBI) has 11 letters and digits."),
		ids.MBI_WRONG_SHAPE: _(
			"This is not a Medicare Beneficiary Identifier (MBI): it must look like 1EG4-TE5-MK73 "
			"(digits in positions 1, 4, 7, 10 and 11, letters in 2, 5, 8 and 9, never S, L, O, I, B or Z)."
		),
		ids.TAXONOMY_WRONG_SHAPE: _(
			"A provider taxonomy code is 10 characters ending in X, such as 207Q00000X."
		),
		ids.EIN_WRONG_SHAPE: _("A tax ID (EIN) is 9 digits, such as 12-3456789."),
	}.get(problem) or _(problem)


def refuse(doc, fieldname: str, value: str, problem: str) -> None:
	frappe.throw(
		_("{0} {1} of {2} is not valid: {3} Correct it or leave it empty.").format(
			_(doc.meta.get_label(fieldname)),
			frappe.bold(frappe.utils.escape_html(value)),
			frappe.utils.escape_html(doc.name or _("this record")),
			translated(problem),  # html-safe: fixed sentences
		),
		title=_("Invalid {0}").format(_(doc.meta.get_label(fieldname))),
	)


def check_npi_and_taxonomy(doc) -> None:
	if doc.get("npi"):
		doc.npi = ids.normalise_npi(doc.npi)
		if problem := ids.npi_problem(doc.npi):
			refuse(doc, "npi", doc.npi, problem)
	if doc.get("taxonomy_code"):
		doc.taxonomy_code = ids.normalise_taxonomy(doc.taxonomy_code)
		if problem := ids.taxonomy_problem(doc.taxonomy_code):
			refuse(doc, "taxonomy_code", doc.taxonomy_code, problem)


def validate_practitioner(doc, method=None) -> None:
	"""Healthcare Practitioner validate."""
	check_npi_and_taxonomy(doc)


def validate_company(doc, method=None) -> None:
	"""Company validate: a company with an NPI bills claims, so its Tax ID must be an EIN."""
	check_npi_and_taxonomy(doc)
	if doc.get("npi") and doc.get("tax_id"):
		if problem := ids.ein_problem(doc.tax_id):
			refuse(doc, "tax_id", doc.tax_id, problem)
		doc.tax_id = ids.normalise_ein(doc.tax_id)


def validate_customer(doc, method=None) -> None:
	"""Customer validate: a payer needs the ID claims are addressed to."""
	if not doc.get("is_payer"):
		return
	doc.payer_id = (doc.get("payer_id") or "").strip().upper()
	if not doc.payer_id:
		frappe.throw(
			_("Payer ID is required for a payer: enter the ID your clearinghouse lists for {0}.").format(
				frappe.bold(frappe.utils.escape_html(doc.customer_name or doc.name))
			),
			title=_("Missing Payer ID"),
		)
	if len(doc.payer_id) > 80 or not doc.payer_id.replace("-", "").isalnum():
		frappe.throw(
			_("Payer ID {0} may hold only letters, digits and dashes (at most 80).").format(
				frappe.bold(frappe.utils.escape_html(doc.payer_id))
			),
			title=_("Invalid Payer ID"),
		)
