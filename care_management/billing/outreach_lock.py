"""Once a period is invoiced its outreach logs stay as they are."""

import frappe
from frappe import _
from frappe.utils import get_datetime, get_first_day


def refuse_if_invoiced(log) -> None:
	"""Cancelling or amending a log of an invoiced month would change what was billed."""
	month = get_first_day(get_datetime(log.start).date())
	family = frappe.db.get_value("Care Program", log.program, "billing_family") if log.program else None
	filters = {"patient": log.patient, "month": month, "invoiced": 1}
	if family or log.program:
		filters["program"] = family or log.program
	record = frappe.db.get_value("Care Billing Record", filters, ["name", "sales_invoice"], as_dict=True)
	if record:
		invoice = record.sales_invoice
		frappe.throw(
			_(
				"{0} of {1} is invoiced on {2}. Cancel that invoice first if the time really has to change."
			).format(
				month.strftime("%B %Y"),
				frappe.bold(frappe.utils.escape_html(log.patient_name or log.patient)),
				frappe.bold(frappe.utils.escape_html(invoice or _("an invoice"))),
			),
			title=_("Month Invoiced"),
		)
