"""837P claim files from the month's submitted payer invoices.

One claim per primary-payer Sales Invoice (a patient-month and billing
practitioner): its lines are the invoice's Care Billing Lines, charged at the
practice's full fee (the payer adjudicates its share), with the billing
records' ICD-10-CM codes in the care plan's order. Everything is read in a
handful of set-based queries and handed to the pure builder
(domain/claims_837p.py) as plain dataclasses; a claim the builder finds a
problem with is held with its reason, the rest are written.

Which invoices a file carries follows from the submitted Claim Exports:

- a submitted invoice no export has carried yet goes as a new claim (1), or as
  a replacement (7) of the exported invoice it was amended from;
- a cancelled invoice that an export carried, with no submitted amendment, is
  sent once as a void (8);
- a claim the clearinghouse or payer rejected (its row's Acknowledgment, from a 999
  or 277CA, billing/claim_acknowledgments.py) never entered adjudication, so it
  counts as not sent: once corrected it goes again as a new claim (1), an amendment
  of it goes as a new claim too (or replaces the nearest accepted claim it was
  amended from), and a cancelled one is not voided.

A replacement or void quotes the payer's own number for the claim it replaces
(REF*F8: Medicare's ICN, not our CLM01), which billing staff record on the export
row that sent that claim once the payer has adjudicated it; until then it is held.

With *Payer Sequence* Secondary the file carries the secondary-payer invoices
instead, each claim with the primary payer's adjudication in its COB loops
(2320/2330A/2330B/2430), read set-wise from the primary's latest posted 835
(PrimaryAdjudications; the rules in domain/secondary_claims.py). A claim the
primary has not adjudicated is held; one it forwarded itself (Medicare crossover)
is listed as Not Sent, with why.

Control numbers come from a counter row locked FOR UPDATE (Frappe's naming
series table) when the export is submitted, and are kept under a unique key:
two exports at once are numbered one after the other, and the second, waiting
for the counter, then reads (with locking reads, so the newest commits) what the
first carried and does not carry it again.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict, namedtuple
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

import frappe
from frappe import _
from frappe.model.naming import getseries
from frappe.utils import get_first_day, getdate, now_datetime

from care_management import job_runs
from care_management.domain import claims_837p as x12
from care_management.domain import secondary_claims

COUNTER = "CARE-837P-ISA-"
EXPORTED, HELD, NOT_SENT = "Exported", "Held", "Not Sent"
PRIMARY, SECONDARY = "Primary", "Secondary"
REJECTED = "Rejected"  # Claim Export Invoice.acknowledgment of a claim the payer did not take in
RELATIONSHIP_CODES = {"Self": x12.SELF, "Spouse": "01", "Child": "19", "Other": "G8"}
SEX_CODES = {"Female": "F", "Male": "M"}


def next_control_number() -> int:
	"""The next interchange control number: Frappe's series row, locked FOR UPDATE
	until this transaction ends, so numbers are unique and follow commit order."""
	number = int(getseries(COUNTER, 9))
	if number > 999_999_999:
		frappe.throw(_("The 837P interchange control numbers are used up (999999999)."))
	return number


FILE_PREFIX = "837P-"


def file_name_of(month, control_number: str) -> str:
	return f"{FILE_PREFIX}{getdate(month):%Y-%m}-{control_number}.txt"


def remove_file_of_a_killed_submit(control_number: str) -> list[str]:
	"""Delete the 837P a submit killed between its file and its commit left on disk
	(claims with patients' names and member IDs, with no File record: nobody could see
	or remove them in the desk). The counter row was rolled back with that submit, so
	the next number handed out, this submit's, is the one it had: a file of this number
	can only be such a leftover (committed exports hold smaller numbers, each once).
	Decided by the number, not by looking for File records: a File an export committed
	while this transaction waited for the counter is not in its snapshot. Returns the
	names removed."""
	folder = frappe.get_site_path("private", "files")
	if not os.path.isdir(folder):
		return []
	ending = f"-{control_number}.txt"
	removed = sorted(
		name for name in os.listdir(folder) if name.startswith(FILE_PREFIX) and name.endswith(ending)
	)
	for name in removed:
		os.remove(os.path.join(folder, name))
	return removed


def exported_claims(month, locking: bool = False) -> list[frappe._dict]:
	"""What the submitted exports of ``month`` carried (latest committed when ``locking``)."""
	return frappe.db.sql(
		f"""select e.sales_invoice, e.claim_frequency, e.original_claim, e.payer_claim_number,
			e.acknowledgment, x.name as export
		from `tabClaim Export Invoice` e join `tabClaim Export` x on x.name = e.parent
		where x.docstatus = 1 and x.month = %(month)s and e.status = 'Exported'
		{"lock in share mode" if locking else ""}""",
		{"month": month},
		as_dict=True,
	)


def is_secondary(export) -> bool:
	return export.get("payer_sequence") == SECONDARY


def candidate_invoices(export) -> list[frappe._dict]:
	"""Payer invoices of the export's payer sequence (primary or secondary; submitted, or
	cancelled) with lines of the export's month."""
	role = "Secondary Payer" if is_secondary(export) else "Primary Payer"
	conditions = ["si.care_billing_role = %(role)s", "si.company = %(company)s", "si.docstatus > 0"]
	if export.payer:
		conditions.append("si.customer = %(payer)s")
	practitioner = "and r.billing_practitioner = %(practitioner)s" if export.billing_practitioner else ""
	return frappe.db.sql(
		f"""select si.name, si.docstatus, si.patient, si.customer, si.care_coverage, si.amended_from
		from `tabSales Invoice` si
		where {" and ".join(conditions)} and exists(
			select 1 from `tabSales Invoice Item` i
			join `tabCare Billing Line` l on l.name = i.reference_dn
			join `tabCare Billing Record` r on r.name = l.parent
			where i.parent = si.name and i.reference_dt = 'Care Billing Line' and r.month = %(month)s {practitioner})
		order by si.name""",
		{
			"role": role,
			"company": export.company,
			"payer": export.payer,
			"practitioner": export.billing_practitioner,
			"month": export.month,
		},
		as_dict=True,
	)


