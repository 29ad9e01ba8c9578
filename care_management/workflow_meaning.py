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
"""

import frappe
from frappe import _
from frappe.model.workflow import get_workflow_name

# doctype -> the field that holds the meaning
MEANING_FIELD = {"Care Plan": "status", "Resource Referral": "status"}
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


def follow_workflow_state(doc) -> None:
	"""Controllers' validate: the meaning follows the state whenever the state changes."""
	state = doc.get(STATE_FIELD)
	if not state or not doc.has_value_changed(STATE_FIELD):
		return
	meaning = meaning_of(doc.doctype, state)
	if not meaning:
		frappe.throw(
			_(
				"Workflow State {0} has no meaning for {1}. In the Workflow {2}, States table, set Update Field to {3} and Update Value to one of: {4}."
			).format(
				frappe.bold(frappe.utils.escape_html(state)),
				frappe.utils.escape_html(_(doc.doctype)),
				frappe.bold(frappe.utils.escape_html(get_workflow_name(doc.doctype) or "")),
				frappe.bold(frappe.utils.escape_html(MEANING_FIELD[doc.doctype])),
				", ".join(meanings(doc.doctype)),  # html-safe: the app's own status values
			),
			title=_("Workflow State Without a Meaning"),
		)
	doc.set(MEANING_FIELD[doc.doctype], meaning)


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
