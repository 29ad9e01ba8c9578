"""Sales Invoices for closed months, through Healthcare's own invoicing link.

Create Invoices bills each patient-month and billing practitioner to whoever
pays it: the primary payer's share to the payer's Customer, a secondary payer's
share of the coinsurance to that payer, the rest to the patient's own Customer
(none for a Qualified Medicare Beneficiary, none for a code without cost
sharing). Who pays is the coverage in force on each line's date of service
(Patient Coverage); how much is the plan type's share (Coverage Plan Type); the
split is the pure core's (domain/billing/coverage.py). A record without coverage
is not invoiced and says why (Not Invoiced Because).

Each invoice item carries reference_dt / reference_dn to one line (one code) of
a Care Billing Record, on every invoice of that line; line_claims.py sees that
each share of a line is on one invoice at most, whatever runs at the same
time, and sets the line's ``invoiced`` flag once all its shares are submitted;
the record follows its lines (on_sales_invoice_change).

Create Invoices takes each patient and practitioner in turn: it locks their
ready records and lines (the order line_claims uses), reads again which shares
are still free, and invoices only those; each group's invoices commit together,
so a second run started at the same moment waits for the first one's group,
then finds nothing left for it and says so.
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import flt, formatdate, get_first_day, get_last_day, getdate, today

from care_management import job_runs
from care_management.billing import eligibility
from care_management.billing.db_errors import explained, is_concurrency_error, message_for
from care_management.billing.line_claims import PATIENT, PRIMARY_PAYER, SECONDARY_PAYER
from care_management.billing.month_close import DEADLOCK_RETRIES
from care_management.care_management.doctype.patient_coverage.patient_coverage import as_coverage
from care_management.domain.billing import coverage as coverage_rules
from care_management.domain.billing.coverage import CoverageOnDate, ShareSplit, coverage_on, split_allowed

RECORD = "Care Billing Record"
LINE = "Care Billing Line"


def ready_records(month, patient: str | None = None) -> list[dict]:
	"""Billable records of the month with a line on no invoice yet (draft or submitted)."""
	conditions = "r.month = %(month)s and r.status = 'Ready' and r.invoiced = 0 and r.held = 0"
	if patient:
		conditions += " and r.patient = %(patient)s"
	return frappe.db.sql(
		f"""select r.name, r.patient, r.patient_name, r.program, r.billing_practitioner, r.month
		from `tabCare Billing Record` r
		where {conditions} and exists(
			select 1 from `tabCare Billing Line` l
			where l.parent = r.name and l.parenttype = 'Care Billing Record' and l.units > 0
				and l.sales_invoice is null)
		order by r.patient, r.name""",
		{"month": get_first_day(getdate(month)), "patient": patient},
		as_dict=True,
	)


def invoice_items(records: list[dict], lines: list[dict] | None = None) -> list[dict]:
	"""Invoice items for ``lines`` of ``records`` (all their free lines when not given)."""
	if lines is None:
		lines = frappe.get_all(
			"Care Billing Line",
			filters={
				"parenttype": RECORD,
				"parent": ("in", [r.name for r in records] or [""]),
				"sales_invoice": ("is", "not set"),
				"units": (">", 0),  # a code an adjustment dropped
			},
			fields=["name", "parent", "code", "units", "item", "rate", "date_of_service", "adjustment_note"],
			order_by="parent, idx",
		)
	by_name = {r.name: r for r in records}
	missing_items = sorted({line.code for line in lines if not line.item})
	if missing_items:
		frappe.throw(
			_("Billing Code {0} has no Item. Set the Item on the Billing Code so it can be invoiced.").format(
				", ".join(frappe.bold(frappe.utils.escape_html(c)) for c in missing_items)
			),
			title=_("Billing Code Without Item"),
		)
	items = []
	for line in lines:
		record = by_name[line.parent]
		description = _("{0} — {1}, {2}, date of service {3}").format(
			line.code,
			record.program,
			record.patient_name or record.patient,
			frappe.utils.formatdate(line.date_of_service),
		)
		if line.get("adjustment_note"):
			# "adjusted: -1 unit, reason …": the Care Billing Adjustment behind the units.
			description = f"{description}; {line.adjustment_note}"
		items.append(
			{
				"item_code": line.item,
				"qty": line.units,
				"rate": line.rate,
				"description": description,
				"reference_dt": LINE,
				"reference_dn": line.name,
				"service_start_date": get_first_day(record.month),
				"service_end_date": get_last_day(record.month),
			}
		)
	return items


def records_to_invoice(month, patient: str | None = None) -> list[dict]:
	"""Ready records of the month with a share of a line on no invoice yet: the
	primary share of every line, the secondary payer's and the patient's where
	an earlier run split the line so."""
	conditions = "r.month = %(month)s and r.status = 'Ready' and r.invoiced = 0 and r.held = 0"
	if patient:
		conditions += " and r.patient = %(patient)s"
	return frappe.db.sql(
		f"""select r.name, r.patient, r.billing_practitioner
		from `tabCare Billing Record` r
		where {conditions} and exists(
			select 1 from `tabCare Billing Line` l
			where l.parent = r.name and l.parenttype = 'Care Billing Record' and l.units > 0
				and (l.sales_invoice is null
				or (l.secondary_share > 0 and l.secondary_invoice is null)
				or (l.patient_share > 0 and l.patient_invoice is null)))
		order by r.patient, r.billing_practitioner, r.name""",
		{"month": get_first_day(getdate(month)), "patient": patient},
		as_dict=True,
	)


class NoPatientCustomer(Exception):
	"""The patient owes a share and has no Customer to bill it to."""


def check_may_invoice(month=None, submit=None, **_arguments) -> None:
	frappe.has_permission("Sales Invoice", "create", throw=True)
	if not frappe.db.get_single_value("Care Management Settings", "company"):
		frappe.throw(_("Set the Default Company in Care Management Settings before creating invoices."))
	if not month:
		frappe.throw(_("Month: choose the month to invoice."))


@frappe.whitelist()
def start_create_invoices(month, submit: int | None = None) -> dict:
	"""The report's Create Invoices button: a background run of the month; returns it at once."""
	check_may_invoice(month)
	month = str(get_first_day(getdate(month)))
	submit = None if submit in (None, "") else int(submit)
	run = job_runs.start("Create Invoices", {"month": month, "submit": submit}, key=month)
	return job_runs.started_message(run, "Create Invoices")


