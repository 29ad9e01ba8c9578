"""999 and 277CA acknowledgments recorded against the Claim Exports that sent the claims.

Saving a Claim Acknowledgment Import reads its file (domain/claim_acknowledgments.py)
and lists, per claim, what the clearinghouse or payer said: accepted, rejected or
pending, the status codes, the reason in words and what to fix. A 999 is matched
to the export by the group control number it answers (AK102 = the 837's GS06, which
is the export's interchange control number) and to each transaction set by its
control number (AK202 = ST02); a 277CA's claims are matched by the patient control
number (TRN02 = CLM01, our payer invoice's name, or else the payer's claim number)
to the exports that sent them.

Where the answer is kept: each claim's verdict is a row of the import (the record
of what that file said, kept as it was), and the latest answer is copied onto the
Claim Export row that sent the claim (Acknowledgment, its reason, what to fix, the
import), because that row is what the next export reads to decide how a claim goes
again: a claim the payer rejected never entered adjudication, so it is sent again
as a new claim (frequency 1), and a cancelled one is not voided; an accepted one is
corrected by a replacement (7) quoting the payer's claim number (REF*F8), which the
277CA's REF*1K fills in. A 277CA's answer outranks a 999's (it comes later and speaks
of the claim itself); among answers of one kind the latest import's counts.
Cancelling an import gives each row back the answer of the imports still submitted.

A claim or a 999 group that matches nothing we sent is listed (Not Matched) and
never recorded; a problem of the file outside its claims (envelope, a set cut off)
refuses the whole file at submit: nothing is half-recorded, since submitting is one
transaction.
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe import _

from care_management.billing.attached_file import attached_text
from care_management.billing.remittance import MAX_FILE_BYTES, problems_text
from care_management.domain import claim_acknowledgments as acks
from care_management.domain import claims_837p as x12
from care_management.storable_text import DATA_LENGTH, REASON_LENGTH, storable

CHUNK = 500
# Claim Export Invoice.acknowledgment: what the last answer means for the next export.
FILE_ACCEPTED, ACCEPTED, PENDING, REJECTED = "File Accepted", "Accepted", "Pending", "Rejected"


def file_text(doc) -> str:
	return attached_text(
		doc.file,
		MAX_FILE_BYTES,
		_("999 or 277CA File: the file is larger than {0} MB; ask the clearinghouse for smaller files."),
	)


def sent_claims(ack: acks.AcknowledgmentFile, company: str, locking: bool = False) -> list[acks.Sent]:
	"""The claims of the company's submitted Claim Exports the file can speak of: those
	of the groups its 999s answer and those its 277CAs name, each with the control
	number of the transaction set that carried it."""
	groups = sorted({g.group_control_number.strip().zfill(9)[-9:] for g in ack.groups})
	claim_ids = sorted({c.claim_id for r in ack.reports for c in r.claims})
	payer_numbers = sorted(
		{c.payer_claim_number for r in ack.reports for c in r.claims if c.payer_claim_number}
	)
	rows = frappe.db.sql(
		f"""select x.name as export, x.interchange_control_number, e.sales_invoice, e.charge,
			e.payer_claim_number, e.idx, e.name as row_name
		from `tabClaim Export Invoice` e join `tabClaim Export` x on x.name = e.parent
		where x.docstatus = 1 and x.company = %(company)s and e.status = 'Exported'
			and x.name in (
				select x2.name from `tabClaim Export` x2 where x2.docstatus = 1
					and x2.interchange_control_number in %(groups)s
				union select e2.parent from `tabClaim Export Invoice` e2
					where e2.sales_invoice in %(claims)s or e2.payer_claim_number in %(numbers)s)
		order by x.name, e.idx
		{"for update" if locking else ""}""",
		{
			"company": company,
			"groups": groups or [""],
			"claims": claim_ids or [""],
			"numbers": payer_numbers or [""],
		},
		as_dict=True,
	)
	sent, position = [], {}
	for row in rows:
		# The builder puts the export's claims into sets of MAX_CLAIMS_PER_TRANSACTION in
		# row order, numbered on from the control number (domain/claims_837p.py).
		offset = position.get(row.export, 0)
		position[row.export] = offset + 1
		number = int(row.interchange_control_number)
		set_number = (number % 1_000_000_000 or 1) + offset // x12.MAX_CLAIMS_PER_TRANSACTION
		claim = acks.Sent(
			export=row.export,
			claim_id=row.sales_invoice,
			group_control_number=str(number),
			set_control_number=f"{set_number:04d}",
			charge=Decimal(str(row.charge)).quantize(Decimal("0.01")) if row.charge is not None else None,
			payer_claim_number=(row.payer_claim_number or "").strip(),
		)
		if (
			claim.claim_id in claim_ids
			or row.payer_claim_number in payer_numbers
			or str(number).zfill(9) in groups
		):
			sent.append(claim)
	return sent


def read_into(doc, locking: bool = False) -> None:
	"""Fill the import's claims and problems from its file."""
	ack, problems = acks.parse_acknowledgments(file_text(doc))
	sent = sent_claims(ack, doc.company, locking=locking)
	verdicts = acks.match(ack, sent)
	patients = patients_of({v.claim_id for v in verdicts if v.claim_id})
	doc.set("claims", [claim_row(v, patients) for v in verdicts])
	doc.set("problems", [problem_row(p) for p in problems])
	in_sets = {p for part in (*ack.groups, *ack.reports) for p in part.problems}
	# Problems of the interchange itself (its envelope, stray segments) and sets that
	# cannot be used: the file is not recorded at all.
	doc.flags.file_problems = [p for p in problems if not p.claim_id and p not in in_sets] + [
		p for part in (*ack.groups, *ack.reports) if not acks.usable(part) for p in part.problems
	]
	kinds = [k for k, parts in (("999", ack.groups), ("277CA", ack.reports)) if parts]
	doc.kind = " + ".join(kinds)
	summarise(doc, ack)


