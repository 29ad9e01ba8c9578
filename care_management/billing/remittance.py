"""835 remittances posted against the payer invoices.

Saving a Remittance Import with a new or changed file reads it
(domain/remittance_835.py) — in a web request, by a background run (Remittance
Read, ``read_on_save`` / ``run_read``), since a 2,000-claim file takes longer than
a request should — and lists,
per payment (an ST set: one check or EFT), its claims with what each would do to
the payer invoice it was made from (domain/remittance_posting.py), the claim and
service adjustments, and every problem of the file. Submitting reads the file
again against the invoices locked FOR UPDATE (so two remittances paying one
invoice are applied one after the other, the second against what the first
left), claims each payment's posting key under a unique index (one payment is
posted once, whatever runs at the same time) and posts one Payment Entry per
payment: its amount is what the payer paid (BPR02), allocated to the invoices;
what no invoice takes stays unallocated on the payer. The payer's claim number
(CLP07, Medicare's ICN) goes onto the Claim Export row that sent the claim, for
later replacements and voids.

A claim the file cannot be read for is left out with its problem; the others
are posted. A problem outside the claims (the payment's own segments, its
balance) stops the whole file, since its amounts cannot be trusted.
"""

from __future__ import annotations

import hashlib
import html
import os
from dataclasses import replace
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, getdate, strip_html, today

from care_management import job_runs
from care_management.billing.attached_file import attached_text
from care_management.domain import claims_837p as x12
from care_management.domain import remittance_835 as x835
from care_management.domain import remittance_posting as posting
from care_management.storable_text import DATA_LENGTH, REASON_LENGTH, storable

MAX_FILE_BYTES = 50 * 1024 * 1024
# A claim of these outcomes moved no money: a background run lists it as a failed row.
NOT_POSTED_OUTCOMES = ("Not Matched", "Not Posted")
POSTING_LOCK = "CARE-REMITTANCE-POSTING"
# Claim Export rows are updated in statements of this many claims.
CHUNK = 500
TRACE_TWICE = "The file holds two payments with this check or EFT number: neither is posted."
PAYMENT_UNREADABLE = (
	"The payment's own segments could not be read or do not balance (see Problems): nothing of it is posted."
)
# The import's Read State: set by the controller and the read run only.
READING, READ, FAILED = "Reading", "Read", "Failed"
READ_JOB = "Remittance Read"
TABLES = ("payments", "claims", "services", "adjustments", "problems")
# What a read writes onto the import; a save that reads nothing keeps the stored values.
READ_FIELDS = (
	"title", "total_received", "total_allocated", "claims_paid", "claims_denied", "claims_not_posted",
	"problem_count", "read_state", "read_run", "read_problem",
)  # fmt: skip


def file_text(doc) -> str:
	return attached_text(
		doc.file,
		MAX_FILE_BYTES,
		_("835 File: the file is larger than {0} MB; ask the clearinghouse for one file per payment."),
	)