def claims_to_send(candidates: list[frappe._dict], exported: list[frappe._dict]) -> list[tuple]:
	"""(invoice, frequency, replaced claim) for each claim the next file carries. The
	replaced claim is the exported invoice a replacement (7) or void (8) refers to: for
	a replacement the nearest invoice it was amended from that went out, for a void
	the cancelled invoice itself. Its payer's claim number goes in REF*F8."""
	sent = defaultdict(set)  # invoice -> frequencies it went out with and the payer took in
	for row in exported:
		if row.get("acknowledgment") != REJECTED:
			sent[row.sales_invoice].add(row.claim_frequency)
	by_name = {c.name: c for c in candidates}
	amended_live = {c.amended_from for c in candidates if c.amended_from and c.docstatus == 1}
	out = []
	for invoice in candidates:
		if sent.get(invoice.name):
			if invoice.docstatus == 2 and "8" not in sent[invoice.name] and invoice.name not in amended_live:
				out.append((invoice, "8", invoice.name))
			continue
		if invoice.docstatus != 1:
			continue
		original = exported_ancestor(invoice, by_name, sent)
		if original and "8" not in sent.get(original, set()):
			out.append((invoice, "7", original))
		else:
			out.append((invoice, "1", ""))
	return out


def payer_claim_numbers(exported: list[frappe._dict]) -> dict[str, str]:
	"""The payer's own number (Medicare's ICN) of each exported claim, as billing staff
	recorded it on the export row that sent the claim (a void's row has none)."""
	return {
		row.sales_invoice: row.payer_claim_number.strip()
		for row in exported
		if row.claim_frequency != "8" and (row.payer_claim_number or "").strip()
	}


def amended_from(name: str, by_name) -> str | None:
	row = by_name.get(name)
	return row.amended_from if row else frappe.db.get_value("Sales Invoice", name, "amended_from")


def exported_ancestor(invoice, by_name, sent) -> str | None:
	"""The nearest invoice this one was amended from that went out in a file."""
	seen = set()
	name = invoice.amended_from
	while name and name not in seen:
		seen.add(name)
		if sent.get(name):
			return name
		name = amended_from(name, by_name)
	return None


