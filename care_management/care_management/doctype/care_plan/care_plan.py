# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import json
from datetime import datetime

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate, get_datetime, getdate, now_datetime

from care_management.care_management.doctype.care_plan_template.care_plan_template import template_dict
from care_management.domain.care_plan_history import condition_key, first_duplicate_codes
from care_management.domain.care_plan_templates import action_plan_additions, template_additions, text_key
from care_management.domain.icd10 import description as icd10_description
from care_management.domain.icd10 import normalise_icd10
from care_management.icd10_codes import refuse_unless_billable
from care_management.message_html import desk_link
from care_management.patient_language import language_of_patient, plan_language
from care_management.phi_access_log import FHIR_EXPORT, log_phi_access
from care_management.workflow_meaning import follow_workflow_state

TEMPLATE_TABLES = ("conditions", "goals", "interventions", "education_topics")


class CarePlan(Document):
	def validate(self):
		follow_workflow_state(self)  # status is the meaning of the workflow state
		if not self.care_manager:
			self.care_manager = frappe.db.get_value("Patient", self.patient, "care_manager")
		if not self.preferred_language:  # the patient-facing language; the care team may switch it
			self.preferred_language = language_of_patient(self.patient)
		self.validate_one_current_plan()
		self.validate_dates()
		self.validate_conditions()
		self.validate_caregivers()
		self.validate_portal_caregivers()

	def before_save(self):
		self.record_history()

	def validate_one_current_plan(self):
		if self.status == "Closed":
			return
		other = frappe.db.get_value(
			"Care Plan",
			{"patient": self.patient, "status": ("!=", "Closed"), "name": ("!=", self.name or "")},
			["name", "status"],
			as_dict=True,
		)
		if other:
			frappe.throw(
				_(
					"{0} already has a current care plan, {1} ({2}). Update that plan, or close it before starting a new one."
				).format(
					frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient)),
					desk_link("Care Plan", other.name),
					frappe.utils.escape_html(_(other.status)),
				),
				title=_("Care Plan Exists"),
			)

	def validate_dates(self):
		start = getdate(self.start_date)
		if self.next_review_date and getdate(self.next_review_date) <= start:
			frappe.throw(
				_("Next Review Date {0} must be after the Start Date {1}.").format(
					formatdate(self.next_review_date), formatdate(self.start_date)
				),
				title=_("Invalid Next Review Date"),
			)
		for goal in self.goals:
			if goal.due_date and getdate(goal.due_date) < start:
				frappe.throw(
					_(
						"Goals, row {0}: Due Date {1} is before the plan starts ({2}). Move the due date or the Start Date."
					).format(goal.idx, formatdate(goal.due_date), formatdate(self.start_date)),
					title=_("Invalid Goal Due Date"),
				)

	def validate_conditions(self):
		# Only a row this save adds or recodes is checked against the code set and for
		# duplicates: a code stored before these checks (or retired by a newer code
		# set) must not block a screening or referral that updates the plan; Claim
		# Export holds a claim whose diagnosis is not billable.
		before = self.get_doc_before_save()
		stored = {row.name: normalise_icd10(row.icd10_code) for row in (before.conditions if before else [])}
		for row in self.conditions:
			if not row.icd10_code:
				if not (row.condition_name or "").strip():
					frappe.throw(
						_("Chronic Conditions, row {0}: enter the Condition or its ICD-10 Code.").format(
							row.idx
						),
						title=_("Condition Missing"),
					)
				continue
			row.icd10_code = normalise_icd10(row.icd10_code)
			if stored.get(row.name) != row.icd10_code:
				refuse_unless_billable(row.icd10_code, _("Chronic Conditions, row {0}").format(row.idx))
			if not (row.condition_name or "").strip():
				row.condition_name = icd10_description(row.icd10_code) or row.icd10_code
		# The same code twice would count as two chronic conditions towards CCM's two.
		rows = list(self.conditions)
		for position, earlier, code in first_duplicate_codes([row.icd10_code for row in rows]):
			row = rows[position - 1]
			if stored.get(row.name) == code:
				continue
			frappe.throw(
				_(
					"Chronic Conditions, row {0}: {1} is already on the plan in row {2}. Remove the duplicate row, or correct its ICD-10 Code."
				).format(row.idx, frappe.bold(frappe.utils.escape_html(code)), rows[earlier - 1].idx),
				title=_("Duplicate Condition"),
			)

	def validate_caregivers(self):
		for row in self.caregivers:
			if row.consent_to_share and not row.consent_date:
				frappe.throw(
					_(
						"Caregivers, row {0}: enter the date {1} consented to share information with {2}."
					).format(
						row.idx,
						frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient)),
						frappe.bold(frappe.utils.escape_html(row.caregiver_name)),
					)
				)

	def validate_portal_caregivers(self):
		"""A caregiver sees the plan on the portal only with the patient's consent,
		and never through the patient's own website user."""
		patient_user = frappe.db.get_value("Patient", self.patient, "user_id")
		seen = set()
		for row in self.caregivers:
			if not row.portal_user:
				continue
			if not row.consent_to_share:
				frappe.throw(
					_(
						"Caregivers, row {0}: {1} can have a Portal User only when the patient consents to share information. Tick Patient Consents to Share Information, or clear the Portal User."
					).format(row.idx, frappe.bold(frappe.utils.escape_html(row.caregiver_name))),
					title=_("Consent Needed"),
				)
			if row.portal_user == patient_user or row.portal_user in ("Administrator", "Guest"):
				frappe.throw(
					_(
						"Caregivers, row {0}: Portal User {1} cannot be a caregiver's user. Choose the caregiver's own user."
					).format(row.idx, frappe.bold(frappe.utils.escape_html(row.portal_user))),
					title=_("Invalid Portal User"),
				)
			if row.portal_user in seen:
				frappe.throw(
					_("Caregivers, row {0}: Portal User {1} is already on another row.").format(
						row.idx, frappe.bold(frappe.utils.escape_html(row.portal_user))
					)
				)
			seen.add(row.portal_user)

	def on_update(self):
		self.give_caregivers_portal_role()

	def give_caregivers_portal_role(self):
		"""The portal menu shows Care Plans Shared With Me to this role only."""
		from care_management.portal.access import CAREGIVER_ROLE

		for user in {row.portal_user for row in self.caregivers if row.portal_user and row.consent_to_share}:
			if CAREGIVER_ROLE not in frappe.get_roles(user):
				doc = frappe.get_doc("User", user)
				doc.flags.ignore_permissions = True
				doc.add_roles(CAREGIVER_ROLE)

	def record_history(self):
		"""Date this save's changes for the month close, which bills a month on the
		status and conditions the plan had during it (domain/care_plan_history.py).

		The history is the server's: whatever a form sends back, the rows already
		stored are kept as stored, and only what this save changes is added. A
		status left is filed with when it began and ended; a condition row removed,
		or whose code or 12-month flag changed, is filed as it was, and a new or
		changed row is dated now. A new plan's conditions are dated from its start,
		as a plan is entered with the conditions it starts with."""
		now = now_datetime()
		before = self.get_doc_before_save()
		if not before:
			self.set("past_statuses", [])
			self.set("past_conditions", [])
			started = min(get_datetime(self.start_date), now)
			for row in self.conditions:
				row.added_on = started
			return
		self.set("past_statuses", [row.as_dict() for row in before.past_statuses])
		self.set("past_conditions", [row.as_dict() for row in before.past_conditions])
		if before.status != self.status:
			self.append(
				"past_statuses",
				{
					"status": before.status,
					"valid_from": status_since(before),
					"valid_to": now,
					"changed_by": frappe.session.user,
				},
			)
		earlier = {row.name: row for row in before.conditions}
		for row in self.conditions:
			old = earlier.get(row.name)
			if old and history_key(old) == history_key(row):
				row.added_on = old.added_on
				del earlier[row.name]
			else:
				row.added_on = now
		for old in earlier.values():  # removed, or changed: filed as it was
			self.append(
				"past_conditions",
				{
					"condition_name": old.condition_name,
					"icd10_code": old.icd10_code,
					"expected_12_months": old.expected_12_months,
					"valid_from": old.added_on,
					"valid_to": now,
				},
			)

	@frappe.whitelist()
	def apply_templates(self, templates):
		"""Fill the plan from condition templates, adding only what it lacks."""
		if isinstance(templates, str):
			templates = json.loads(templates)
		names = [t for t in dict.fromkeys(templates or []) if t]
		if not names:
			frappe.throw(_("Choose at least one Care Plan Template to apply."))
		found = frappe.get_all(
			"Care Plan Template", filters={"name": ("in", names), "disabled": 0}, pluck="name"
		)
		missing = [n for n in names if n not in found]
		if missing:
			frappe.throw(
				_("Care Plan Template not found or disabled: {0}").format(
					", ".join(frappe.bold(frappe.utils.escape_html(n)) for n in missing)
				)
			)
		templates = [template_as_dict(name) for name in names]
		additions = template_additions(
			{table: [row.as_dict() for row in self.get(table)] for table in TEMPLATE_TABLES},
			templates,
			getdate(self.start_date),
			plan_language(self),
		)
		for table, rows in additions.items():
			for row in rows:
				self.append(table, row)
		self.update(action_plan_additions(self.as_dict(), templates, plan_language(self)))
		applied = {row.template for row in self.applied_templates}
		for name in names:
			if name not in applied:
				self.append("applied_templates", {"template": name})
		self.save()
		return {table: len(rows) for table, rows in additions.items()}