def read_into(doc, locking: bool = False) -> None:
	"""Fill the import's payments, claims, adjustments and problems from its file."""
	remittances, problems = x835.parse_835(file_text(doc))
	payers = payers_of(remittances)
	claim_ids = [claim.claim_id for remittance in remittances for claim in remittance.claims]
	invoices = invoice_states(claim_ids, doc.company, locking=locking)
	doc.set("payments", [])
	doc.set("claims", [])
	doc.set("adjustments", [])
	doc.set("services", [])
	doc.set("problems", [problem_row(p) for p in problems])
	# Problems of the interchange itself (its envelope, a set cut off): no payment of it is posted.
	of_payments = {p for remittance in remittances for p in remittance.transaction_problems}
	doc.flags.interchange_problems = [p for p in problems if not p.claim_id and p not in of_payments]
	traces = [remittance.trace_number for remittance in remittances]
	for remittance in remittances:
		payer = payers.get(remittance_payer_key(remittance))
		if traces.count(remittance.trace_number) > 1:
			# Its claims are told apart from the other payment's by the trace number.
			outcomes = nothing_posted(remittance.claims, TRACE_TWICE)
			reason = _(TRACE_TWICE)
		elif remittance.transaction_problems:
			# Its amounts cannot be trusted: nothing of this payment is allocated.
			outcomes = nothing_posted(remittance.claims, PAYMENT_UNREADABLE)
			reason = "; ".join(dict.fromkeys(_(p.reason) for p in remittance.transaction_problems))
		else:
			outcomes = posting.allocate(remittance.claims, invoices, payer, remittance.total_paid)
			reason = "" if payer else _(posting.UNKNOWN_PAYER)
			for outcome in outcomes:  # a later payment of the file finds what this one left owing
				if outcome.allocated:
					state = invoices[outcome.invoice]
					invoices[outcome.invoice] = replace(
						state, outstanding=state.outstanding - outcome.allocated
					)
		doc.append(
			"payments",
			{
				"trace_number": storable(remittance.trace_number, DATA_LENGTH),
				"payer": payer,
				"payer_name": storable(remittance.payer_name, DATA_LENGTH),
				"payment_date": remittance.payment_date,
				"payment_method": storable(remittance.payment_method, DATA_LENGTH),
				"total_paid": flt(remittance.total_paid),
				"claims": len(remittance.claims),
				"status": "Ready" if payer and not reason else "Not Posted",
				"reason": storable(reason, REASON_LENGTH),
			},
		)
		for claim, outcome in zip(remittance.claims, outcomes, strict=True):
			invoice = invoices.get(claim.claim_id)
			# A cancelled invoice is named by the claim ID only: a submitted import cannot link to it.
			linked_invoice = outcome.invoice if invoice and invoice.docstatus == 1 else None
			doc.append("claims", claim_row(remittance, claim, outcome, invoice, linked_invoice))
			row_number = len(doc.claims)
			for service in claim.services:
				doc.append(
					"services",
					{**service_row(remittance, claim, service, linked_invoice), "claim_row": row_number},
				)
			for service, adjustment in service_adjustments(claim):
				doc.append(
					"adjustments",
					{
						"claim_row": row_number,
						"claim_id": storable(claim.claim_id, DATA_LENGTH),
						"sales_invoice": linked_invoice,
						"line_control_number": storable(
							service.control_number if service else "", DATA_LENGTH
						),
						"procedure_code": storable(service.procedure_code if service else "", DATA_LENGTH),
						"group_code": storable(adjustment.group, DATA_LENGTH),
						"reason_code": storable(adjustment.reason, DATA_LENGTH),
						"amount": flt(adjustment.amount),
						"quantity": flt(adjustment.quantity) if adjustment.quantity is not None else None,
					},
				)
	summarise(doc)


def read_on_save(doc) -> None:
	"""A draft's save: read the file when it is new or changed (or the company, or the
	last read did not end Read); else keep the stored rows and what was read, whatever
	the client sent. In a web request the reading is a background run (``run_read``);
	the save only marks the import Reading. The console, tests, background jobs and
	the development desk server (no worker) read it in the save, as before."""
	if doc.flags.read_by_run:  # the run's own save: what it read stands
		return
	before = doc.get_doc_before_save()
	if before and (doc.file, doc.company, before.read_state) == (before.file, before.company, READ):
		for field in READ_FIELDS:
			doc.set(field, before.get(field))
		doc.flags.keep_stored_rows = True  # BulkChildren: no row written, the stored ones kept
		return
	if reads_in_background():
		clear_read(doc)
		doc.read_state, doc.read_problem = READING, None
		doc.flags.read_queued = True  # the run is started once the import is written (on_update)
		return
	read_into(doc)
	note_read(doc)
	doc.read_run = None


def reads_in_background() -> bool:
	return getattr(frappe.local, "request", None) is not None and not os.environ.get(job_runs.INLINE_ENV)


def clear_read(doc) -> None:
	for field in TABLES:
		doc.set(field, [])
	doc.flags.interchange_problems = []
	summarise(doc)


