"""The care plan approval workflow (created by install code, see workflows.py)."""

from care_management.setup.workflows import delete_workflow, ensure_workflow

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
	ensure_workflow(WORKFLOW_NAME, "Care Plan", STATES, TRANSITIONS, EDITORS)


def delete_care_plan_workflow() -> None:
	delete_workflow(WORKFLOW_NAME, "Care Plan")
