# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import io
import json
import zipfile

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils.background_jobs import is_job_enqueued
from rq.timeouts import JobTimeoutException

from care_management.domain.hsds import TermMeanings, resource_from_service
from care_management.domain.hsds_tabular import services_from_tables, tables_from_files
from care_management.storable_text import DATA_LENGTH, REASON_LENGTH, storable

SOURCE_KINDS = (".json", ".zip")
KEPT_WHEN_SOURCE_IS_SILENT = (
	"last_verified_on",
	"schedule",
	"service_area_postal_codes",
	"service_area_counties",
	"languages",
)
# What one run writes can be undone as a whole when the job dies, and what one
# row writes when that row fails, without touching what came before either.
RUN_SAVEPOINT = "hsds_import_run"
ROW_SAVEPOINT = "hsds_row"


def job_id(name: str) -> str:
	return f"hsds-import-{name}"


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
		self.start()

	def start(self):
		if self.flags.run_now:
			run_import(self.name)
		else:
			frappe.enqueue(
				"care_management.care_management.doctype.hsds_import.hsds_import.run_import",
				queue="long",
				job_id=job_id(self.name),
				deduplicate=True,
				enqueue_after_commit=True,
				name=self.name,
			)

	@frappe.whitelist()
	def run_again(self):
		"""Import the same file again, say once its source fixed the rows it
		reported, or after the job failed. Services already imported are updated,
		not duplicated (matched on their HSDS id)."""
		self.check_permission("write")
		# Queued or Running with no job behind it: the worker died without a word.
		if self.status in ("Queued", "Running") and is_job_enqueued(job_id(self.name)):
			frappe.throw(
				_("This import is {0}. Run it again once it has finished.").format(
					frappe.utils.escape_html(_(self.status))
				),
				title=_("Import Not Finished"),
			)
		self.status = "Queued"
		self.failure_reason = None
		self.created_count = self.updated_count = self.skipped_count = 0
		self.set("problems", [])
		self.save()
		self.start()


def run_import(name: str) -> None:
	"""Create or update a Community Resource per valid service (matched on the
	HSDS service id); report the malformed rows, and the parts of rows left out,
	and go on; save the summary. The import ends Completed, or Failed with the
	reason when the job itself cannot go on, never Running."""
	doc = frappe.get_doc("HSDS Import", name)
	doc.db_set("status", "Running")
	frappe.db.savepoint(RUN_SAVEPOINT)
	try:
		file = frappe.get_doc("File", {"file_url": doc.source_file})
		source = read_source(file.file_name or doc.source_file, file.get_content())
	except Exception as error:
		fail(name, _("HSDS Export File could not be read: {0}").format(error), field="source_file")
		return
	try:
		import_services(doc, *source)
	except Exception as error:
		fail(
			name,
			_("The import stopped: {0}. Nothing of this run was kept; the Error Log has the details.").format(
				f"{type(error).__name__}: {error}"
			),
		)


def fail(name: str, reason: str, field: str | None = None) -> None:
	"""End the import Failed with the reason, keeping none of this run's rows, so
	that running it again starts from where this run did."""
	traceback = frappe.get_traceback()
	try:
		frappe.db.rollback(save_point=RUN_SAVEPOINT)
	except Exception:
		# The database ended the transaction itself (a deadlock, a lost connection).
		frappe.db.rollback()
	frappe.clear_messages()
	if not frappe.db.exists("HSDS Import", name):
		return  # run inline, and rolled back with the transaction that inserted it
	frappe.log_error(
		title=_("HSDS Import {0} failed").format(name),
		message=traceback,
		reference_doctype="HSDS Import",
		reference_name=name,
	)
	doc = frappe.get_doc("HSDS Import", name)
	doc.status = "Failed"
	doc.failure_reason = storable(reason, REASON_LENGTH)
	doc.created_count = doc.updated_count = doc.skipped_count = 0
	# Problems found before the job died would describe rows that were not kept.
	doc.set("problems", [])
	if field:
		doc.append("problems", problem_row("", 0, None, field, reason))
	doc.save(ignore_permissions=True)


