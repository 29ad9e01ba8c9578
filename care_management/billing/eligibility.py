"""Eligibility checked with the payers: 270 inquiries out, 271 answers in.

``make_270`` writes a batch 270 (domain/eligibility_x12.py) for the coverages of
the patients to be billed in a month, or for one coverage from its form, and
saves it as a private File (attached to Care Management Settings) that billing
staff download and send through the clearinghouse. Each member's trace number is
its Patient Coverage's name.

An Eligibility Response Import reads the payer's 271: each answer is matched to
the coverage its trace number names, and refused, with the reason, when there is
no such coverage, when the payer answered about another member ID or is another
payer than the coverage's, or when the file answers for one coverage twice. A
file that is not a 271 is refused whole; a transaction set of it that is cut
short or miscounted is left out whole. Submitting writes what the payer said on
each coverage (Payer Says, Verified On, insurance types, Medicare Advantage plan,
QMB, Medicaid, the raw answer) in the one transaction of the submit.

Create Invoices holds a patient whose coverage the payer says is inactive and,
like the Care Management Billing report, warns about coverage not verified for
more than the Settings' number of days.
"""

from __future__ import annotations

from datetime import date

import frappe
from frappe import _
from frappe.model.naming import getseries
from frappe.utils import add_days, formatdate, get_first_day, get_last_day, getdate, now_datetime, today

from care_management.billing.attached_file import attach_private_file, attached_text
from care_management.domain import eligibility_x12 as x271
from care_management.domain.billing.coverage import normalize_member_id
from care_management.storable_text import DATA_LENGTH, REASON_LENGTH, storable

READY, APPLIED, REFUSED = "Ready", "Applied", "Refused"
MAX_FILE_BYTES = 20 * 1024 * 1024
COUNTER = "CARE-270-ISA-"
# What the import writes on a coverage; nothing else changes these fields.
COVERAGE_FIELDS = (
	"eligibility_status",
	"eligibility_verified_on",
	"eligibility_plan_types",
	"eligibility_medicare_advantage",
	"eligibility_medicare_advantage_plan",
	"eligibility_qmb",
	"eligibility_medicaid",
	"eligibility_rejections",
	"eligibility_import",
	"eligibility_response",
)
FILE_REFUSED = frozenset((x271.NOT_X12, x271.NO_271))
# Coverages written by one statement when a 271 is applied.
CHUNK = 500


# ---------------------------------------------------------------- 270


def coverages_to_bill(month) -> list[str]:
	"""The coverages in force in ``month`` of the patients with records of that month
	still to invoice (set-based)."""
	first, last = get_first_day(getdate(month)), get_last_day(getdate(month))
	return frappe.db.sql_list(
		"""select distinct c.name from `tabPatient Coverage` c
		join `tabCare Billing Record` r on r.patient = c.patient
		where r.month = %(month)s and r.invoiced = 0 and r.status = 'Ready'
			and c.effective_from <= %(last)s and (c.effective_to is null or c.effective_to >= %(first)s)
		order by c.name""",
		{"month": first, "first": first, "last": last},
	)


@frappe.whitelist()
def make_270(month=None, coverage: str | None = None) -> str:
	"""A 270 for one coverage, or for the coverages of a month's patients to bill; the
	file's URL (a private File)."""
	# Whoever imports the payers' answers asks the questions (billing staff).
	frappe.has_permission("Eligibility Response Import", "create", throw=True)
	if coverage:
		frappe.has_permission("Patient Coverage", "read", doc=coverage, throw=True)
		names, service_day = [coverage], getdate(today())
	elif month:
		names = coverages_to_bill(month)
		service_day = get_first_day(getdate(month))
	else:
		frappe.throw(_("Month: choose the month whose patients' coverage to check, or open one coverage."))
	if not names:
		frappe.throw(
			_("No patient to bill in {0} has a coverage in force: nothing to ask the payers.").format(
				formatdate(service_day, "MMMM yyyy")
			),
			title=_("Nothing to Check"),
		)
	inquiry = build_inquiry(names, service_day)
	problems = inquiry_problems(inquiry)
	if problems:
		frappe.throw(
			_("The 270 cannot be made until these are corrected: {0}").format(
				frappe.utils.escape_html("; ".join(problems))
			),
			title=_("Eligibility Inquiry Incomplete"),
		)
	text = x271.render_270(inquiry)
	fname = f"270-{service_day:%Y-%m}-{inquiry.control_number:09d}.txt"
	return attach_private_file(fname, text, "Care Management Settings", "Care Management Settings").file_url


