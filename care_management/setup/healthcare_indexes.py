"""Indexes on Healthcare's tables that the app's set-based reports and jobs read
through (Care Quality Measures, the eligibility scan, the risk run: each
patient's vital signs by date, their inpatient stays and discharges, their lab
tests and encounters by date). Healthcare indexes few of these by patient;
without them each run scans the whole table.

Idempotent (``add_index`` skips an index that exists); uninstall drops them,
leaving Healthcare's tables as Healthcare made them."""

import frappe

# doctype -> column tuples, each one index. The longer ones cover what the eligibility
# scan and the risk run group every patient's records by, so MariaDB reads the index
# alone (at 50,000 patients with 10 encounters each, the diagnosis statement took half
# as long with them): each encounter's latest practitioner, each coding's code system
# and code, each reading's systolic value.
HEALTHCARE_INDEXES = {
	"Vital Signs": [
		("patient", "signs_date"),
		("patient", "docstatus", "signs_date", "signs_time", "bp_systolic"),
	],
	"Inpatient Record": [
		("patient", "admitted_datetime"),
		("patient", "status"),
		("status", "discharge_datetime"),
	],
	"Lab Test": [("patient", "date"), ("patient", "docstatus")],
	"Patient Encounter": [
		("patient", "encounter_date"),
		("patient", "docstatus", "encounter_date", "practitioner"),
	],
	"Codification Table": [("parent", "parenttype", "code_system", "system", "code")],
}


def index_name(columns: tuple[str, ...]) -> str:
	# The name frappe.db.add_index gives an index it makes.
	return "_".join(columns) + "_index"


def add_healthcare_indexes() -> None:
	for doctype, indexes in HEALTHCARE_INDEXES.items():
		if not frappe.db.table_exists(doctype):
			continue
		for columns in indexes:
			frappe.db.add_index(doctype, list(columns), index_name(columns))


def drop_healthcare_indexes() -> None:
	for doctype, indexes in HEALTHCARE_INDEXES.items():
		if not frappe.db.table_exists(doctype):
			continue
		for columns in indexes:
			if frappe.db.has_index(f"tab{doctype}", index_name(columns)):
				frappe.db.sql_ddl(f"alter table `tab{doctype}` drop index `{index_name(columns)}`")
