"""Existing sites: Care Billing Records become the engine's.

No role creates, changes or deletes them any more (the doctype's permissions,
reloaded here; grants an admin made in Role Permissions Manager that gave
write, create, delete and the like are taken back, read and report stay); the
lines keep the units the close computed (``engine_units``) beside what is
billed; and the billing adjustment workflow is made.
"""

import frappe

from care_management.setup.install import set_up_billing_adjustments

# What no role may hold on a billing record.
WRITING_RIGHTS = ("create", "write", "delete", "submit", "cancel", "amend", "import", "share")


def execute():
	frappe.reload_doc("care_management", "doctype", "care_billing_line")
	frappe.reload_doc("care_management", "doctype", "care_billing_record")
	frappe.reload_doc("care_management", "doctype", "care_billing_adjustment")
	take_back_custom_grants()
	# Lines closed before adjustments existed: what they bill is what the close computed.
	frappe.db.sql(
		"""update `tabCare Billing Line` set engine_units = units
		where parenttype = 'Care Billing Record' and coalesce(engine_units, 0) = 0 and added_by is null"""
	)
	set_up_billing_adjustments()
	frappe.clear_cache(doctype="Care Billing Record")


def take_back_custom_grants():
	if not frappe.db.exists("Custom DocPerm", {"parent": "Care Billing Record"}):
		return
	frappe.db.sql(
		"update `tabCustom DocPerm` set {} where parent = 'Care Billing Record'".format(
			", ".join(f"`{right}` = 0" for right in WRITING_RIGHTS)
		)
	)