# Rows of the reads below. A claim file reads tens of thousands of them, and a named
# tuple's field costs a fraction of a frappe._dict attribute (which goes through a
# Python-level __getattr__).
PractitionerRow = namedtuple("PractitionerRow", "name first_name middle_name last_name npi taxonomy_code")
AddressRow = namedtuple("AddressRow", "link_name address_line1 address_line2 city state pincode")
# A coverage with its patient's name, birth date and sex (the claim's subscriber or patient).
CoverageRow = namedtuple(
	"CoverageRow",
	"name member_id group_number relationship_to_subscriber subscriber_name subscriber_dob payer "
	"plan_type patient first_name middle_name last_name dob sex",
)
PayerRow = namedtuple("PayerRow", "name customer_name payer_id")
# A billing line on the claim (invoice) that carries it.
LineRow = namedtuple(
	"LineRow", "invoice line code units rate date_of_service icd10_codes billing_practitioner patient"
)


def read_rows(row_type, query: str, values: dict) -> list:
	return [row_type._make(row) for row in frappe.db.sql(query, values)]


class ClaimData:
	"""Everything the claims need, read set-wise: ``rows`` are the billing lines
	(LineRow), each with the ``invoice`` (claim) it is on, in the invoice's order;
	``coverages`` the coverages claimed under."""

	@classmethod
	def of_invoices(cls, invoices: list[str]) -> ClaimData:
		names = invoices or [""]
		rows = read_rows(
			LineRow,
			"""select i.parent as invoice, l.name as line, l.code, l.units, l.rate, l.date_of_service,
				r.icd10_codes, r.billing_practitioner, r.patient
			from `tabSales Invoice Item` i
			join `tabCare Billing Line` l on l.name = i.reference_dn
			join `tabCare Billing Record` r on r.name = l.parent
			where i.parent in %(invoices)s and i.reference_dt = 'Care Billing Line'
			order by i.parent, i.idx""",
			{"invoices": names},
		)
		coverages = frappe.db.sql_list(
			"select distinct care_coverage from `tabSales Invoice` where name in %(invoices)s",
			{"invoices": names},
		)
		return cls(rows, coverages)

	def __init__(self, rows: list[LineRow], coverages: list[str]):
		self.lines = defaultdict(list)
		for row in rows:
			self.lines[row.invoice].append(row)
		patients = sorted({row.patient for row in rows}) or [""]
		practitioners = sorted({row.billing_practitioner for row in rows if row.billing_practitioner}) or [""]
		self.coverages = read_coverages(coverages)
		self.addresses = linked_addresses("Patient", patients)
		self.practitioners = {
			p.name: p
			for p in read_rows(
				PractitionerRow,
				"""select name, first_name, middle_name, last_name, npi, taxonomy_code
				from `tabHealthcare Practitioner` where name in %(practitioners)s""",
				{"practitioners": practitioners},
			)
		}
		self.payer_rows, self.filing_codes = {}, {}
		self.read_payers(self.coverages.values())
		self.payers: dict[tuple, x12.Payer] = {}
		self.rendering_providers: dict[str, x12.RenderingProvider | None] = {}

	def read_payers(self, coverages) -> None:
		"""The payers and plan types of ``coverages``. A file names a handful of payers,
		plan types and practitioners thousands of times: each is read and built once."""
		self.payer_rows.update(
			{
				p.name: p
				for p in read_rows(
					PayerRow,
					"select name, customer_name, payer_id from `tabCustomer` where name in %(payers)s",
					{"payers": sorted({c.payer for c in coverages}) or [""]},
				)
			}
		)
		self.filing_codes.update(
			frappe.db.sql(
				"select name, claim_filing_indicator from `tabCoverage Plan Type` where name in %(types)s",
				{"types": sorted({c.plan_type for c in coverages if c.plan_type}) or [""]},
			)
		)


