"""A practice's day against the production stack (scripts/load-test.sh runs it).

Care managers (signed in as themselves) open their worklist, a care plan and a
patient, run the call timer and submit Outreach Logs through
care_management.api.outreach_logs.create with a request id; a billing clerk
closes the month and runs Create Invoices while they work; patients post
messages from the portal. Who is who comes from the manifest that
care_management.demo.load_test.prepare writes ($LOAD_MANIFEST).

Every log the server accepted is appended to $LOAD_ACCEPTED (request id and
name) for load_test.check. At the end it prints p50/p95/p99 and errors per
request type and the targets; with LOAD_STEP_USERS (e.g. "10,20,30,40,50") it
steps the users up, LOAD_STEP_SECONDS each, and prints p95 per step.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from datetime import datetime, timedelta

from locust import HttpUser, LoadTestShape, between, events, task

MANIFEST = json.load(open(os.environ["LOAD_MANIFEST"]))
ACCEPTED = os.environ.get("LOAD_ACCEPTED", "/tmp/load-accepted.jsonl")
SITE = os.environ.get("LOAD_SITE", "care-management.test")
RUN = os.environ.get("LOAD_RUN", time.strftime("%H%M%S"))
STEP_USERS = [int(n) for n in os.environ.get("LOAD_STEP_USERS", "").split(",") if n.strip()]
STEP_SECONDS = int(os.environ.get("LOAD_STEP_SECONDS", "60"))
CLERK = int(os.environ.get("LOAD_CLERK", "1"))
CLERK_DELAY = int(os.environ.get("LOAD_CLERK_DELAY", "20"))
RETRIES = int(os.environ.get("LOAD_RETRIES", "3"))
TARGETS = {"worklist": 0.5, "submit log": 0.5}

_lock = threading.Lock()
_sessions = itertools.count()
_slots: dict[int, itertools.count] = {}
server_errors: dict[str, int] = {}
step_p95: list[tuple[int, dict]] = []
clerk_outcome: dict = {}
portal_limited = {"count": 0}


def next_slot(manager_index: int) -> int:
	with _lock:
		counter = _slots.setdefault(manager_index, itertools.count(MANIFEST["log_slots_from"]))
		return next(counter)


def slot_time(slot: int) -> datetime:
	"""Slot n of a care manager: 2 minutes, out of the demo's office hours (16:00
	to 07:00 of the log month's first five days), so no two of their logs overlap."""
	per_day = 450
	day, minute = divmod(slot, per_day)
	if day >= 5:
		raise RuntimeError("the log month's load-test slots are used up; load the demo on a fresh site")
	start = datetime.fromisoformat(MANIFEST["log_month"]) + timedelta(days=day, hours=16)
	return start + timedelta(minutes=2 * minute)


def summary(response) -> str:
	"""What went wrong, in a line: Frappe's exception type and message, or the page's title."""
	try:
		body = response.json()
		return f"{body.get('exc_type', '')} {body.get('_server_messages', body.get('message', ''))}"[:300]
	except Exception:
		text = response.text or ""
		title = text.split("<title>", 1)[-1].split("</title>", 1)[0] if "<title>" in text else text
		return " ".join(title.split())[:300]


class Staff(HttpUser):
	abstract = True

	def sign_in(self, user: str) -> None:
		self.client.headers["Host"] = SITE
		self.client.post("/api/method/login", data={"usr": user, "pwd": MANIFEST["password"]}, name="sign in")

	def call(self, method: str, label: str, **data):
		with self.client.post(
			f"/api/method/{method}", data=data, name=label, catch_response=True
		) as response:
			if response.status_code == 200:
				response.success()
				return response.json().get("message")
			response.failure(f"{response.status_code}: {summary(response)}")
			return None


