"""The care plan approval workflow, created once by install code.

Not a fixture on purpose: fixtures are re-imported on every migrate and would
undo the changes a practice's admin makes to the workflow in the desk. This
code only creates what is missing.
"""

import frappe

WORKFLOW_NAME = "Care Plan Approval"

# state -> indicator style
STATES = {
	"Draft": "",
	"Pending Practitioner Review": "Warning",
	"Active": "Success",
	"On Hold": "Inverse",
	"Closed": "Danger",
}

# Only the plan's own supervising practitioner approves or sends back.
IS_SUPERVISING_PRACTITIONER = (
	'frappe.db.get_value("Healthcare Practitioner", doc.supervising_practitioner, "user_id")'
	" == frappe.session.user"
)

CARE_TEAM = ("Care Manager", "Care Management Supervisor")

# (from, action, to, roles, condition)
TRANSITIONS = [
	("Draft", "Send for Review", "Pending Practitioner Review", CARE_TEAM, None),
	("Pending Practitioner Review", "Approve", "Active", ("Physician",), IS_SUPERVISING_PRACTITIONER),
	("Pending Practitioner Review", "Request Changes", "Draft", ("Physician",), IS_SUPERVISING_PRACTITIONER),
	("Active", "Put On Hold", "On Hold", (*CARE_TEAM, "Physician"), None),
	("On Hold", "Resume", "Active", ("Physician",), IS_SUPERVISING_PRACTITIONER),
	("Active", "Revise", "Draft", (*CARE_TEAM, "Physician"), None),
	("On Hold", "Revise", "Draft", (*CARE_TEAM, "Physician"), None),
	("Active", "Close", "Closed", ("Care Management Supervisor", "Physician"), None),
	("On Hold", "Close", "Closed", ("Care Management Supervisor", "Physician"), None),
]

# Who may edit the plan while it is in a state.
EDITORS = {
	"Draft": "Care Manager",
	"Pending Practitioner Review": "Physician",
	"Active": "Care Manager",
	"On Hold": "Care Manager",
	"Closed": "Care Management Supervisor",
}


def create_care_plan_workflow() -> None:
	for state, style in STATES.items():
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": state, "style": style}
			).insert(ignore_permissions=True)
	for action in dict.fromkeys(t[1] for t in TRANSITIONS):
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)
	if frappe.db.exists("Workflow", WORKFLOW_NAME):
		return
	workflow = frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": WORKFLOW_NAME,
			"document_type": "Care Plan",
			"workflow_state_field": "status",
			"is_active": 1,
			"send_email_alert": 0,
			"override_status": 1,
			"states": [
				{"state": state, "doc_status": "0", "allow_edit": EDITORS[state], "update_field": None}
				for state in STATES
			],
			"transitions": [
				{
					"state": source,
					"action": action,
					"next_state": target,
					"allowed": role,
					"allow_self_approval": 1,
					"condition": condition,
				}
				for source, action, target, roles, condition in TRANSITIONS
				for role in roles
			],
		}
	)
	workflow.insert(ignore_permissions=True)


def delete_care_plan_workflow() -> None:
	frappe.db.delete("Workflow Transition", {"parent": WORKFLOW_NAME})
	frappe.db.delete("Workflow Document State", {"parent": WORKFLOW_NAME})
	frappe.db.delete("Workflow", {"name": WORKFLOW_NAME})
	frappe.db.delete("Workflow Action", {"reference_doctype": "Care Plan"})