def read_coverages(names) -> dict[str, CoverageRow]:
	"""Coverages with their patients' names, birth dates and sex. Plain SQL: get_all
	builds its IN filter value by value (about twice the time at 10,000)."""
	return {
		c.name: c
		for c in read_rows(
			CoverageRow,
			"""select c.name, c.member_id, c.group_number, c.relationship_to_subscriber, c.subscriber_name,
				c.subscriber_dob, c.payer, c.plan_type, c.patient,
				p.first_name, p.middle_name, p.last_name, p.dob, p.sex
			from `tabPatient Coverage` c join `tabPatient` p on p.name = c.patient
			where c.name in %(coverages)s""",
			{"coverages": [c for c in names if c] or [""]},
		)
	}


def linked_addresses(doctype: str, names: list[str]) -> dict[str, AddressRow]:
	"""Each record's address (its primary one first), in one query."""
	found = {}
	for row in read_rows(
		AddressRow,
		"""select dl.link_name, a.address_line1, a.address_line2, a.city, a.state, a.pincode
		from `tabAddress` a join `tabDynamic Link` dl on dl.parent = a.name and dl.parenttype = 'Address'
		where dl.link_doctype = %(doctype)s and dl.link_name in %(names)s and a.disabled = 0
		order by a.is_primary_address desc, a.modified desc""",
		{"doctype": doctype, "names": names or [""]},
	):
		found.setdefault(row.link_name, row)
	return found


_NOT_DIGITS = re.compile(r"[^0-9]")


def as_address(row) -> x12.Address | None:
	if not row:
		return None
	return x12.Address(
		line1=row.address_line1 or "",
		city=row.city or "",
		state=(row.state or "").strip().upper(),
		postal_code=_NOT_DIGITS.sub("", row.pincode or ""),
		line2=row.address_line2 or "",
	)


def split_name(full: str) -> tuple[str, str]:
	"""A subscriber's name as entered ("Last, First" or "First Last") into (last, first)."""
	full = (full or "").strip()
	if "," in full:
		last, first = (part.strip() for part in full.split(",", 1))
		return last, first
	parts = full.rsplit(" ", 1)
	return (parts[1], parts[0]) if len(parts) == 2 else (full, "")


def as_date(value):
	return value if type(value) is date else getdate(value)


# A month's lines are charged a handful of distinct rates and unit counts.
@lru_cache(maxsize=1024)
def line_charge(rate, units) -> tuple[Decimal, Decimal]:
	"""(charge, units) of a line billed ``units`` times at ``rate``."""
	return Decimal(str(rate or 0)) * (units or 0), Decimal(units or 0)


@lru_cache(maxsize=16384)
def diagnosis_codes(icd10_codes: str | None) -> tuple[str, ...]:
	"""A billing record's ICD-10-CM codes, as it lists them (comma-separated, care plan order)."""
	return tuple(code.strip() for code in (icd10_codes or "").split(",") if code.strip())


def build_claim(invoice, frequency: str, original_payer_number: str, data: ClaimData, place_of_service: str):
	"""The claim of one invoice, or the reason it cannot be built at all
	(``original_payer_number``: REF*F8 of a replacement or void)."""
	lines = data.lines.get(invoice["name"])
	if not lines:
		return None, _("the invoice has no care-management lines")
	coverage = data.coverages.get(invoice["care_coverage"])
	if not coverage:
		return None, _("the invoice names no Patient Coverage; make it again with Create Invoices")
	if coverage.patient != invoice["patient"]:
		return None, _(
			"the invoice's Patient Coverage {0} is another patient's; make the invoice again with Create Invoices"
		).format(coverage.name)
	address = as_address(data.addresses.get(invoice["patient"]))
	diagnoses, service_lines = [], []
	for line in lines:
		codes = diagnosis_codes(line.icd10_codes)
		for code in codes:
			if code not in diagnoses:
				diagnoses.append(code)
		charge, units = line_charge(line.rate, line.units)
		service_lines.append(
			x12.ServiceLine(
				procedure_code=line.code,
				charge=charge,
				service_date=as_date(line.date_of_service),
				diagnosis_pointers=tuple(
					dict.fromkeys(diagnoses.index(code) + 1 for code in codes[: x12.MAX_DIAGNOSIS_POINTERS])
				),
				units=units,
				control_number=line.line,
			)
		)
	relationship, member, claim_patient = subscriber_of(coverage, address)
	claim = x12.Claim(
		claim_id=invoice["name"],
		payer=payer_of(coverage, data),
		subscriber=member,
		diagnoses=tuple(diagnoses),
		lines=tuple(service_lines),
		place_of_service=place_of_service,
		frequency_code=frequency,
		original_claim_number=original_payer_number,
		patient_relationship=relationship,
		patient=claim_patient,
		rendering_provider=rendering_provider_of(lines[0].billing_practitioner, data),
	)
	return claim, None