def note_read(doc) -> None:
	"""Read, or Failed when the interchange itself cannot be read (nothing of it can be posted)."""
	problems = doc.flags.interchange_problems or []
	if problems:
		doc.read_state = FAILED
		doc.read_problem = storable(
			_("The file cannot be posted: {0}. Ask the clearinghouse for a corrected file.").format(
				"; ".join(
					_("segment {0} ({1}): {2}").format(p.segment_number, p.segment_id, _(p.reason))
					for p in problems[:5]
				)
			),
			REASON_LENGTH,
		)
	else:
		doc.read_state, doc.read_problem = READ, None


def queue_read(doc) -> None:
	"""After the save that marked the import Reading: one run reads it. A run of it
	already queued or running is joined; it reads what the import holds when it looks."""
	run = job_runs.start(
		READ_JOB, {"name": doc.name}, key=doc.name, reference=(doc.doctype, doc.name), join_open=True
	)
	doc.db_set("read_run", run, update_modified=False)


def refuse_unread(doc) -> None:
	"""Submit only an import whose file was read whole (its stored state, not the client's)."""
	stored = doc.get_doc_before_save() or doc
	link = job_runs.desk_link(job_runs.RUN, stored.read_run) if stored.read_run else ""
	if stored.read_state == FAILED:
		frappe.throw(
			_(
				"The 835 File of {0} could not be read: {1} Attach a corrected file and save: it is read "
				"again, then submit. {2}"
			).format(
				frappe.bold(frappe.utils.escape_html(doc.name)),
				frappe.utils.escape_html(stored.read_problem or ""),
				link,  # html-safe: desk_link escapes the run's name and title
			),
			title=_("835 File Not Read"),
		)
	if stored.read_state != READ:
		frappe.throw(
			_(
				"The 835 File of {0} is still being read in the background {1}. Submit once it is read: "
				"the form reloads by itself when it is. If that run failed, save the import again to read "
				"the file again."
			).format(
				frappe.bold(frappe.utils.escape_html(doc.name)),
				link,  # html-safe: desk_link escapes the run's name and title
			),
			title=_("835 File Being Read"),
		)


def nothing_posted(claims, reason: str) -> list[posting.ClaimOutcome]:
	return [
		posting.ClaimOutcome(claim.claim_id, "", posting.NOT_POSTED, Decimal(0), reason) for claim in claims
	]


def claim_row(remittance, claim, outcome: posting.ClaimOutcome, invoice, linked_invoice: str | None) -> dict:
	return {
		"trace_number": storable(remittance.trace_number, DATA_LENGTH),
		"claim_id": storable(claim.claim_id, DATA_LENGTH),
		"sales_invoice": linked_invoice,
		"patient": (invoice.patient or None) if invoice else None,
		"claim_status": storable(status_label(claim.status_code), DATA_LENGTH),
		"status_code": storable(claim.status_code, DATA_LENGTH),
		"crossover_payer_name": storable(claim.crossover_name, DATA_LENGTH),
		"crossover_payer_id": storable(claim.crossover_id, DATA_LENGTH),
		"outcome": outcome.outcome,
		"charge": flt(claim.charge),
		"paid": flt(claim.paid),
		"allocated": flt(outcome.allocated),
		"patient_responsibility": flt(claim.patient_responsibility),
		"payer_claim_number": storable(claim.payer_claim_number, DATA_LENGTH),
		"adjustments": storable(
			"; ".join(
				f"{procedure + ' ' if procedure else ''}{a.group}-{a.reason} {a.amount}"
				for procedure, a in claim_adjustments(claim)
			),
			REASON_LENGTH,
		),
		"reason": _(outcome.reason) if outcome.reason else "",
	}


def claim_adjustments(claim):
	"""(procedure code, adjustment): the claim's own (no code), then each service's."""
	for service, adjustment in service_adjustments(claim):
		yield (service.procedure_code if service else ""), adjustment


def service_adjustments(claim):
	"""(service, adjustment): the claim's own (no service), then each service's."""
	for adjustment in claim.adjustments:
		yield None, adjustment
	for service in claim.services:
		for adjustment in service.adjustments:
			yield service, adjustment


