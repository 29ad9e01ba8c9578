"""Download the Community Resource directory as HSDS 3.0: JSON services or a
CSV data package (zip)."""

import io
import json
import zipfile

import frappe

from care_management.domain.hsds import service_from_resource
from care_management.domain.hsds_tabular import package_files


def directory_as_services() -> list[dict]:
	"""Every resource the user may read, as an HSDS service object. Two queries."""
	frappe.has_permission("Community Resource", "read", throw=True)
	resources = frappe.get_list("Community Resource", fields=["*"], limit_page_length=0, order_by="name")
	needs = {}
	for row in frappe.get_all(
		"Community Resource Need",
		filters={"parent": ("in", [r.name for r in resources] or [""]), "parenttype": "Community Resource"},
		fields=["parent", "need_category", "taxonomy_code", "taxonomy_name"],
		order_by="idx",
	):
		needs.setdefault(row.parent, []).append(row)
	return [service_from_resource({**r, "needs": needs.get(r.name, [])}) for r in resources]


@frappe.whitelist()
def export_json():
	services = directory_as_services()
	frappe.response["type"] = "download"
	frappe.response["filename"] = "community-resources-hsds.json"
	frappe.response["filecontent"] = json.dumps(services, indent=1, default=str)
	frappe.response["content_type"] = "application/json"
	return services


@frappe.whitelist()
def export_csv_package():
	files = package_files(directory_as_services())
	buffer = io.BytesIO()
	with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
		for name, text in files.items():
			package.writestr(name, text)
	frappe.response["type"] = "download"
	frappe.response["filename"] = "community-resources-hsds-csv.zip"
	frappe.response["filecontent"] = buffer.getvalue()
	frappe.response["content_type"] = "application/zip"
	return files
