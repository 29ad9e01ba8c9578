"""Month close: billing records for every enrolled patient of a month.

Facts come from a fixed number of set-based queries per chunk (facts.py), the
pure engine decides, and the records are written in bulk. Closing again is
idempotent: an unchanged record is left as it is, a changed one is replaced
under the same name, and one on an invoice (draft or submitted) is never touched.

Exactly once, by construction:
- the database holds at most one record per month, patient, program and
  billing practitioner (unique key, billing_key.py);
- overlapping closes of a month never run together (close_guard.py), and a
  close whose worker died is given up as Failed within minutes (close_guard.py);
- each chunk is a row of its close, locked while the chunk runs; a chunk run
  again (an RQ retry, a re-queued job) finds its row Done and changes nothing;
- a chunk locks the records it may replace, then their lines, in name order,
  as invoicing does (line_claims.py), and reads their invoice claims under
  those locks.
"""

from __future__ import annotations

import hashlib
import json

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, getdate, now_datetime, today

from care_management.billing.adjustments import flag_for_review
from care_management.billing.close_guard import chunk_job_id
from care_management.billing.db_errors import is_concurrency_error, message_for
from care_management.billing.facts import MonthFacts, patients_to_close
from care_management.billing.holidays import practice_holidays
from care_management.care_management.doctype.billing_code.billing_code import load_rules
from care_management.domain.billing.engine import evaluate

PERFORMER_FIELDS = {
	"Clinical Staff": "minutes_clinical_staff",
	"Physician/QHP": "minutes_physician",
	"Behavioral Health Care Manager": "minutes_bh_care_manager",
	"Community Health Worker / Navigator": "minutes_chw",
}
RECORD = "Care Billing Record"
LINE = "Care Billing Line"
CHUNK = "Care Month Close Chunk"


@frappe.whitelist()
def close_month(month, practitioner: str | None = None, now: bool = False) -> str:
	"""Close ``month`` (whole practice, or one billing practitioner); returns the
	Care Month Close that tracks it. ``now`` runs every chunk in this process
	(the tests and the benchmark's one-worker figure use it)."""
	close = frappe.new_doc("Care Month Close")
	close.month = month
	close.billing_practitioner = practitioner
	close.flags.run_now = frappe.utils.sbool(now)
	close.insert()  # the controller says what a concurrent close's database refusal means
	return close.name


def collision_messages(month, own_close: str | None = None) -> dict:
	"""What to tell whoever started a close that met another close (or an
	invoicing run) of the same month in the database: ``explained``'s arguments."""
	month = get_first_day(getdate(month))
	other = frappe.db.sql(
		"""select name, status from `tabCare Month Close`
		where month = %(month)s and name != %(own)s order by creation desc limit 1""",
		{"month": month, "own": own_close or ""},
		as_dict=True,
	)
	label = frappe.utils.formatdate(month, "MMMM yyyy")
	other_close = (
		_("another close of {0} ({1}, {2})").format(
			label, frappe.get_desk_link("Care Month Close", other[0].name), _(other[0].status)
		)
		if other
		else _("another close of {0}").format(label)
	)
	return {
		"duplicate": _(
			"This close stopped and changed nothing: {0} wrote the same patients' billing records at the "
			"same moment. Wait until that close is Completed, then close again if anything has changed since."
		).format(other_close),
		"busy": _(
			"This close stopped and changed nothing: {0}, or a Create Invoices run of the month, holds the "
			"same billing records right now. Wait until it finishes, then close again."
		).format(other_close),
		"title": _("Month Being Closed Elsewhere"),
	}


def close_last_month_on_schedule() -> None:
	"""Daily job: on Settings' close day, close last month for the whole practice.
	A close already running (by hand) wins; the scheduled one then stays away."""
	day = frappe.db.get_single_value("Care Management Settings", "month_close_day")
	if not day or getdate(today()).day != day:
		return
	month = get_first_day(add_months(today(), -1))
	try:
		close_month(month)
		frappe.db.commit()
	except frappe.ValidationError:
		frappe.db.rollback()
		frappe.log_error(
			title=_("Automatic close of {0} not started").format(month.strftime("%B %Y")),
			message=frappe.get_traceback(),
		)


