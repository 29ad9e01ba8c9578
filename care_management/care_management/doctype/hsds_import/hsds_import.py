# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.hsds import resource_from_service, service_from_resource


def services_in(payload) -> list[dict]:
	if isinstance(payload, dict):
		return payload.get("contents") if isinstance(payload.get("contents"), list) else [payload]
	if isinstance(payload, list):
		return payload
	frappe.throw(_("HSDS JSON File: expected a service, a list of services or a paged list."))


class HSDSImport(Document):
	def after_insert(self):
		if self.flags.run_now:
			run_import(self.name)
		else:
			frappe.enqueue(
				"care_management.care_management.doctype.hsds_import.hsds_import.run_import",
				queue="long",
				job_id=f"hsds-import-{self.name}",
				deduplicate=True,
				enqueue_after_commit=True,
				name=self.name,
			)


def run_import(name: str) -> None:
	"""Create or update a Community Resource per valid service (matched on the
	HSDS service id); report and skip the malformed ones; save the summary."""
	doc = frappe.get_doc("HSDS Import", name)
	doc.db_set("status", "Running")
	try:
		content = frappe.get_doc("File", {"file_url": doc.source_file}).get_content()
		services = services_in(json.loads(content))
	except Exception as error:
		doc.db_set("status", "Failed")
		doc.append("problems", {"row": 0, "field": "source_file", "reason": str(error)[:500]})
		doc.save(ignore_permissions=True)
		return
	existing = dict(
		frappe.get_all(
			"Community Resource",
			filters={
				"hsds_service_id": (
					"in",
					[s.get("id") for s in services if isinstance(s, dict) and s.get("id")] or [""],
				)
			},
			fields=["hsds_service_id", "name"],
			as_list=True,
		)
	)
	created = updated = 0
	for index, service in enumerate(services, start=1):
		resource, problems = resource_from_service(service if isinstance(service, dict) else {})
		if problems:
			for field, reason in problems:
				doc.append(
					"problems",
					{
						"row": index,
						"hsds_id": (service or {}).get("id") if isinstance(service, dict) else None,
						"field": field,
						"reason": reason,
					},
				)
			continue
		needs = resource.pop("needs")
		if resource["hsds_service_id"] in existing:
			record = frappe.get_doc("Community Resource", existing[resource["hsds_service_id"]])
			record.update(resource)
			if needs and not record.needs:
				record.set("needs", needs)
			updated += 1
		else:
			record = frappe.get_doc({"doctype": "Community Resource", **resource, "needs": needs})
			created += 1
		record.flags.ignore_permissions = True
		record.save()
		if index % 50 == 0:
			frappe.publish_progress(index * 100 / len(services), title=_("Importing community resources"))
	doc.created_count, doc.updated_count = created, updated
	doc.skipped_count = len({p.row for p in doc.problems})
	doc.status = "Completed"
	doc.save(ignore_permissions=True)


@frappe.whitelist()
def export_hsds_json():
	"""The directory as a JSON array of HSDS 3.0 services, for download."""
	frappe.has_permission("Community Resource", "read", throw=True)
	resources = frappe.get_list("Community Resource", fields=["*"], limit_page_length=0)
	needs = {}
	for row in frappe.get_all(
		"Community Resource Need",
		filters={"parent": ("in", [r.name for r in resources] or [""]), "parenttype": "Community Resource"},
		fields=["parent", "need_category", "taxonomy_code", "taxonomy_name"],
	):
		needs.setdefault(row.parent, []).append(row)
	services = [service_from_resource({**r, "needs": needs.get(r.name, [])}) for r in resources]
	frappe.response["type"] = "download"
	frappe.response["filename"] = "community-resources-hsds.json"
	frappe.response["filecontent"] = json.dumps(services, indent=1, default=str)
	frappe.response["content_type"] = "application/json"
	return services
