"""What a child process of the outreach-log concurrency tests does (run_together in
test_billing_concurrency.py). Apart from the tests, since a spawned child imports
the module of its task before it has a database connection: nothing here may read
the site at import."""

import frappe


def save_log(values):
	"""A care manager's save of a log (the form, or REST's insert)."""
	return frappe.get_doc(values).insert().name


def rest_insert(values):
	"""POST /api/resource/Outreach Log, as frappe.client.insert answers it."""
	import frappe.client

	return frappe.client.insert(frappe.as_json(values))["name"]


def create_once(values):
	"""The idempotent create, with the client's request id."""
	from care_management.api import outreach_logs

	return outreach_logs.create(frappe.as_json(values))["name"]
