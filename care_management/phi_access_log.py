"""Every way the app's own code lets PHI out is written to Frappe's Access Log
(its own ``make_access_log``, not a log of ours): who, when, the document or the
filters, the file type, and the patients the file or page carried.

The patients go into the entry's *Filters* as JSON, ``{"filters": …,
"patient_count": n, "patients": [...]}``, so the PHI Access report finds a
patient inside a bulk export with one statement. What Frappe serves itself it
logs itself: the print view and every PDF of a document (both render
``/printview``: the portal's "Print my care plan", the desk's Print and PDF),
private file downloads (the 837P and 835 files), its list and Data Export; form
views are its View Log (``track_views``).
"""

import json

import frappe
from frappe.core.doctype.access_log.access_log import make_access_log

# What each entry says in Access Log's Method (stored in English, translated when shown).
FHIR_EXPORT = "FHIR Export"
CLAIM_LINES_EXPORT = "Export Claim Lines"
REPORT_EXPORT = "Report Export"
PORTAL_PAGE = "My Care Plan (portal)"
SELF_SCREENING_FORM = "Self-Screening Form"

# The command Frappe's Export (Excel / CSV) of a query report runs the report under.
FRAPPE_REPORT_EXPORT = "frappe.desk.query_report.export_query"


def access_filters(patients, filters=None) -> str:
	"""The entry's Filters: what was asked for, and whom the answer covered."""
	covered = list(dict.fromkeys(str(p) for p in patients if p))
	return json.dumps(
		{"filters": filters or {}, "patient_count": len(covered), "patients": covered},
		default=str,
		ensure_ascii=False,
	)


def log_phi_access(
	method: str,
	patients,
	*,
	doctype: str | None = None,
	document: str | None = None,
	file_type: str | None = None,
	report_name: str | None = None,
	filters=None,
) -> None:
	make_access_log(
		doctype=doctype,
		document=document,
		method=method,
		file_type=file_type,
		report_name=report_name,
		filters=access_filters(patients, filters),
	)


def log_report_export(report_name: str, filters, rows, patient_field: str = "patient") -> None:
	"""Called at the end of a report's ``execute``: when Frappe's Export is running
	the report, log whom the file covers (the patients of its rows). Frappe's desk
	logs the click too (Method "Export", the filters, no rows); this entry is
	written by the server, so an export through the API is logged as well. Any
	other run of the report (the desk showing it, the worklist) does nothing."""
	form = frappe.local.form_dict
	if form.get("cmd") != FRAPPE_REPORT_EXPORT or form.get("report_name") != report_name:
		return
	log_phi_access(
		REPORT_EXPORT,
		(row.get(patient_field) for row in rows if isinstance(row, dict)),
		report_name=report_name,
		file_type=form.get("file_format_type"),
		filters=filters,
	)
