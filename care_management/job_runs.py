"""Long work in the background, each run a Care Job Run the user can open.

Create Invoices, Claim Export submit, Remittance Import submit, Start Enrollment
and the practice-wide risk run take longer than a web request may (Frappe's
production timeout is 120 s). Their buttons call ``start``: it records a Care
Job Run (Queued) and queues one RQ job on the ``long`` queue, then returns the
run at once. The job (``execute``) calls the job type's runner with a
``Progress``: the runner does the synchronous core function's work, one patient
(or claim) at a time, and reports each thing made and each row that failed with
its reason; the counts and rows are written in the same transaction as the work
they describe, so a run killed midway shows exactly what it committed.

One run of the same work at a time: ``start`` looks for an open run of the same
job type and key (a month, an export) under a named database lock, and the RQ
job id is made from the same key (``deduplicate``). A run whose job is gone
(worker killed, Redis restarted, database lost for good) is given up as Failed
by ``fail_stopped_runs`` (scheduler, every few minutes) or by the next start of
the same work. Run again, it does only what is left: every runner's core skips
what an earlier attempt committed (invoiced lines, enrollments in force, an
export already submitted), under the same unique keys and row locks as the
synchronous path.
"""

from __future__ import annotations

import html
import json
import os
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime, strip_html

from care_management.billing.db_errors import message_for
from care_management.billing.lock_names import lock_until_transaction_ends, site_lock_name
from care_management.message_html import desk_link

RUN = "Care Job Run"
ROW = "Care Job Run Row"
QUEUE = "long"
OPEN = ("Queued", "Running")
# The job type's runner, and who may start (or run again) it.
JOB_TYPES = {
	"Create Invoices": (
		"care_management.billing.invoicing.run_create_invoices",
		"care_management.billing.invoicing.check_may_invoice",
	),
	"Claim Export": (
		"care_management.billing.claim_export.run_submit",
		"care_management.billing.claim_export.check_may_submit",
	),
	"Remittance Import": (
		"care_management.billing.remittance.run_submit",
		"care_management.billing.remittance.check_may_submit",
	),
	"Remittance Read": (
		"care_management.billing.remittance.run_read",
		"care_management.billing.remittance.check_may_read",
	),
	"Start Enrollment": (
		"care_management.population.start_enrollment.run_start_enrollment",
		"care_management.population.start_enrollment.check_may_enroll",
	),
	"Risk Scores": (
		"care_management.population.risk_run.run_risk_scores",
		"care_management.population.risk_run.check_may_score_everyone",
	),
}
LOCK_WAIT_SECONDS = 10
# A run just queued may not have reached Redis yet (its enqueue waits for the commit).
START_GRACE = timedelta(minutes=2)
# RQ renews a running job's heartbeat every 30 s, for 90 s; older than this, its worker is gone.
HEARTBEAT_GRACE = timedelta(minutes=3)
# Set by scripts/desk_server.py only: the development desk has no RQ worker, so a
# run is done in the request that starts it (after the run is committed).
INLINE_ENV = "CARE_MANAGEMENT_JOBS_INLINE"
# Doctypes whose submit is a run: a web request's submit of them is refused (refuse_submit_in_request).
SUBMIT_JOBS = ("Claim Export", "Remittance Import")


def job_id_for(job_type: str, key: str) -> str:
	return f"care-job-{frappe.scrub(job_type)}-{key}"


def start(
	job_type: str,
	arguments: dict,
	key: str,
	reference: tuple | None = None,
	run_now: bool = False,
	join_open: bool = False,
) -> str:
	"""Record a run of ``job_type`` and queue it; returns the run's name at once.
	``key`` names the work (a month, a document): a second start of the same work
	while one is queued or running is refused with a link to it, or with
	``join_open`` answered with that run (whose runner picks up the newer state).
	``run_now`` does it in this process (tests; the development desk server)."""
	hold_lock(job_type, key)
	open_run = frappe.db.sql(
		"""select name, status, job_id, modified from `tabCare Job Run`
		where job_type = %s and job_key = %s and status in %s order by creation for update""",
		(job_type, key, OPEN),
		as_dict=True,
	)
	for row in open_run:
		if run_alive(row) is False:
			mark_stopped(row.name, commit=False)
			continue
		if join_open:
			return row.name
		frappe.throw(
			_(
				"{0} is already {1} for this ({2}). Open it to follow it; start again once it has finished."
			).format(
				frappe.utils.escape_html(_(job_type)),
				frappe.utils.escape_html(_(row.status).lower()),
				desk_link(RUN, row.name),
			),
			title=_("Already Running"),
		)
	run = frappe.get_doc(
		{
			"doctype": RUN,
			"job_type": job_type,
			"status": "Queued",
			"started_by": frappe.session.user,
			"job_key": key,
			"job_id": job_id_for(job_type, key),
			"arguments": json.dumps(arguments, default=str, sort_keys=True),
			"reference_doctype": reference[0] if reference else None,
			"reference_name": reference[1] if reference else None,
		}
	).insert(ignore_permissions=True)
	queue(run.name, run.job_id, run_now)
	return run.name


