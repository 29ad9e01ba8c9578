"""One close of a month at a time, decided by the database.

A close runs for minutes in background jobs, longer than any one transaction,
so its "running" state is the Care Month Close's status. Starting a close is
"look for a running one, then insert": run by two clerks at once, both would
look, find nothing and insert. So the look and the insert happen while this
connection holds the month's named database lock (MariaDB ``GET_LOCK``), taken
before the look and let go only when the transaction that inserted the close
has committed or rolled back. The look is a locking read, which sees every
committed row even in a transaction whose snapshot is older than the lock.

A close whose chunk's worker died (killed, its job lost with Redis) would hold
its month for good: ``stopped_chunks`` judges each undone chunk's RQ job by
job_runs' rule (queued, or started with a recent heartbeat), and a close with a
dead one is given up as Failed, with the reason, by the clerk's next close and by
the scheduler's sweep every 5 minutes (``fail_stopped_closes``).
"""

from __future__ import annotations

from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import now_datetime

from care_management.billing.lock_names import lock_until_transaction_ends, site_lock_name
from care_management.job_runs import forget_job, job_alive, just_queued
from care_management.message_html import desk_link

# Seconds a second clerk waits for the first one's close to be inserted.
LOCK_WAIT_SECONDS = 20
OPEN_STATUSES = ("Queued", "Running")


def lock_name(month) -> str:
	return site_lock_name("month_close", str(month))


def hold_month_lock(month) -> None:
	"""Take the month's lock until this transaction ends."""
	if not take_month_lock(month, LOCK_WAIT_SECONDS):
		frappe.throw(
			_("Another close of {0} is being started right now. Try again in a minute.").format(
				frappe.utils.formatdate(month, "MMMM yyyy")
			),
			title=_("Month Close Busy"),
		)


def take_month_lock(month, wait: int) -> bool:
	"""The month's lock until this transaction ends, if it comes within ``wait`` seconds."""
	return lock_until_transaction_ends(lock_name(month), wait)


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
			stopped = stopped_chunks(row)
			if stopped and give_up(row.name, stopped):
				continue
			return row
	return None


# ------------------------------------------------- closes whose worker died
def chunk_job_id(close_name: str, idx: int) -> str:
	"""The RQ job id of a close's chunk (deduplicated: one job per chunk)."""
	return f"care-month-close-{close_name}-{idx}"


def stopped_chunks(close, ahead: timedelta = timedelta(0)) -> list | None:
	"""The undone chunks of an open close whose job is gone (Redis restarted, the
	job failed) or whose work horse stopped renewing its heartbeat (a worker
	killed): that chunk will never be done, so the close never completes. Empty
	while every undone chunk is queued or running, and for a close just queued
	(its jobs are queued when its insert commits); None when Redis cannot be asked
	(then nobody guesses). ``ahead`` looks at the clock that much later (tests).
	The liveness of a job is job_runs' (one rule for every background job)."""
	if just_queued(close.modified, ahead):
		return []
	undone = frappe.db.sql(
		"""select name, idx from `tabCare Month Close Chunk`
		where parent = %s and status != 'Done' order by idx""",
		close.name,
		as_dict=True,
	)
	try:
		return [row for row in undone if not job_alive(chunk_job_id(close.name, row.idx), ahead)]
	except Exception:
		return None


def give_up(close_name: str, stopped: list) -> bool:
	"""End the close Failed with the reason and forget its chunks' jobs, if the
	stopped chunks are still undone (one may have committed since Redis was asked:
	its job then reads "finished"). Its queued chunks are taken off the queue too:
	closing the month again does them, and they would only run beside that close.
	A chunk still running in a live worker cannot be stopped; it commits its chunk
	and the new close keeps what it wrote. Returns whether the close was given up."""
	still = frappe.db.sql(
		"""select idx from `tabCare Month Close Chunk`
		where name in %s and status != 'Done' order by idx lock in share mode""",
		[[row.name for row in stopped]],
		as_dict=True,
	)
	if not still:
		return False
	chunks_total = frappe.db.get_value("Care Month Close", close_name, "chunks_total")
	frappe.db.sql(
		"""update `tabCare Month Close` set status = 'Failed', error = %(error)s,
			modified = %(now)s, modified_by = %(user)s
		where name = %(name)s and status in %(open)s""",
		{
			"name": close_name,
			"open": OPEN_STATUSES,
			"now": now_datetime(),
			"user": frappe.session.user,
			"error": unfinished_parts_message([row.idx for row in still], chunks_total),
		},
	)
	if frappe.db._cursor.rowcount < 1:
		return False  # it ended meanwhile
	for idx in frappe.db.sql_list(
		"select idx from `tabCare Month Close Chunk` where parent = %s and status != 'Done'", close_name
	):
		forget_job(chunk_job_id(close_name, idx))
	return True


def fail_stopped_closes(ahead: timedelta = timedelta(0)) -> list[str]:
	"""Scheduler (every 5 minutes, beside job_runs.fail_stopped_runs): an open close
	with a chunk whose worker died ends Failed with the reason, so its month is free
	within minutes, not only when a clerk closes it again. Each under its month's
	lock, as a clerk's close looks; a month whose lock a clerk holds right now is
	left to that clerk's close, which makes the same check."""
	given_up = []
	for close in frappe.db.sql(
		"""select name, month, modified from `tabCare Month Close` where status in %s order by creation""",
		[OPEN_STATUSES],
		as_dict=True,
	):
		if just_queued(close.modified, ahead) or not take_month_lock(close.month, wait=0):
			continue
		try:
			stopped = stopped_chunks(close, ahead)
			if stopped and give_up(close.name, stopped):
				given_up.append(close.name)
			frappe.db.commit()  # lets the month's lock go
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=_("Could not check the month close {0}").format(close.name))
	return given_up


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


def unfinished_parts_message(parts: list[int], total: int) -> str:
	stopped = _("(killed, restarted, or its database or Redis went away)")
	if len(parts) == 1:
		said = _(
			"The background worker closing part {0} of {1} stopped {2}; that part will not finish."
		).format(parts[0], total, stopped)
	else:
		said = _(
			"The background workers closing parts {0} of {1} stopped {2}; those parts will not finish."
		).format(", ".join(str(idx) for idx in parts), total, stopped)
	return said + " " + _("The parts marked Done are kept; closing the month again completes it.")
