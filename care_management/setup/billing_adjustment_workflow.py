"""The billing adjustment approval workflow (created by install code, see workflows.py).

An adjustment that bills no more than the record would without it is applied
by billing staff ("Apply"); one that bills more is sent for approval and
approved by the record's billing practitioner or a supervisor, never its
author (the transitions refuse self-approval; the controller checks again
whatever path the approval takes). A re-close that changes the record's facts
moves an approved adjustment to Needs Review, from where it is confirmed (by
the same people) or cancelled.
"""

from care_management.setup.workflows import delete_workflow, ensure_workflow

WORKFLOW_NAME = "Care Billing Adjustment Approval"
DOCTYPE = "Care Billing Adjustment"

# state -> indicator style; the order matters: Frappe puts a submitted document
# in the first state with docstatus 1.
STATES = {
	"Draft": "",
	"Pending Approval": "Warning",
	"Approved": "Success",
	"Needs Review": "Danger",
	"Rejected": "Inverse",
	"Cancelled": "Inverse",
}
DOC_STATUSES = {"Approved": 1, "Needs Review": 1, "Cancelled": 2}

IS_BILLING_PRACTITIONER = (
	'frappe.db.get_value("Healthcare Practitioner", doc.billing_practitioner, "user_id")'
	" == frappe.session.user"
)
BILLING = ("Care Management Billing", "Care Management Supervisor")
SUPERVISOR = ("Care Management Supervisor",)
PRACTITIONER = ("Physician",)
NOT_SELF = False

# (from, action, to, roles, condition[, owner may take it])
TRANSITIONS = [
	("Draft", "Apply", "Approved", BILLING, "not doc.needs_approval"),
	("Draft", "Send for Approval", "Pending Approval", BILLING, "doc.needs_approval"),
	("Pending Approval", "Approve", "Approved", SUPERVISOR, None, NOT_SELF),
	("Pending Approval", "Approve", "Approved", PRACTITIONER, IS_BILLING_PRACTITIONER, NOT_SELF),
	("Pending Approval", "Reject", "Rejected", SUPERVISOR, None, NOT_SELF),
	("Pending Approval", "Reject", "Rejected", PRACTITIONER, IS_BILLING_PRACTITIONER, NOT_SELF),
	("Pending Approval", "Withdraw", "Draft", BILLING, None),
	("Approved", "Cancel", "Cancelled", BILLING, None),
	("Needs Review", "Confirm", "Approved", BILLING, "not doc.needs_approval"),
	("Needs Review", "Confirm", "Approved", SUPERVISOR, "doc.needs_approval", NOT_SELF),
	(
		"Needs Review",
		"Confirm",
		"Approved",
		PRACTITIONER,
		f"doc.needs_approval and {IS_BILLING_PRACTITIONER}",
		NOT_SELF,
	),
	("Needs Review", "Cancel", "Cancelled", BILLING, None),
]

EDITORS = {
	"Draft": "Care Management Billing",
	"Pending Approval": "Care Management Supervisor",
	"Approved": "Care Management Billing",
	"Needs Review": "Care Management Billing",
	"Rejected": "Care Management Supervisor",
	"Cancelled": "Care Management Billing",
}


def create_billing_adjustment_workflow() -> None:
	ensure_workflow(WORKFLOW_NAME, DOCTYPE, STATES, TRANSITIONS, EDITORS, DOC_STATUSES)


def delete_billing_adjustment_workflow() -> None:
	delete_workflow(WORKFLOW_NAME, DOCTYPE)
