"""Care Plans saved before a plan kept its own dated history get it from their
Version records, so that a close re-run for a month they served judges them on
what they were then (billing/facts.py, domain/care_plan_history.py): the
statuses each plan left and when, when each condition row was added or
recoded, and the rows removed since.

Plans are read in batches, their Versions with one query a batch, and the rows
written in bulk. A plan that already has any dated history is left alone (the
controller keeps it from now on, and this patch may have run before), so the
patch is idempotent. A plan without Versions (Track Changes off, rows written
by a bulk load) keeps the close's assumption: its status since its start date,
its conditions since it began.
"""

import json

import frappe
from frappe.utils import get_datetime, now_datetime

from care_management.domain.care_plan_history import replay_versions

BATCH = 1000
STATUSES = ("Draft", "Pending Practitioner Review", "Active", "On Hold", "Closed")


def execute():
	statuses = status_labels()
	plans = frappe.db.sql(
		"""
		select p.name, p.creation, p.start_date from `tabCare Plan` p
		where not exists (select 1 from `tabCare Plan Past Status` s where s.parent = p.name)
			and not exists (select 1 from `tabCare Plan Past Condition` c where c.parent = p.name)
			and not exists (
				select 1 from `tabCare Plan Condition` c where c.parent = p.name and c.added_on is not null
			)
		order by p.name
		""",
		as_dict=True,
	)
	for start in range(0, len(plans), BATCH):
		backfill(plans[start : start + BATCH], statuses)


def status_labels() -> dict[str, str]:
	"""A Version stores a Select's value as the saving user saw it, translated;
	each status is known under its label in every language the site's users use."""
	labels = {status: status for status in STATUSES}
	languages = set(
		frappe.get_all("User", filters={"language": ("is", "set")}, pluck="language", distinct=True)
	)
	languages.add(frappe.db.get_default("lang") or "en")
	for language in languages:
		for status in STATUSES:
			labels.setdefault(frappe._(status, lang=language, context="Care Plan"), status)
			labels.setdefault(frappe._(status, lang=language), status)
	return labels


def backfill(plans: list[dict], statuses: dict[str, str]) -> None:
	names = [plan.name for plan in plans]
	versions: dict[str, list] = {}
	for row in frappe.db.sql(
		"""select docname, creation, data from `tabVersion`
		where ref_doctype = 'Care Plan' and docname in %(names)s order by docname, creation""",
		{"names": names},
		as_dict=True,
	):
		try:
			versions.setdefault(row.docname, []).append((get_datetime(row.creation), json.loads(row.data)))
		except (TypeError, ValueError):
			continue  # a Version with no readable diff says nothing about the plan
	rows: dict[str, list] = {}
	for row in frappe.get_all(
		"Care Plan Condition",
		filters={"parenttype": "Care Plan", "parentfield": "conditions", "parent": ("in", names)},
		fields=["name", "parent", "condition_name", "icd10_code", "expected_12_months"],
	):
		rows.setdefault(row.parent, []).append(row)

	now, user = now_datetime(), frappe.session.user
	past_statuses, past_conditions = [], []
	for plan in plans:
		if plan.name not in versions:
			continue
		begin = min(get_datetime(plan.creation), get_datetime(plan.start_date))
		history = replay_versions(begin, rows.get(plan.name, []), versions[plan.name], statuses)
		for idx, span in enumerate(history.past_statuses, start=1):
			past_statuses.append(
				(frappe.generate_hash(length=10), plan.name, "Care Plan", "past_statuses", idx, now, now, user, user,
				 span.status, span.valid_from, span.valid_to, None)
			)  # fmt: skip
		for idx, (values, span) in enumerate(history.past_conditions, start=1):
			past_conditions.append(
				(frappe.generate_hash(length=10), plan.name, "Care Plan", "past_conditions", idx, now, now, user, user,
				 values.get("condition_name"), values.get("icd10_code"), values.get("expected_12_months"),
				 span.valid_from, span.valid_to)
			)  # fmt: skip
		for row_name, added_on in history.added_on.items():
			frappe.db.set_value("Care Plan Condition", row_name, "added_on", added_on, update_modified=False)

	standard = [
		"name",
		"parent",
		"parenttype",
		"parentfield",
		"idx",
		"creation",
		"modified",
		"owner",
		"modified_by",
	]
	frappe.db.bulk_insert(
		"Care Plan Past Status", [*standard, "status", "valid_from", "valid_to", "changed_by"], past_statuses
	)
	frappe.db.bulk_insert(
		"Care Plan Past Condition",
		[*standard, "condition_name", "icd10_code", "expected_12_months", "valid_from", "valid_to"],
		past_conditions,
	)
