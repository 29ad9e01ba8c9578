"""Workflow states an admin names; meanings the app understands.

Care plans and referrals keep their place in the workflow in `workflow_state`
(a Link to Workflow State, so any state an admin adds in the Workflow form is
accepted) and what that place *means* in `status`, whose options are the
meanings the app's logic reads: billing's "active care plan", the worklist,
FHIR CarePlan.status and Task.status, the referral closing the loop on the
care plan's need, reports, number cards and list colours.

The meaning of a state is set where the admin already is: on the state's row
of the Workflow's States table, with Frappe's own "Update Field" = status and
"Update Value" = the meaning, which Frappe applies on every transition. A
workflow with a state that has no meaning is refused when it is saved.

The meaning is derived, never written by a client: every save sets it from the
state, and a save that sends another is refused (the workflow's actions are
the only way to move it; see domain/workflow_status.py).
"""

import frappe
from frappe import _
from frappe.model.workflow import get_workflow, get_workflow_name, is_transition_condition_satisfied
from frappe.utils import escape_html

from care_management.domain.workflow_status import Hint, Transition, actions_to_name, status_was_forged

# doctype -> the field that holds the meaning
MEANING_FIELD = {"Care Plan": "status", "Resource Referral": "status", "Care Billing Adjustment": "status"}
STATE_FIELD = "workflow_state"


def meanings(doctype: str) -> list[str]:
	return [
		m for m in (frappe.get_meta(doctype).get_field(MEANING_FIELD[doctype]).options or "").split("\n") if m
	]


def meaning_of(doctype: str, state: str) -> str | None:
	workflow = get_workflow_name(doctype)
	if not workflow:
		return None
	row = frappe.db.get_value(
		"Workflow Document State",
		{"parent": workflow, "parenttype": "Workflow", "state": state},
		["update_field", "update_value"],
		as_dict=True,
	)
	if row and row.update_field == MEANING_FIELD[doctype]:
		return row.update_value
	return None


class StatusFollowsWorkflowError(frappe.ValidationError):
	"""A save sent a meaning its workflow state does not have."""


def follow_workflow_state(doc) -> None:
	"""Controllers' validate: on every save the meaning is the state's, whatever
	the request sent (Frappe does not enforce read_only on the server).

	Frappe's workflow actions (apply_workflow) set the state and, through the
	state's Update Field, its meaning together, so they pass. A request that sends
	a meaning its state does not have is refused, naming the actions to use: the
	approval a state stands for cannot be skipped by writing its meaning."""
	if not get_workflow_name(doc.doctype):
		return  # no active workflow: nothing to derive the meaning from
	field = MEANING_FIELD[doc.doctype]
	state = doc.get(STATE_FIELD)
	if not state:
		# Frappe puts a new document in the workflow's first state, but only after
		# the controller's validate; the meaning must follow that state too.
		state = get_workflow(doc.doctype).states[0].state
		doc.set(STATE_FIELD, state)
	meaning = meaning_of(doc.doctype, state)
	if not meaning:
		frappe.throw(
			_(
				"Workflow State {0} has no meaning for {1}. In the Workflow {2}, States table, set Update Field to {3} and Update Value to one of: {4}."
			).format(
				frappe.bold(escape_html(state)),
				escape_html(_(doc.doctype)),
				frappe.bold(escape_html(get_workflow_name(doc.doctype) or "")),
				frappe.bold(escape_html(field)),
				", ".join(meanings(doc.doctype)),  # html-safe: the app's own status values
			),
			title=_("Workflow State Without a Meaning"),
		)
	before = doc.get_doc_before_save()
	sent = doc.get(field)
	if status_was_forged(
		sent, before.get(field) if before else None, doc.meta.get_field(field).default, meaning
	):
		# What the document is as stored: the refused save changes nothing.
		stored_state = before.get(STATE_FIELD) if before else state
		stored_meaning = meaning if stored_state == state else meaning_of(doc.doctype, stored_state)
		where = (
			_("this {0} is in {1}").format(_(doc.doctype), frappe.bold(escape_html(stored_state)))
			if stored_state == stored_meaning
			else _("this {0} is in {1}, which means {2}").format(
				_(doc.doctype),
				frappe.bold(escape_html(stored_state)),
				frappe.bold(escape_html(_(stored_meaning or ""))),
			)
		)
		frappe.throw(
			_(
				"{0} cannot be set to {1}: it follows the Workflow State, and {2}. It changes only through the workflow's actions. {3}"
			).format(
				frappe.bold(_(doc.meta.get_label(field))),
				frappe.bold(escape_html(_(str(sent)))),
				where,  # html-safe: built of escaped parts (workflow_meaning.py)
				workflow_actions_hint(
					doc, wanted=sent
				),  # html-safe: built of escaped parts (workflow_meaning.py)
			),
			StatusFollowsWorkflowError,
			title=_("Use the Workflow's Actions"),
		)
	doc.set(field, meaning)


