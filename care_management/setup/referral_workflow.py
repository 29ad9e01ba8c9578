"""The closed-loop referral workflow (created by install code, see workflows.py)."""

from care_management.setup.workflows import delete_workflow, ensure_workflow

WORKFLOW_NAME = "Resource Referral"
TEAM = ("Care Manager", "Care Management Supervisor")
STATES = {
	"Draft": "",
	"Sent": "Primary",
	"Accepted": "Info",
	"Completed": "Success",
	"Declined": "Danger",
	"Unable to Contact": "Warning",
	"Cancelled": "Inverse",
}
TRANSITIONS = [
	("Draft", "Send", "Sent", TEAM, None),
	("Draft", "Cancel Referral", "Cancelled", TEAM, None),
	("Sent", "Mark Accepted", "Accepted", TEAM, None),
	("Sent", "Mark Declined", "Declined", TEAM, None),
	("Sent", "Unable to Contact", "Unable to Contact", TEAM, None),
	("Sent", "Cancel Referral", "Cancelled", TEAM, None),
	("Accepted", "Complete", "Completed", TEAM, None),
	("Accepted", "Mark Declined", "Declined", TEAM, None),
	("Accepted", "Cancel Referral", "Cancelled", TEAM, None),
]
EDITORS = {state: "Care Manager" for state in STATES}


def create_referral_workflow() -> None:
	ensure_workflow(WORKFLOW_NAME, "Resource Referral", STATES, TRANSITIONS, EDITORS)


def delete_referral_workflow() -> None:
	delete_workflow(WORKFLOW_NAME, "Resource Referral")