def import_services(doc, services_file: str, services: list[tuple[int, dict]], join_problems: list) -> None:
	doc.set("problems", [])
	skipped = set()
	for problem in join_problems:
		doc.append("problems", problem_row(*problem[:5]))
		if getattr(problem, "row_left_out", True):
			skipped.add((problem.file, problem.row))
	existing = existing_resources(services)
	meanings = TermMeanings()
	created = updated = 0
	for done, (row, service) in enumerate(services, start=1):
		outcome, problems = import_row(service, existing)
		problems = [*problems, *meanings.problems(service)]
		hsds_id = service.get("id") if isinstance(service, dict) else None
		for field, reason in problems:
			doc.append("problems", problem_row(services_file, row, hsds_id, field, reason))
		if outcome == "created":
			created += 1
		elif outcome == "updated":
			updated += 1
		else:
			skipped.add((services_file, row))
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
	doc.created_count, doc.updated_count, doc.skipped_count = created, updated, len(skipped)
	doc.status = "Completed"
	doc.failure_reason = None
	doc.save(ignore_permissions=True)


def existing_resources(services: list[tuple[int, dict]]) -> dict[str, str]:
	"""HSDS service id -> Community Resource, for the services already in the directory. One query."""
	# A feed's id may be anything; only text that fits the column can match a resource.
	ids = [
		service["id"]
		for _row, service in services
		if isinstance(service, dict) and isinstance(service.get("id"), str) and service["id"]
	]
	ids = [service_id for service_id in ids if len(service_id) <= DATA_LENGTH]
	return dict(
		frappe.get_all(
			"Community Resource",
			filters={"hsds_service_id": ("in", ids or [""])},
			fields=["hsds_service_id", "name"],
			as_list=True,
		)
	)


def import_row(service, existing: dict[str, str]) -> tuple[str | None, list[tuple[str, str]]]:
	"""Create or update one service's Community Resource: ("created", "updated",
	or None when nothing of it was kept; its problems). Whatever goes wrong in
	one row is undone and reported on that row, and the import goes on."""
	frappe.db.savepoint(ROW_SAVEPOINT)
	problems = []
	try:
		resource, problems = resource_from_service(service)
		if resource is None:
			return None, problems
		return save_resource(resource, existing), problems
	except JobTimeoutException:
		raise  # the job's time is up: that is the job failing, not this row
	except frappe.ValidationError as error:
		# A row our own validation refuses (say a verified date in the future) is
		# reported like any malformed row; nothing of it is kept.
		frappe.db.rollback(save_point=ROW_SAVEPOINT)
		frappe.clear_last_message()
		return None, [*problems, ("", frappe.utils.strip_html(str(error)))]
	except Exception as error:
		# A bug or a database refusal, not the feed's fault: the row is reported,
		# the traceback logged for whoever fixes it, and the other rows still import.
		frappe.db.rollback(save_point=ROW_SAVEPOINT)
		frappe.clear_last_message()
		frappe.log_error(
			title=_("HSDS Import: a service could not be imported"), message=frappe.get_traceback()
		)
		return None, [
			*problems,
			("", _("Not imported, an unexpected error: {0}").format(f"{type(error).__name__}: {error}")),
		]


def save_resource(resource: dict, existing: dict[str, str]) -> str:
	needs = resource.pop("needs")
	service_id = resource["hsds_service_id"]
	if service_id in existing:
		record = frappe.get_doc("Community Resource", existing[service_id])
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
	record.save()
	outcome = "updated" if service_id in existing else "created"
	existing[service_id] = record.name
	return outcome


def problem_row(file: str, row: int, hsds_id, field: str, reason: str) -> dict:
	"""A problem as the HSDS Import Problem table keeps it."""
	return {
		"file": file,
		"row": row,
		"hsds_id": storable(hsds_id, DATA_LENGTH) if isinstance(hsds_id, str) else None,
		"field": storable(field, DATA_LENGTH),
		"reason": storable(reason, REASON_LENGTH),
	}
