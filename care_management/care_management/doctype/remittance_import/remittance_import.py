# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""An 835 remittance file: saving reads it (a new or changed file; in a web request
by a background run) and lists what it would post; submitting posts its payments.
The rules are in care_management/billing/remittance.py."""

import frappe
from frappe import _
from frappe.model.document import Document

from care_management import job_runs
from care_management.billing import remittance
from care_management.billing.db_errors import explained_by
from care_management.bulk_children import BulkChildren


class RemittanceImport(BulkChildren, Document):
	"""Its rows are read from the file when it changes and again on submit, and written in bulk."""

	def _submit(self):
		# The desk's Update of a submitted import comes through here too (Frappe's
		# savedocs submits again): it posts nothing, so it is no background run.
		if not self.is_new() and self.get_db_value("docstatus") == 1:
			return super()._submit()
		job_runs.refuse_submit_in_request(self)  # before the posting lock is waited for
		# Before Frappe loads this import FOR UPDATE with its child rows: two imports
		# submitted at once wait here, one after the other, instead of deadlocking on
		# the gaps between each other's child rows.
		with explained_by(self.collision_messages):
			remittance.one_posting_at_a_time()
			return super()._submit()

	def before_validate(self):
		if self._action == "submit":
			job_runs.refuse_submit_in_request(self)

	def validate(self):
		if not self.company:
			self.company = frappe.db.get_single_value("Care Management Settings", "company")
		if not self.company:
			frappe.throw(_("Company: choose the company the payments are received by."))
		if self.docstatus == 0:
			remittance.read_on_save(self)
		elif self.get_doc_before_save():  # submit: the read's state is the stored one
			for field in ("read_state", "read_run", "read_problem"):
				self.set(field, self.get_doc_before_save().get(field))

	def on_update(self):
		if self.flags.pop("read_queued", None):
			remittance.queue_read(self)

	def collision_messages(self) -> dict:
		return {
			"duplicate": _(
				"The payments of this 835 were posted by another submission at the same moment, so this one "
				"posted nothing. Reload {0} (or open the Remittance Import list) to see their Payment Entries."
			).format(frappe.utils.escape_html(self.name)),
			"busy": _(
				"The invoices this 835 pays are being changed by someone else right now (another remittance "
				"or an invoicing run). Wait a minute, then submit again: nothing was posted."
			),
			"title": _("Remittance Being Posted Elsewhere"),
		}

	def before_submit(self):
		frappe.has_permission("Payment Entry", "submit", throw=True)
		remittance.refuse_unread(self)
		# Read again against the invoices locked until this commits.
		remittance.read_into(self, locking=True)
		remittance.refuse_unpostable(self)

	def on_submit(self):
		remittance.post(self)

	def on_cancel(self):
		remittance.cancel(self)
