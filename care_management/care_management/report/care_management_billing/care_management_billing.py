# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A month's billing, per patient and program (or, with Per Line, per code):
minutes, codes, amounts, who pays what (payer, secondary payer, patient share),
status and the reasons the rest is not billable or not invoiced; plus claim
lines as CSV."""

import csv
import io

import frappe
from frappe import _
from frappe.utils import get_first_day, getdate

from care_management.billing import eligibility
from care_management.domain.spreadsheet_cells import safe_rows
from care_management.phi_access_log import CLAIM_LINES_EXPORT, log_phi_access, log_report_export
from care_management.report_links import links_the_user_may_follow

REPORT = "Care Management Billing"

PERFORMER_COLUMNS = [
	("minutes_clinical_staff", _("Clinical Staff Min")),
	("minutes_physician", _("Physician Min")),
	("minutes_bh_care_manager", _("BH Care Manager Min")),
	("minutes_chw", _("CHW / Navigator Min")),
]


def execute(filters=None):
	filters = frappe._dict(filters or {})
	records = billing_records(filters)
	lines = lines_by_record([r.name for r in records])
	payer_names = customer_names(lines)
	for record in records:
		own = lines.get(record.name, [])
		record.codes = ", ".join(f"{line.code} × {line.units}" for line in own)
		record.reasons = (record.reasons or "").replace("\n", "; ")
		record.adjustment_summary = (record.adjustment_summary or "").replace("\n", "; ")
		add_shares(record, own, payer_names)
	log_report_export(REPORT, filters, records)
	message = coverage_message(records, filters)
	if filters.get("per_line"):
		rows = [
			frappe._dict(record, **line_row(line, payer_names))
			for record in records
			for line in lines.get(record.name, [])
		]
		return links_the_user_may_follow(line_columns()), rows, message, chart(records), summary(records)
	return links_the_user_may_follow(columns()), records, message, chart(records), summary(records)


def coverage_message(records, filters) -> str | None:
	"""The coverages of the month's patients still to invoice that the payer says are
	inactive, or that nobody checked with the payer lately (Settings)."""
	patients = [r.patient for r in records if r.status != "Invoiced"]
	warnings = eligibility.coverage_warnings(patients, filters.get("month"))
	if not warnings:
		return None
	shown = "".join(f"<li>{frappe.utils.escape_html(w)}</li>" for w in warnings[:50])
	more = _("and {0} more").format(len(warnings) - 50) if len(warnings) > 50 else ""
	return _("Coverage to check with the payers (Eligibility 270/271):") + f"<ul>{shown}</ul>{more}"


@frappe.whitelist()
def allowed_actions() -> dict[str, bool]:
	"""The report's buttons this user may use: it shows no other (the .js asks)."""
	return {
		"close_month": bool(frappe.has_permission("Care Month Close", "create")),
		"create_invoices": bool(frappe.has_permission("Sales Invoice", "create")),
		"export_claim_lines": bool(frappe.has_permission("Claim Export", "create")),
		"eligibility_inquiry": bool(frappe.has_permission("Eligibility Response Import", "create")),
	}


SHARES = (
	("payer_share", "sales_invoice", _("Payer")),
	("secondary_share", "secondary_invoice", _("Secondary")),
	("patient_share", "patient_invoice", _("Patient")),
)


def customer_names(lines: dict) -> dict[str, str]:
	names = {
		value
		for own in lines.values()
		for line in own
		for value in (line.payer, line.secondary_payer)
		if value
	}
	return dict(
		frappe.get_all(
			"Customer",
			filters={"name": ("in", list(names) or [""])},
			fields=["name", "customer_name"],
			as_list=True,
		)
	)


def share_status(line) -> str:
	"""Which of the line's shares are on which kind of invoice, in a few words."""
	parts = []
	for share, column, label in SHARES:
		holder = line.get(column)
		if holder:
			state = _("submitted") if line.get(column + "_docstatus") == 1 else _("draft")
			parts.append(f"{label}: {state}")
		elif (line.get(share) or 0) > 0 or (share == "payer_share" and not holder):
			parts.append(f"{label}: {_('to invoice')}")
	return ", ".join(parts)


