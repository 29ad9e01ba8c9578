# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import io
import json
import zipfile

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.hsds import resource_from_service
from care_management.domain.hsds_tabular import services_from_tables, tables_from_files

SOURCE_KINDS = (".json", ".zip")
KEPT_WHEN_SOURCE_IS_SILENT = (
	"last_verified_on",
	"schedule",
	"service_area_postal_codes",
	"service_area_counties",
	"languages",
)


def services_in(payload) -> list[dict]:
	if isinstance(payload, dict):
		return payload.get("contents") if isinstance(payload.get("contents"), list) else [payload]
	if isinstance(payload, list):
		return payload
	frappe.throw(_("HSDS Export File: expected a service, a list of services or a paged list."))


def read_source(file_name: str, content: bytes | str) -> tuple[str, list[tuple[int, dict]], list]:
	"""(file the service rows came from, [(row, service)], problems found while
	joining a CSV package). Raises on a file that cannot be read at all."""
	if file_name.lower().endswith(".zip"):
		with zipfile.ZipFile(
			io.BytesIO(content if isinstance(content, bytes) else content.encode())
		) as package:
			files = {
				info.filename: package.read(info).decode("utf-8-sig")
				for info in package.infolist()
				if info.filename.lower().endswith(".csv")
			}
		tables = tables_from_files(files)
		if "service" not in tables:
			frappe.throw(_("HSDS Export File: the package has no services.csv."))
		services, problems = services_from_tables(tables)
		return "services.csv", services, problems
	text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
	return "", list(enumerate(services_in(json.loads(text)), start=1)), []


class HSDSImport(Document):
	def validate(self):
		if self.source_file and not self.source_file.lower().endswith(SOURCE_KINDS):
			frappe.throw(
				_(
					"HSDS Export File: attach the HSDS export as a .json file or its CSV data package as a .zip."
				),
				title=_("Unsupported file"),
			)

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
	HSDS service id); report and skip the malformed rows; save the summary."""
	doc = frappe.get_doc("HSDS Import", name)
	doc.db_set("status", "Running")
	try:
		file = frappe.get_doc("File", {"file_url": doc.source_file})
		services_file, services, join_problems = read_source(
			file.file_name or doc.source_file, file.get_content()
		)
	except Exception as error:
		doc.db_set("status", "Failed")
		doc.append("problems", {"row": 0, "field": "source_file", "reason": str(error)[:500]})
		doc.save(ignore_permissions=True)
		return
	for problem in join_problems:
		doc.append("problems", problem._asdict())
	ids = [s.get("id") for _row, s in services if isinstance(s, dict) and s.get("id")]
	existing = dict(
		frappe.get_all(
			"Community Resource",
			filters={"hsds_service_id": ("in", ids or [""])},
			fields=["hsds_service_id", "name"],
			as_list=True,
		)
	)
	created = updated = 0
	for done, (row, service) in enumerate(services, start=1):
		service = service if isinstance(service, dict) else {}
		resource, problems = resource_from_service(service)
		if problems:
			for field, reason in problems:
				doc.append(
					"problems",
					{
						"file": services_file,
						"row": row,
						"hsds_id": service.get("id"),
						"field": field,
						"reason": reason,
					},
				)
			continue
		needs = resource.pop("needs")
		if resource["hsds_service_id"] in existing:
			record = frappe.get_doc("Community Resource", existing[resource["hsds_service_id"]])
			# What the care team curated stays when the source says nothing about it.
			for field in KEPT_WHEN_SOURCE_IS_SILENT:
				if not resource.get(field):
					resource.pop(field, None)
			record.update(resource)
			if needs and not record.needs:
				record.set("needs", needs)
		else:
			record = frappe.get_doc({"doctype": "Community Resource", **resource, "needs": needs})
		record.flags.ignore_permissions = True
		# A row our own validation refuses (say a verified date in the future) is
		# reported like any malformed row; nothing of it is kept.
		frappe.db.savepoint("hsds_row")
		try:
			record.save()
		except frappe.ValidationError as error:
			frappe.db.rollback(save_point="hsds_row")
			frappe.clear_last_message()
			doc.append(
				"problems",
				{
					"file": services_file,
					"row": row,
					"hsds_id": service.get("id"),
					"field": "",
					"reason": frappe.utils.strip_html(str(error))[:500],
				},
			)
			continue
		if resource["hsds_service_id"] in existing:
			updated += 1
		else:
			created += 1
		existing[resource["hsds_service_id"]] = record.name
		if done % 25 == 0:
			frappe.publish_progress(
				done * 100 / len(services),
				title=_("Importing community resources"),
				doctype="HSDS Import",
				docname=doc.name,
			)
	doc.problems.sort(key=lambda p: (p.file or "", p.row or 0))
	for idx, problem in enumerate(doc.problems, start=1):
		problem.idx = idx
	doc.created_count, doc.updated_count = created, updated
	doc.skipped_count = len({(p.file, p.row) for p in doc.problems})
	doc.status = "Completed"
	doc.save(ignore_permissions=True)