@frappe.whitelist(methods=["POST"])
def start_submit(doctype: str, name: str) -> dict:
	"""Submit of a saved draft (Claim Export, Remittance Import; the job type is
	the doctype) as a background run; returns the run at once. The API for
	submitting these doctypes: Frappe's own submit refuses them in a web request."""
	if doctype not in SUBMIT_JOBS:
		frappe.throw(
			_("{0} is not submitted as a background run; submit it as usual.").format(
				frappe.utils.escape_html(_(doctype))
			)
		)
	frappe.call(JOB_TYPES[doctype][1], name=name)
	if frappe.db.get_value(doctype, name, "docstatus") != 0:
		frappe.throw(
			_("{0} {1} is already submitted or cancelled; open it to see what it made.").format(
				frappe.utils.escape_html(_(doctype)), frappe.bold(frappe.utils.escape_html(name))
			)
		)
	run = start(doctype, {"name": name}, key=name, reference=(doctype, name))
	return started_message(run, doctype)


def refuse_submit_in_request(doc) -> None:
	"""Frappe's own submit of a Claim Export or Remittance Import in a web request
	(frappe.client.submit, the desk's savedocs, REST PUT with docstatus 1, list
	bulk submit) is refused, naming the API: that work is a background run, and
	done in the request it would outlast the production timeout, with no run to
	follow. Its own run (``submitting_in_run``), the console, tests and background
	jobs submit as before."""
	if getattr(frappe.local, "request", None) is None:
		return
	if frappe.flags.care_job_submit == (doc.doctype, doc.name):
		return
	frappe.throw(
		_(
			"Submitting a {0} is done by a background run, not in this request. Use the form's Submit "
			"button, or call {1} with doctype and name: it answers at once with the run to follow. "
			"Nothing was submitted."
		).format(
			frappe.utils.escape_html(_(doc.doctype)),
			frappe.bold("care_management.job_runs.start_submit"),
		),
		title=_("Submit Runs in the Background"),
	)


def submitting_in_run(doc) -> None:
	"""Submit ``doc`` from its run: the one submit of it a web request may do
	(the development desk server does runs inside the request)."""
	frappe.flags.care_job_submit = (doc.doctype, doc.name)
	try:
		doc.submit()
	finally:
		frappe.flags.care_job_submit = None


def queue(run_name: str, job_id: str, run_now: bool = False) -> None:
	if run_now or os.environ.get(INLINE_ENV):
		frappe.db.commit()  # the run is seen as Queued, and its lock let go, before it runs
		execute(run_name)
		return
	frappe.enqueue(
		"care_management.job_runs.execute",
		queue=QUEUE,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		run_name=run_name,
	)


def hold_lock(job_type: str, key: str) -> None:
	"""This work's named lock until the transaction ends: two clerks pressing
	the button together make one run, the second is told about the first."""
	if not lock_until_transaction_ends(site_lock_name("job_run", f"{job_type}:{key}"), LOCK_WAIT_SECONDS):
		frappe.throw(
			_("{0} is being started right now. Try again in a minute.").format(
				frappe.utils.escape_html(_(job_type))
			)
		)


@frappe.whitelist()
def run_again(name: str) -> str:
	"""The run's button: queue the same work again; the runner does what is left."""
	run = frappe.get_doc(RUN, name)
	run.check_permission("read")
	frappe.call(JOB_TYPES[run.job_type][1], **json.loads(run.arguments or "{}"))
	hold_lock(run.job_type, run.job_key)
	status = frappe.db.sql("select status from `tabCare Job Run` where name = %s for update", name)[0][0]
	if status in OPEN:
		if run_alive(run) is not False:
			frappe.throw(
				_("This run is {0}. Run it again once it has finished.").format(
					frappe.utils.escape_html(_(status).lower())
				),
				title=_("Still Running"),
			)
		mark_stopped(name, commit=False)
	frappe.db.set_value(RUN, name, {"status": "Queued", "reason": None, "ended_at": None})
	queue(name, run.job_id)
	return name


# ------------------------------------------------------------------ the job
def execute(run_name: str) -> None:
	"""The RQ job: run the job type's runner, then end the run Completed, Partly
	failed or Failed with the reason. A stale copy of a finished run's job does nothing."""
	run = frappe.db.get_value(RUN, run_name, ["job_type", "status", "arguments", "started_by"], as_dict=True)
	if not run or run.status not in OPEN:
		return
	progress = Progress(run_name, run.job_type, run.started_by)
	progress.begin()
	try:
		frappe.get_attr(JOB_TYPES[run.job_type][0])(progress, **json.loads(run.arguments or "{}"))
	except Exception as error:
		progress.stop(error)
		return
	progress.finish()


