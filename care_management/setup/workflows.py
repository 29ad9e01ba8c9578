"""Workflows the app ships, created once by install code.

Not fixtures on purpose: fixtures are re-imported on every migrate and would
undo the changes a practice's admin makes to a workflow in the desk. This
code only creates what is missing.
"""

import frappe


def ensure_workflow(
	name: str, doctype: str, states: dict, transitions: list, editors: dict, doc_statuses: dict | None = None
) -> None:
	"""``states``: state -> indicator style; ``transitions``: (from, action, to, roles, condition), with
	an optional sixth item False where the document's owner may not take the action (no self-approval);
	``editors``: state -> the role that may edit a document in that state; ``doc_statuses``: state ->
	docstatus (0 when not given)."""
	for state, style in states.items():
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": state, "style": style}
			).insert(ignore_permissions=True)
	for action in dict.fromkeys(t[1] for t in transitions):
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)
	if frappe.db.exists("Workflow", name):
		return
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": name,
			"document_type": doctype,
			# Any state an admin adds is accepted here; its meaning goes to `status`
			# through the state's Update Field / Update Value (workflow_meaning.py).
			"workflow_state_field": "workflow_state",
			"is_active": 1,
			"send_email_alert": 0,
			"override_status": 1,
			"states": [
				{
					"state": state,
					"doc_status": str((doc_statuses or {}).get(state, 0)),
					"allow_edit": editors[state],
					"update_field": "status",
					"update_value": state,  # the shipped states are named after their meaning
				}
				for state in states
			],
			"transitions": [
				{
					"state": source,
					"action": action,
					"next_state": target,
					"allowed": role,
					"allow_self_approval": 0 if len(transition) > 5 and not transition[5] else 1,
					"condition": transition[4],
				}
				for transition in transitions
				for source, action, target, roles in [transition[:4]]
				for role in roles
			],
		}
	).insert(ignore_permissions=True)


def delete_workflow(name: str, doctype: str) -> None:
	frappe.db.delete("Workflow Transition", {"parent": name})
	frappe.db.delete("Workflow Document State", {"parent": name})
	frappe.db.delete("Workflow", {"name": name})
	frappe.db.delete("Workflow Action", {"reference_doctype": doctype})
