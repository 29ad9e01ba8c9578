"""One close of a month at a time, decided by the database.

A close runs for minutes in background jobs, longer than any one transaction,
so its "running" state is the Care Month Close's status. Starting a close is
"look for a running one, then insert": run by two clerks at once, both would
look, find nothing and insert. So the look and the insert happen while this
connection holds the month's named database lock (MariaDB ``GET_LOCK``), taken
before the look and let go only when the transaction that inserted the close
has committed or rolled back. The look is a locking read, which sees every
committed row even in a transaction whose snapshot is older than the lock.
"""

from __future__ import annotations

from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime
from frappe.utils.background_jobs import is_job_enqueued

from care_management.billing.lock_names import site_lock_name
from care_management.message_html import desk_link

# Seconds a second clerk waits for the first one's close to be inserted.
LOCK_WAIT_SECONDS = 20
OPEN_STATUSES = ("Queued", "Running")


def lock_name(month) -> str:
	return site_lock_name("month_close", str(month))


def hold_month_lock(month) -> None:
	"""Take the month's lock until this transaction ends."""
	name = lock_name(month)
	if not frappe.db.sql("select get_lock(%s, %s)", (name, LOCK_WAIT_SECONDS))[0][0]:
		frappe.throw(
			_("Another close of {0} is being started right now. Try again in a minute.").format(
				frappe.utils.formatdate(month, "MMMM yyyy")
			),
			title=_("Month Close Busy"),
		)

	def release():
		frappe.db.sql("select release_lock(%s)", name)

	frappe.db.after_commit.add(release)
	frappe.db.after_rollback.add(release)


def overlapping_close(month, practitioner: str | None) -> frappe._dict | None:
	"""A queued or running close of the month whose patients overlap this one's:
	a whole-practice close overlaps every close of its month, a practitioner's
	close the whole-practice one and another of the same practitioner."""
	rows = frappe.db.sql(
		"""select name, billing_practitioner, modified from `tabCare Month Close`
		where month = %(month)s and status in %(open)s
		order by creation lock in share mode""",
		{"month": month, "open": OPEN_STATUSES},
		as_dict=True,
	)
	for row in rows:
		if not practitioner or not row.billing_practitioner or row.billing_practitioner == practitioner:
			if is_abandoned(row):
				release_abandoned(row.name)
				continue
			return row
	return None


# A close whose background jobs are gone (a worker killed and its job never
# queued again, Redis flushed) would hold its month for good. After this long
# with no chunk queued or running, it is given up: Failed, with the reason.
ABANDONED_AFTER = timedelta(minutes=10)


def is_abandoned(close) -> bool:
	if now_datetime() - get_datetime(close.modified) < ABANDONED_AFTER:
		return False  # just queued: its jobs may not have reached the queue yet
	undone = frappe.db.sql_list(
		"select idx from `tabCare Month Close Chunk` where parent = %s and status != 'Done'", close.name
	)
	try:
		return not any(is_job_enqueued(f"care-month-close-{close.name}-{idx}") for idx in undone)
	except Exception:
		return False  # the queue cannot be asked: better refuse than guess


def release_abandoned(name: str) -> None:
	frappe.db.set_value(
		"Care Month Close",
		name,
		{
			"status": "Failed",
			"error": _(
				"No chunk of this close was queued or running any more (a background worker stopped?). "
				"The chunks marked Done are kept; closing the month again completes it."
			),
		},
	)


def refuse_overlap(month, practitioner: str | None) -> None:
	running = overlapping_close(month, practitioner)
	if running:
		scope = (
			_("for {0}").format(frappe.utils.escape_html(running.billing_practitioner))
			if running.billing_practitioner
			else _("for the whole practice")
		)
		frappe.throw(
			_("{0} is already being closed {1} ({2}). Wait for it to finish, then close again.").format(
				frappe.utils.formatdate(month, "MMMM yyyy"),
				scope,  # html-safe: escaped above
				desk_link("Care Month Close", running.name),
			),
			title=_("Month Already Being Closed"),
		)