class Progress:
	"""What a runner reports: how much there is, each thing made, each row that
	failed with its reason, each step done. Written in the runner's transaction."""

	def __init__(self, run_name: str, job_type: str, user: str):
		self.run, self.job_type, self.user = run_name, job_type, user
		self.total = self.done = self.failed = self.made_count = 0
		self.rows: list[dict] = []
		self.summary = self.refusal = None

	def begin(self) -> None:
		"""A fresh attempt: its counts from zero; the failures of an earlier one are
		tried again and said again if they still fail, what it made stays listed."""
		frappe.db.delete(ROW, {"parent": self.run, "parenttype": RUN, "outcome": "Failed"})
		frappe.db.set_value(
			RUN,
			self.run,
			{
				"status": "Running",
				"started_at": now_datetime(),
				"ended_at": None,
				"total": 0,
				"done": 0,
				"failed": 0,
				"reason": None,
				"summary": None,
			},
		)
		frappe.db.commit()
		self.publish()

	def set_total(self, total: int) -> None:
		self.total = total
		frappe.db.set_value(RUN, self.run, "total", total, update_modified=False)

	def made(self, doctype: str, name: str, patient: str | None = None) -> None:
		self.made_count += 1
		self.rows.append({"outcome": "Made", "patient": patient, "reference_doctype": doctype,
						  "reference_name": name, "reason": None})  # fmt: skip

	def fail(self, reason: str, patient: str | None = None, doctype: str | None = None, name=None) -> None:
		self.failed += 1
		self.rows.append(
			{
				"outcome": "Failed",
				"patient": patient,
				"reference_doctype": doctype if name else None,
				"reference_name": name,
				"reason": as_text(reason),
			}
		)

	def step(self, count: int = 1) -> None:
		"""``count`` more rows done (made or failed): rows and counts written in the
		current transaction, the starter and the open run form told."""
		self.done += count
		self.write()
		self.publish()

	def write(self) -> None:
		if self.rows:
			now = now_datetime()
			start = frappe.db.sql("select count(*) from `tabCare Job Run Row` where parent = %s", self.run)[
				0
			][0]
			frappe.db.bulk_insert(
				ROW,
				["name", "parent", "parenttype", "parentfield", "idx", "creation", "modified", "owner",
				 "modified_by", "docstatus", "outcome", "patient", "reference_doctype", "reference_name", "reason"],
				[
					[frappe.generate_hash(length=10), self.run, RUN, "rows", start + i, now, now, self.user,
					 self.user, 0, r["outcome"], r["patient"], r["reference_doctype"], r["reference_name"], r["reason"]]
					for i, r in enumerate(self.rows, start=1)
				],
			)  # fmt: skip
			self.rows = []
		frappe.db.set_value(
			RUN, self.run, {"total": max(self.total, self.done), "done": self.done, "failed": self.failed}
		)

	def publish(self) -> None:
		percent = self.done * 100 / self.total if self.total else 0
		message = {"run": self.run, "job_type": self.job_type, "percent": percent,
				   "done": self.done, "total": self.total, "failed": self.failed}  # fmt: skip
		frappe.publish_progress(percent, title=_(self.job_type), doctype=RUN, docname=self.run)
		frappe.publish_realtime("care_job_run_progress", message, user=self.user)

	def refuse(self, reason: str) -> None:
		"""The runner refuses the whole work, said in words (a file that cannot be read):
		the run ends Failed with this reason, after what the runner committed, no Error Log."""
		self.refusal = as_text(reason)

	def finish(self) -> None:
		self.write()
		if self.refusal:
			self.end("Failed", self.refusal)
			return
		if not self.failed:
			status = "Completed"
		elif self.made_count or self.failed < self.done:
			status = "Partly failed"
		else:
			status = "Failed"
		self.end(status, _("Every row failed; see the rows for why.") if status == "Failed" else None)

	def stop(self, error: BaseException) -> None:
		"""The runner raised: nothing of its open transaction is kept; the steps it
		committed before are. The reason in words where the database refused (another
		run or clerk on the same rows), else the error, its traceback in the Error Log."""
		traceback = frappe.get_traceback()
		try:
			frappe.db.rollback()
		except Exception:
			frappe.db.connect()  # the connection itself was lost
		frappe.clear_messages()
		reason = message_for(
			error,
			_("Someone else made the same records at the same moment. Run again: what they made is skipped."),
		)
		if reason is None:
			frappe.log_error(title=_("{0} run {1} failed").format(self.job_type, self.run), message=traceback,
							 reference_doctype=RUN, reference_name=self.run)  # fmt: skip
			reason = _("The run stopped: {0}. What it finished is kept; Run Again does the rest.").format(
				strip_html(str(error)) or type(error).__name__
			)
		self.end("Failed", as_text(reason))

	def end(self, status: str, reason: str | None) -> None:
		frappe.db.set_value(
			RUN,
			self.run,
			{"status": status, "reason": reason, "ended_at": now_datetime(), "summary": self.summary},
		)
		frappe.db.commit()
		frappe.publish_realtime(
			"care_job_run_progress",
			{"run": self.run, "job_type": self.job_type, "status": status, "percent": 100},
			user=self.user,
		)
		frappe.publish_realtime(
			"doc_update", {"doctype": RUN, "name": self.run}, doctype=RUN, docname=self.run
		)


