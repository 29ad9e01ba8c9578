"""What scripts/backup-restore-check.sh compares between a site and its restored
copy: the care-management data (row counts, billing per month) and the attached
files (their bytes, by SHA-256). Run inside a site with `bench execute`."""

from __future__ import annotations

import hashlib
import json
import os

import frappe

from care_management.billing.attached_file import attach_private_file

MODULE = "Care Management"
# Standard doctypes whose care-management rows a restore must bring back as well.
ALSO_COUNTED = ("Patient", "Sales Invoice", "Sales Invoice Item", "Payment Entry", "File", "User")
SAMPLE_CONSENT = b"%PDF-1.4\n% signed consent form (backup-restore check sample)\n%%EOF\n"


def ensure_attachments() -> dict:
	"""A signed consent form on one enrollment, unless the site already holds
	care-management attachments, so the check has files to compare."""
	# A File row whose content is not on disk (a site cloned without its files) proves nothing.
	with_content = [row for row in attachments() if file_digest(row.file_url) != "missing"]
	if with_content:
		return {"attachments": len(with_content)}
	enrollment = frappe.db.get_value("Care Program Enrollment", {}, "name", order_by="name")
	if not enrollment:
		return {"attachments": 0}
	saved = attach_private_file(
		f"consent-{enrollment}.pdf", SAMPLE_CONSENT, "Care Program Enrollment", enrollment, "consent_form"
	)
	frappe.db.set_value(
		"Care Program Enrollment", enrollment, "consent_form", saved.file_url, update_modified=False
	)
	frappe.db.commit()
	return {"attachments_with_content": 1, "added": saved.file_url}


def care_doctypes() -> list[str]:
	return frappe.get_all(
		"DocType", filters={"module": MODULE, "issingle": 0, "is_virtual": 0}, pluck="name", order_by="name"
	)


def attachments() -> list[frappe._dict]:
	doctypes = [*care_doctypes(), "Sales Invoice", "Patient"]
	return frappe.get_all(
		"File",
		filters={"attached_to_doctype": ("in", doctypes), "is_folder": 0},
		fields=["attached_to_doctype", "attached_to_name", "file_url", "is_private"],
		order_by="attached_to_doctype, attached_to_name, file_url",
	)


def file_digest(file_url: str) -> str:
	relative = file_url.lstrip("/")
	if relative.startswith("private/"):
		path = frappe.get_site_path(relative)
	else:
		path = frappe.get_site_path("public", relative)
	if not os.path.exists(path):
		return "missing"
	with open(path, "rb") as content:
		return hashlib.sha256(content.read()).hexdigest()


def snapshot(path: str) -> dict:
	counts = {doctype: frappe.db.count(doctype) for doctype in [*care_doctypes(), *ALSO_COUNTED]}
	billing = frappe.db.sql(
		"""select r.month, count(*) as records, sum(r.status = 'Ready') as ready,
			round(sum(r.total_amount), 2) as total_amount,
			sum(r.minutes_clinical_staff + r.minutes_physician + r.minutes_bh_care_manager + r.minutes_chw) as minutes
		from `tabCare Billing Record` r group by r.month order by r.month""",
		as_dict=True,
	)
	invoiced = frappe.db.sql(
		"""select rr.month, count(distinct s.name) as invoices, round(sum(i.amount), 2) as invoiced
		from `tabSales Invoice Item` i
		join `tabSales Invoice` s on s.name = i.parent and s.docstatus < 2
		join `tabCare Billing Line` l on l.name = i.reference_dn and i.reference_dt = 'Care Billing Line'
		join `tabCare Billing Record` rr on rr.name = l.parent
		group by rr.month order by rr.month""",
		as_dict=True,
	)
	files = [{**row, "sha256": file_digest(row.file_url)} for row in attachments()]
	result = {
		"counts": counts,
		"billing_by_month": billing,
		"invoiced_by_month": invoiced,
		"files": files,
	}
	with open(path, "w") as out:
		json.dump(result, out, indent=1, default=str, sort_keys=True)
	return {
		"doctypes": len(counts),
		"months": len(billing),
		"files": len(files),
		"files_with_content": sum(f["sha256"] != "missing" for f in files),
	}
