"""Existing sites: care plans and referrals keep their workflow's state in
`workflow_state`, and `status` becomes what the state means. Today's status
is copied into the new field, the shipped workflows point at it, and each of
their states gets its meaning (its own name, as shipped). States an admin set
an Update Field on are left as they are."""

import frappe

WORKFLOWS = {"Care Plan": "Care Plan Approval", "Resource Referral": "Resource Referral"}


def execute():
	for doctype, workflow in WORKFLOWS.items():
		frappe.reload_doc("care_management", "doctype", frappe.scrub(doctype))
		frappe.db.sql(
			f"update `tab{doctype}` set workflow_state = status where ifnull(workflow_state, '') = ''"
		)
		if not frappe.db.exists("Workflow", workflow):
			continue
		doc = frappe.get_doc("Workflow", workflow)
		if doc.workflow_state_field != "status":
			continue
		doc.workflow_state_field = "workflow_state"
		for row in doc.states:
			if not row.update_field:
				row.update_field, row.update_value = "status", row.state
		doc.save(ignore_permissions=True)
