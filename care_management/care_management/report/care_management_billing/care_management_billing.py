# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A month's billing, per patient and program: minutes, codes, amounts,
status and the reasons the rest is not billable; plus claim lines as CSV."""

import csv
import io

import frappe
from frappe import _
from frappe.utils import get_first_day, getdate

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
	for record in records:
		record.codes = ", ".join(f"{line.code} × {line.units}" for line in lines.get(record.name, []))
		record.reasons = (record.reasons or "").replace("\n", "; ")
	return columns(), records, None, chart(records), summary(records)


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
			"sales_invoice", "icd10_codes", "month",
		],
		order_by="patient_name, program",
		limit_page_length=0,
	)  # fmt: skip


def lines_by_record(names: list[str]) -> dict[str, list]:
	grouped = {}
	if not names:
		return grouped
	for line in frappe.get_all(
		"Care Billing Line",
		filters={"parenttype": "Care Billing Record", "parent": ("in", names)},
		fields=["parent", "code", "units", "date_of_service", "amount"],
		order_by="parent, idx",
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
		*(
			{"fieldname": field, "label": label, "fieldtype": "Int", "width": 90}
			for field, label in PERFORMER_COLUMNS
		),
		{"fieldname": "device_days", "label": _("Device Days"), "fieldtype": "Int", "width": 90},
		{"fieldname": "codes", "label": _("Codes"), "fieldtype": "Data", "width": 150},
		{"fieldname": "total_amount", "label": _("Amount"), "fieldtype": "Currency", "width": 100},
		{"fieldname": "reasons", "label": _("Why Not (or Not More)"), "fieldtype": "Data", "width": 320},
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
	lines = lines_by_record([r.name for r in records])
	rows = []
	for record in records:
		for line in lines.get(record.name, []):
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
					"",
				]
			)
	return rows


@frappe.whitelist()
def export_claim_lines(filters):
	"""Claim lines as CSV: patient, date of birth, date of service, code, units, ICD-10 codes, practitioner."""
	filters = frappe._dict(frappe.parse_json(filters))
	out = io.StringIO()
	writer = csv.writer(out)
	writer.writerow(CLAIM_HEADER)
	writer.writerows(claim_rows(filters))
	frappe.response["type"] = "download"
	frappe.response["filename"] = f"claim-lines-{get_first_day(getdate(filters.month))}.csv"
	frappe.response["filecontent"] = out.getvalue()
	frappe.response["content_type"] = "text/csv"