def status_since(plan) -> datetime:
	"""When the plan took its current status: the end of the last status it left,
	else its beginning (the earlier of its creation and its start date, as a plan
	may be entered after it started)."""
	ends = [get_datetime(row.valid_to) for row in plan.past_statuses if row.valid_to]
	if ends:
		return max(ends)
	return min(get_datetime(plan.creation), get_datetime(plan.start_date))


def history_key(row) -> tuple:
	"""What a condition row counts as: a change of it ends one condition and starts another."""
	return (condition_key(row.icd10_code, row.condition_name), bool(row.expected_12_months))


def template_as_dict(name: str) -> dict:
	return template_dict(frappe.get_cached_doc("Care Plan Template", name))


@frappe.whitelist()
def get_fhir_bundle(name: str) -> dict:
	"""The plan as one self-contained FHIR R4 Bundle (US Core 6.1 CarePlan, Goal,
	Condition, Patient, Practitioner)."""
	from care_management.domain.fhir_care_plan import care_plan_bundle
	from care_management.fhir_records import as_plain_text

	plan = frappe.get_doc("Care Plan", name)
	plan.check_permission("read")
	try:
		bundle = care_plan_bundle(as_plain_text(fhir_input(plan)), frappe.utils.get_url(), _)
	except ValueError as error:
		frappe.throw(
			_("{0} cannot be exported as FHIR: {1}").format(
				frappe.utils.escape_html(plan.name), frappe.utils.escape_html(str(error))
			),
			title=_("FHIR Export"),
		)
	log_phi_access(
		FHIR_EXPORT, [plan.patient], doctype="Care Plan", document=plan.name, file_type="FHIR JSON"
	)
	return bundle