class CareManager(Staff):
	"""One session of a care manager; with more users than care managers, a care
	manager has several sessions (desk tabs, a phone), and only their first runs the timer."""

	weight = 20
	wait_time = between(2, 6)

	def on_start(self):
		session = next(_sessions)
		managers = MANIFEST["care_managers"]
		self.manager_index = session % len(managers)
		self.runs_timer = session < len(managers)
		manager = managers[self.manager_index]
		self.user, self.patients = manager["user"], manager["patients"]
		self.sign_in(self.user)

	@task(3)
	def worklist(self):
		self.call(
			"frappe.desk.query_report.run",
			"worklist",
			report_name="Caseload Worklist",
			filters=json.dumps({"care_manager": self.user}),
		)

	@task(2)
	def care_plan(self):
		patient = random.choice(self.patients)
		self.client.get(
			"/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": "Care Plan", "name": patient["care_plan"]},
			name="open care plan",
		)

	@task(2)
	def patient(self):
		patient = random.choice(self.patients)
		self.client.get(
			"/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": "Patient", "name": patient["patient"]},
			name="open patient",
		)

	@task(1)
	def timer(self):
		if not self.runs_timer:
			return
		patient = random.choice(self.patients)
		timer = self.call(
			"care_management.care_management.doctype.outreach_log.outreach_timer.start_timer",
			"timer start",
			patient=patient["patient"],
		)
		if timer:
			self.call(
				"care_management.care_management.doctype.outreach_log.outreach_timer.stop_timer",
				"timer stop",
				name=timer["name"],
			)

	@task(3)
	def submit_log(self):
		patient = random.choice(self.patients)
		slot = next_slot(self.manager_index)
		start = slot_time(slot)
		request_id = f"load-{RUN}-{self.manager_index}-{slot}"
		doc = {
			"patient": patient["patient"],
			"enrollment": patient["enrollment"],
			"performed_by": self.user,
			"performer_type": "Clinical Staff",
			"activity_type": "Phone Call",
			"start": str(start),
			"end": str(start + timedelta(minutes=2)),
			"duration_minutes": 2,
			"outcome": "Reached",
			"interactive": 1,
			"request_id": request_id,
			"docstatus": 1,
		}
		# A client that got no answer (a timeout, a 5xx, the server restarting) sends
		# the same log again with the same request id, as the desk does.
		for attempt in range(RETRIES + 1):
			log, status = self.send_log(doc, "submit log" if not attempt else "submit log (retry)")
			if log or (status and status < 500):
				break
			time.sleep(2)
		if log:
			with _lock, open(ACCEPTED, "a") as out:
				out.write(json.dumps({"request_id": request_id, "name": log["name"]}) + "\n")

	def send_log(self, doc: dict, name: str):
		with self.client.post(
			"/api/method/care_management.api.outreach_logs.create",
			data={"doc": json.dumps(doc)},
			name=name,
			catch_response=True,
		) as response:
			if response.status_code == 200:
				response.success()
				return response.json()["message"], 200
			response.failure(f"{response.status_code}: {summary(response)}")
			return None, response.status_code


