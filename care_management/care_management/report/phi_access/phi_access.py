# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""Who touched a patient's record, or what a user opened: Frappe's View Log
(form views) and Access Log (exports, prints, PDFs, file downloads, FHIR
bundles, the portal, API reads) read together, for a period.

For a patient, an entry counts when its record is the patient's (their Patient,
a care plan, an outreach log…), when it is a file attached to such a record (the
837P file of a Claim Export that carried their claim), or when it lists them
(the patients a bulk export covered, written by care_management.phi_access_log,
or Frappe's own export filtered to them). A fixed number of statements, whatever
the size of the logs or the practice: one per kind of record, never one per entry."""

import json

import frappe
from frappe import _
from frappe.utils import add_days, add_months, add_to_date, getdate, today

from care_management.phi_access_log import (
	CLAIM_LINES_EXPORT,
	FHIR_EXPORT,
	PORTAL_PAGE,
	REPORT_EXPORT,
	SELF_SCREENING_FORM,
	log_report_export,
)
from care_management.report_columns import column

REPORT = "PHI Access"

# Where each kind of record names its patient: doctype -> (table, key column,
# patient column, parent doctype). A record keyed by "parent" is a bulk one: a
# claims file has a row per claim, each naming its patient.
PATIENT_RECORDS = {
	"Patient": ("Patient", "name", "name", None),
	**{
		doctype: (doctype, "name", "patient", None)
		for doctype in (
			"Care Plan",
			"Care Program Enrollment",
			"Outreach Log",
			"Needs Screening",
			"Patient Care Plan Update",
			"Patient Coverage",
			"Care Transition",
			"Device Reading",
			"Resource Referral",
			"Screening Invitation",
			"Care Billing Record",
			# Healthcare's records a care manager works with (setup/patient_access.py).
			"Patient Appointment",
			"Vital Signs",
			"Patient Encounter",
			"Inpatient Record",
		)
	},
	"Claim Export": ("Claim Export Invoice", "parent", "patient", "Claim Export"),
	"Remittance Import": ("Remittance Claim", "parent", "patient", "Remittance Import"),
	"Claim Acknowledgment Import": (
		"Claim Acknowledgment",
		"parent",
		"patient",
		"Claim Acknowledgment Import",
	),
}

# Log Settings may delete the logs this report reads; HIPAA keeps its documentation six years.
SIX_YEARS_DAYS = 6 * 365


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not (filters.get("patient") or filters.get("user")):
		# Opened from the workspace with no filter yet: say what to choose, not an error.
		return columns(), [], _("Choose a Patient (who touched their record) or a User (what they opened).")
	start = getdate(filters.get("from_date") or add_months(today(), -12))
	end = getdate(filters.get("to_date") or today())
	if end < start:
		frappe.throw(_("To Date: choose a date on or after From Date."), title=_("PHI Access"))
	params = {
		"start": start,
		"end": add_days(end, 1),  # the whole of the last day
		"patient": filters.get("patient"),
		"user": filters.get("user"),
	}
	rows = views(params) + accesses(params)
	rows.sort(key=lambda row: (row.accessed_on, row.log), reverse=True)
	describe(rows, params)
	log_report_export(REPORT, filters, rows)
	return columns(), rows, retention_message(start)


# --- What each log holds about the patient or the user


def known_doctypes() -> list[str]:
	return [dt for dt, (table, *_rest) in PATIENT_RECORDS.items() if frappe.db.table_exists(table)]


def records_of_patient(doctype: str) -> str:
	"""The names of the patient's records of one kind, as a subquery."""
	table, key, patient_column, parent = PATIENT_RECORDS[doctype]
	parent_only = f" and parenttype = {frappe.db.escape(parent)}" if parent else ""
	return f"select `{key}` from `tab{table}` where `{patient_column}` = %(patient)s{parent_only}"


def period(alias: str) -> str:
	return f"{alias}.creation >= %(start)s and {alias}.creation < %(end)s"


def views(params) -> list:
	by_user = " and v.viewed_by = %(user)s" if params["user"] else ""
	select = f"""select 'View Log' as log_type, v.name as log, v.creation as accessed_on,
			v.viewed_by as user, v.reference_doctype as document_type, v.reference_name as document
		from `tabView Log` v where {period("v")}{by_user}"""
	if not params["patient"]:
		return frappe.db.sql(select, params, as_dict=True)
	# One branch per kind of record, each through the index on reference_name.
	branches = [
		f"""{select} and v.reference_doctype = {frappe.db.escape(doctype)}
			and v.reference_name in ({records_of_patient(doctype)})"""
		for doctype in known_doctypes()
	]
	return frappe.db.sql(" union all ".join(branches), params, as_dict=True)


def accesses(params) -> list:
	by_user = " and a.user = %(user)s" if params["user"] else ""
	if params["patient"]:
		params["listed_as_json"] = like_contains(json.dumps(params["patient"], ensure_ascii=False))
		params["listed_as_python"] = like_contains(repr(params["patient"]))
		chosen = f"a.name in ({touching_patient()})"
	else:
		chosen = "1 = 1"
	return frappe.db.sql(
		f"""select 'Access Log' as log_type, a.name as log, a.creation as accessed_on, a.user,
			a.method, a.export_from, a.report_name, a.file_type, f.file_name,
			coalesce(f.attached_to_doctype, nullif(a.export_from, '')) as document_type,
			coalesce(f.attached_to_name, nullif(a.reference_document, '')) as document,
			case when json_valid(a.filters) and json_exists(a.filters, '$.patients')
				then json_value(a.filters, '$.patient_count') end as listed_count,
			case when json_valid(a.filters) and json_exists(a.filters, '$.patients')
				and json_value(a.filters, '$.patient_count') = 1
				then json_value(a.filters, '$.patients[0]') end as listed_patient,
			case when json_valid(a.filters) and json_exists(a.filters, '$.patients')
				then json_compact(json_extract(a.filters, '$.filters'))
				else left(a.filters, 300) end as asked_for,
			left(a.page, 100) as page_start
		from `tabAccess Log` a
		left join `tabFile` f on a.export_from = 'File' and f.name = a.reference_document
		where {period("a")}{by_user} and {chosen}""",
		params,
		as_dict=True,
	)


def touching_patient() -> str:
	"""Access Log entries of the patient's records, of files attached to them, and
	entries that list the patient (a bulk export's patients, or filters naming them)."""
	branches = []
	for doctype in known_doctypes():
		records = records_of_patient(doctype)
		branches.append(
			f"""select a.name from `tabAccess Log` a where {period("a")}
			and a.export_from = {frappe.db.escape(doctype)} and a.reference_document in ({records})"""
		)
		branches.append(
			f"""select a.name from `tabFile` f
			join `tabAccess Log` a on a.reference_document = f.name and a.export_from = 'File'
			where {period("a")} and f.attached_to_doctype = {frappe.db.escape(doctype)}
				and f.attached_to_name in ({records})"""
		)
	branches.append(
		f"""select a.name from `tabAccess Log` a where {period("a")}
		and (a.filters like %(listed_as_json)s or a.filters like %(listed_as_python)s)"""
	)
	return " union ".join(branches)


def like_contains(text: str) -> str:
	escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
	return f"%{escaped}%"


# --- The rows as the user reads them


def describe(rows: list, params) -> None:
	"""Who is behind each row, the patient and how many patients it covered; the
	patients and counts of records read in one statement per kind of record."""
	patients, counts = record_patients(rows)
	names = user_names({row.user for row in rows})
	for row in rows:
		row.user_name = names.get(row.user, row.user)
		row.how = how(row)
		row.details = details(row)
		key = (row.document_type, row.document)
		if row.get("listed_count") is not None:
			row.patient_count = int(row.listed_count)
			row.patient = params["patient"] or row.listed_patient
		else:
			row.patient_count = counts.get(key)
			row.patient = params["patient"] or patients.get(key)


def record_patients(rows: list) -> tuple[dict, dict]:
	"""(doctype, name) -> its patient, for single-patient records; -> how many
	patients, for every record of a known kind."""
	wanted = {}
	for row in rows:
		if row.document_type in PATIENT_RECORDS and row.document and row.get("listed_count") is None:
			wanted.setdefault(row.document_type, set()).add(row.document)
	patients, counts = {}, {}
	for doctype, names in wanted.items():
		table, key, patient_column, parent = PATIENT_RECORDS[doctype]
		if not frappe.db.table_exists(table):
			continue
		if parent:
			for name, count in frappe.db.sql(
				f"""select `{key}`, count(distinct `{patient_column}`) from `tab{table}`
				where `{key}` in %(names)s and parenttype = %(parent)s group by `{key}`""",
				{"names": list(names), "parent": parent},
			):
				counts[(doctype, name)] = count
			continue
		for name, patient in frappe.db.sql(
			f"select name, `{patient_column}` from `tab{table}` where name in %(names)s",
			{"names": list(names)},
		):
			patients[(doctype, name)] = patient
			counts[(doctype, name)] = 1
	return patients, counts


def user_names(users: set) -> dict:
	if not users:
		return {}
	return dict(
		frappe.get_all(
			"User", filters={"name": ("in", list(users))}, fields=["name", "full_name"], as_list=True
		)
	)


def how(row) -> str:
	if row.log_type == "View Log":
		return _("Viewed")
	if row.export_from == "File":
		return _("File downloaded")
	if row.method:
		return method_label(row.method)
	if row.file_type or row.report_name:
		return _("Exported")
	return _("Accessed")


def method_label(method: str) -> str:
	"""The app's methods, written to the log in English, in the reader's language."""
	labels = {
		FHIR_EXPORT: _("FHIR Export"),
		CLAIM_LINES_EXPORT: _("Export Claim Lines"),
		REPORT_EXPORT: _("Report Export"),
		PORTAL_PAGE: _("My Care Plan (portal)"),
		SELF_SCREENING_FORM: _("Self-Screening Form"),
	}
	return labels.get(method) or _(method)


def details(row) -> str:
	if row.log_type == "View Log":
		return ""
	if row.get("file_name"):
		return row.file_name
	if row.page_start and row.page_start.startswith("Print Format"):
		return row.page_start
	asked = row.asked_for or ""
	return "" if asked in ("{}", "null") else asked


def retention_message(start) -> str:
	"""Say so when Log Settings deletes these logs sooner than the period asked for,
	or sooner than six years."""
	notes = []
	for doctype, days in frappe.get_all(
		"Logs To Clear",
		filters={"parent": "Log Settings", "ref_doctype": ("in", ["Access Log", "View Log"])},
		fields=["ref_doctype", "days"],
		as_list=True,
	):
		kept_since = getdate(add_to_date(today(), days=-int(days)))
		if start < kept_since or int(days) < SIX_YEARS_DAYS:
			notes.append(
				_(
					"Log Settings deletes {0} entries after {1} days: nothing before {2} can be shown, "
					"and HIPAA asks for six years."
				).format(_(doctype), days, frappe.utils.formatdate(kept_since))
			)
	return "<br>".join(frappe.utils.escape_html(note) for note in notes)


def columns() -> list[dict]:
	# Data rather than Link for users, patients and doctypes: Frappe's report runner refuses
	# a Link column to a doctype the reader may not read, and a supervisor may read neither
	# Patient nor User. The record and the log entry stay links (Dynamic Link is not checked).
	return [
		column("accessed_on", _("When"), "Datetime", 160),
		column("user", _("User"), width=180),
		column("user_name", _("Name"), width=140),
		column("how", _("How"), width=150),
		column("document_type", _("Record Type"), width=150),
		column("document", _("Record"), "Dynamic Link", 160, "document_type"),
		column("patient", _("Patient"), width=140),
		column("patient_count", _("Patients Covered"), "Int", 90),
		column("file_type", _("File Type"), width=80),
		column("report_name", _("Report"), width=160),
		column("details", _("Details"), width=260),
		column("log_type", _("Log"), width=90),
		column("log", _("Log Entry"), "Dynamic Link", 120, "log_type"),
	]  # fmt: skip
