"""Requests as the web server gets them, for tests of what a web request may do.

``in_a_request`` makes the test's own code run as inside a request (Frappe's
``frappe.local.request`` set, as the desk's save is): what the app does
differently there (a background run instead of work in the request) is what is
tested, in the test's transaction. ``http`` sends a real HTTP request through
Frappe's WSGI application (``frappe.app.application``, werkzeug's test client,
in a thread of its own as Frappe's own API tests do): Frappe's routing, its
token authentication, the handler, its commit or rollback, on a connection of
its own, so what it reads must be committed first.
"""

from __future__ import annotations

from contextlib import contextmanager

import frappe
from frappe.utils import set_request


@contextmanager
def in_a_request(path: str = "/api/method/frappe.desk.form.save.savedocs"):
	set_request(path=path, method="POST")
	try:
		yield
	finally:
		del frappe.local.request


def api_headers(user: str) -> dict:
	"""Token authentication for ``user``: a new API secret (commit before a request reads it)."""
	doc = frappe.get_doc("User", user)
	secret = frappe.generate_hash(length=15)
	doc.api_key = doc.api_key or frappe.generate_hash(length=15)
	doc.api_secret = secret
	doc.save(ignore_permissions=True)
	return {"Authorization": f"token {doc.api_key}:{secret}"}


def http(method: str, path: str, headers: dict, data: dict | None = None):
	"""One request through Frappe's WSGI application; returns werkzeug's response."""
	from frappe.tests.test_api import make_request
	from frappe.utils import get_test_client

	client = get_test_client()
	kwargs = {"headers": headers}
	if data is not None:
		kwargs.update(data=frappe.as_json(data), content_type="application/json")
	return make_request(
		target=getattr(client, method.lower()), args=(path,), kwargs=kwargs, site=frappe.local.site
	)