def queue_chunks(close, run_now: bool = False) -> None:
	"""Split the month's patients into chunks, a row of the close and one background job each."""
	settings = frappe.get_cached_doc("Care Management Settings")
	patients = patients_to_close(close.month, close.billing_practitioner)
	size = max(1, settings.month_close_chunk_size or 500)
	chunks = [patients[i : i + size] for i in range(0, len(patients), size)]
	rows = [
		[frappe.generate_hash(length=10), close.name, index, json.dumps(chunk), len(chunk)]
		for index, chunk in enumerate(chunks, start=1)
	]
	insert_rows(
		CHUNK,
		["name", "parent", "idx", "patients", "patient_count"],
		rows,
		{
			"creation": now_datetime(),
			"modified": now_datetime(),
			"owner": frappe.session.user,
			"modified_by": frappe.session.user,
			"docstatus": 0,
			"status": "Queued",
			"parenttype": "Care Month Close",
			"parentfield": "chunks",
		},
	)
	close.db_set(
		{
			"status": "Running" if chunks else "Completed",
			"chunks_total": len(chunks),
			"patients": len(patients),
		}
	)
	for row in rows:
		if run_now:
			close_chunk(close.name, row[0], commit=False)
		else:
			frappe.enqueue(
				"care_management.billing.month_close.close_chunk",
				queue="long",
				job_id=chunk_job_id(close.name, row[2]),
				deduplicate=True,
				enqueue_after_commit=True,
				close_name=close.name,
				chunk=row[0],
			)


# A chunk job retries this often when InnoDB picks it as a deadlock's victim.
DEADLOCK_RETRIES = 3


def close_chunk(close_name: str, chunk: str, commit: bool = True) -> dict | None:
	"""One background job: a chunk's records and its Done mark, committed as a
	unit (``commit`` is off when the caller owns the transaction, as tests do).
	Run again, it finds its chunk Done and returns None."""
	if not commit:
		return write_chunk(close_name, chunk)
	# Chunks of one close run side by side in several workers. Read committed,
	# their locking reads lock the rows they find and no gaps between them, so
	# one chunk's inserts never wait on another's range; a deadlock InnoDB still
	# finds (ERPNext's own rows) undoes the chunk whole, and it is done again.
	frappe.db.sql("set session transaction isolation level read committed")
	frappe.db.commit()
	try:
		for attempt in range(1, DEADLOCK_RETRIES + 1):
			try:
				counts = write_chunk(close_name, chunk)
				frappe.db.commit()
				break
			except Exception as error:
				frappe.db.rollback()
				# Deadlock or lock wait: another chunk or an invoicing run met these rows.
				# Duplicate key: another close wrote a record of this chunk meanwhile
				# (a close given up as Failed whose chunk still ran, a close of one
				# practitioner beside the practice's). Done again, the chunk's locking
				# read finds what the other committed and keeps or replaces it.
				if is_concurrency_error(error) and attempt < DEADLOCK_RETRIES:
					continue
				mark_failed(close_name, error)
				raise
	finally:
		frappe.db.sql("set session transaction isolation level repeatable read")
	if counts is not None:
		done, total = frappe.db.get_value("Care Month Close", close_name, ["chunks_done", "chunks_total"])
		frappe.publish_progress(done * 100 / max(total, 1), title=_("Closing month"))
	return counts


def mark_failed(close_name: str, error: BaseException | None = None) -> None:
	"""The close ends Failed with the reason; the chunks that committed stay.
	Billing staff read the reason on the close: a collision with another close is
	said in words, anything else keeps its traceback for whoever fixes it."""
	reason = None
	if error is not None:
		month = frappe.db.get_value("Care Month Close", close_name, "month")
		reason = message_for(error, **without_title(collision_messages(month, close_name)))
	frappe.db.set_value(
		"Care Month Close",
		close_name,
		{
			"status": "Failed",
			"error": frappe.utils.strip_html(reason) if reason else frappe.get_traceback()[-1000:],
		},
	)
	frappe.db.commit()


def without_title(messages: dict) -> dict:
	return {key: value for key, value in messages.items() if key != "title"}