def run_create_invoices(progress, month, submit: int | None = None) -> None:
	"""The background run: create_invoices, each patient's group reported as it commits."""
	result = create_invoices(month, submit=submit, progress=progress)
	progress.summary = result.get("message") or _(
		"{0} invoices made; {1} patients not invoiced (see the rows for why)."
	).format(len(result["invoices"]), progress.failed)
	if result["unverified_coverage"]:
		progress.summary += " " + _(
			"Invoiced, but check eligibility with the payer for {0} coverages: {1}"
		).format(
			len(result["unverified_coverage"]),
			job_runs.as_text(
				"; ".join(f"{row['patient']}: {row['reason']}" for row in result["unverified_coverage"])
			),
		)


def create_invoices(
	month,
	submit: int | None = None,
	patient: str | None = None,
	commit: bool = True,
	progress=None,
) -> dict:
	"""The month's ready records billed to their payers and patients: per patient
	and billing practitioner, one invoice per payer share and one for the
	patient's; of one patient only when ``patient`` is given. Each group's
	invoices are committed together (``commit`` off: savepoints in the caller's
	transaction instead, as the tests use); a group that fails is reported and
	the others go on. Records without coverage are held with their reason.
	``progress`` (job_runs.Progress) hears of each group in the group's transaction."""
	check_may_invoice(month)
	settings = frappe.get_cached_doc("Care Management Settings")
	submit = settings.submit_invoices if submit is None else int(submit)
	commit = frappe.utils.sbool(commit)
	groups = defaultdict(list)
	with explained(**invoicing_collision(month)):
		for record in records_to_invoice(month, patient=patient):
			groups[(record.patient, record.billing_practitioner or "")].append(record.name)
		payers = PayerBook([p for p, _practitioner in groups])
	result = {
		"invoices": [],
		"without_customer": [],
		"already_invoiced": [],
		"failed": [],
		"held": [],
	}
	if progress:
		progress.set_total(len(groups))
	if commit:
		frappe.db.commit()  # each group starts a transaction of its own, so its reads see others' commits
	for (patient_name, _practitioner), names in sorted(groups.items()):
		for attempt in range(1, DEADLOCK_RETRIES + 1):
			if not commit:
				frappe.db.savepoint("care_invoice")
			try:
				invoices, held = invoice_group(patient_name, names, payers, settings, submit)
			except NoPatientCustomer:
				rollback(commit)
				if patient_name not in result["without_customer"]:
					result["without_customer"].append(patient_name)
				report_failure(
					progress,
					patient_name,
					_(
						"{0} owes a share and has no Customer. Set the Patient's Customer, then run again."
					).format(frappe.utils.escape_html(patient_name)),
					commit,
				)
				break
			except Exception as error:
				rollback(commit)
				if is_concurrency_error(error):
					# Two runs (or a run and a close) met on these rows; this group's work was
					# undone, so do it again: its claims then see what the other committed.
					if attempt == DEADLOCK_RETRIES:
						messages = invoicing_collision(month)
						reason = message_for(error, messages["duplicate"], messages["busy"])
						result["failed"].append({"patient": patient_name, "error": reason})
						report_failure(progress, patient_name, reason, commit)
					continue
				if not isinstance(error, frappe.ValidationError):
					frappe.log_error(title=_("Care-management invoice for {0} failed").format(patient_name))
				reason = frappe.utils.strip_html(str(error)) or repr(error)
				result["failed"].append({"patient": patient_name, "error": reason})
				frappe.clear_messages()
				report_failure(progress, patient_name, reason, commit)
				break
			result["invoices"].extend(invoices)
			result["held"].extend(held)
			if not invoices and not held:
				result["already_invoiced"].append(patient_name)
			if progress:
				for invoice in invoices:
					progress.made("Sales Invoice", invoice, patient_name)
				for row in held:
					progress.fail(row["reason"], patient=patient_name, doctype=RECORD, name=row["record"])
				progress.step()
			if commit:
				frappe.db.commit()
			break
	# Records a billing adjustment holds (or whose adjustments need review) are left out, and said so.
	by_adjustments = held_by_adjustments(month, patient)
	result["held"].extend(by_adjustments)
	if progress and by_adjustments:
		progress.total += len(by_adjustments)
		for row in by_adjustments:
			progress.fail(row.reason, patient=row.patient, doctype=RECORD, name=row.record)
		progress.step(len(by_adjustments))
	# Billed, but on coverage nobody has checked with the payer lately: said, not held.
	result["unverified_coverage"] = [
		{"patient": patient_name, "coverage": coverage, "reason": reason}
		for coverage, (patient_name, reason) in sorted(payers.warnings.items())
	]
	if (
		not result["invoices"]
		and not result["without_customer"]
		and not result["failed"]
		and not result["held"]
	):
		result["message"] = _(
			"Nothing left to invoice for {0}: every ready service is already on an invoice."
		).format(frappe.utils.formatdate(get_first_day(getdate(month)), "MMMM yyyy"))
	return result