def build_inquiry(names: list[str], service_day: date) -> x271.Inquiry:
	settings = frappe.get_cached_doc("Care Management Settings")
	company = frappe.db.get_value(
		"Company", settings.company, ["company_name", "npi", "tax_id"], as_dict=True
	)
	rows = frappe.db.sql(
		"""select c.name, c.member_id, c.relationship_to_subscriber, c.subscriber_name, c.subscriber_dob,
			cu.customer_name as payer_name, cu.payer_id, p.first_name, p.last_name, p.dob, p.sex
		from `tabPatient Coverage` c
		join `tabPatient` p on p.name = c.patient
		left join `tabCustomer` cu on cu.name = c.payer
		where c.name in %(names)s order by c.name""",
		{"names": names},
		as_dict=True,
	)
	members = tuple(
		x271.Member(
			trace_number=row.name,
			payer_name=row.payer_name or "",
			payer_id=row.payer_id or "",
			member_id=row.member_id or "",
			last_name=row.last_name or row.first_name or "",
			first_name=row.first_name if row.last_name else "",
			birth_date=getdate(row.dob) if row.dob else None,
			sex={"Female": "F", "Male": "M"}.get(row.sex, "U"),
			service_date=service_day,
		)
		for row in rows
	)
	number = int(getseries(COUNTER, 9))
	return x271.Inquiry(
		sender_id=settings.clearinghouse_submitter_id or (company.tax_id or "").replace("-", ""),
		receiver_id=settings.clearinghouse_receiver_id or "CLEARINGHOUSE",
		control_number=number,
		created_at=now_datetime(),
		provider=x271.Provider(company.company_name, company.npi or "", company.tax_id or ""),
		members=members,
		usage="P" if settings.claims_production else "T",
	)


def inquiry_problems(inquiry: x271.Inquiry) -> list[str]:
	problems = []
	if not inquiry.provider.npi:
		problems.append(_("the company has no NPI"))
	if not inquiry.provider.tax_id:
		problems.append(_("the company has no Tax ID"))
	for member in inquiry.members:
		if not member.payer_id:
			problems.append(_("{0}: the payer has no Payer ID").format(member.trace_number))
		if not member.member_id:
			problems.append(_("{0}: no member ID").format(member.trace_number))
	return problems


# ---------------------------------------------------------------- 271


def file_text(doc) -> str:
	if not doc.file:
		frappe.throw(_("271 File: attach the payer's eligibility answer."))
	return attached_text(doc.file, MAX_FILE_BYTES, _("271 File: the file is larger than {0} MB."))


