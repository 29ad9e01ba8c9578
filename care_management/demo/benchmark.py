"""Practice-scale benchmark: each operation's own path against the plain SQL
floor for the same answer, measured in the same run, at 1/10 of the size and
at the full size. Prints figures and whether each target is met; it is a
script, not a test (no timing assertions anywhere in the test suite).

Run on a dedicated site: `bench --site <bench-site> care-management benchmark`.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import frappe
from frappe.utils import add_months, get_first_day, getdate, today

from care_management.demo.loader import load_practice
from care_management.domain.synthetic_practice import PracticeSpec, care_managers

TARGETS = {
	"month close": "≤ 3× floor and < 60 s",
	"billing report": "< 2 s",
	"worklist": "< 200 ms and ≤ 3× floor",
	"outreach log insert": "≤ 1.5× bare doctype",
}


@dataclass
class Figure:
	operation: str
	size: str
	seconds: float
	floor: float | None = None

	@property
	def ratio(self) -> float | None:
		return self.seconds / self.floor if self.floor else None


def timed(fn, repeat: int = 1) -> float:
	best = None
	for _ in range(repeat):
		start = time.perf_counter()
		fn()
		elapsed = time.perf_counter() - start
		best = elapsed if best is None else min(best, elapsed)
	frappe.db.rollback()
	return best


def month_close_floor(month) -> None:
	"""The same facts in one statement: minutes per patient, program and performer."""
	frappe.db.sql(
		"""select l.patient, l.program, l.performer_type, sum(l.duration_minutes), max(l.interactive)
		from `tabOutreach Log` l where l.docstatus = 1 and l.start >= %s and l.start < %s
			and l.outcome in ('Reached', 'Not Applicable')
		group by l.patient, l.program, l.performer_type""",
		(month, add_months(month, 1)),
	)


def measure_month_close(month, size: str) -> list[Figure]:
	from care_management.billing.month_close import close_month

	frappe.db.delete("Care Billing Line", {"parenttype": "Care Billing Record"})
	frappe.db.delete("Care Billing Record", {"month": month})
	frappe.db.commit()
	start = time.perf_counter()
	close_month(month, now=True)
	frappe.db.commit()
	one_worker = time.perf_counter() - start
	floor = timed(lambda: month_close_floor(month), repeat=3)
	figures = [Figure("month close, 1 worker (inline)", size, one_worker, floor)]
	figures.append(Figure("month close, 2 RQ workers", size, close_with_workers(month, 2), floor))
	return figures


def close_with_workers(month, workers: int) -> float:
	"""Queue the chunks and let `workers` real RQ worker processes share them."""
	from care_management.billing.month_close import close_month

	frappe.db.delete("Care Billing Line", {"parenttype": "Care Billing Record"})
	frappe.db.delete("Care Billing Record", {"month": month})
	frappe.db.commit()
	start = time.perf_counter()
	name = close_month(month)
	frappe.db.commit()
	command = [
		sys.executable,
		"-m",
		"frappe.utils.bench_helper",
		"frappe",
		"--site",
		frappe.local.site,
		"worker",
		"--queue",
		"long",
		"--burst",
	]
	processes = [
		subprocess.Popen(
			command,
			cwd=frappe.utils.get_bench_path() + "/sites",
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		for _ in range(workers)
	]
	for process in processes:
		process.wait(timeout=1800)
	elapsed = time.perf_counter() - start
	status = frappe.db.get_value("Care Month Close", name, "status")
	if status != "Completed":
		print(f"  warning: the close with {workers} workers ended {status}")
	return elapsed


def measure_billing_report(month, size: str) -> Figure:
	from care_management.care_management.report.care_management_billing.care_management_billing import execute

	seconds = timed(lambda: execute({"month": month}), repeat=3)
	floor = timed(
		lambda: frappe.db.sql(
			"""select r.*, l.code, l.units from `tabCare Billing Record` r
			left join `tabCare Billing Line` l on l.parent = r.name where r.month = %s""",
			month,
		),
		repeat=3,
	)
	return Figure("billing report", size, seconds, floor)


def measure_worklist(manager: str, size: str) -> Figure:
	from care_management.care_management.report.caseload_worklist.caseload_worklist import worklist_rows

	as_of = getdate(today())
	seconds = timed(lambda: worklist_rows(manager, as_of), repeat=5)
	floor = timed(
		lambda: frappe.db.sql(
			"""select p.name, max(l.start), sum(l.duration_minutes) from `tabPatient` p
			left join `tabOutreach Log` l on l.patient = p.name and l.docstatus = 1
			where p.care_manager = %s group by p.name""",
			manager,
		),
		repeat=5,
	)
	return Figure("worklist (one caseload)", size, seconds, floor)


def measure_insert(manager: str, patient: str, count: int = 200) -> Figure:
	"""Outreach logs through the document API against ToDo, a bare doctype of similar width."""
	frappe.set_user(manager)
	base = datetime.combine(get_first_day(getdate(today())), datetime.min.time()) + timedelta(hours=1)

	def logs():
		for i in range(count):
			start = base + timedelta(minutes=7 * i)
			frappe.get_doc(
				{
					"doctype": "Outreach Log", "patient": patient, "performed_by": manager, "activity_type": "Phone Call",
					"start": start, "end": start + timedelta(minutes=5), "duration_minutes": 5, "outcome": "Reached",
				}
			).insert()  # fmt: skip

	def todos():
		for i in range(count):
			frappe.get_doc(
				{
					"doctype": "ToDo",
					"description": f"Call patient {i}",
					"allocated_to": manager,
					"reference_type": "Patient",
					"reference_name": patient,
					"date": base.date(),
				}
			).insert()

	seconds = timed(logs)
	floor = timed(todos)
	frappe.set_user("Administrator")
	return Figure(f"outreach log insert ({count} documents)", "", seconds, floor)


def run(
	patients: int = 10000, logs_per_patient_month: float = 12.0, care_manager_count: int = 40
) -> list[Figure]:
	frappe.set_user("Administrator")
	month = get_first_day(add_months(today(), -1))
	figures: list[Figure] = []
	tenth = PracticeSpec(
		patients=patients // 10,
		care_managers=max(1, care_manager_count // 10),
		months=1,
		last_month=getdate(month),
		logs_per_patient_month=logs_per_patient_month,
		prefix=f"CM-B{patients}-A",
		seed=21,
	)
	rest = PracticeSpec(
		patients=patients - patients // 10,
		care_managers=care_manager_count - tenth.care_managers,
		months=1,
		last_month=getdate(month),
		logs_per_patient_month=logs_per_patient_month,
		prefix=f"CM-B{patients}-B",
		seed=22,
	)
	for label, spec in (("1/10", tenth), ("full", rest)):
		start = time.perf_counter()
		load_practice(spec, force=True, with_templates=False)
		frappe.db.commit()
		print(f"loaded {spec.prefix}: {spec.patients} patients in {time.perf_counter() - start:.1f} s")
		logs = frappe.db.count("Outreach Log", {"start": (">=", month), "docstatus": 1})
		size = f"{label}: {frappe.db.count('Patient')} patients, {logs} logs in the month"
		figures += measure_month_close(month, size)
		figures.append(measure_billing_report(month, size))
		manager = care_managers(spec)[0]["email"]
		figures.append(measure_worklist(manager, size))
	first_cm = care_managers(rest)[0]["email"]
	patient = frappe.db.get_value("Patient", {"care_manager": first_cm})
	figures.append(measure_insert(first_cm, patient))
	return figures


def report(figures: list[Figure]) -> None:
	print(f"\n{'operation':40} {'size':55} {'app (s)':>9} {'floor (s)':>10} {'ratio':>7}")
	for f in figures:
		print(
			f"{f.operation:40} {f.size:55} {f.seconds:9.3f} {f.floor if f.floor is not None else float('nan'):10.4f} {f.ratio if f.ratio else float('nan'):7.1f}"
		)
	print(f"\npeak memory: this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, "
		f"worker processes {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB")  # fmt: skip
	print("\ntargets (full size):")
	for line in verdicts(figures):
		print(f"  {line}")


def verdicts(figures: list[Figure]) -> list[str]:
	"""Each target, met or MISSED, from the full-size figures."""
	full = {f.operation: f for f in figures if f.size.startswith("full") or not f.size}
	close = full.get("month close, 1 worker (inline)")
	report_ = full.get("billing report")
	worklist = full.get("worklist (one caseload)")
	insert = next((f for f in figures if f.operation.startswith("outreach log insert")), None)
	checks = []
	if close:
		ok = close.seconds < 60 and (close.ratio or 0) <= 3
		checks.append(
			f"month close {TARGETS['month close']}: {close.seconds:.1f} s, {close.ratio:.1f}× floor: {'met' if ok else 'MISSED'}"
		)
	if report_:
		checks.append(
			f"billing report {TARGETS['billing report']}: {report_.seconds:.2f} s: {'met' if report_.seconds < 2 else 'MISSED'}"
		)
	if worklist:
		ok = worklist.seconds < 0.2 and (worklist.ratio or 0) <= 3
		checks.append(
			f"worklist {TARGETS['worklist']}: {worklist.seconds * 1000:.0f} ms, {worklist.ratio:.1f}× floor: {'met' if ok else 'MISSED'}"
		)
	if insert:
		ok = (insert.ratio or 0) <= 1.5
		checks.append(
			f"outreach log insert {TARGETS['outreach log insert']}: {insert.ratio:.2f}×: {'met' if ok else 'MISSED'}"
		)
	return checks
