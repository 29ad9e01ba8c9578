"""Sales Invoices for closed months, through Healthcare's own invoicing link.

Each invoice item carries reference_dt / reference_dn to one line (one code)
of a Care Billing Record; Healthcare sets that line's `invoiced` flag on
submit and clears it on cancel, and the record follows its lines
(on_sales_invoice_change). That a line is on one invoice at most, whatever
runs at the same time, is line_claims.py's job: every invoice claims its lines
under a row lock while it is saved.

Create Invoices takes each patient in turn: it locks the patient's ready
records and their lines (the order line_claims uses), reads again which lines
are still free, and invoices only those; each patient's invoice commits on its
own, so a second run started at the same moment waits for the first one's
patient, then finds nothing left for it and says so.
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import get_first_day, get_last_day, getdate, today

from care_management.billing.month_close import DEADLOCK_RETRIES

RECORD = "Care Billing Record"
LINE = "Care Billing Line"


def ready_records(month, patient: str | None = None) -> list[dict]:
	"""Billable records of the month with a line on no invoice yet (draft or submitted)."""
	conditions = "r.month = %(month)s and r.status = 'Ready' and r.invoiced = 0"
	if patient:
		conditions += " and r.patient = %(patient)s"
	return frappe.db.sql(
		f"""select r.name, r.patient, r.patient_name, r.program, r.billing_practitioner, r.month
		from `tabCare Billing Record` r
		where {conditions} and exists(
			select 1 from `tabCare Billing Line` l
			where l.parent = r.name and l.parenttype = 'Care Billing Record' and l.sales_invoice is null)
		order by r.patient, r.name""",
		{"month": get_first_day(getdate(month)), "patient": patient},
		as_dict=True,
	)


def invoice_items(records: list[dict], lines: list[dict] | None = None) -> list[dict]:
	"""Invoice items for ``lines`` of ``records`` (all their free lines when not given)."""
	if lines is None:
		lines = frappe.get_all(
			"Care Billing Line",
			filters={
				"parenttype": RECORD,
				"parent": ("in", [r.name for r in records] or [""]),
				"sales_invoice": ("is", "not set"),
			},
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
def create_invoices(
	month, submit: int | None = None, patient: str | None = None, commit: bool = True
) -> dict:
	"""One Sales Invoice per patient (and so per customer) for the month's ready
	records; of one patient only when ``patient`` is given. Each patient's
	invoice is committed on its own (``commit`` off: savepoints in the caller's
	transaction instead, as the tests use); a patient whose invoice fails is
	reported and the others go on."""
	frappe.has_permission("Sales Invoice", "create", throw=True)
	settings = frappe.get_cached_doc("Care Management Settings")
	if not settings.company:
		frappe.throw(_("Set the Default Company in Care Management Settings before creating invoices."))
	submit = settings.submit_invoices if submit is None else int(submit)
	commit = frappe.utils.sbool(commit)
	by_patient = defaultdict(list)
	for record in ready_records(month, patient=patient):
		by_patient[record.patient].append(record.name)
	customers = dict(
		frappe.get_all(
			"Patient",
			filters={"name": ("in", list(by_patient) or [""])},
			fields=["name", "customer"],
			as_list=True,
		)
	)
	result = {"invoices": [], "without_customer": [], "already_invoiced": [], "failed": []}
	if commit:
		frappe.db.commit()  # each patient starts a transaction of its own, so its reads see others' commits
	for patient_name, names in sorted(by_patient.items()):
		if not customers.get(patient_name):
			result["without_customer"].append(patient_name)
			continue
		for attempt in range(1, DEADLOCK_RETRIES + 1):
			if not commit:
				frappe.db.savepoint("care_invoice")
			try:
				invoice = invoice_patient(patient_name, customers[patient_name], names, settings, submit)
			except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
				# Two runs met on ERPNext's own rows; this patient's work was undone, so do it again.
				rollback(commit)
				if attempt == DEADLOCK_RETRIES:
					result["failed"].append(
						{"patient": patient_name, "error": _("the database was busy; run again")}
					)
				continue
			except Exception as error:
				rollback(commit)
				if not isinstance(error, frappe.ValidationError):
					frappe.log_error(title=_("Care-management invoice for {0} failed").format(patient_name))
				result["failed"].append(
					{"patient": patient_name, "error": frappe.utils.strip_html(str(error)) or repr(error)}
				)
				frappe.clear_messages()
				break
			if invoice:
				result["invoices"].append(invoice)
			else:
				result["already_invoiced"].append(patient_name)
			if commit:
				frappe.db.commit()
			break
	if not result["invoices"] and not result["without_customer"] and not result["failed"]:
		result["message"] = _(
			"Nothing left to invoice for {0}: every ready service is already on an invoice."
		).format(frappe.utils.formatdate(get_first_day(getdate(month)), "MMMM yyyy"))
	return result


def rollback(commit: bool) -> None:
	if commit:
		frappe.db.rollback()
	else:
		frappe.db.rollback(save_point="care_invoice")


def invoice_patient(
	patient: str, customer: str, record_names: list[str], settings, submit: bool
) -> str | None:
	"""Lock the patient's records and lines (line_claims' order), read which
	lines are still free, and invoice those; None when another run took them."""
	records = frappe.db.sql(
		"""select name, patient, patient_name, program, billing_practitioner, month
		from `tabCare Billing Record`
		where name in %(names)s and status = 'Ready' and invoiced = 0 order by name for update""",
		{"names": record_names},
		as_dict=True,
	)
	if not records:
		return None
	lines = frappe.db.sql(
		"""select name, parent, code, units, item, rate, date_of_service, sales_invoice
		from `tabCare Billing Line`
		where parent in %(records)s and parenttype = 'Care Billing Record'
		order by name for update""",
		{"records": [r.name for r in records]},
		as_dict=True,
	)
	free = [line for line in lines if not line.sales_invoice]
	if not free:
		return None
	order = {r.name: i for i, r in enumerate(records)}
	free.sort(key=lambda line: (order[line.parent], line.name))
	invoice = draft_invoice(patient, customer, invoice_items(records, free), settings)
	invoice.insert()
	if submit:
		invoice.submit()
	return invoice.name


def draft_invoice(patient: str, customer: str, items: list[dict], settings):
	"""A new (unsaved) Sales Invoice of the practice for one patient."""
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": settings.company,
			"customer": customer,
			"patient": patient,
			"posting_date": today(),
			"selling_price_list": settings.selling_price_list,
			"items": items,
		}
	)
	invoice.set_missing_values()
	return invoice


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
