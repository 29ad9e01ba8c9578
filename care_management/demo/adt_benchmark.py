"""ADT feed throughput: the real `adt-listener` command on a free loopback port, a burst
of discharge-free A08 updates for one patient over several MLLP connections, and
whether every one was acknowledged and stored. A script, not a test (no timing
assertions in the test suite); it removes what it made.

`bench --site <site> care-management adt-benchmark --messages 1000`
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import frappe

START, END = b"\x0b", b"\x1c\r"


def message(control_id: str, authority: str, sender: str) -> bytes:
	return (
		f"MSH|^~\\&|BENCH|{sender}|CARE_MANAGEMENT|PRACTICE|202612071126||ADT^A08^ADT_A01|{control_id}|P|2.5.1\r"
		"EVN|A08|202612071126\r"
		f"PID|1||BENCH1^^^{authority}^MR||BENCHMARK^ADT||19500101|F\r"
		"PV1|1|I|2000^2012^01^GHH\r"
	).encode()


def send_all(port: int, control_ids: list[str], authority: str, sender: str, acks: list) -> None:
	with socket.create_connection(("127.0.0.1", port)) as sock:
		sock.settimeout(300)
		for control_id in control_ids:
			sock.sendall(START + message(control_id, authority, sender) + END)
			data = b""
			while not data.endswith(END):
				chunk = sock.recv(65536)
				if not chunk:
					return
				data += chunk
			acks.append((control_id, b"MSA|AA|" + control_id.encode() in data))


def run(messages: int = 1000, connections: int = 4) -> dict:
	run_id = frappe.generate_hash(length=6).upper()
	authority, sender = f"BENCH{run_id}", f"BENCH HOSPITAL {run_id}"
	for gender in ("Female", "Male"):
		if not frappe.db.exists("Gender", gender):
			frappe.get_doc({"doctype": "Gender", "gender": gender}).insert(ignore_permissions=True)
	patient = frappe.get_doc(
		{
			"doctype": "Patient",
			"first_name": f"Benchmark{run_id}",
			"sex": "Female",
			"facility_mrns": [{"assigning_authority": authority, "mrn": "BENCH1"}],
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	listener = subprocess.Popen(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site,
			"care-management", "adt-listener", "--port", "0"],
		cwd=os.path.abspath(frappe.local.sites_path),
		stdout=subprocess.PIPE,
		text=True,
	)  # fmt: skip
	try:
		port = next(
			int(line.rsplit(":", 1)[1]) for line in listener.stdout if line.startswith("ADT listener for")
		)
		ids = [f"{run_id}-{number}" for number in range(messages)]
		acks: list = []
		threads = [
			threading.Thread(target=send_all, args=(port, ids[i::connections], authority, sender, acks))
			for i in range(connections)
		]
		started = time.perf_counter()
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join()
		seconds = time.perf_counter() - started
	finally:
		listener.terminate()
		listener.wait()
	frappe.db.rollback()
	stored = frappe.db.count(
		"ADT Message", {"sender": f"BENCH^{sender}", "outcome": "Processed", "patient": patient.name}
	)
	frappe.db.delete("ADT Message", {"sender": f"BENCH^{sender}"})
	frappe.delete_doc("Patient", patient.name, force=True, ignore_permissions=True)
	frappe.db.commit()
	return {
		"messages": messages,
		"connections": connections,
		"acknowledged AA": sum(1 for _, accepted in acks if accepted),
		"stored and processed": stored,
		"seconds": round(seconds, 2),
		"messages per second": round(messages / seconds, 1) if seconds else None,
	}
