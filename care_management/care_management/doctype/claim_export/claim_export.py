# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""An 837P file for a month (and a payer, a practitioner): saving lists what it
would carry and what is held; submitting numbers it, writes it, attaches it.
The rules are in care_management/billing/claim_export.py."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_first_day, getdate

from care_management import job_runs
from care_management.billing import claim_export
from care_management.billing.attached_file import attach_private_file
from care_management.billing.db_errors import explained_by
from care_management.domain import claims_837p as x12

ACKNOWLEDGMENT_FIELDS = ("acknowledgment", "acknowledgment_reason", "acknowledgment_fix", "acknowledged_by")


class ClaimExport(Document):
	def before_validate(self):
		if self._action == "submit":
			job_runs.refuse_submit_in_request(self)

	def validate(self):
		self.month = get_first_day(getdate(self.month))
		if not self.company:
			self.company = frappe.db.get_single_value("Care Management Settings", "company")
		if self.payer and not frappe.db.get_value("Customer", self.payer, "is_payer"):
			frappe.throw(
				_(
					"Customer {0} is not a payer: choose a payer (Is Payer ticked) or leave Payer empty."
				).format(frappe.bold(frappe.utils.escape_html(self.payer)))
			)
		if self.docstatus == 0:
			self.fill(*claim_export.gather(self))

	def fill(self, ready, held):
		self.set("invoices", [row for _claim, row in ready] + held)
		self.claims_exported = len(ready)
		self.claims_held = len(held)
		self.total_charge = sum(row["charge"] for _claim, row in ready)
		if any(row["claim_frequency"] == "8" for row in self.as_dict()["invoices"]):
			# A void names the cancelled invoice it voids, which Frappe would refuse as a link.
			if not frappe.db.exists("Company", self.company):
				frappe.throw(
					_("Company {0} does not exist.").format(
						frappe.bold(frappe.utils.escape_html(self.company))
					)
				)
			self.flags.ignore_links = True

	def _submit(self):
		# The desk's Update of a submitted export (a payer claim number entered) comes
		# through here too (Frappe's savedocs submits again): it is no submit, so it
		# takes no control number and is no background run.
		if not self.is_new() and self.get_db_value("docstatus") == 1:
			return super()._submit()
		# The counter first, before Frappe loads this export FOR UPDATE with its child
		# rows: its row lock makes a second export wait for this one (rather than
		# deadlock on the gaps between their rows), then read (locking reads) what
		# this one carried.
		job_runs.refuse_submit_in_request(self)  # before a control number is taken
		with explained_by(self.collision_messages):
			self.flags.control_number = claim_export.next_control_number()
			return super()._submit()

	def collision_messages(self) -> dict:
		month = frappe.utils.formatdate(self.month, "MMMM yyyy")
		return {
			"duplicate": _(
				"Another claim export of {0} was submitted at the same moment and carries these claims, so this "
				"one was not submitted. Open the Claim Export list to send that file; this draft can be deleted."
			).format(month),
			"busy": _(
				"Another claim export of {0} is being submitted right now. Wait until it finishes, then submit "
				"this one again: it will carry only the claims not yet in a file."
			).format(month),
			"title": _("Claim Export Already Running"),
		}

	def before_submit(self):
		number = self.flags.control_number or claim_export.next_control_number()
		ready, held = claim_export.gather(self, locking=True)
		self.fill(ready, held)
		if not ready:
			frappe.throw(
				_("No claim of {0} can be exported. {1}").format(
					frappe.utils.formatdate(self.month, "MMMM yyyy"),
					"; ".join(
						frappe.utils.escape_html(f"{row['sales_invoice']}: {row['reason']}") for row in held
					)
					or _("Every submitted payer invoice of the month is already in a file."),
				),
				title=_("Nothing to Export"),
			)
		interchange = claim_export.interchange(self, [claim for claim, _row in ready], number)
		problems = x12.interchange_problems(interchange)
		if problems:
			frappe.throw(
				_("The file cannot be made until these are corrected: {0}").format(
					"; ".join(frappe.utils.escape_html(claim_export.describe(p)) for p in problems)
				),
				title=_("Billing Provider or Clearinghouse Incomplete"),
			)
		self.interchange_control_number = f"{number:09d}"  # as ISA13 writes it; padded, so it sorts
		self.status = "Exported"
		# gather() held every claim claim_problems found fault with, against this billing provider.
		self.flags.file_text = x12.render_837p(interchange, newline=True, claims_checked=True)

	def _validate_links(self):
		# A submitted export's invoices are what its file carried; they stay on it when
		# they are later cancelled (and voided or replaced). Only the payer's claim
		# numbers change after submit, so there is no new link to check.
		if self.docstatus == 1 and self._action == "update_after_submit":
			return
		super()._validate_links()

	def before_update_after_submit(self):
		self.keep_claims_as_exported()
		self.keep_acknowledgments()
		self.check_payer_claim_numbers()

	def keep_acknowledgments(self):
		"""Each claim's Acknowledgment is what the submitted Claim Acknowledgment Imports
		said (billing/claim_acknowledgments.py): what a client sends for it is ignored."""
		stored = {
			row.name: row
			for row in frappe.get_all(
				"Claim Export Invoice",
				filters={"parent": self.name, "parenttype": self.doctype},
				fields=["name", *ACKNOWLEDGMENT_FIELDS],
			)
		}
		for row in self.invoices:
			for field in ACKNOWLEDGMENT_FIELDS:
				row.set(field, stored[row.name].get(field) if row.name in stored else None)

	def keep_claims_as_exported(self):
		"""The Claims table is open after submit for the payer's numbers only (Frappe
		checks that no other field of a row changes); its rows are the record of what
		the file carried, so none may be added or removed."""
		stored = set(
			frappe.get_all(
				"Claim Export Invoice",
				filters={"parent": self.name, "parenttype": self.doctype},
				pluck="name",
			)
		)
		if stored != {row.name for row in self.invoices}:
			frappe.throw(
				_(
					"The claims of a submitted Claim Export are the record of its file: rows cannot be added "
					"or removed. Only each claim's Payer Claim Number can be entered."
				),
				title=_("Claims"),
			)

	def check_payer_claim_numbers(self):
		"""Billing staff record the payer's number of each claim it adjudicated; a
		later replacement or void quotes it (REF*F8)."""
		for row in self.invoices:
			row.payer_claim_number = (row.payer_claim_number or "").strip()
			if not row.payer_claim_number:
				continue
			if row.status != claim_export.EXPORTED or row.claim_frequency == x12.FREQUENCY_VOID:
				frappe.throw(
					_(
						"Row {0}: only an exported new or replacement claim gets a Payer Claim Number; "
						"clear it on this {1} row."
					).format(row.idx, _("held") if row.status != claim_export.EXPORTED else _("void")),
					title=_("Payer Claim Number"),
				)
			if problem := x12.payer_claim_number_problem(row.payer_claim_number):
				frappe.throw(
					_("Row {0}: Payer Claim Number {1}: {2}").format(
						row.idx,
						frappe.bold(frappe.utils.escape_html(row.payer_claim_number)),
						frappe.utils.escape_html(_(problem)),
					),
					title=_("Payer Claim Number"),
				)

	def on_submit(self):
		# The counter row is held (before_submit numbered this export).
		claim_export.remove_file_of_a_killed_submit(self.interchange_control_number)
		fname = claim_export.file_name_of(self.month, self.interchange_control_number)
		saved = attach_private_file(fname, self.flags.file_text, self.doctype, self.name)
		self.db_set("file", saved.file_url)

	def on_cancel(self):
		# Its claims go in the next file again: cancel an export only if its file was never sent.
		self.db_set("status", "Cancelled")