def subscriber_of(coverage: CoverageRow, address: x12.Address | None) -> tuple:
	"""(relationship code, subscriber, patient or None) of a coverage: the patient is
	the subscriber, or the coverage names the subscriber and the patient is its own loop."""
	sex = SEX_CODES.get(coverage.sex, "U")
	relationship = RELATIONSHIP_CODES.get(coverage.relationship_to_subscriber or "Self", "G8")
	member = x12.Subscriber(
		last_name=coverage.last_name or "",
		first_name=coverage.first_name or "",
		middle_name=coverage.middle_name or "",
		member_id=coverage.member_id or "",
		birth_date=as_date(coverage.dob) if coverage.dob else None,
		sex=sex,
		address=address,
		group_number=coverage.group_number or "",
	)
	if relationship == x12.SELF:
		return relationship, member, None
	last, first = split_name(coverage.subscriber_name)
	claim_patient = x12.Patient(
		last_name=member.last_name,
		first_name=member.first_name,
		middle_name=member.middle_name,
		birth_date=member.birth_date,
		sex=sex,
		address=address,
	)
	member = x12.Subscriber(
		last_name=last,
		first_name=first,
		member_id=member.member_id,
		birth_date=as_date(coverage.subscriber_dob) if coverage.subscriber_dob else None,
		sex="U",
		address=address,
		group_number=member.group_number,
	)
	return relationship, member, claim_patient


def payer_of(coverage: CoverageRow, data: ClaimData) -> x12.Payer:
	key = (coverage.payer, coverage.plan_type)
	if key not in data.payers:
		row = data.payer_rows.get(coverage.payer)
		filing_code = data.filing_codes.get(coverage.plan_type)
		data.payers[key] = x12.Payer(
			name=(row.customer_name if row else "") or coverage.payer,
			payer_id=(row.payer_id if row else "") or "",
			claim_filing_code=filing_code or "ZZ",
		)
	return data.payers[key]


def rendering_provider_of(name: str, data: ClaimData) -> x12.RenderingProvider | None:
	if name not in data.rendering_providers:
		practitioner = data.practitioners.get(name)
		data.rendering_providers[name] = (
			x12.RenderingProvider(
				last_name=practitioner.last_name or practitioner.first_name or "",
				first_name=practitioner.first_name if practitioner.last_name else "",
				middle_name=practitioner.middle_name or "",
				npi=practitioner.npi or "",
				taxonomy_code=practitioner.taxonomy_code or "",
			)
			if practitioner
			else None
		)
	return data.rendering_providers[name]


def billing_provider(company: str) -> x12.BillingProvider:
	row = frappe.db.get_value(
		"Company",
		company,
		["company_name", "npi", "tax_id", "taxonomy_code", "billing_address"],
		as_dict=True,
	)
	address = None
	if row.billing_address:
		address = as_address(
			frappe.db.get_value(
				"Address",
				row.billing_address,
				["address_line1", "address_line2", "city", "state", "pincode"],
				as_dict=True,
			)
		)
	return x12.BillingProvider(
		name=row.company_name,
		npi=row.npi or "",
		tax_id=(row.tax_id or "").replace("-", ""),
		address=address or x12.Address("", "", "", ""),
		taxonomy_code=row.taxonomy_code or "",
	)