def workflow_actions_hint(doc, wanted: str | None = None) -> str:
	"""One sentence naming the workflow actions the user can take on ``doc`` as
	stored (the refused save changes nothing), those reaching ``wanted`` first."""
	before = doc.get_doc_before_save()
	workflow = get_workflow(doc.doctype)
	field = MEANING_FIELD[doc.doctype]
	stored_state = before.get(STATE_FIELD) if before else doc.get(STATE_FIELD)
	roles = set(frappe.get_roles())
	transitions = [
		Transition(
			t.action,
			t.next_state,
			t.allowed in roles and is_transition_condition_satisfied(t, before),
		)
		for t in workflow.transitions
		if before and t.state == stored_state
	]
	meaning_of_state = {row.state: row.update_value for row in workflow.states if row.update_field == field}
	hint, actions = actions_to_name(transitions, meaning_of_state, wanted, is_new=before is None)
	named = ", ".join(frappe.bold(escape_html(_(action))) for action in actions)
	state = frappe.bold(escape_html(stored_state or ""))
	if hint == Hint.NEW:
		return _("Save the new {0} without a Status, then use the workflow's actions.").format(_(doc.doctype))
	if hint == Hint.LEADS_THERE:
		return _("To make it {0}, use the workflow action {1}.").format(
			frappe.bold(escape_html(_(str(wanted)))), named
		)
	if hint == Hint.OTHERS_LEAD_THERE:
		return _(
			"To make it {0}, the workflow action is {1}, which is not open to you now: the workflow {2} sets which roles take it and when."
		).format(frappe.bold(escape_html(_(str(wanted)))), named, frappe.bold(escape_html(workflow.name)))
	if hint == Hint.OPEN_TO_USER:
		return _("The workflow actions open to you from {0}: {1}.").format(state, named)
	if hint == Hint.OTHERS_ONLY:
		return _(
			"No workflow action from {0} is open to you; the workflow's actions from it are {1}, taken by the roles (and under the conditions) the workflow {2} sets."
		).format(state, named, frappe.bold(escape_html(workflow.name)))
	return _("No action of the workflow {0} leads out of {1}.").format(
		frappe.bold(escape_html(workflow.name)), state
	)


def validate_workflow(workflow, method=None) -> None:
	"""Workflow validate (doc_event): every state of a care plan or referral
	workflow says what it means."""
	doctype = workflow.document_type
	if doctype not in MEANING_FIELD or workflow.workflow_state_field != STATE_FIELD:
		return
	allowed = meanings(doctype)
	field = MEANING_FIELD[doctype]
	for row in workflow.states:
		if row.update_field != field or row.update_value not in allowed:
			frappe.throw(
				_(
					"States, row {0}: give the state {1} a meaning. Set Update Field to {2} and Update Value to one of: {3} (what {4} should treat a document in this state as)."
				).format(
					row.idx,
					frappe.bold(frappe.utils.escape_html(row.state)),
					frappe.bold(frappe.utils.escape_html(field)),
					", ".join(allowed),  # html-safe: the app's own status values
					frappe.utils.escape_html(_(doctype)),
				),
				title=_("Workflow State Without a Meaning"),
			)
