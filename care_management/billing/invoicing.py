"""Sales Invoices for closed months, through Healthcare's own invoicing link.

Each invoice item carries reference_dt / reference_dn to one line (one code)
of a Care Billing Record; Healthcare sets that line's `invoiced` flag on
submit, refusing a line that is already invoiced, and clears it on cancel.
The record follows its lines (on_sales_invoice_change).
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import get_first_day, get_last_day, getdate, today

RECORD = "Care Billing Record"
LINE = "Care Billing Line"


def ready_records(month, patient: str | None = None) -> list[dict]:
	"""Billable records of the month that are on no invoice yet (draft or submitted)."""
	filters = {"month": get_first_day(getdate(month)), "status": "Ready", "invoiced": 0}
	if patient:
		filters["patient"] = patient
	records = frappe.get_all(
		RECORD,
		filters=filters,
		fields=["name", "patient", "patient_name", "program", "billing_practitioner", "month"],
	)
	if not records:
		return []
	on_invoices = records_on_invoices([r.name for r in records])
	return [r for r in records if r.name not in on_invoices]


def records_on_invoices(record_names: list[str]) -> set[str]:
	"""Records with a line on a draft or submitted invoice."""
	if not record_names:
		return set()
	return set(
		frappe.db.sql_list(
			"""select distinct l.parent from `tabCare Billing Line` l
			join `tabSales Invoice Item` i on i.reference_dt = 'Care Billing Line' and i.reference_dn = l.name
			where l.parent in %(records)s and l.parenttype = 'Care Billing Record' and i.docstatus < 2""",
			{"records": record_names},
		)
	)


def invoice_items(records: list[dict]) -> list[dict]:
	lines = frappe.get_all(
		"Care Billing Line",
		filters={"parenttype": RECORD, "parent": ("in", [r.name for r in records] or [""])},
		fields=["name", "parent", "code", "units", "item", "rate", "date_of_service"],
		order_by="parent, idx",
	)
	by_name = {r.name: r for r in records}
	missing_items = sorted({line.code for line in lines if not line.item})
	if missing_items:
		frappe.throw(
			_("Billing Code {0} has no Item. Set the Item on the Billing Code so it can be invoiced.").format(
				", ".join(frappe.bold(c) for c in missing_items)
			),
			title=_("Billing Code Without Item"),
		)
	items = []
	for line in lines:
		record = by_name[line.parent]
		items.append(
			{
				"item_code": line.item,
				"qty": line.units,
				"rate": line.rate,
				"description": _("{0} — {1}, {2}, date of service {3}").format(
					line.code,
					record.program,
					record.patient_name or record.patient,
					frappe.utils.formatdate(line.date_of_service),
				),
				"reference_dt": LINE,
				"reference_dn": line.name,
				"service_start_date": get_first_day(record.month),
				"service_end_date": get_last_day(record.month),
			}
		)
	return items


@frappe.whitelist()
def create_invoices(month, submit: int | None = None, patient: str | None = None) -> dict:
	"""One Sales Invoice per patient (and so per customer) for the month's ready
	records; of one patient only when ``patient`` is given."""
	frappe.has_permission("Sales Invoice", "create", throw=True)
	settings = frappe.get_cached_doc("Care Management Settings")
	if not settings.company:
		frappe.throw(_("Set the Default Company in Care Management Settings before creating invoices."))
	submit = settings.submit_invoices if submit is None else int(submit)
	by_patient = defaultdict(list)
	for record in ready_records(month, patient=patient):
		by_patient[record.patient].append(record)
	customers = dict(
		frappe.get_all(
			"Patient",
			filters={"name": ("in", list(by_patient) or [""])},
			fields=["name", "customer"],
			as_list=True,
		)
	)
	result = {"invoices": [], "without_customer": []}
	for patient, records in sorted(by_patient.items()):
		if not customers.get(patient):
			result["without_customer"].append(patient)
			continue
		invoice = frappe.get_doc(
			{
				"doctype": "Sales Invoice",
				"company": settings.company,
				"customer": customers[patient],
				"patient": patient,
				"posting_date": today(),
				"selling_price_list": settings.selling_price_list,
				"items": invoice_items(records),
			}
		)
		invoice.set_missing_values()
		invoice.insert()
		if submit:
			invoice.submit()
		result["invoices"].append(invoice.name)
	return result


@frappe.whitelist()
def get_care_management_items(patient: str, month) -> list[dict]:
	"""For the Sales Invoice form's "Get Care Management Items" action."""
	frappe.has_permission("Sales Invoice", "create", throw=True)
	return invoice_items(ready_records(month, patient=patient))


def on_sales_invoice_change(invoice, method=None):
	"""doc_event: a record is invoiced when all its lines are (Healthcare flags the lines)."""
	lines = [item.reference_dn for item in invoice.items if item.reference_dt == LINE and item.reference_dn]
	if not lines:
		return
	records = frappe.db.sql_list(
		"select distinct parent from `tabCare Billing Line` where name in %(lines)s", {"lines": lines}
	)
	frappe.db.sql(
		"""update `tabCare Billing Record` r
		set r.invoiced = not exists(
				select 1 from `tabCare Billing Line` l where l.parent = r.name and l.parenttype = 'Care Billing Record'
				and l.invoiced = 0),
			r.status = if(r.invoiced, 'Invoiced', 'Ready'),
			r.sales_invoice = if(r.invoiced, %(invoice)s, null)
		where r.name in %(records)s""",
		{"invoice": invoice.name, "records": records},
	)