def report_failure(progress, patient: str, reason: str, commit: bool) -> None:
	"""A group that failed (its work undone): its row on the run, committed on its own."""
	if not progress:
		return
	progress.fail(reason, patient=patient)
	progress.step()
	if commit:
		frappe.db.commit()


def held_by_adjustments(month, patient: str | None = None) -> list[dict]:
	conditions = "month = %(month)s and held = 1 and invoiced = 0"
	if patient:
		conditions += " and patient = %(patient)s"
	return frappe.db.sql(
		f"""select patient, name as record, held_because as reason from `tabCare Billing Record`
		where {conditions} order by patient, name""",
		{"month": get_first_day(getdate(month)), "patient": patient},
		as_dict=True,
	)


def invoicing_collision(month) -> dict:
	label = frappe.utils.formatdate(get_first_day(getdate(month)), "MMMM yyyy")
	return {
		"duplicate": _(
			"Another Create Invoices run (or a clerk's invoice) billed these services of {0} at the same "
			"moment. Refresh the report to see its invoices; run Create Invoices again for anything still Ready."
		).format(label),
		"busy": _(
			"{0} is being invoiced or closed by someone else right now. Wait until that finishes, then run "
			"Create Invoices again: what is already invoiced is skipped."
		).format(label),
		"title": _("Invoicing Already Running"),
	}


