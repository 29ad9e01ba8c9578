"""`bench --site <site> care-management …` commands."""

import click
from frappe.commands import get_site, pass_context


@click.group("care-management")
def care_management():
	"""Care Management tools."""


@care_management.command("demo")
@click.option("--patients", default=60, show_default=True, help="How many patients.")
@click.option("--care-managers", default=3, show_default=True, help="How many care managers share them.")
@click.option("--months", default=3, show_default=True, help="Months of outreach logs, up to last month.")
@click.option("--force", is_flag=True, help="Load even though the site has real patients.")
@pass_context
def demo(context, patients, care_managers, months, force):
	"""Build a believable demo practice showing every capability (docs/demo.md). Safe to run twice."""
	import frappe

	from care_management.demo.loader import DEMO_PASSWORD, RealPatientsPresent
	from care_management.demo.practice import demo_spec, load_demo
	from care_management.demo.sign_ins import printed_sign_ins
	from care_management.demo.timing import phases_line

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		spec = demo_spec(patients, care_managers=care_managers, months=months)
		try:
			result = load_demo(spec, force=force)
		except RealPatientsPresent as real:
			raise click.ClickException(
				f"{site} has {real} real patients; the demo would mix with them. Use a separate site, or --force."
			) from None
		frappe.db.commit()
		if "already_loaded" in result:
			click.echo(
				f"The demo practice is already on {site} ({result['already_loaded']} patients); nothing changed."
			)
		else:
			seconds = result.pop("seconds")
			phases = result.pop("phases")
			result.pop("tcm_timely_patients", None)
			click.echo("Loaded: " + ", ".join(f"{key} {value}" for key, value in result.items()))
			click.echo("Time per step: " + phases_line(phases, seconds))
			click.echo(f"Demo load took {seconds} s.")
		click.echo(f"Sign in (password {DEMO_PASSWORD}):")
		for line in printed_sign_ins(spec):
			click.echo(line)
	finally:
		frappe.destroy()


@care_management.command("benchmark")
@click.option("--patients", default=10000, show_default=True)
@click.option(
	"--logs-per-patient", default=12.0, show_default=True, help="Outreach logs per patient in the month."
)
@click.option("--care-managers", default=40, show_default=True)
@click.option(
	"--worklist-among",
	default=50000,
	show_default=True,
	help="Also time one caseload's worklist once the site holds this many patients (0 skips it).",
)
@pass_context
def benchmark(context, patients, logs_per_patient, care_managers, worklist_among):
	"""Load a practice at 1/10 and full size and time month close, billing report, worklist and inserts."""
	import frappe

	from care_management.demo.benchmark import report, run

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		report(
			run(
				patients=patients,
				logs_per_patient_month=logs_per_patient,
				care_manager_count=care_managers,
				worklist_among=worklist_among,
			)
		)
	finally:
		frappe.destroy()


@care_management.command("adt-listener")
@click.option(
	"--host",
	default="127.0.0.1",
	show_default=True,
	help="Address to listen on. Keep the loopback and let the VPN or TLS tunnel to the hospital forward to it.",
)
@click.option("--port", default=2575, show_default=True, type=int, help="MLLP port (0 picks a free one).")
@pass_context
def adt_listener(context, host, port):
	"""Receive hospitals' HL7 v2 ADT messages over MLLP until stopped (one process per site)."""
	import os

	from care_management.adt.listener import run

	site = get_site(context)

	def ready(bound_port):
		# Read by whoever started the process (tests, supervisor logs) to know it is listening.
		click.echo(f"ADT listener for {site} on {host}:{bound_port}", err=False)
		import sys

		sys.stdout.flush()

	run(site, os.path.abspath("."), host, port, on_ready=ready)


@care_management.command("adt-benchmark")
@click.option("--messages", default=1000, show_default=True)
@click.option("--connections", default=4, show_default=True)
@pass_context
def adt_benchmark(context, messages, connections):
	"""Send a burst of ADT messages to a listener on a free loopback port; print the rate and losses."""
	import frappe

	from care_management.demo.adt_benchmark import run

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		for key, value in run(messages, connections).items():
			click.echo(f"{key:24} {value}")
	finally:
		frappe.destroy()


commands = [care_management]
