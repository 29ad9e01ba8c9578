"""Refusing an ICD-10-CM code a care plan or template cannot carry, in the user's words."""

import frappe
from frappe import _
from frappe.utils import escape_html

from care_management.domain import icd10


def refuse_unless_billable(code: str, where: str) -> None:
	"""Throw unless ``code`` (normalised) is a billable code of the current ICD-10-CM
	code set; ``where`` names the field ("Chronic Conditions, row 2"). A category
	is refused with some of its billable codes, since a claim must carry one."""
	problem = icd10.icd10_problem(code)
	if problem is None:
		return
	shown = frappe.bold(escape_html(code))
	if problem == icd10.NOT_BILLABLE:
		codes, more = icd10.billable_codes_under(code)
		suggested = ", ".join(codes) + (", …" if more else "")
		message = _(
			"{0}: {1} ({2}) is a category, not a billable ICD-10-CM code. Enter one of its more specific codes, such as {3}."
		).format(where, shown, escape_html(icd10.description(code)), suggested)
	elif problem == icd10.NOT_IN_CODE_SET:
		message = _(
			"{0}: {1} is not in the ICD-10-CM code set ({2}). Check the code on the diagnosis, e.g. E11.9 or I10."
		).format(where, shown, icd10.CODE_SET)
	else:
		message = _("{0}: {1} is not an ICD-10-CM code. Enter a code such as E11.9 or I10.").format(
			where, shown
		)
	frappe.throw(message, title=_("Invalid ICD-10 Code"))


@frappe.whitelist()
def describe(code: str) -> str:
	"""The official description of a code (for the desk to fill a condition's name)."""
	return icd10.description(code)
