"""Export → Excel / CSV of a query report, with spreadsheet-safe cells for the app's reports.

Frappe 15's export (frappe.desk.query_report.export_query) writes each cell as the
report returned it: in the CSV a patient named `=HYPERLINK(…)` is a live formula
when billing staff open the file, and in the Excel file openpyxl stores any text
beginning with `=` as a formula. hooks.py routes the export here. A report of this
app (module Care Management, or a Custom Report built on one) takes Frappe's own
steps below, with every cell, filter and label passed through
domain.spreadsheet_cells first; any other report is exported by Frappe unchanged.

The steps are Frappe 15's (query_report.export_query), calling its helpers;
care_management/tests/test_hostile_names.py checks a harmless export comes out
byte for byte as Frappe's does, so a change in Frappe shows up there.
"""

import json

import frappe
from frappe import _
from frappe.desk import query_report
from frappe.desk.reportview import clean_params, parse_json

from care_management.domain.spreadsheet_cells import safe_rows

APP_MODULE = "Care Management"


def is_app_report(report_name: str | None) -> bool:
	report = frappe.db.get_value(
		"Report", report_name, ["module", "report_type", "reference_report"], as_dict=True
	)
	if report and report.report_type == "Custom Report" and report.reference_report:
		report = frappe.db.get_value("Report", report.reference_report, ["module"], as_dict=True)
	return bool(report and report.module == APP_MODULE)


@frappe.whitelist()
def export_query():
	if not is_app_report(frappe.form_dict.get("report_name")):
		return query_report.export_query()
	return export_safe_query()


def export_safe_query():
	from frappe.desk.utils import get_csv_bytes, pop_csv_params, provide_binary_file

	form_params = frappe._dict(frappe.local.form_dict)
	csv_params = pop_csv_params(form_params)
	clean_params(form_params)
	parse_json(form_params)
	report_name = form_params.report_name
	frappe.permissions.can_export(
		frappe.get_cached_value("Report", report_name, "ref_doctype"),
		raise_exception=True,
	)

	file_format_type = form_params.file_format_type
	custom_columns = frappe.parse_json(form_params.custom_columns or "[]")
	include_indentation = form_params.include_indentation
	include_filters = form_params.include_filters
	visible_idx = form_params.visible_idx

	if isinstance(visible_idx, str):
		visible_idx = json.loads(visible_idx)

	data = query_report.run(
		report_name, form_params.filters, custom_columns=custom_columns, are_default_filters=False
	)
	data = frappe._dict(data)
	data.filters = form_params.applied_filters

	if not data.columns:
		frappe.respond_as_web_page(
			_("No data to export"),
			_("You can try changing the filters of your report."),
		)
		return

	query_report.format_fields(data)
	xlsx_data, column_widths = query_report.build_xlsx_data(
		data, visible_idx, include_indentation, include_filters=include_filters
	)
	# The one step Frappe does not take.
	xlsx_data = safe_rows(xlsx_data)

	if file_format_type == "CSV":
		content = get_csv_bytes(xlsx_data, csv_params)
		file_extension = "csv"
	elif file_format_type == "Excel":
		from frappe.utils.xlsxutils import make_xlsx

		file_extension = "xlsx"
		content = make_xlsx(xlsx_data, "Query Report", column_widths=column_widths).getvalue()
	else:
		frappe.throw(_("File Format: choose Excel or CSV."))

	if include_filters:
		for value in (data.filters or {}).values():
			suffix = ""
			if isinstance(value, list):
				suffix = "_" + ",".join(value)
			elif isinstance(value, str) and value not in {"Yes", "No"}:
				suffix = f"_{value}"

			if query_report.valid_report_name(report_name, suffix):
				report_name += suffix

	provide_binary_file(report_name, file_extension, content)