# ------------------------------------------------------- runs whose job died
def fail_stopped_runs(ahead: timedelta = timedelta(0)) -> list[str]:
	"""Scheduler (every few minutes): a Queued or Running run whose RQ job is no
	longer queued or running, or whose worker stopped renewing its heartbeat, ends
	Failed with the reason. ``ahead`` looks at the clock that much later (tests)."""
	stopped = []
	for row in frappe.db.sql(
		"select name, status, job_id, modified from `tabCare Job Run` where status in %s",
		[OPEN],
		as_dict=True,
	):
		if run_alive(row, ahead) is False and mark_stopped(row.name):
			stopped.append(row.name)
	return stopped


def run_alive(run, ahead: timedelta = timedelta(0)) -> bool | None:
	"""False when the run's job is gone; None when the queue cannot be asked (then
	nobody guesses: the run is left as it is)."""
	if just_queued(run.modified, ahead):
		return True
	try:
		return job_alive(run.job_id, ahead)
	except Exception:
		return None


def just_queued(modified, ahead: timedelta = timedelta(0)) -> bool:
	"""Work recorded (last changed at ``modified``) less than START_GRACE ago: its
	job may not be on the queue yet, so its absence there proves nothing."""
	return now_datetime() + ahead - get_datetime(modified) < START_GRACE


def job_alive(job_id: str, ahead: timedelta = timedelta(0)) -> bool:
	"""The RQ job ``job_id`` is waiting on its queue, or running in a work horse
	that renewed its heartbeat within HEARTBEAT_GRACE (a SIGKILLed worker leaves
	its job "started" until RQ's registry cleanup, minutes later). Raises when
	Redis cannot be asked."""
	from frappe.utils.background_jobs import get_job
	from rq.job import JobStatus
	from rq.utils import utcnow

	job = get_job(job_id)
	if not job:
		return False
	status = job.get_status()
	if status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
		return True
	if status == JobStatus.STARTED:
		return bool(job.last_heartbeat) and utcnow() + ahead - job.last_heartbeat < HEARTBEAT_GRACE
	return False


def mark_stopped(name: str, commit: bool = True) -> bool:
	"""The run Failed, and its dead job forgotten: RQ would otherwise take the job a
	killed worker left "started" for one still running, and not queue it again.
	Only while the run is open: one that ended between the look at Redis (its job
	then "finished") and here keeps its end. Returns whether it was given up."""
	now = now_datetime()
	frappe.db.sql(
		"""update `tabCare Job Run` set status = 'Failed', ended_at = %(now)s, reason = %(reason)s,
			modified = %(now)s, modified_by = %(user)s
		where name = %(name)s and status in %(open)s""",
		{
			"name": name,
			"now": now,
			"user": frappe.session.user,
			"open": OPEN,
			"reason": _(
				"The background worker stopped while this run was going (killed, restarted, or its database "
				"or Redis went away). What it finished is kept; Run Again does the rest."
			),
		},
	)
	stopped = frappe.db._cursor.rowcount > 0
	if stopped:
		forget_job(frappe.db.get_value(RUN, name, "job_id"))
	if commit:
		frappe.db.commit()
	return stopped


def as_text(message) -> str:
	"""A message (HTML, as frappe.throw's are) as escaped text: Frappe shows a Small
	Text field's value as HTML, and rows are written in bulk, past its sanitising."""
	return frappe.utils.escape_html(html.unescape(strip_html(str(message or "")))).strip()


def forget_job(job_id: str | None) -> None:
	from frappe.utils.background_jobs import get_job

	try:
		job = get_job(job_id) if job_id else None
		if job:
			job.delete()
	except Exception:
		frappe.log_error(title=_("Could not remove the stopped job {0} from the queue").format(job_id))


def started_message(run_name: str, job_type: str) -> dict:
	"""What the starting button shows: the run, to open and follow."""
	return {
		"run": run_name,
		"message": _("{0} is running in the background: {1}. You can leave this page.").format(
			_(job_type), desk_link(RUN, run_name)
		),
	}