def write_chunk(close_name: str, chunk: str) -> dict | None:
	"""The chunk's work in the current transaction: its row locked and read
	again first, so a second run of it waits, then finds it Done."""
	row = frappe.db.sql(
		"""select status, patients from `tabCare Month Close Chunk`
		where name = %(chunk)s and parent = %(close)s for update""",
		{"chunk": chunk, "close": close_name},
		as_dict=True,
	)
	if not row or row[0].status == "Done":
		return None
	patients = json.loads(row[0].patients)
	close = frappe.db.get_value(
		"Care Month Close", close_name, ["month", "billing_practitioner"], as_dict=True
	)
	month = getdate(close.month)
	counts = write_records(
		build_records(patients, month, close.billing_practitioner),
		patients,
		month,
		close.billing_practitioner,
	)
	frappe.db.sql(
		"""update `tabCare Month Close Chunk` set status = 'Done', completed_at = %(now)s,
			records_written = %(written)s
		where name = %(chunk)s""",
		{"chunk": chunk, "now": now_datetime(), "written": counts["created"] + counts["updated"]},
	)
	frappe.db.sql(
		"""update `tabCare Month Close` set chunks_done = chunks_done + 1,
			records_created = records_created + %(created)s, records_updated = records_updated + %(updated)s,
			records_unchanged = records_unchanged + %(unchanged)s,
			records_invoiced_kept = records_invoiced_kept + %(invoiced)s,
			status = if(chunks_done >= chunks_total, 'Completed', status)
		where name = %(name)s""",
		{**counts, "name": close_name},
	)
	return counts


def item_prices(price_list: str | None) -> dict[str, float]:
	if not price_list:
		return {}
	rows = frappe.get_all(
		"Item Price",
		filters={"price_list": price_list, "selling": 1},
		fields=["item_code", "price_list_rate"],
	)
	return {row.item_code: row.price_list_rate for row in rows}


def build_records(patients: list[str], month, practitioner: str | None = None) -> list[dict]:
	"""The billing records (plain dicts with their lines) the engine makes of these patients' month."""
	settings = frappe.get_cached_doc("Care Management Settings")
	rules = load_rules(month)
	items = {rule.code: None for rule in rules}
	items.update(
		{
			row.code: row.item
			for row in frappe.get_all(
				"Billing Code",
				filters={"code": ("in", list(items) or [""])},
				fields=["code", "item", "effective_from"],
			)
			if row.effective_from <= month
		}
	)
	prices = item_prices(settings.selling_price_list)
	facts = MonthFacts(patients, month, practitioner, practice_holidays(settings.company))
	records = []
	for patient in patients:
		period = facts.for_patient(patient)
		evaluation = evaluate(period, rules)
		plan = facts.plans.get(patient) or {}
		info = facts.patient_info.get(patient) or {}
		for enrollment in period.enrollments:
			family = enrollment.program
			lines = []
			for line in evaluation.lines:
				if line.program != family:
					continue
				item = items.get(line.code)
				rate = prices.get(item, 0) if item else 0
				lines.append(
					{
						"code": line.code,
						"units": line.units,
						"item": item,
						"rate": rate,
						"amount": rate * line.units,
						"date_of_service": str(line.date_of_service),
						"minutes": line.minutes,
					}
				)
			reasons = list(dict.fromkeys(r.text for r in evaluation.reasons if r.program == family))
			minutes = {
				field: period.minutes.get((family, performer), 0)
				for performer, field in PERFORMER_FIELDS.items()
			}
			record = {
				"month": str(month),
				"patient": patient,
				"patient_name": info.get("patient_name"),
				"program": family,
				"billing_practitioner": enrollment.practitioner,
				"care_manager": info.get("care_manager"),
				"status": "Ready" if lines else "Not Billable",
				**minutes,
				"device_days": period.device_days if family == "RPM" else 0,
				"total_amount": sum(line["amount"] for line in lines),
				"reasons": "\n".join(reasons),
				"icd10_codes": plan.get("icd10_codes") or "",
				"company": settings.company,
				"lines": lines,
			}
			record["content_hash"] = hashlib.sha1(
				json.dumps(record, sort_keys=True, default=str).encode()
			).hexdigest()
			records.append(record)
	return records