def service_row(remittance, claim, service, linked_invoice: str | None) -> dict:
	"""What the payer decided on one service line, kept for a secondary claim's loop 2430."""
	return {
		"trace_number": storable(remittance.trace_number, DATA_LENGTH),
		"claim_id": storable(claim.claim_id, DATA_LENGTH),
		"sales_invoice": linked_invoice,
		"line_control_number": storable(service.control_number, DATA_LENGTH),
		"procedure_code": storable(service.procedure_code, DATA_LENGTH),
		"modifiers": storable(":".join(service.modifiers), DATA_LENGTH),
		"service_date": service.service_date,
		"charge": flt(service.charge),
		"paid": flt(service.paid),
		"units": flt(service.units) if service.units is not None else None,
	}


def status_label(code: str) -> str:
	meaning = posting.CLAIM_STATUS.get(code)
	return f"{code} {_(meaning)}" if meaning else code


def problem_row(problem) -> dict:
	return {
		"segment_number": problem.segment_number,
		"segment_id": storable(problem.segment_id, DATA_LENGTH),
		"claim_id": storable(problem.claim_id, DATA_LENGTH),
		"reason": storable(_(problem.reason), REASON_LENGTH),
	}


def summarise(doc) -> None:
	first = doc.payments[0] if doc.payments else None
	title = f"{first.payer or first.payer_name} {first.trace_number}" if first else _("835 file")
	if len(doc.payments) > 1:
		title += " " + _("and {0} more").format(len(doc.payments) - 1)
	doc.title = storable(title.strip(), DATA_LENGTH)
	doc.total_received = sum(flt(p.total_paid) for p in doc.payments)
	doc.total_allocated = sum(flt(c.allocated) for c in doc.claims)
	doc.claims_paid = sum(1 for c in doc.claims if c.outcome in (posting.PAID, posting.PAID_SHORT))
	doc.claims_denied = sum(1 for c in doc.claims if c.outcome == posting.DENIED)
	doc.claims_not_posted = len(doc.claims) - doc.claims_paid - doc.claims_denied
	doc.problem_count = len(doc.problems)


def remittance_payer_key(remittance) -> tuple[str, str]:
	return (remittance.payer_id or "", remittance.payer_name or "")


def payers_of(remittances) -> dict[tuple[str, str], str]:
	"""The payer Customer of each remittance: by its payer ID (the one claims are
	sent with), else by its name."""
	ids = sorted({r.payer_id for r in remittances if r.payer_id})
	names = sorted({r.payer_name for r in remittances if r.payer_name})
	by_id = dict(
		frappe.db.sql(
			"select payer_id, name from `tabCustomer` where is_payer = 1 and disabled = 0 and payer_id in %(ids)s",
			{"ids": ids or [""]},
		)
	)
	by_name = dict(
		frappe.db.sql(
			"""select customer_name, name from `tabCustomer`
			where is_payer = 1 and disabled = 0 and customer_name in %(names)s""",
			{"names": names or [""]},
		)
	)
	return {
		remittance_payer_key(r): by_id.get(r.payer_id) or by_name.get(r.payer_name)
		for r in remittances
		if by_id.get(r.payer_id) or by_name.get(r.payer_name)
	}


def invoice_states(
	claim_ids: list[str], company: str, locking: bool = False
) -> dict[str, posting.InvoiceState]:
	"""The company's invoices the claims name (CLP01 is the payer invoice's name),
	locked until the posting commits when ``locking``."""
	rows = frappe.db.sql(
		f"""select name, customer, docstatus, outstanding_amount, care_billing_role, patient
		from `tabSales Invoice`
		where name in %(names)s and company = %(company)s
		{"for update" if locking else ""}""",
		{"names": sorted(set(claim_ids)) or [""], "company": company},
		as_dict=True,
	)
	return {
		row.name: posting.InvoiceState(
			name=row.name,
			customer=row.customer,
			docstatus=row.docstatus,
			outstanding=Decimal(str(row.outstanding_amount or 0)),
			is_payer_invoice=row.care_billing_role in ("Primary Payer", "Secondary Payer"),
			patient=row.patient or "",
		)
		for row in rows
	}


