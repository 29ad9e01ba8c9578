"""Existing sites get the Outreach Log index the worklist reads a patient's
newest log and newest reached log through (outreach_log.on_doctype_update), and
lose the index on (patient, docstatus, start) that the wider one now begins
with: one index less to write on every log saved. Idempotent."""

import frappe

from care_management.care_management.doctype.outreach_log import outreach_log

REPLACED = "patient_docstatus_start_index"


def execute():
	outreach_log.on_doctype_update()
	names = {row.Key_name for row in frappe.db.sql("show index from `tabOutreach Log`", as_dict=True)}
	if REPLACED in names:
		frappe.db.sql_ddl(f"alter table `tabOutreach Log` drop index `{REPLACED}`")