def fhir_input(plan: CarePlan) -> dict:
	"""Plain data for the core's FHIR mapping. Rows are keyed by their row name,
	which stays when rows are reordered, so a re-export keeps its resource ids."""
	from care_management.fhir_records import iso, patient_data, practitioner_data

	goal_keys = {}
	for row in plan.goals:
		goal_keys.setdefault(text_key(row.goal), row.name)
	care_manager = plan.care_manager
	return {
		"id": plan.name,
		"status": plan.status,
		"description": plan.what_matters_most,
		"patient": patient_data(plan.patient),
		"start_date": iso(plan.start_date),
		"next_review_date": iso(plan.next_review_date),
		"created": iso(plan.creation),
		"care_manager": {"id": care_manager, "name": frappe.utils.get_fullname(care_manager)}
		if care_manager
		else None,
		"supervising_practitioner": practitioner_data(plan.supervising_practitioner)
		if plan.supervising_practitioner
		else None,
		"conditions": [
			{
				"key": row.name,
				"name": row.condition_name,
				"icd10_code": row.icd10_code,
				"onset_date": iso(row.onset_date),
				"recorded_on": iso(row.added_on),
				"notes": row.notes,
			}
			for row in plan.conditions
		],
		"needs": [
			{
				"key": row.name,
				"category": row.need_category,
				"status": row.status,
				"identified_on": iso(row.identified_on),
				"notes": row.notes,
			}
			for row in plan.needs
		],
		"goals": [
			{
				"key": row.name,
				"goal": row.goal,
				"status": row.status,
				"measure": row.measure,
				"target": row.target,
				"due_date": iso(row.due_date),
				"patient_words": row.patient_words,
			}
			for row in plan.goals
		],
		"interventions": [
			{
				"key": row.name,
				"intervention": row.intervention,
				"status": row.status,
				"responsible": row.responsible,
				"frequency": row.frequency,
				"linked_goal_key": goal_keys.get(text_key(row.linked_goal)),
			}
			for row in plan.interventions
		],
		"action_plan": {
			"call_clinic_when": plan.call_clinic_when,
			"clinic_phone": plan.clinic_phone,
			"after_hours_phone": plan.after_hours_phone,
			"call_911_when": plan.call_911_when,
		},
		"care_team": [
			{
				"name": row.member_name,
				"role": row.role,
				"organization": row.organization,
				"phone": row.phone,
				"email": row.email,
			}
			for row in plan.care_team
		],
	}