def refuse_unpostable(doc) -> None:
	"""Submit only a file whose interchange reads whole and that has a payment to post;
	a payment that cannot be posted (unreadable, unknown payer) is listed, not posted."""
	interchange_problems = doc.flags.interchange_problems or []
	if interchange_problems:
		frappe.throw(
			_("The file cannot be posted: {0}. Ask the clearinghouse for a corrected file.").format(
				problems_text(interchange_problems)  # html-safe: problems_text escapes every value
			),
			title=_("835 File Not Readable"),
		)
	deposit_account_of(doc.company)
	if not any(payment.status == "Ready" for payment in doc.payments):
		frappe.throw(
			_("Nothing in this file can be posted: {0}").format(
				"; ".join(
					frappe.utils.escape_html(f"{p.trace_number or '?'}: {p.reason}") for p in doc.payments
				)
				or _("the file holds no payment.")
			),
			title=_("Nothing to Post"),
		)


def problems_text(problems) -> str:
	"""The first problems of a file as a refusal names them, each value escaped."""
	return "; ".join(
		_("segment {0} ({1}): {2}").format(
			p.segment_number,  # html-safe: a number
			frappe.utils.escape_html(p.segment_id),
			frappe.utils.escape_html(_(p.reason)),
		)
		for p in problems[:5]
	)


def one_posting_at_a_time() -> None:
	"""Hold the site's remittance posting row (Frappe's series table) until this
	transaction ends. Postings are a few a day; serialising them costs nothing. The
	row is made on install and by a patch, beforehand: two transactions that both
	find it missing would deadlock making it."""
	if not frappe.db.sql("select current from `tabSeries` where name = %s for update", POSTING_LOCK):
		make_posting_row()
		frappe.db.sql("select current from `tabSeries` where name = %s for update", POSTING_LOCK)


def make_posting_row() -> None:
	frappe.db.sql("insert ignore into `tabSeries` (name, current) values (%s, 0)", POSTING_LOCK)


def deposit_account_of(company: str) -> str:
	account = frappe.db.get_single_value(
		"Care Management Settings", "remittance_deposit_account"
	) or frappe.get_cached_value("Company", company, "default_bank_account")
	if not account:
		frappe.throw(
			_(
				"Set Remittance Deposit Account in Care Management Settings (or a Default Bank Account on "
				"company {0}): the account payer payments are received into."
			).format(frappe.bold(frappe.utils.escape_html(company))),
			title=_("No Deposit Account"),
		)
	return account


def posting_key(doc, payment) -> str:
	"""Company, payer and trace number; a digest of them when they are longer than the
	column, since cutting them could make two payments one."""
	key = f"{doc.company}|{payment.payer}|{payment.trace_number}"
	if len(key) <= DATA_LENGTH:
		return key
	return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def claim_posting_key(doc, payment) -> None:
	"""The payment's key, under a unique index: a second posting of the same payment
	(the same file again, or at the same moment) fails here, before any money moves."""
	key = posting_key(doc, payment)
	try:
		frappe.db.sql(
			"update `tabRemittance Payment` set posting_key = %s where name = %s", (key, payment.name)
		)
	except Exception as error:
		if not frappe.db.is_unique_key_violation(error):
			raise
		posted_by = frappe.db.get_value("Remittance Payment", {"posting_key": key}, "parent")
		frappe.throw(
			_(
				"Payment {0} from {1} is already posted by {2}. Cancel that import first to post it again."
			).format(
				frappe.bold(frappe.utils.escape_html(payment.trace_number)),
				frappe.bold(frappe.utils.escape_html(payment.payer)),
				frappe.bold(frappe.utils.escape_html(posted_by)),
			),
			title=_("Payment Already Posted"),
		)
	payment.posting_key = key