def add_shares(record, lines: list, payer_names: dict) -> None:
	payers = list(dict.fromkeys(line.payer for line in lines if line.payer))
	secondary = list(dict.fromkeys(line.secondary_payer for line in lines if line.secondary_payer))
	record.payer = ", ".join(payers)
	record.payer_name = ", ".join(payer_names.get(p, p) for p in payers)
	record.secondary_payer = ", ".join(payer_names.get(p, p) for p in secondary)
	for share, _column, _label in SHARES:
		record[share] = sum(line.get(share) or 0 for line in lines)
	record.written_off = sum(line.written_off or 0 for line in lines)
	if record.get("held"):
		record.invoice_status = _("Held: {0}").format(record.held_because or "")
	elif record.status == "Ready" and record.invoice_hold_reason:
		record.invoice_status = _("Held: no coverage to bill")
	elif record.status in ("Ready", "Invoiced") and lines:
		record.invoice_status = share_status_of_record(lines)


def share_status_of_record(lines: list) -> str:
	statuses = list(dict.fromkeys(share_status(line) for line in lines))
	return "; ".join(statuses)


def line_row(line, payer_names: dict) -> dict:
	return {
		"code": line.code,
		"units": line.units,
		"date_of_service": line.date_of_service,
		"amount": line.amount,
		"payer": line.payer,
		"payer_name": payer_names.get(line.payer, line.payer or ""),
		"secondary_payer": payer_names.get(line.secondary_payer, line.secondary_payer or ""),
		"payer_share": line.payer_share,
		"secondary_share": line.secondary_share,
		"patient_share": line.patient_share,
		"written_off": line.written_off,
		"line_status": share_status(line),
		"adjustment_note": line.adjustment_note,
		"sales_invoice": line.sales_invoice,
		"patient_invoice": line.patient_invoice,
	}


def billing_records(filters) -> list:
	if not filters.get("month"):
		frappe.throw(_("Choose the Month."))
	conditions = {"month": get_first_day(getdate(filters.month))}
	for field in ("program", "billing_practitioner", "care_manager", "status", "patient"):
		if filters.get(field):
			conditions[field] = filters[field]
	return frappe.get_list(
		"Care Billing Record",
		filters=conditions,
		fields=[
			"name", "patient", "patient_name", "program", "billing_practitioner", "care_manager", "status",
			*(field for field, _label in PERFORMER_COLUMNS), "device_days", "total_amount", "reasons",
			"sales_invoice", "icd10_codes", "month", "invoice_hold_reason", "held", "held_because",
			"adjustment_summary",
		],
		order_by="patient_name, program",
		limit_page_length=0,
	)  # fmt: skip


def lines_by_record(names: list[str]) -> dict[str, list]:
	grouped = {}
	if not names:
		return grouped
	for line in frappe.db.sql(
		"""select l.parent, l.code, l.units, l.engine_units, l.adjustment_note, l.date_of_service, l.amount, l.payer, l.secondary_payer,
			l.payer_share, l.secondary_share, l.patient_share, l.written_off,
			l.sales_invoice, l.secondary_invoice, l.patient_invoice,
			p.docstatus as sales_invoice_docstatus, s.docstatus as secondary_invoice_docstatus,
			t.docstatus as patient_invoice_docstatus
		from `tabCare Billing Line` l
		left join `tabSales Invoice` p on p.name = l.sales_invoice
		left join `tabSales Invoice` s on s.name = l.secondary_invoice
		left join `tabSales Invoice` t on t.name = l.patient_invoice
		where l.parenttype = 'Care Billing Record' and l.parent in %(names)s
		order by l.parent, l.idx""",
		{"names": names},
		as_dict=True,
	):
		grouped.setdefault(line.parent, []).append(line)
	return grouped