class BillingClerk(Staff):
	"""Closes the month once the care managers are busy, waits for the close's
	background chunks, then starts Create Invoices and waits for its run to end."""

	fixed_count = 1
	wait_time = between(3600, 3600)

	def on_start(self):
		self.sign_in(MANIFEST["clerk"])

	@task
	def close_and_invoice(self):
		if clerk_outcome:
			return
		clerk_outcome["started"] = True
		time.sleep(CLERK_DELAY)
		month = MANIFEST["close_month"]
		close = self.call("care_management.billing.month_close.close_month", "close month", month=month)
		clerk_outcome["close"] = close
		if close:
			clerk_outcome["close_status"] = self.wait_for("Care Month Close", close, "month close status")
		# A background run (Care Job Run): the answer names it at once; wait for it to end.
		result = self.call(
			"care_management.billing.invoicing.start_create_invoices", "create invoices", month=month
		)
		if isinstance(result, dict) and result.get("run"):
			clerk_outcome["invoice_run"] = result["run"]
			clerk_outcome["invoice_status"] = self.wait_for(
				"Care Job Run", result["run"], "invoice run status"
			)

	def wait_for(self, doctype: str, name: str, label: str, limit: int = 900) -> str | None:
		status = None
		for _ in range(limit // 5):
			doc = self.client.get(
				f"/api/resource/{doctype}/{name}", name=label, params={"fields": '["status"]'}
			)
			if doc.status_code == 200:
				status = doc.json()["data"].get("status")
				if status not in ("Queued", "Running"):
					return status
			time.sleep(5)
		return status


if not CLERK:
	del BillingClerk  # Locust would spawn a class with fixed_count 0 by weight


class PortalPatient(Staff):
	"""Patients write to their care team now and then, each from an address of
	their own (behind nginx, Frappe reads it from X-Forwarded-For). Each post is
	a patient of the practice signing in and writing once: the portal allows a
	patient 20 posts a day."""

	fixed_count = 2
	wait_time = between(20, 40)

	@task
	def message(self):
		self.patient = random.choice(MANIFEST["patients"])
		self.client.cookies.clear()
		self.client.headers["X-Forwarded-For"] = f"10.24.{random.randint(0, 255)}.{random.randint(1, 254)}"
		self.sign_in(self.patient["user"])
		with self.client.post(
			"/api/method/care_management.api.patient_portal.post_message",
			data={"message": "Feeling better this week, thank you.", "care_plan": self.patient["care_plan"]},
			name="portal message",
			catch_response=True,
		) as response:
			if response.status_code == 200:
				response.success()
			elif response.status_code == 429 and "RateLimitExceeded" in response.text:
				# The portal's daily limit per patient doing its job (load runs of the
				# same day reuse the 60 patients): not an error of the stack.
				response.success()
				portal_limited["count"] += 1
			else:
				response.failure(f"{response.status_code}: {summary(response)}")


if STEP_USERS:

	class StepLoad(LoadTestShape):
		"""The care managers stepped up; p95 of the worklist and of submitting a log noted at each step's end."""

		def tick(self):
			elapsed = self.get_run_time()
			step = int(elapsed // STEP_SECONDS)
			if step and len(step_p95) < min(step, len(STEP_USERS)):
				users = STEP_USERS[len(step_p95)]
				stats = self.runner.stats
				step_p95.append(
					(
						users,
						{
							name: stats.get(name, "POST").get_current_response_time_percentile(0.95)
							for name in TARGETS
						},
					)
				)
			if step >= len(STEP_USERS):
				return None
			# The clerk and the patients are fixed; the rest are care managers.
			return STEP_USERS[step] + CLERK + PortalPatient.fixed_count, 5


@events.request.add_listener
def count_server_errors(request_type, name, response_length, response=None, exception=None, **kwargs):
	if response is not None and getattr(response, "status_code", 0) >= 500:
		with _lock:
			server_errors[name] = server_errors.get(name, 0) + 1


@events.quitting.add_listener
def report(environment, **kwargs):
	stats = environment.stats
	print()
	print(f"Load test {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, site {SITE}")
	print(f"{'request':<22}{'count':>7}{'errors':>8}{'5xx':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
	for (name, _method), entry in sorted(stats.entries.items()):
		print(
			f"{name:<22}{entry.num_requests:>7}{entry.num_failures:>8}{server_errors.get(name, 0):>6}"
			f"{entry.get_response_time_percentile(0.5) or 0:>9.0f}{entry.get_response_time_percentile(0.95) or 0:>9.0f}"
			f"{entry.get_response_time_percentile(0.99) or 0:>9.0f}"
		)
	for error in stats.errors.values():
		text = " ".join(str(error.error).replace("<", " <").split())
		print(f"  error {error.name} x{error.occurrences}: {text[:200]}")
	print(f"clerk: {json.dumps(clerk_outcome)}")
	print(f"portal posts refused by the daily limit per patient (expected): {portal_limited['count']}")
	users = environment.runner.user_count if environment.runner else "?"
	for name, limit in TARGETS.items():
		entry = stats.entries.get((name, "POST"))
		if not entry:
			continue
		p95 = entry.get_response_time_percentile(0.95) or 0
		verdict = "met" if entry.num_failures == 0 and p95 < limit * 1000 else "NOT met"
		print(f"target {name}: 0 errors and p95 < {limit * 1000:.0f} ms -> {verdict} (p95 {p95:.0f} ms)")
	if step_p95:
		print("step load (care managers: p95 worklist / submit log, last 10 s of the step):")
		passed = None
		for users, p95s in step_p95:
			print(f"  {users:>4}: " + " / ".join(f"{(p95s.get(n) or 0):.0f} ms" for n in TARGETS))
			if passed is None and any((v or 0) > 1000 for v in p95s.values()):
				passed = users
		print(f"p95 passes 1 s at: {passed or 'not reached'} care managers")
	print(f"5xx responses: {sum(server_errors.values())}")
	print(f"accepted logs written to {ACCEPTED}")