class PrimaryAdjudications:
	"""For secondary-payer invoices: the primary invoice each one's lines are on, the
	primary's coverage, and what the primary payer's latest posted 835 decided on that
	claim (claim, service lines, adjustments, payment date), read set-wise."""

	@classmethod
	def of_invoices(cls, invoices: list[str], data: ClaimData) -> PrimaryAdjudications:
		names = invoices or [""]
		primary_of = defaultdict(set)
		for invoice, primary in frappe.db.sql(
			"""select i.parent, l.sales_invoice
			from `tabSales Invoice Item` i join `tabCare Billing Line` l on l.name = i.reference_dn
			where i.parent in %(invoices)s and i.reference_dt = 'Care Billing Line'""",
			{"invoices": names},
		):
			primary_of[invoice].add(primary or "")
		primaries = sorted({p for found in primary_of.values() for p in found if p}) or [""]
		coverage_of = dict(
			frappe.db.sql(
				"select name, care_coverage from `tabSales Invoice` where name in %(names)s",
				{"names": primaries},
			)
		)
		coverages = read_coverages(coverage_of.values())
		data.coverages.update(coverages)
		data.read_payers(coverages.values())
		# The latest posted answer to each primary claim (a reversal too: it undoes the one before).
		latest = {}
		for row in frappe.db.sql(
			"""select c.parent, c.idx, c.claim_id, c.status_code, c.paid, c.payer_claim_number,
				c.crossover_payer_name, p.payment_date
			from `tabRemittance Claim` c
			join `tabRemittance Import` x on x.name = c.parent and x.docstatus = 1
			left join `tabRemittance Payment` p on p.parent = x.name and p.trace_number = c.trace_number
			where c.claim_id in %(claims)s and c.outcome in ('Paid', 'Paid Short', 'Denied', 'Reversal')
			order by x.creation, x.name, c.idx""",
			{"claims": primaries},
			as_dict=True,
		):
			latest[row.claim_id] = row
		keys = [(row.parent, row.idx) for row in latest.values()]
		imports = sorted({parent for parent, _idx in keys}) or [""]
		services, adjustments = defaultdict(list), defaultdict(list)
		for row in frappe.db.sql(
			"""select parent, claim_row, line_control_number, procedure_code, modifiers, service_date,
				charge, paid, units
			from `tabRemittance Service` where parent in %(imports)s order by parent, idx""",
			{"imports": imports},
			as_dict=True,
		):
			services[(row.parent, row.claim_row)].append(row)
		for row in frappe.db.sql(
			"""select parent, claim_row, line_control_number, group_code, reason_code, amount, quantity
			from `tabRemittance Adjustment` where parent in %(imports)s order by parent, idx""",
			{"imports": imports},
			as_dict=True,
		):
			adjustments[(row.parent, row.claim_row, row.line_control_number or "")].append(row)
		return cls(primary_of, coverage_of, latest, services, adjustments)

	def __init__(self, primary_of, coverage_of, latest, services, adjustments):
		self.primary_of = primary_of
		self.coverage_of = coverage_of
		self.latest = latest
		self.services = services
		self.adjustments = adjustments

	def adjudication(self, primary: str) -> secondary_claims.PrimaryAdjudication | None:
		row = self.latest.get(primary)
		if row is None:
			return None

		def cas(rows):
			return tuple(
				x12.CasAdjustment(
					a.group_code or "",
					a.reason_code or "",
					Decimal(str(a.amount or 0)),
					Decimal(str(a.quantity)) if a.quantity else None,
				)
				for a in rows
			)

		service_rows = self.services.get((row.parent, row.idx), [])
		# The claim's own adjustments have no line; a line's are found by its control
		# number, or (no REF*6R echoed) by the position of its service among those without.
		return secondary_claims.PrimaryAdjudication(
			status_code=row.status_code or "",
			paid=Decimal(str(row.paid or 0)),
			adjudication_date=as_date(row.payment_date) if row.payment_date else None,
			payer_claim_number=row.payer_claim_number or "",
			crossover_name=row.crossover_payer_name or "",
			adjustments=cas(self.adjustments.get((row.parent, row.idx, ""), []))
			if all(s.line_control_number for s in service_rows)
			else (),
			services=tuple(
				secondary_claims.AdjudicatedService(
					control_number=s.line_control_number or "",
					procedure_code=s.procedure_code or "",
					charge=Decimal(str(s.charge or 0)),
					paid=Decimal(str(s.paid or 0)),
					adjustments=cas(self.adjustments.get((row.parent, row.idx, s.line_control_number), []))
					if s.line_control_number
					else (),
					modifiers=tuple(m for m in (s.modifiers or "").split(":") if m),
					units=Decimal(str(s.units)) if s.units else None,
					service_date=as_date(s.service_date) if s.service_date else None,
				)
				for s in service_rows
			),
		)

	def forwarded(self, invoice: str) -> bool:
		"""Whether the primary payer forwarded this invoice's primary claim (crossover)."""
		rows = [self.latest.get(primary) for primary in self.primary_of.get(invoice, ())]
		return any(row and row.status_code in secondary_claims.FORWARDED_STATUSES for row in rows)

	def coordinate(self, invoice: str, claim: x12.Claim, data: ClaimData) -> tuple:
		"""(the claim with its COB loops, None), or (None, why it is held or not sent)."""
		primaries = self.primary_of.get(invoice, set())
		if len(primaries) != 1 or "" in primaries:
			return None, _(
				"the secondary invoice's lines are not all on one primary-payer invoice; make the invoices "
				"again with Create Invoices"
			)
		(primary,) = primaries
		coverage = data.coverages.get(self.coverage_of.get(primary))
		if not coverage:
			return None, _("the primary invoice {0} names no Patient Coverage").format(primary)
		row = self.latest.get(primary)
		if row is not None and row.status_code in secondary_claims.FORWARDED_STATUSES:
			return None, _(
				"{0} forwarded claim {1} to {2} itself (Medicare crossover, status {3}): no secondary claim "
				"is sent."
			).format(
				coverage.payer,
				primary,
				row.crossover_payer_name or _("the secondary payer"),
				row.status_code,
			)
		address = claim.subscriber.address if claim.patient is None else claim.patient.address
		relationship, subscriber, _patient = subscriber_of(coverage, address)
		built, reason = secondary_claims.with_primary_adjudication(
			claim, self.adjudication(primary), payer_of(coverage, data), subscriber, relationship
		)
		if reason:
			return None, _("{0} (primary claim {1})").format(_(reason), primary)
		return built, None