def patients_of(claim_ids: set[str]) -> dict[str, str]:
	return dict(
		frappe.db.sql(
			"select name, patient from `tabSales Invoice` where name in %(names)s",
			{"names": sorted(claim_ids) or [""]},
		)
	)


def reason_text(verdict: acks.Verdict) -> str:
	return " ".join(_(part) for part in verdict.reasons if part)


def claim_row(verdict: acks.Verdict, patients: dict[str, str]) -> dict:
	return {
		"claim_id": storable(verdict.claim_id, DATA_LENGTH),
		"claim_export": verdict.export or None,
		"patient": patients.get(verdict.claim_id) if verdict.export else None,
		"source": verdict.source,
		"outcome": verdict.outcome,
		"status_codes": storable(verdict.statuses, DATA_LENGTH),
		"reason": storable(reason_text(verdict), REASON_LENGTH),
		"fix": _(verdict.fix) if verdict.fix else "",
		"message": storable(verdict.message, REASON_LENGTH),
		"payer_claim_number": storable(verdict.payer_claim_number, DATA_LENGTH),
		"segment_number": verdict.segment_number,
	}


def problem_row(problem: acks.Problem) -> dict:
	return {
		"segment_number": problem.segment_number,
		"segment_id": storable(problem.segment_id, DATA_LENGTH),
		"claim_id": storable(problem.claim_id, DATA_LENGTH),
		"reason": storable(_(problem.reason), REASON_LENGTH),
	}


def summarise(doc, ack: acks.AcknowledgmentFile) -> None:
	counts = {outcome: 0 for outcome in (acks.ACCEPTED, acks.REJECTED, acks.PENDING, acks.NOT_MATCHED)}
	for row in doc.claims:
		counts[row.outcome] = counts.get(row.outcome, 0) + 1
	doc.claims_accepted = counts[acks.ACCEPTED]
	doc.claims_rejected = counts[acks.REJECTED]
	doc.claims_pending = counts[acks.PENDING]
	doc.claims_not_matched = counts[acks.NOT_MATCHED]
	doc.problem_count = len(doc.problems)
	exports = sorted({row.claim_export for row in doc.claims if row.claim_export})
	payer = next((r.payer_name for r in ack.reports if r.payer_name), "")
	title = " ".join(
		part for part in (doc.kind or _("Acknowledgment"), payer, ", ".join(exports[:2])) if part
	)
	if len(exports) > 2:
		title += " " + _("and {0} more").format(len(exports) - 2)
	doc.title = storable(title, DATA_LENGTH)


def refuse_unrecordable(doc) -> None:
	"""Submit only a file read whole that answers at least one claim we sent."""
	problems = doc.flags.file_problems or []
	if problems:
		frappe.throw(
			_("The file cannot be recorded: {0}. Ask the clearinghouse for a corrected file.").format(
				problems_text(problems)  # html-safe: problems_text escapes every value
			),
			title=_("Acknowledgment Not Readable"),
		)
	if not any(row.claim_export for row in doc.claims):
		unmatched = [row for row in doc.claims if row.outcome == acks.NOT_MATCHED]
		frappe.throw(
			_("Nothing in this file answers a claim this system sent: {0}").format(
				"; ".join(
					frappe.utils.escape_html(f"{row.claim_id or _('the whole file')}: {row.reason}")
					for row in unmatched[:5]
				)
				or frappe.utils.escape_html(
					"; ".join(row.reason for row in doc.problems[:3])
					or _("the file holds no acknowledgment.")
				)
			),
			title=_("Nothing to Record"),
		)