def write_records(records: list[dict], patients: list[str], month, practitioner: str | None) -> dict:
	"""Insert, replace or keep each record; remove stale ones. Returns the counts."""
	# Locked, in name order, as invoicing locks them: what is replaced below
	# cannot be put on an invoice meanwhile, nor the other way round. Every
	# practitioner's records of these patients, even in one practitioner's close:
	# a TCM it makes may bill through the practitioner of the face-to-face visit,
	# and that record may already be there.
	existing = {
		(row.patient, row.program, row.billing_practitioner or ""): row
		for row in frappe.db.sql(
			"""select name, patient, program, billing_practitioner, invoiced, content_hash
			from `tabCare Billing Record` where month = %(month)s and patient in %(patients)s
			order by name for update""",
			{"month": month, "patients": patients or [""]},
			as_dict=True,
		)
	}
	# A record with a line on an invoice, draft or submitted, is as good as invoiced:
	# replacing it would orphan the invoice's lines.
	on_invoices = records_with_claimed_lines([row.name for row in existing.values()])
	counts = {"created": 0, "updated": 0, "unchanged": 0, "invoiced": 0}
	to_insert, to_replace = [], []
	for record in records:
		record["billing_practitioner"] = record["billing_practitioner"] or ""
		key = (record["patient"], record["program"], record["billing_practitioner"])
		old = existing.pop(key, None)
		if old is None:
			record["name"] = frappe.generate_hash(length=10)
			to_insert.append(record)
			counts["created"] += 1
		elif old.invoiced or old.name in on_invoices:
			counts["invoiced"] += 1
		elif old.content_hash == record["content_hash"]:
			counts["unchanged"] += 1
		else:
			record["name"] = old.name
			to_replace.append(record)
			counts["updated"] += 1
	# What this close made no record for any more; a practitioner's close leaves the others' alone.
	stale = [
		row.name
		for row in existing.values()
		if not row.invoiced
		and row.name not in on_invoices
		and (not practitioner or row.billing_practitioner == practitioner)
	]
	replaced = [r["name"] for r in to_replace] + stale
	if replaced:
		frappe.db.delete(LINE, {"parent": ("in", replaced), "parenttype": RECORD})
		frappe.db.delete(RECORD, {"name": ("in", replaced)})
	bulk_insert(to_insert + to_replace)
	# Billing adjustments on a record whose facts changed are reviewed before they apply again.
	flag_for_review(replaced)
	return counts


def records_with_claimed_lines(record_names: list[str]) -> set[str]:
	"""Of these (locked) records, those with a line on a draft or submitted invoice;
	the lines are locked too, so no invoice claims one while this transaction lasts."""
	if not record_names:
		return set()
	rows = frappe.db.sql(
		"""select name, parent, sales_invoice, secondary_invoice, patient_invoice from `tabCare Billing Line`
		where parent in %(records)s and parenttype = 'Care Billing Record' order by name for update""",
		{"records": record_names},
		as_dict=True,
	)
	return {row.parent for row in rows if row.sales_invoice or row.secondary_invoice or row.patient_invoice}


def bulk_insert(records: list[dict]) -> None:
	if not records:
		return
	now, user = now_datetime(), frappe.session.user
	# The same for every row: written once into the statement, not sent per row.
	standard = {
		"creation": now,
		"modified": now,
		"owner": user,
		"modified_by": user,
		"docstatus": 0,
		"invoiced": 0,
	}
	record_fields = [
		"name", "month", "patient", "patient_name", "program", "billing_practitioner", "care_manager", "status",
		*PERFORMER_FIELDS.values(), "device_days", "total_amount", "reasons", "icd10_codes", "company", "content_hash",
	]  # fmt: skip
	line_fields = [
		"name",
		"parent",
		"idx",
		"code",
		"units",
		"item",
		"rate",
		"amount",
		"date_of_service",
		"minutes",
		"engine_units",
	]
	values, line_values = [], []
	for record in records:
		values.append([record.get(field) for field in record_fields])
		for idx, line in enumerate(record["lines"], start=1):
			line_values.append(
				[frappe.generate_hash(length=10), record["name"], idx]
				+ [line.get(field) for field in line_fields[3:-1]]
				+ [line["units"]]  # what the engine computed; units is what is billed
			)
	insert_rows(RECORD, record_fields, values, standard)
	insert_rows(LINE, line_fields, line_values, {**standard, "parenttype": RECORD, "parentfield": "lines"})


def insert_rows(
	doctype: str, fields: list[str], rows: list[list], constants: dict, batch: int = 1000
) -> None:
	"""Multi-row INSERTs escaped by the database driver, the ``constants`` written
	into the statement once. (frappe.db.bulk_insert renders every value through
	the query builder, which took longer than the rest of the close together.)"""
	if not rows:
		return
	columns = ", ".join(f"`{field}`" for field in [*fields, *constants])
	fixed = ", ".join(frappe.db.escape(str(value)) for value in constants.values())
	placeholders = "(" + ", ".join(["%s"] * len(fields)) + ", " + fixed.replace("%", "%%") + ")"
	for start in range(0, len(rows), batch):
		chunk = rows[start : start + batch]
		frappe.db.sql(
			f"insert into `tab{doctype}` ({columns}) values " + ", ".join([placeholders] * len(chunk)),
			[value for row in chunk for value in row],
		)