def columns():
	return [
		{
			"fieldname": "patient",
			"label": _("Patient"),
			"fieldtype": "Link",
			"options": "Patient",
			"width": 120,
		},
		{"fieldname": "patient_name", "label": _("Name"), "fieldtype": "Data", "width": 150},
		{"fieldname": "program", "label": _("Program"), "fieldtype": "Data", "width": 90},
		{
			"fieldname": "billing_practitioner",
			"label": _("Practitioner"),
			"fieldtype": "Link",
			"options": "Healthcare Practitioner",
			"width": 130,
		},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 100},
		{"fieldname": "invoice_status", "label": _("Invoices"), "fieldtype": "Data", "width": 220},
		*(
			{"fieldname": field, "label": label, "fieldtype": "Int", "width": 90}
			for field, label in PERFORMER_COLUMNS
		),
		{"fieldname": "device_days", "label": _("Device Days"), "fieldtype": "Int", "width": 90},
		{"fieldname": "codes", "label": _("Codes"), "fieldtype": "Data", "width": 150},
		{"fieldname": "total_amount", "label": _("Amount"), "fieldtype": "Currency", "width": 100},
		*share_columns(),
		{"fieldname": "reasons", "label": _("Why Not (or Not More)"), "fieldtype": "Data", "width": 320},
		{"fieldname": "adjustment_summary", "label": _("Adjustments"), "fieldtype": "Data", "width": 280},
		{
			"fieldname": "invoice_hold_reason",
			"label": _("Not Invoiced Because"),
			"fieldtype": "Data",
			"width": 260,
		},
		{
			"fieldname": "sales_invoice",
			"label": _("Sales Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 130,
		},
		{
			"fieldname": "name",
			"label": _("Record"),
			"fieldtype": "Link",
			"options": "Care Billing Record",
			"width": 110,
		},
	]


def share_columns() -> list[dict]:
	return [
		{"fieldname": "payer", "label": _("Payer"), "fieldtype": "Link", "options": "Customer", "width": 130},
		{"fieldname": "payer_share", "label": _("Payer Share"), "fieldtype": "Currency", "width": 100},
		{"fieldname": "secondary_payer", "label": _("Secondary Payer"), "fieldtype": "Data", "width": 130},
		{
			"fieldname": "secondary_share",
			"label": _("Secondary Share"),
			"fieldtype": "Currency",
			"width": 100,
		},
		{"fieldname": "patient_share", "label": _("Patient Share"), "fieldtype": "Currency", "width": 100},
		{"fieldname": "written_off", "label": _("Not Billed (QMB)"), "fieldtype": "Currency", "width": 100},
	]