def record(doc) -> None:
	"""Copy the latest answers onto the Claim Export rows; the payer's claim numbers of
	accepted claims onto rows that have none."""
	pairs = {(row.claim_export, row.claim_id) for row in doc.claims if row.claim_export}
	refresh_rows(pairs)
	fill_payer_claim_numbers(doc)
	doc.db_set("status", "Recorded")


def cancel(doc) -> None:
	pairs = {(row.claim_export, row.claim_id) for row in doc.claims if row.claim_export}
	refresh_rows(pairs)
	doc.db_set("status", "Cancelled")


def refresh_rows(pairs: set[tuple[str, str]]) -> None:
	"""Each (export, claim) row's Acknowledgment from the submitted imports: the latest
	277CA answer, else the latest 999's; none left clears it."""
	if not pairs:
		return
	exports = sorted({export for export, _claim in pairs})
	answers = frappe.db.sql(
		"""select a.claim_export, a.claim_id, a.source, a.outcome, a.reason, a.fix, a.parent
		from `tabClaim Acknowledgment` a
		join `tabClaim Acknowledgment Import` i on i.name = a.parent and a.parenttype = 'Claim Acknowledgment Import'
		where i.docstatus = 1 and a.claim_export in %(exports)s and a.outcome != 'Not Matched'
		order by a.source = '277CA' desc, i.creation desc, i.name desc, a.idx desc""",
		{"exports": exports},
		as_dict=True,
	)
	latest = {}
	for answer in answers:
		latest.setdefault((answer.claim_export, answer.claim_id), answer)
	rows = frappe.db.sql(
		"""select name, parent, sales_invoice from `tabClaim Export Invoice`
		where parent in %(exports)s and parenttype = 'Claim Export' and status = 'Exported'""",
		{"exports": exports},
		as_dict=True,
	)
	values = []
	for row in rows:
		if (row.parent, row.sales_invoice) not in pairs:
			continue
		answer = latest.get((row.parent, row.sales_invoice))
		if answer is None:
			values.append((row.name, None, None, None, None))
			continue
		status = answer.outcome
		if answer.source == acks.SOURCE_999 and status == acks.ACCEPTED:
			status = FILE_ACCEPTED  # the syntax only: the payer has not answered yet
		values.append(
			(row.name, status, answer.reason, answer.fix if status == REJECTED else None, answer.parent)
		)
	# One CASE statement per CHUNK rows, not an UPDATE a row; these rows are the
	# export's, and what they say about the claim is not an edit of the export.
	frappe.db.bulk_update(
		"Claim Export Invoice",
		{
			name: {
				"acknowledgment": status,
				"acknowledgment_reason": reason,
				"acknowledgment_fix": fix,
				"acknowledged_by": import_name,
			}
			for name, status, reason, fix, import_name in values
		},
		chunk_size=CHUNK,
		update_modified=False,
	)


def fill_payer_claim_numbers(doc) -> None:
	"""REF*1K of each accepted 277CA claim onto its export row, where billing staff
	have not entered one (a replacement of the claim quotes it)."""
	numbers = {}
	for row in doc.claims:
		number = (row.payer_claim_number or "").strip()
		if (
			row.claim_export
			and row.source == acks.SOURCE_277CA
			and row.outcome == acks.ACCEPTED
			and number
			and x12.payer_claim_number_problem(number) is None
		):
			numbers[(row.claim_export, row.claim_id)] = number
	if not numbers:
		return
	# Locked: a number billing staff enter meanwhile waits, and is then theirs to keep.
	rows = frappe.db.sql(
		"""select name, parent, sales_invoice from `tabClaim Export Invoice`
		where parent in %(exports)s and parenttype = 'Claim Export' and status = 'Exported'
			and claim_frequency in ('1', '7') and coalesce(payer_claim_number, '') = ''
		order by name for update""",
		{"exports": sorted({export for export, _claim in numbers})},
		as_dict=True,
	)
	frappe.db.bulk_update(
		"Claim Export Invoice",
		{
			row.name: {"payer_claim_number": numbers[(row.parent, row.sales_invoice)]}
			for row in rows
			if (row.parent, row.sales_invoice) in numbers
		},
		chunk_size=CHUNK,
		update_modified=False,
	)