def rollback(commit: bool) -> None:
	if commit:
		frappe.db.rollback()
	else:
		frappe.db.rollback(save_point="care_invoice")


class PayerBook:
	"""What the split needs, read once for all the patients of a run: their
	coverages, the plan types' shares, QMB and Customer, the codes without cost
	sharing."""

	def __init__(self, patients: list[str]):
		patients = sorted(set(patients)) or [""]
		self.coverages = defaultdict(list)
		# What the payers' 271s said of each coverage (eligibility.py), and the coverages a
		# run warned about as unverified: {coverage: (patient, reason)}.
		self.eligibility = {}
		self.unverified_days = eligibility.unverified_after_days()
		self.warnings: dict[str, tuple[str, str]] = {}
		for row in frappe.db.sql(
			"""select name, patient, payer, plan_type, coverage_order, effective_from, effective_to,
				qualified_medicare_beneficiary, eligibility_status, eligibility_verified_on
			from `tabPatient Coverage` where patient in %(patients)s""",
			{"patients": patients},
			as_dict=True,
		):
			self.coverages[row.patient].append(as_coverage(row))
			self.eligibility[row.name] = row
		self.plan_types = {
			row.name: row
			for row in frappe.get_all(
				"Coverage Plan Type", fields=["name", "payer_share_percent", "secondary_share_percent"]
			)
		}
		self.patients = {
			row.name: row
			for row in frappe.get_all(
				"Patient",
				filters={"name": ("in", patients)},
				fields=["name", "customer", "qualified_medicare_beneficiary"],
			)
		}
		self.no_cost_sharing = defaultdict(list)
		for row in frappe.get_all(
			"Billing Code",
			filters={"no_cost_sharing": 1},
			fields=["code", "effective_from", "effective_to"],
		):
			self.no_cost_sharing[row.code].append(row)

	def eligibility_problem(self, patient: str, found: CoverageOnDate) -> str | None:
		"""Why the payer's 271 stops billing these coverages (inactive), or None; notes
		each coverage not verified for longer than the Settings allow."""
		for coverage in (found.primary, found.secondary):
			if coverage is None:
				continue
			row = self.eligibility.get(coverage.name)
			if row is None:
				continue
			if row.eligibility_status == "Inactive":
				return eligibility.inactive_reason(row)
			if coverage.name not in self.warnings and (
				reason := eligibility.unverified_reason(row, self.unverified_days)
			):
				self.warnings[coverage.name] = (patient, reason)
		return None

	def waives_cost_sharing(self, code: str, day) -> bool:
		return any(
			getdate(row.effective_from) <= day and (not row.effective_to or day <= getdate(row.effective_to))
			for row in self.no_cost_sharing.get(code, [])
		)

	def split(self, patient: str, line) -> tuple[CoverageOnDate, ShareSplit | None]:
		day = getdate(line.date_of_service)
		found = coverage_on(self.coverages.get(patient, []), day)
		if not found.primary:
			return found, None
		primary_plan = self.plan_types.get(found.primary.plan_type)
		secondary_plan = self.plan_types.get(found.secondary.plan_type) if found.secondary else None
		per_unit = split_allowed(
			line.rate or 0,
			primary_plan.payer_share_percent if primary_plan else 0,
			secondary_share_percent=secondary_plan.secondary_share_percent if secondary_plan else None,
			qmb=found.primary.qmb
			or bool(found.secondary and found.secondary.qmb)
			or bool(self.patients.get(patient, {}).get("qualified_medicare_beneficiary")),
			no_cost_sharing=self.waives_cost_sharing(line.code, day),
		)
		return found, per_unit