def post(doc) -> None:
	"""Claim each payment's key, then post its Payment Entry; record the payer's claim numbers."""
	deposit_account = deposit_account_of(doc.company)
	ready = [payment for payment in doc.payments if payment.status == "Ready"]
	for payment in ready:
		claim_posting_key(doc, payment)
	for payment in ready:
		allocations = [
			(c.sales_invoice, flt(c.allocated))
			for c in doc.claims
			if c.trace_number == payment.trace_number and flt(c.allocated) > 0
		]
		if flt(payment.total_paid) == 0:
			status, entry, reason = "Not Posted", None, _("The payer paid nothing with this remittance.")
		elif flt(payment.total_paid) < 0:
			status, entry, reason = (
				"Not Posted",
				None,
				_("The payer takes money back with this remittance (a debit): post it by hand."),
			)
		else:
			entry = payment_entry(doc, payment, allocations, deposit_account)
			status, reason = "Posted", ""
		payment.db_set({"status": status, "payment_entry": entry, "reason": reason})
	record_payer_claim_numbers(doc, {payment.trace_number for payment in ready})
	note_crossovers(doc, {payment.trace_number for payment in ready})
	doc.db_set("status", "Posted")


def payment_entry(doc, payment, allocations: list[tuple[str, float]], deposit_account: str) -> str:
	from erpnext.accounts.party import get_party_account

	entry = frappe.new_doc("Payment Entry")
	entry.payment_type = "Receive"
	entry.company = doc.company
	entry.posting_date = today()
	entry.party_type = "Customer"
	entry.party = payment.payer
	entry.paid_from = get_party_account("Customer", payment.payer, doc.company)
	entry.paid_to = deposit_account
	entry.paid_amount = entry.received_amount = flt(payment.total_paid)
	entry.source_exchange_rate = entry.target_exchange_rate = 1
	entry.reference_no = payment.trace_number
	entry.reference_date = getdate(payment.payment_date) if payment.payment_date else today()
	entry.remarks = _("835 remittance {0}, {1}: {2} claims.").format(
		doc.name, payment.trace_number, payment.claims
	)
	for invoice, amount in allocations:
		entry.append(
			"references",
			{"reference_doctype": "Sales Invoice", "reference_name": invoice, "allocated_amount": amount},
		)
	entry.setup_party_account_field()
	entry.set_missing_values()
	entry.set_missing_ref_details()
	entry.insert()
	entry.submit()
	return entry.name


def record_payer_claim_numbers(doc, traces: set[str]) -> None:
	"""CLP07 of the posted payments' claims onto the Claim Export row that sent each
	(new or replacement; a cancelled invoice's too, which its void quotes), where
	billing staff have not entered one; a different number already entered is kept and
	the claim's reason says so."""
	numbers = {}
	for claim in doc.claims:
		number = (claim.payer_claim_number or "").strip()
		if (
			claim.trace_number in traces
			and number
			and claim.outcome not in (posting.REVERSAL, posting.NOT_MATCHED)
			and x12.payer_claim_number_problem(number) is None
		):
			numbers[claim.claim_id] = number
	if not numbers:
		return
	entered = dict(
		frappe.db.sql(
			"""select e.sales_invoice, e.payer_claim_number from `tabClaim Export Invoice` e
			join `tabClaim Export` x on x.name = e.parent and x.docstatus = 1
			where e.sales_invoice in %(invoices)s and e.status = 'Exported' and e.claim_frequency in ('1', '7')
				and coalesce(e.payer_claim_number, '') != ''""",
			{"invoices": list(numbers)},
		)
	)
	for claim in doc.claims:
		other = entered.get(claim.claim_id)
		if other and claim.claim_id in numbers and other != numbers[claim.claim_id]:
			kept = _(
				"The Claim Export row of this claim already has Payer Claim Number {0}; it is kept."
			).format(other)
			claim.db_set("reason", storable(f"{claim.reason} {kept}".strip(), REASON_LENGTH))
	to_fill = [(invoice, number) for invoice, number in numbers.items() if invoice not in entered]
	for start in range(0, len(to_fill), CHUNK):
		chunk = to_fill[start : start + CHUNK]
		cases = " ".join(["when %s then %s"] * len(chunk))
		values = [value for pair in chunk for value in pair]
		frappe.db.sql(
			f"""update `tabClaim Export Invoice` e join `tabClaim Export` x on x.name = e.parent and x.docstatus = 1
			set e.payer_claim_number = case e.sales_invoice {cases} end
			where e.sales_invoice in %s and e.status = 'Exported' and e.claim_frequency in ('1', '7')
				and coalesce(e.payer_claim_number, '') = ''""",
			(*values, [invoice for invoice, _n in chunk]),
		)