def read_into(doc) -> None:
	"""Fill the import's answers from its file; refuse a file that is not a 271."""
	answers, problems = x271.parse_271(file_text(doc))
	refused = [p for p in problems if p.reason in FILE_REFUSED]
	if refused or (not answers and problems):
		frappe.throw(
			_("271 File: {0} Ask the clearinghouse for the payer's 271 answer to this site's 270.").format(
				frappe.utils.escape_html(_((refused or problems)[0].reason))
			),
			title=_("Not an Eligibility Response"),
		)
	coverages = {
		row.name: row
		for row in frappe.db.sql(
			"""select c.name, c.patient, c.member_id, c.payer, cu.payer_id
			from `tabPatient Coverage` c left join `tabCustomer` cu on cu.name = c.payer
			where c.name in %(names)s""",
			{"names": [a.trace_number for a in answers] or [""]},
			as_dict=True,
		)
	}
	seen: dict[str, int] = {}
	for answer in answers:
		seen[answer.trace_number] = seen.get(answer.trace_number, 0) + 1
	doc.set("answers", [])
	for answer in answers:
		coverage = coverages.get(answer.trace_number)
		reason = refusal(answer, coverage, seen[answer.trace_number])
		doc.append(
			"answers",
			{
				"trace_number": storable(answer.trace_number, DATA_LENGTH),
				"patient_coverage": coverage.name if coverage else None,
				"patient": coverage.patient if coverage else None,
				"member_id": storable(answer.member_id, DATA_LENGTH),
				"payer_name": storable(answer.payer_name, DATA_LENGTH),
				"eligibility_status": answer.status,
				"plan_types": storable(" ".join(answer.plan_types), DATA_LENGTH),
				"medicare_advantage": int(answer.medicare_advantage),
				"medicare_advantage_plan": storable(answer.medicare_advantage_plan, DATA_LENGTH),
				"qmb": int(answer.qmb),
				"medicaid": int(answer.medicaid),
				"rejections": storable(" ".join(answer.rejections), DATA_LENGTH),
				"outcome": REFUSED if reason else READY,
				"reason": storable(reason or describe(answer), REASON_LENGTH),
				"raw": answer.raw[:20000],
			},
		)
	doc.problems = storable(
		"; ".join(_("segment {0}: {1}").format(p.segment_number, _(p.reason)) for p in problems),
		REASON_LENGTH * 4,
	)
	doc.answers_ready = sum(1 for row in doc.answers if row.outcome == READY)
	doc.answers_refused = sum(1 for row in doc.answers if row.outcome == REFUSED)
	doc.inactive = sum(
		1 for row in doc.answers if row.outcome == READY and row.eligibility_status == x271.INACTIVE
	)
	doc.title = storable(_("{0} answers, {1} inactive").format(len(doc.answers), doc.inactive), DATA_LENGTH)


def refusal(answer: x271.EligibilityAnswer, coverage, times: int) -> str:
	"""Why an answer cannot be applied to the coverage its trace number names, or ""."""
	if coverage is None:
		return _(
			"No Patient Coverage {0}: this answers an inquiry this site did not send (or the coverage was deleted)."
		).format(answer.trace_number)
	if times > 1:
		return _("The file answers for coverage {0} more than once: none of its answers is applied.").format(
			coverage.name
		)
	if answer.member_id and normalize_member_id(answer.member_id) != normalize_member_id(coverage.member_id):
		return _(
			"The payer answered for member ID {0}, coverage {1} has {2}: check the member ID on the card and "
			"ask again."
		).format(answer.member_id, coverage.name, coverage.member_id)
	if answer.payer_id and coverage.payer_id and answer.payer_id.upper() != coverage.payer_id.upper():
		return _("The answer is from payer {0} ({1}), coverage {2} is with {3}.").format(
			answer.payer_name, answer.payer_id, coverage.name, coverage.payer
		)
	return ""


def describe(answer: x271.EligibilityAnswer) -> str:
	"""What the payer said, in words."""
	parts = [
		{
			x271.ACTIVE: _("active"),
			x271.INACTIVE: _("inactive: the patient will be held from Create Invoices"),
			x271.UNKNOWN: _("the payer did not say (not found or rejected)"),
		}[answer.status]
	]
	if answer.medicare_advantage:
		parts.append(_("Medicare Advantage plan {0}").format(answer.medicare_advantage_plan or "").strip())
	if answer.qmb:
		parts.append(_("QMB"))
	if answer.medicaid:
		parts.append(_("Medicaid"))
	if answer.rejections:
		parts.append(_("reject codes {0}").format(" ".join(answer.rejections)))
	return "; ".join(parts)