def line_columns() -> list[dict]:
	return [
		{
			"fieldname": "patient",
			"label": _("Patient"),
			"fieldtype": "Link",
			"options": "Patient",
			"width": 120,
		},
		{"fieldname": "patient_name", "label": _("Name"), "fieldtype": "Data", "width": 150},
		{"fieldname": "program", "label": _("Program"), "fieldtype": "Data", "width": 80},
		{"fieldname": "code", "label": _("Code"), "fieldtype": "Data", "width": 70},
		{"fieldname": "units", "label": _("Units"), "fieldtype": "Int", "width": 60},
		{"fieldname": "date_of_service", "label": _("Date of Service"), "fieldtype": "Date", "width": 100},
		{"fieldname": "amount", "label": _("Amount"), "fieldtype": "Currency", "width": 90},
		*share_columns(),
		{"fieldname": "line_status", "label": _("Invoices"), "fieldtype": "Data", "width": 240},
		{"fieldname": "adjustment_note", "label": _("Adjusted"), "fieldtype": "Data", "width": 260},
		{
			"fieldname": "invoice_hold_reason",
			"label": _("Not Invoiced Because"),
			"fieldtype": "Data",
			"width": 260,
		},
		{
			"fieldname": "sales_invoice",
			"label": _("Payer Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 130,
		},
		{
			"fieldname": "patient_invoice",
			"label": _("Patient Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 130,
		},
		{
			"fieldname": "name",
			"label": _("Record"),
			"fieldtype": "Link",
			"options": "Care Billing Record",
			"width": 110,
		},
	]


def chart(records):
	by_program = {}
	for record in records:
		by_program[record.program] = by_program.get(record.program, 0) + (record.total_amount or 0)
	programs = sorted(by_program)
	return {
		"data": {
			"labels": programs,
			"datasets": [{"name": _("Amount"), "values": [by_program[p] for p in programs]}],
		},
		"type": "bar",
		"fieldtype": "Currency",
	}


def summary(records):
	def count(status):
		return sum(1 for r in records if r.status == status)

	return [
		{"label": _("Ready"), "value": count("Ready"), "indicator": "Green", "datatype": "Int"},
		{"label": _("Invoiced"), "value": count("Invoiced"), "indicator": "Blue", "datatype": "Int"},
		{
			"label": _("Held (No Coverage)"),
			"value": sum(1 for r in records if r.status == "Ready" and r.get("invoice_hold_reason")),
			"indicator": "Red",
			"datatype": "Int",
		},
		{
			"label": _("Not Billable"),
			"value": count("Not Billable"),
			"indicator": "Orange",
			"datatype": "Int",
		},
		{
			"label": _("Amount"),
			"value": sum(r.total_amount or 0 for r in records),
			"indicator": "Green",
			"datatype": "Currency",
		},
	]


CLAIM_HEADER = [
	"patient",
	"patient_name",
	"date_of_birth",
	"date_of_service",
	"code",
	"units",
	"icd10_codes",
	"billing_practitioner",
	"npi",
]


def claim_rows(filters) -> list[list]:
	records = [r for r in billing_records(filters) if r.status in ("Ready", "Invoiced")]
	births = dict(
		frappe.get_all(
			"Patient",
			filters={"name": ("in", [r.patient for r in records] or [""])},
			fields=["name", "dob"],
			as_list=True,
		)
	)
	npis = dict(
		frappe.get_all(
			"Healthcare Practitioner",
			filters={
				"name": (
					"in",
					list({r.billing_practitioner for r in records if r.billing_practitioner}) or [""],
				)
			},
			fields=["name", "npi"],
			as_list=True,
		)
	)
	lines = lines_by_record([r.name for r in records])
	rows = []
	for record in records:
		for line in lines.get(record.name, []):
			if not line.units:  # a code an adjustment dropped is not claimed
				continue
			rows.append(
				[
					record.patient,
					record.patient_name,
					births.get(record.patient) or "",
					line.date_of_service,
					line.code,
					line.units,
					record.icd10_codes or "",
					record.billing_practitioner,
					npis.get(record.billing_practitioner) or "",
				]
			)
	return rows


def claim_patients(filters) -> list[str]:
	"""The patients Export Claim Lines writes, for its Access Log entry (read again
	rather than threaded through the export, which stays as it is)."""
	return list(dict.fromkeys(row[0] for row in claim_rows(filters)))


@frappe.whitelist()
def export_claim_lines(filters):
	"""Claim lines as CSV: patient, date of birth, date of service, code, units, ICD-10 codes, practitioner.
	Billing staff open it in a spreadsheet, so a name that would run as a formula is written as text."""
	# Claim lines are billing work, with dates of birth: whoever may export claims.
	frappe.has_permission("Claim Export", "create", throw=True)
	filters = frappe._dict(frappe.parse_json(filters))
	out = io.StringIO()
	writer = csv.writer(out)
	writer.writerow(CLAIM_HEADER)
	writer.writerows(safe_rows(claim_rows(filters)))
	frappe.response["type"] = "download"
	frappe.response["filename"] = f"claim-lines-{get_first_day(getdate(filters.month))}.csv"
	frappe.response["filecontent"] = out.getvalue()
	frappe.response["content_type"] = "text/csv"
	log_phi_access(
		CLAIM_LINES_EXPORT, claim_patients(filters), report_name=REPORT, file_type="CSV", filters=filters
	)
