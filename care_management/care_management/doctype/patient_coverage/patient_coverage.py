# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""A patient's insurance coverage: who is billed, under which member ID, when.

Two coverages of one order (primary, secondary) may not overlap: the save locks
the Patient row first, so two clerks entering coverages for one patient at once
are checked one after the other against what the other committed.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from care_management.domain.billing.coverage import Coverage, normalize_member_id, overlapping
from care_management.message_html import desk_link


def as_coverage(row) -> Coverage:
	return Coverage(
		name=row.name,
		payer=row.payer,
		plan_type=row.plan_type,
		order=row.coverage_order,
		effective_from=getdate(row.effective_from),
		effective_to=getdate(row.effective_to) if row.effective_to else None,
		qmb=bool(row.qualified_medicare_beneficiary),
	)


class PatientCoverage(Document):
	def validate(self):
		self.keep_eligibility_as_imported()
		self.check_dates()
		self.check_payer()
		self.check_member_id()
		self.check_overlaps()

	def keep_eligibility_as_imported(self):
		"""What the payer's 271 said is written by the Eligibility Response Import only:
		a value sent with a save is replaced by the stored one (none on a new coverage)."""
		from care_management.billing.eligibility import COVERAGE_FIELDS

		stored = (
			frappe.db.get_value(self.doctype, self.name, COVERAGE_FIELDS, as_dict=True)
			if not self.is_new()
			else None
		) or {}
		for field in COVERAGE_FIELDS:
			self.set(field, stored.get(field))

	def check_dates(self):
		if self.effective_to and getdate(self.effective_to) < getdate(self.effective_from):
			frappe.throw(
				_("Effective To ({0}) is before Effective From ({1}). Correct one of the two dates.").format(
					frappe.utils.formatdate(self.effective_to), frappe.utils.formatdate(self.effective_from)
				),
				title=_("Invalid Dates"),
			)

	def check_payer(self):
		if not frappe.db.get_value("Customer", self.payer, "is_payer"):
			frappe.throw(
				_(
					"Customer {0} is not a payer. Tick Is Payer (and enter its Payer ID) on the Customer, or choose the payer's Customer."
				).format(frappe.bold(frappe.utils.escape_html(self.payer))),
				title=_("Not a Payer"),
			)

	def check_member_id(self):
		self.member_id = normalize_member_id(self.member_id)
		if not self.member_id:
			frappe.throw(
				_("Member ID is required: enter it as printed on the card."), title=_("Missing Member ID")
			)
		if frappe.db.get_value("Coverage Plan Type", self.plan_type, "member_id_is_mbi"):
			from care_management.billing.identifiers import translated
			from care_management.domain import provider_ids

			if problem := provider_ids.mbi_problem(self.member_id):
				frappe.throw(
					_("Member ID {0} is not valid for plan type {1}: {2}").format(
						frappe.bold(frappe.utils.escape_html(self.member_id)),
						frappe.utils.escape_html(self.plan_type),
						translated(problem),  # html-safe: fixed sentences
					),
					title=_("Invalid MBI"),
				)

	def check_overlaps(self):
		frappe.db.sql("select name from `tabPatient` where name = %s for update", self.patient)
		others = frappe.db.sql(
			"""select name, payer, plan_type, coverage_order, effective_from, effective_to,
				qualified_medicare_beneficiary
			from `tabPatient Coverage` where patient = %s and name != %s
			lock in share mode""",
			(self.patient, self.name or ""),
			as_dict=True,
		)
		clash = overlapping(as_coverage(self), [as_coverage(row) for row in others])
		if clash:
			first = clash[0]
			frappe.throw(
				_(
					"{0} coverage {1} ({2}, {3} to {4}) is in force on some of the same days. A patient has one {0} coverage at a time: end that one the day before this one starts, or change this one's dates."
				).format(
					frappe.utils.escape_html(_(self.coverage_order)),
					desk_link("Patient Coverage", first.name),
					frappe.utils.escape_html(first.payer),
					frappe.utils.formatdate(first.effective_from),
					frappe.utils.formatdate(first.effective_to) if first.effective_to else _("open-ended"),
				),
				title=_("Overlapping Coverage"),
			)
