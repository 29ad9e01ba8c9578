# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html, getdate, today

from care_management.phi_access_log import FHIR_EXPORT, log_phi_access
from care_management.workflow_meaning import follow_workflow_state, workflow_actions_hint

# Referral status (and outcome) -> the status of the need on the care plan.
OUTCOME_TO_NEED = {"Need Met": "Met", "Need Partly Met": "Partly Met", "Need Not Met": "Not Met"}
OPEN_STATUSES = ("Draft", "Sent", "Accepted")
# A care plan need that is still being worked on (a screening adds no second one).
OPEN_NEED_STATUSES = ("Open", "Referred")


def resource_label(referral) -> str:
	"""The resource's name, bold, for a message the desk shows as HTML. The name
	comes from a feed (HSDS import), so it is escaped: text, never markup."""
	return frappe.bold(frappe.utils.escape_html(referral.resource_name or referral.resource or ""))


class ResourceReferral(Document):
	def validate(self):
		follow_workflow_state(self)  # status is the meaning of the workflow state
		self.keep_outcome_once_completed()
		if not self.care_plan:
			self.care_plan = frappe.db.get_value(
				"Care Plan", {"patient": self.patient, "status": ("!=", "Closed")}
			)
		if self.method == "Live" and self.status != "Draft" and not self.consent_to_share:
			frappe.throw(
				_(
					"A live referral shares the patient's information with {0}. Record the patient's consent to share first, or make it a logged referral."
				).format(resource_label(self)),  # html-safe: resource_label escapes
				title=_("Consent to Share Missing"),
			)
		if self.status == "Completed" and not self.outcome:
			frappe.throw(
				_("Outcome: say whether the need was met to close the loop."), title=_("Outcome Missing")
			)
		if self.is_new() and self.follow_up_date and getdate(self.follow_up_date) < getdate(today()):
			frappe.throw(_("Follow Up On cannot be in the past."))
		if (
			self.resource
			and frappe.db.get_value("Community Resource", self.resource, "status") != "active"
			and self.status == "Draft"
		):
			frappe.throw(
				_("{0} is not active. Choose an active resource.").format(
					resource_label(self)  # html-safe: resource_label escapes
				)
			)

	def keep_outcome_once_completed(self):
		"""Completing the referral set the care plan's need from its outcome
		(update_need_on_care_plan); an outcome changed afterwards would leave the
		need, the report's closed-loop rate and the FHIR Task saying otherwise. It
		changes again only once a workflow action takes the referral out of Completed."""
		before = self.get_doc_before_save()
		if not before or before.status != "Completed" or self.status != "Completed":
			return
		if (self.outcome or "") == (before.outcome or ""):
			return
		frappe.throw(
			_(
				"Outcome cannot be changed once the referral is Completed: {0} closed the loop on the care plan's need. {1} To record another outcome, make a new referral."
			).format(
				frappe.bold(escape_html(_(before.outcome or ""))),
				workflow_actions_hint(self),  # html-safe: built of escaped parts (workflow_meaning.py)
			),
			title=_("Referral Completed"),
		)

	def on_update(self):
		self.update_need_on_care_plan()

	def update_need_on_care_plan(self):
		"""Closing the loop: the care plan's need follows the referral."""
		if not self.care_plan or not self.has_value_changed("status"):
			return
		if self.status in ("Sent", "Accepted"):
			need_status = "Referred"
		elif self.status == "Completed":
			need_status = OUTCOME_TO_NEED[self.outcome]
		elif self.status in ("Declined", "Unable to Contact", "Cancelled"):
			need_status = "Open"
		else:
			return
		plan = frappe.get_doc("Care Plan", self.care_plan)
		need = next(
			(
				row
				for row in plan.needs
				if row.need_category == self.need_category and row.status in OPEN_NEED_STATUSES
			),
			None,
		)
		if need is None:
			if need_status != "Referred":
				return
			need = plan.append(
				"needs", {"need_category": self.need_category, "identified_on": getdate(today())}
			)
		need.status = need_status
		need.notes = "\n".join(
			filter(
				None,
				[
					need.notes,
					_("{0}: referral {1} {2}").format(
						frappe.utils.formatdate(today()), self.name, _(self.status)
					),
				],
			)
		)
		plan.flags.ignore_permissions = True
		plan.save()


@frappe.whitelist()
def get_fhir_bundle(name: str) -> dict:
	"""The referral as one self-contained FHIR R4 Bundle in the SDOH Clinical Care
	IG's shape: ServiceRequest + Task, with the Patient, the need (Condition), the
	practice and the community organization."""
	from care_management.domain.fhir_referral import referral_bundle
	from care_management.fhir_records import (
		as_plain_text,
		community_organization,
		community_service_taxonomy,
		iso,
		patient_data,
		practice_organization,
	)

	referral = frappe.get_doc("Resource Referral", name)
	referral.check_permission("read")
	service, organization = community_organization(referral.resource)
	data = {
		"id": referral.name,
		"status": referral.status,
		"need": referral.need_category,
		"patient": patient_data(referral.patient),
		"need_condition": care_plan_need_condition(referral),
		"resource": {
			"name": service,
			"organization": organization,
			"taxonomy": community_service_taxonomy(referral.resource, referral.need_category),
		},
		"practice": practice_organization(),
		"referred_by": frappe.utils.get_fullname(referral.referred_by) if referral.referred_by else None,
		"authored": iso(referral.creation),
		"outcome": referral.outcome,
		"notes": referral.notes,
	}
	try:
		bundle = referral_bundle(as_plain_text(data), frappe.utils.get_url(), _)
	except ValueError as error:
		frappe.throw(
			_("{0} cannot be exported as FHIR: {1}").format(
				frappe.utils.escape_html(referral.name), frappe.utils.escape_html(str(error))
			),
			title=_("FHIR Export"),
		)
	log_phi_access(
		FHIR_EXPORT,
		[referral.patient],
		doctype="Resource Referral",
		document=referral.name,
		file_type="FHIR JSON",
	)
	return bundle


def care_plan_need_condition(referral) -> dict | None:
	"""The care plan's need this referral works on (the open one first), so the
	referral's Condition is the same resource the care plan's export carries."""
	from care_management.domain.fhir_care_plan import need_condition_id
	from care_management.fhir_records import iso

	if not referral.care_plan:
		return None
	rows = frappe.get_all(
		"Care Plan Need",
		filters={
			"parenttype": "Care Plan",
			"parent": referral.care_plan,
			"need_category": referral.need_category,
		},
		fields=["name", "status", "identified_on", "notes"],
		order_by="idx asc",
	)
	if not rows:
		return None
	row = next((r for r in rows if r.status in OPEN_NEED_STATUSES), rows[-1])
	return {
		"id": need_condition_id(referral.care_plan, row.name),
		"status": row.status,
		# Dated as the care plan's export dates it (the plan's start when the row has no date).
		"identified_on": iso(
			row.identified_on or frappe.db.get_value("Care Plan", referral.care_plan, "start_date")
		),
		"notes": row.notes,
	}