FIELD_LABELS = {
	"subscriber.member_id": "member ID",
	"subscriber.birth_date": "date of birth",
	"subscriber.address": "address",
	"subscriber.last_name": "last name",
	"subscriber.first_name": "first name",
	"subscriber.sex": "sex",
	"payer.payer_id": "payer ID",
	"diagnoses": "diagnoses",
	"rendering_provider.npi": "practitioner's NPI",
	"rendering_provider.taxonomy_code": "practitioner's taxonomy code",
}


_DIAGNOSIS_INDEX = re.compile(r"^diagnoses\[(\d+)\]$")


def describe(problem: x12.Problem, claim: x12.Claim | None = None) -> str:
	"""A problem in the words of the form a clerk corrects it on (a diagnosis by its code)."""
	field = problem.field
	if claim is not None and (index := _DIAGNOSIS_INDEX.match(field)):
		return _("diagnosis {0}: {1}").format(claim.diagnoses[int(index.group(1))], _(problem.reason))
	for prefix, label in FIELD_LABELS.items():
		if field.startswith(prefix):
			field = label
			break
	return _("{0}: {1}").format(_(field), _(problem.reason))


def gather(export, locking: bool = False) -> tuple[list[tuple], list[dict]]:
	"""(claims to write as (claim, row)), held rows) for the export's filters."""
	month = get_first_day(getdate(export.month))
	settings = frappe.get_cached_doc("Care Management Settings")
	exported = exported_claims(month, locking=locking)
	to_send = claims_to_send(candidate_invoices(export), exported)
	payer_numbers = payer_claim_numbers(exported)
	data = ClaimData.of_invoices([invoice.name for invoice, _f, _o in to_send])
	primaries = (
		PrimaryAdjudications.of_invoices([invoice.name for invoice, _f, _o in to_send], data)
		if (is_secondary(export))
		else None
	)
	provider = billing_provider(export.company)
	ready, held = [], []
	for invoice, frequency, original in to_send:
		payer_number = payer_numbers.get(original, "") if original else ""
		claim, reason = build_claim(invoice, frequency, payer_number, data, settings.place_of_service or "11")
		status = HELD
		if primaries is not None and claim and not reason:
			coordinated, reason = primaries.coordinate(invoice.name, claim, data)
			claim = coordinated or claim
			if primaries.forwarded(invoice.name):
				status = NOT_SENT
		row = {
			"sales_invoice": invoice.name,
			"patient": invoice.patient,
			"payer": invoice.customer,
			"claim_frequency": frequency,
			"original_claim": original,
			"original_payer_claim_number": payer_number,
			"charge": float(claim.total_charge) if claim else 0,
		}
		if original and not payer_number and not reason:
			reason = _(
				"{0} has no Payer Claim Number, which a replacement or void must quote: enter the payer's "
				"number for that claim (Medicare's ICN, on the remittance or the payer's portal) on its row "
				"of the Claim Export that sent it, then export again."
			).format(original)
		problems = x12.claim_problems(claim, provider) if claim and not reason else []
		if reason or problems:
			held.append(
				{**row, "status": status, "reason": reason or "; ".join(describe(p, claim) for p in problems)}
			)
		else:
			ready.append((claim, {**row, "status": EXPORTED}))
	return ready, held


