"""Real RQ workers for the background-job tests, on a Redis of the test's own.

The bench's Redis queue (common_site_config ``redis_queue``) is shared by every
site of the bench, and on this project's machines by several engineers' test
sites: a worker started there would take other sites' jobs, and theirs ours.
Frappe reads the queue's address from ``frappe.conf.redis_queue`` when it first
connects (RedisQueue.get_connection) and keeps that connection for the process
(background_jobs._redis_queue_conn). So a test starts ``redis-server`` on a free
loopback port, points its own process at it (``private_queue``), and starts a
worker process (``python -m care_management.tests.rq_worker``) pointed at it the
same way: only the test's jobs are on that Redis, and nothing else can take
them. The worker is RQ's own forking Worker on Frappe's ``long`` queue name,
run in burst mode (it ends when the queue is empty), as ``bench worker`` runs.

A killed worker: started with ``--pause-after N``, the job's work horse stops
after the N-th row a run reports (job_runs.Progress.step); with
``--pause-in-chunk N``, after it wrote the records of a month close's N-th chunk
(month_close.write_chunk), before that chunk commits. It prints ``paused`` and
its pid, and waits; the test then SIGKILLs the worker's process group and the
horse (RQ starts each horse in a session of its own) at that point.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager

PAUSED = "paused"


def free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


@contextmanager
def private_redis():
	"""A redis-server on a free loopback port, no persistence; yields its URL."""
	port = free_port()
	server = subprocess.Popen(
		["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
		stdout=subprocess.PIPE,
		text=True,
	)
	try:
		for line in server.stdout:  # blocks until the server says it listens (or dies)
			if "Ready to accept connections" in line:
				break
		else:
			raise RuntimeError("redis-server did not start")
		yield f"redis://127.0.0.1:{port}"
	finally:
		server.terminate()
		server.wait(timeout=60)
		server.stdout.close()


def use_queue(url: str | None) -> None:
	"""Point this process's RQ connection at ``url`` (None: back to the site's own)."""
	import frappe
	from frappe.utils import background_jobs

	frappe.local.conf.redis_queue = url or frappe.get_site_config().redis_queue
	background_jobs._redis_queue_conn = None


@contextmanager
def private_queue():
	"""This test process enqueues to a Redis of its own for the block; yields its URL."""
	with private_redis() as url:
		use_queue(url)
		try:
			yield url
		finally:
			use_queue(None)


def start_worker(url: str, pause_after: int = 0, pause_in_chunk: int = 0) -> subprocess.Popen:
	"""A burst worker process on ``url``, in a process group of its own."""
	import frappe

	command = [sys.executable, "-m", "care_management.tests.rq_worker", frappe.local.site, url]
	if pause_after:
		command += ["--pause-after", str(pause_after)]
	elif pause_in_chunk:
		command += ["--pause-in-chunk", str(pause_in_chunk)]
	return subprocess.Popen(
		command,
		cwd=os.path.abspath(frappe.local.sites_path),
		stdout=subprocess.PIPE,
		text=True,
		start_new_session=True,
	)


def run_worker(url: str, count: int = 1) -> None:
	"""Start ``count`` burst workers side by side and wait for them to empty the queue."""
	workers = [start_worker(url) for _ in range(count)]
	for worker in workers:
		worker.communicate(timeout=900)
	if any(worker.returncode for worker in workers):
		raise RuntimeError(f"an RQ worker ended with {[worker.returncode for worker in workers]}")


def wait_paused(worker: subprocess.Popen) -> int:
	"""Wait until the worker's horse is at the pause point; returns the horse's pid."""
	for line in worker.stdout:
		if line.startswith(PAUSED):
			return int(line.split()[1])
	raise RuntimeError("the RQ worker ended before it reached the pause point")


def kill(worker: subprocess.Popen, horse: int) -> None:
	"""kill -9 the worker and its work horse, as a crashed host or the OOM killer would."""
	os.killpg(worker.pid, signal.SIGKILL)
	os.kill(horse, signal.SIGKILL)
	worker.wait(timeout=60)
	worker.stdout.close()


def main(argv: list[str]) -> None:
	import frappe
	from frappe.utils.background_jobs import generate_qname, get_redis_conn
	from rq import Queue, Worker

	site, url = argv[0], argv[1]
	option, number = (argv[2], int(argv[3])) if len(argv) > 3 else (None, 0)
	frappe.init(site=site, sites_path=".")
	use_queue(url)
	connection = get_redis_conn()  # cached for this process and the horses it forks
	if option == "--pause-after":
		pause_at(number)
	elif option == "--pause-in-chunk":
		pause_in_chunk(number)
	queue = Queue(generate_qname("long"), connection=connection)
	frappe.destroy()
	Worker([queue], connection=connection).work(burst=True, logging_level="WARNING")


def pause_at(rows: int) -> None:
	from care_management import job_runs

	step = job_runs.Progress.step

	def step_then_pause(self, count: int = 1):
		step(self, count)
		if self.done >= rows:
			print(PAUSED, os.getpid(), flush=True)
			signal.pause()  # until the test kills this process group

	job_runs.Progress.step = step_then_pause


def pause_in_chunk(idx: int) -> None:
	"""Pause in the chunk numbered ``idx`` (each job runs in a fresh horse, so the
	chunk's own number says where, not a count kept in this process)."""
	import frappe

	from care_management.billing import month_close

	write = month_close.write_chunk

	def write_then_pause(close_name: str, chunk: str):
		counts = write(close_name, chunk)
		if frappe.db.get_value(month_close.CHUNK, chunk, "idx") == idx:
			print(PAUSED, os.getpid(), flush=True)
			signal.pause()  # until the test kills this process group
		return counts

	month_close.write_chunk = write_then_pause


if __name__ == "__main__":
	main(sys.argv[1:])