def note_crossovers(doc, traces: set[str]) -> None:
	"""A claim the primary payer forwarded to the secondary itself (CLP02 19-21, the
	crossover carrier in NM1*TT): the secondary-payer invoice of its lines says so, since
	no secondary claim is sent for it (claim_export holds it as Not Sent)."""
	forwarded = {
		claim.claim_id: claim
		for claim in doc.claims
		if claim.trace_number in traces
		and claim.status_code in x835.STATUS_FORWARDED
		and claim.outcome not in (posting.REVERSAL, posting.NOT_MATCHED, posting.NOT_POSTED)
	}
	if not forwarded:
		return
	for secondary, primary in frappe.db.sql(
		"""select distinct secondary_invoice, sales_invoice from `tabCare Billing Line`
		where sales_invoice in %(invoices)s and secondary_invoice is not null""",
		{"invoices": list(forwarded)},
	):
		claim = forwarded[primary]
		frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Info",
				"reference_doctype": "Sales Invoice",
				"reference_name": secondary,
				"content": frappe.utils.escape_html(
					_(
						"The primary payer forwarded claim {0} to {1} itself (Medicare crossover, {2}): no secondary "
						"claim is sent for this invoice; {1} pays it from the crossover."
					).format(
						primary,
						claim.crossover_payer_name or _("the secondary payer"),
						doc.name,
					)
				),
			}
		).insert(ignore_permissions=True)


def cancel(doc) -> None:
	"""Cancel the import's Payment Entries (ERPNext gives the invoices their outstanding
	back) and free its payments' keys, so a corrected import can post them."""
	for payment in doc.payments:
		if (
			payment.payment_entry
			and frappe.db.get_value("Payment Entry", payment.payment_entry, "docstatus") == 1
		):
			frappe.get_doc("Payment Entry", payment.payment_entry).cancel()
		payment.db_set({"posting_key": None, "status": "Not Posted"})
	doc.db_set("status", "Cancelled")


def let_remitted_invoice_cancel(invoice, method=None) -> None:
	"""Sales Invoice on_cancel: a claim a remittance listed (denied, say) can still be
	cancelled and re-issued; the import keeps its record of what the payer said."""
	invoice.ignore_linked_doctypes = (*(invoice.get("ignore_linked_doctypes") or ()), "Remittance Import")


# ------------------------------------------------------------ in the background
def check_may_submit(name: str | None = None, **_arguments) -> None:
	if not name or not frappe.db.exists("Remittance Import", name):
		frappe.throw(_("Remittance Import: save the import with its 835 File first, then submit it."))
	doc = frappe.get_doc("Remittance Import", name)
	doc.check_permission("submit")
	frappe.has_permission("Payment Entry", "submit", throw=True)
	if doc.docstatus == 0:
		refuse_unread(doc)


def check_may_read(name: str | None = None, **_arguments) -> None:
	if not name or not frappe.db.exists("Remittance Import", name):
		frappe.throw(_("Remittance Import: save the import with its 835 File first."))
	frappe.get_doc("Remittance Import", name).check_permission("write")