def coverage_problem(found: CoverageOnDate, day) -> str:
	"""Why a line has no payer, in the clerk's language."""
	if found.problem == coverage_rules.ENDED:
		return _("coverage {0} ended {1}, before {2}").format(
			found.ended.name, formatdate(found.ended.effective_to), formatdate(day)
		)
	if found.problem == coverage_rules.SECONDARY_ONLY:
		return _("only a secondary coverage is in force on {0}").format(formatdate(day))
	if found.problem == coverage_rules.NOT_IN_FORCE:
		return _("no coverage in force on {0}").format(formatdate(day))
	return _("no coverage on file")


def invoice_group(patient: str, record_names: list[str], payers: PayerBook, settings, submit: bool):
	"""Lock one patient-practitioner group's records and lines (line_claims'
	order), split what is still free, hold what has no coverage, and invoice
	each share to whoever owes it. Returns (invoice names, held records)."""
	records = frappe.db.sql(
		"""select name, patient, patient_name, program, billing_practitioner, month
		from `tabCare Billing Record`
		where name in %(names)s and status = 'Ready' and invoiced = 0 and held = 0 order by name for update""",
		{"names": record_names},
		as_dict=True,
	)
	if not records:
		return [], []
	lines = frappe.db.sql(
		"""select name, parent, idx, code, units, item, rate, date_of_service, sales_invoice, secondary_invoice,
			patient_invoice, coverage, payer, secondary_payer, payer_share, secondary_share, patient_share,
			adjustment_note
		from `tabCare Billing Line`
		where parent in %(records)s and parenttype = 'Care Billing Record'
		order by name for update""",
		{"records": [r.name for r in records]},
		as_dict=True,
	)
	by_record = defaultdict(list)
	for line in lines:
		if (line.units or 0) > 0:  # a code an adjustment dropped is locked with the rest, never billed
			by_record[line.parent].append(line)
	held, billable = [], []
	for record in records:
		problems = []
		for line in by_record[record.name]:
			if line.sales_invoice or line.secondary_invoice or line.patient_invoice:
				continue  # split when its first invoice was made; kept while any of them stands
			found, per_unit = payers.split(patient, line)
			if per_unit is not None and (inactive := payers.eligibility_problem(patient, found)):
				problems.append(
					_("{0} on {1}: {2}").format(line.code, formatdate(line.date_of_service), inactive)
				)
				continue
			if per_unit is None:
				problems.append(
					_("{0} on {1}: {2}").format(
						line.code,
						formatdate(line.date_of_service),
						coverage_problem(found, line.date_of_service),
					)
				)
				continue
			units = line.units or 0
			line.update(
				coverage=found.primary.name,
				payer=found.primary.payer,
				secondary_coverage=found.secondary.name if found.secondary and per_unit.secondary else None,
				secondary_payer=found.secondary.payer if found.secondary and per_unit.secondary else None,
				payer_share=float(per_unit.primary * units),
				secondary_share=float(per_unit.secondary * units),
				patient_share=float(per_unit.patient * units),
				written_off=float(per_unit.written_off * units),
				split_now=True,
			)
		if problems:
			reason = _("No coverage to bill: {0}. Add or correct the patient's Patient Coverage.").format(
				"; ".join(dict.fromkeys(problems))
			)
			frappe.db.set_value(RECORD, record.name, "invoice_hold_reason", reason, update_modified=False)
			held.append({"patient": patient, "record": record.name, "reason": reason})
		else:
			billable.append(record)
	if not billable:
		return [], held
	names = [r.name for r in billable]
	frappe.db.sql(
		"update `tabCare Billing Record` set invoice_hold_reason = null where name in %(names)s",
		{"names": names},
	)
	# Invoice rows (and so claim lines) in the record's order: the base code before its add-on.
	free = [line for r in billable for line in sorted(by_record[r.name], key=lambda line: line.idx)]
	for line in free:
		if line.get("split_now"):
			frappe.db.set_value(
				LINE,
				line.name,
				{
					"coverage": line.coverage,
					"payer": line.payer,
					"secondary_payer": line.secondary_payer,
					"payer_share": line.payer_share,
					"secondary_share": line.secondary_share,
					"patient_share": line.patient_share,
					"written_off": line.written_off,
				},
				update_modified=False,
			)
	drafts = share_invoices(patient, billable, free, payers, settings)
	invoices = []
	for invoice in drafts:
		invoice.insert()
		if submit:
			invoice.submit()
		invoices.append(invoice.name)
	return invoices, held


