"""A database refusal met by something a user started, said as a sentence.

Two users (or a user and a background job) doing the same thing at once meet
in the database: a unique key refuses the second copy of a row (MariaDB 1062,
which Frappe raises raw or as DuplicateEntryError / UniqueValidationError), or
one waits too long for the other's row locks (1205) or is picked as a
deadlock's victim (1213). The raw text names tables and keys and tells the user
nothing; each entry point says instead what is running or already done and
what to do, through ``explained``. Only these errors are translated; anything
else still propagates as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import frappe
from frappe import _

DUPLICATE_ENTRY = 1062
LOCK_WAIT_TIMEOUT = 1205
DEADLOCK = 1213

DUPLICATE, BUSY = "duplicate", "busy"


class ConcurrentChangeError(frappe.ValidationError):
	"""Someone else did, or is doing, the same thing at the same moment."""


def kind_of(error: BaseException | None) -> str | None:
	"""DUPLICATE, BUSY or None, looking through the chain of causes (Frappe wraps
	the driver's error in its own)."""
	seen = set()
	while error is not None and id(error) not in seen:
		seen.add(id(error))
		if isinstance(error, frappe.UniqueValidationError | frappe.DuplicateEntryError):
			return DUPLICATE
		if isinstance(error, frappe.QueryDeadlockError):
			return BUSY
		code = error_code(error)
		if code == DUPLICATE_ENTRY:
			return DUPLICATE
		if code in (LOCK_WAIT_TIMEOUT, DEADLOCK):
			return BUSY
		error = error.__cause__
	return None


def error_code(error: BaseException) -> int | None:
	args = getattr(error, "args", None) or ()
	if args and isinstance(args[0], int):
		return args[0]
	if args and isinstance(args[0], BaseException):  # frappe.QueryTimeoutError(pymysql error)
		return error_code(args[0])
	return None


def is_concurrency_error(error: BaseException) -> bool:
	return kind_of(error) is not None


def message_for(error: BaseException, duplicate: str, busy: str | None = None) -> str | None:
	kind = kind_of(error)
	if kind == DUPLICATE:
		return duplicate
	if kind == BUSY:
		return busy or _(
			"Someone else is changing the same records right now. Wait a minute, then try again."
		)
	return None


@contextmanager
def explained(duplicate: str, busy: str | None = None, title: str | None = None) -> Iterator[None]:
	"""Turn a duplicate-key, lock-wait or deadlock error inside the block into
	``frappe.throw`` with the given (already translated) message. The request
	ends in an error, so Frappe rolls back what the block had done."""
	with explained_by(lambda: {"duplicate": duplicate, "busy": busy, "title": title}):
		yield


@contextmanager
def explained_by(make_messages: Callable[[], dict]) -> Iterator[None]:
	"""``explained`` whose messages are only worked out (a query, say) when needed."""
	try:
		yield
	except Exception as error:
		kind = kind_of(error)
		if kind is None:
			raise
		messages = make_messages()
		frappe.throw(
			message_for(error, messages["duplicate"], messages.get("busy")),
			ConcurrentChangeError,
			title=messages.get("title") or _("Done by Someone Else Meanwhile"),
		)