def interchange(export, claims: list, control_number: int, created_at: datetime | None = None):
	settings = frappe.get_cached_doc("Care Management Settings")
	provider = billing_provider(export.company)
	sender = settings.clearinghouse_submitter_id or provider.tax_id
	receiver_id = settings.clearinghouse_receiver_id or "CLEARINGHOUSE"
	return x12.Interchange(
		sender_id=sender,
		receiver_id=receiver_id,
		interchange_control_number=control_number,
		group_control_number=control_number,
		transaction_control_number=control_number % 1_000_000_000 or 1,
		created_at=created_at or now_datetime(),
		submitter=x12.Submitter(
			name=provider.name,
			id=sender,
			contact_name=settings.claims_contact_name or "",
			contact_phone=settings.claims_contact_phone or "",
			contact_email=settings.claims_contact_email or "",
		),
		receiver=x12.Receiver(settings.clearinghouse_name or receiver_id, receiver_id),
		billing_provider=provider,
		claims=tuple(claims),
		usage="P" if settings.claims_production else "T",
	)


def let_exported_invoice_cancel(invoice, method=None) -> None:
	"""Sales Invoice on_cancel: a claim that was exported can still be cancelled
	(the next file then voids or replaces it); the export keeps its record."""
	invoice.ignore_linked_doctypes = (*(invoice.get("ignore_linked_doctypes") or ()), "Claim Export")


# ------------------------------------------------------------ in the background
def check_may_submit(name: str | None = None, **_arguments) -> None:
	if not name or not frappe.db.exists("Claim Export", name):
		frappe.throw(_("Claim Export: save the export first, then submit it."))
	frappe.get_doc("Claim Export", name).check_permission("submit")


@frappe.whitelist()
def start_submit(name: str) -> dict:
	"""The form's Submit: the file is numbered, written and attached by a background run; returns the run at once."""
	return job_runs.start_submit("Claim Export", name)


def run_submit(progress, name: str) -> None:
	"""The background run: submit the export (its rules and locks, as from the form);
	each claim is a row done, a held one a failed row with why. Run again after the
	export was submitted, it submits nothing twice."""
	export = frappe.get_doc("Claim Export", name)
	if export.docstatus == 0:
		job_runs.submitting_in_run(export)
	claims = export.invoices
	progress.set_total(len(claims))
	progress.made("Claim Export", name)
	for row in claims:
		if row.status == HELD:
			progress.fail(
				_("{0}: {1}").format(row.sales_invoice, row.reason),
				row.patient,
				"Sales Invoice",
				row.sales_invoice,
			)
	progress.step(len(claims))
	frappe.db.commit()
	progress.summary = _("{0} claims in the file, {1} held.").format(
		export.claims_exported, export.claims_held
	)