def share_invoices(patient: str, records: list[dict], lines: list[dict], payers: PayerBook, settings) -> list:
	"""Unsaved invoices for the free shares of ``lines``: primary payer(s) first,
	then secondary payer(s), then the patient."""
	# (role, customer, coverage) -> [(line, amount)]
	shares = defaultdict(list)
	for line in lines:
		if not line.sales_invoice:
			shares[(PRIMARY_PAYER, line.payer, line.coverage)].append((line, line.payer_share or 0))
		if (line.secondary_share or 0) > 0 and not line.secondary_invoice:
			coverage = line.get("secondary_coverage") or secondary_coverage_of(payers, patient, line)
			shares[(SECONDARY_PAYER, line.secondary_payer, coverage)].append((line, line.secondary_share))
		if (line.patient_share or 0) > 0 and not line.patient_invoice:
			shares[(PATIENT, None, None)].append((line, line.patient_share))
	order = {PRIMARY_PAYER: 0, SECONDARY_PAYER: 1, PATIENT: 2}
	drafts = []
	for role, payer, coverage in sorted(shares, key=lambda key: (order[key[0]], key[1] or "", key[2] or "")):
		if role == PATIENT:
			customer = (payers.patients.get(patient) or {}).get("customer")
			if not customer:
				raise NoPatientCustomer(patient)
		else:
			customer = payer
		items = invoice_items(records, [line for line, _amount in shares[(role, payer, coverage)]])
		for item, (line, amount) in zip(items, shares[(role, payer, coverage)], strict=True):
			units = line.units or 1
			item["rate"] = flt(amount) / units
			item["price_list_rate"] = item["rate"]
			item["description"] = _("{0} ({1} share)").format(item["description"], _(role))
		invoice = draft_invoice(patient, customer, items, settings)
		invoice.care_billing_role = role
		invoice.care_coverage = coverage
		drafts.append(invoice)
	return drafts


def secondary_coverage_of(payers: PayerBook, patient: str, line) -> str | None:
	found = coverage_on(payers.coverages.get(patient, []), getdate(line.date_of_service))
	return found.secondary.name if found.secondary and found.secondary.payer == line.secondary_payer else None


@frappe.whitelist()
def get_care_management_items(patient: str, month) -> list[dict]:
	"""For the Sales Invoice form's "Get Care Management Items" action."""
	frappe.has_permission("Sales Invoice", "create", throw=True)
	return invoice_items(ready_records(month, patient=patient))


def on_sales_invoice_change(invoice, method=None):
	"""doc_event: a record is invoiced when all its lines are (Healthcare flags the lines)."""
	lines = [item.reference_dn for item in invoice.items if item.reference_dt == LINE and item.reference_dn]
	if not lines:
		return
	records = frappe.db.sql_list(
		"select distinct parent from `tabCare Billing Line` where name in %(lines)s", {"lines": lines}
	)
	frappe.db.sql(
		"""update `tabCare Billing Record` r
		set r.invoiced = not exists(
				select 1 from `tabCare Billing Line` l where l.parent = r.name and l.parenttype = 'Care Billing Record'
				and l.invoiced = 0 and l.units > 0),
			r.status = if(r.invoiced, 'Invoiced', 'Ready'),
			r.sales_invoice = if(r.invoiced, (
				select min(l.sales_invoice) from `tabCare Billing Line` l
				where l.parent = r.name and l.parenttype = 'Care Billing Record'), null)
		where r.name in %(records)s""",
		{"records": records},
	)


def draft_invoice(patient: str, customer: str, items: list[dict], settings):
	"""A new (unsaved) Sales Invoice of the practice for one patient's services."""
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": settings.company,
			"customer": customer,
			"patient": patient,
			"posting_date": today(),
			"selling_price_list": settings.selling_price_list,
			"items": items,
		}
	)
	invoice.set_missing_values()
	return invoice