def run_read(progress, name: str) -> None:
	"""The background read of a saved draft's file: its rows written in bulk by the
	import's own save, the problems of single claims as failed rows. The read is
	done without holding the import; its save checks nothing changed meanwhile (a
	clerk attaching another file): then the import is read again as it is now. An
	unreadable file ends the run Failed with the reader's message, on the import too.
	The run ends (in job_runs.execute) under the lock ``read_asked_again`` took, so
	a save that joins it does so before that last look, never after."""
	read = None
	while True:
		doc = frappe.get_doc("Remittance Import", name)
		if doc.docstatus == 0 and doc.read_state != READ:  # Reading; Failed: Run Again reads it again
			if not save_read(doc):
				continue  # saved meanwhile: read what it holds now
			read = doc
			frappe.db.commit()
		if not read_asked_again(name):
			break
		frappe.db.commit()  # lets the lock go while the newer file is read
	if read is None:
		progress.summary = _("Nothing to read: the import was read or submitted meanwhile.")
	elif read.read_state == FAILED:
		progress.refuse(
			_("The 835 File could not be read: {0} Attach a corrected file to {1} and save it.").format(
				read.read_problem, name
			)
		)
	else:
		unread = [problem for problem in read.problems if problem.claim_id]
		progress.set_total(len(read.claims) + len(unread))
		progress.made("Remittance Import", name)
		for problem in unread:
			progress.fail(
				_("Claim {0}: {1}").format(problem.claim_id, problem.reason), None, "Remittance Import", name
			)
		progress.step(len(read.claims) + len(unread))
		progress.summary = _(
			"{0} payments and {1} claims read; {2} claims could not be read (see the rows)."
		).format(len(read.payments), len(read.claims), len(unread))


def save_read(doc) -> bool:
	"""Read the file into the import and save it; False when it was saved meanwhile."""
	try:
		read_into(doc)
		note_read(doc)
	except frappe.ValidationError as error:
		frappe.clear_messages()
		clear_read(doc)
		doc.read_state = FAILED
		doc.read_problem = storable(
			html.unescape(strip_html(str(error))) or type(error).__name__, REASON_LENGTH
		)
	doc.flags.read_by_run = True
	try:
		doc.save(ignore_permissions=True, ignore_version=True)
	except frappe.TimestampMismatchError:
		frappe.db.rollback()
		frappe.clear_messages()
		return False
	return True


def read_asked_again(name: str) -> bool:
	"""Whether a save since this run's read marked the import Reading again, asked
	under the run's named lock: a save's ``queue_read`` takes it too, so it either
	joined this run before this look (read again here) or starts a new run after it."""
	job_runs.hold_lock(READ_JOB, name)
	return (
		frappe.db.sql("select read_state from `tabRemittance Import` where name = %s", name)[0][0] == READING
	)


@frappe.whitelist()
def start_submit(name: str) -> dict:
	"""The form's Submit: the payments are posted by a background run; returns the run at once."""
	return job_runs.start_submit("Remittance Import", name)


def run_submit(progress, name: str) -> None:
	"""The background run: submit the import (its posting keys and locks, as from the
	form); each Payment Entry made is a row, each claim that posted nothing a failed
	row with why. Run again after the import was submitted, it posts nothing twice."""
	doc = frappe.get_doc("Remittance Import", name)
	if doc.docstatus == 0:
		job_runs.submitting_in_run(doc)
	unread = [problem for problem in doc.problems if problem.claim_id]  # left out of the posting
	progress.set_total(len(doc.claims) + len(unread))
	for payment in doc.payments:
		if payment.payment_entry:
			progress.made("Payment Entry", payment.payment_entry)
	for claim in doc.claims:
		if claim.outcome in NOT_POSTED_OUTCOMES:
			progress.fail(
				_("Claim {0}: {1}").format(claim.claim_id, claim.reason or _(claim.outcome)),
				claim.patient,
				"Sales Invoice",
				claim.sales_invoice,
			)
	for problem in unread:
		progress.fail(_("Claim {0}: {1}").format(problem.claim_id, problem.reason))
	progress.step(len(doc.claims) + len(unread))
	frappe.db.commit()
	progress.summary = _("{0} payments posted; {1} claims posted nothing (see the rows for why).").format(
		len([p for p in doc.payments if p.payment_entry]), progress.failed
	)