def apply(doc) -> None:
	"""Write each ready answer on its coverage (the submit's one transaction): one
	CASE statement per CHUNK coverages, not an UPDATE each, with their modified and
	modified_by as a save sets them. No Version is written, as frappe.db.set_value
	wrote none before: the coverage names the import that wrote its answer
	(eligibility_import), and the import keeps every answer as it came."""
	ready = [row for row in doc.answers if row.outcome == READY]
	verified_on = today()
	updates = {}
	for row in ready:
		values = {
			"eligibility_status": row.eligibility_status,
			"eligibility_verified_on": verified_on,
			"eligibility_plan_types": row.plan_types,
			"eligibility_medicare_advantage": row.medicare_advantage,
			"eligibility_medicare_advantage_plan": row.medicare_advantage_plan,
			"eligibility_qmb": row.qmb,
			"eligibility_medicaid": row.medicaid,
			"eligibility_rejections": row.rejections,
			"eligibility_import": doc.name,
			"eligibility_response": row.raw,
		}
		if row.qmb:
			# The payer says so: the patient owes no Medicare cost sharing.
			values["qualified_medicare_beneficiary"] = 1
		updates[row.patient_coverage] = values
	frappe.db.bulk_update("Patient Coverage", updates, chunk_size=CHUNK)
	if updates:
		frappe.clear_document_cache("Patient Coverage")  # as set_value cleared each coverage's
		frappe.db.sql(
			"""update `tabEligibility Response Answer` set outcome = %(applied)s, modified = %(now)s,
				modified_by = %(user)s
			where parent = %(import)s and parenttype = %(doctype)s and outcome = %(ready)s""",
			{"applied": APPLIED, "ready": READY, "now": now_datetime(), "user": frappe.session.user,
			 "import": doc.name, "doctype": doc.doctype},
		)  # fmt: skip
		for row in ready:
			row.outcome = APPLIED
	doc.db_set("status", "Applied")


# ---------------------------------------------------------------- before billing


def unverified_after_days() -> int:
	return int(frappe.db.get_single_value("Care Management Settings", "coverage_unverified_after_days") or 0)


def inactive_reason(row) -> str:
	return _(
		"the payer's eligibility answer of {0} says coverage {1} is inactive; check the patient's coverage "
		"(a new plan, Medicare Advantage?) and check eligibility again"
	).format(formatdate(row.eligibility_verified_on), row.name)


def unverified_reason(row, days: int) -> str | None:
	"""Why a coverage counts as unverified (never checked, or longer ago than ``days``), or None."""
	if not days:
		return None
	if not row.eligibility_verified_on:
		return _("coverage {0} was never checked with the payer (270/271)").format(row.name)
	if getdate(row.eligibility_verified_on) < getdate(add_days(today(), -days)):
		return _("coverage {0} was last checked with the payer on {1}, more than {2} days ago").format(
			row.name, formatdate(row.eligibility_verified_on), days
		)
	return None


def coverage_warnings(patients: list[str], month) -> list[str]:
	"""For the billing report: each coverage in force in ``month`` of ``patients`` that
	the payer says is inactive (Create Invoices holds it) or that is unverified (set-based)."""
	if not patients or not month:
		return []
	first, last = get_first_day(getdate(month)), get_last_day(getdate(month))
	days = unverified_after_days()
	warnings = []
	for row in frappe.db.sql(
		"""select name, patient, eligibility_status, eligibility_verified_on from `tabPatient Coverage`
		where patient in %(patients)s and effective_from <= %(last)s
			and (effective_to is null or effective_to >= %(first)s)
		order by patient, name""",
		{"patients": sorted(set(patients)), "first": first, "last": last},
		as_dict=True,
	):
		if row.eligibility_status == x271.INACTIVE:
			warnings.append(_("{0}: held, {1}").format(row.patient, inactive_reason(row)))
		elif reason := unverified_reason(row, days):
			warnings.append(_("{0}: {1}").format(row.patient, reason))
	return warnings
