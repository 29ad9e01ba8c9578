"""What each role of the app needs of Healthcare's and ERPNext's doctypes to do
the whole job, so a practice adds no other role for it (docs/roles.md).

A user whose only role is Care Manager reads the patient, books and reads the
patient's appointments, reads (and records, from a call) vital signs and reads
the encounters and inpatient records a care transition or an enrollment links.
Which patients: their caseload only (care_management.permissions). Billing staff
get select on Patient and Healthcare Practitioner: the links their adjustment form
fills in from the billing record.

A Care Management Supervisor or Care Management Billing user sees every patient
(domain/access.py): they read the Patient and pick patients, payers (Customer)
and billing practitioners in the forms they fill (enrollments, coverage), and
the reports they open show those links. Billing staff also read the Customer
(payer and patient accounts). Invoices and payments stay ERPNext's: creating
them needs ERPNext's own accounting roles.

Granting a role on a standard doctype makes Frappe copy the doctype's standard
permissions into Custom DocPerm first, so nobody else's access changes; on
uninstall our rows go and, where the copies left behind are still exactly the
standard permissions, the copies go too, so later Healthcare updates to those
permissions apply on this site again.
"""

import frappe
from frappe.permissions import add_permission, update_permission_property

CARE_MANAGER = "Care Manager"
BILLING = "Care Management Billing"

READ = ("read", "select", "report", "print")
# doctype -> what a care manager may do with it.
CARE_MANAGER_HEALTHCARE_ACCESS = {
	"Patient": READ,
	"Patient Appointment": (*READ, "create", "write"),
	"Vital Signs": (*READ, "create", "write"),
	"Patient Encounter": READ,
	"Inpatient Record": READ,
	# Masters a follow-up appointment is booked with; they hold no patient data.
	"Appointment Type": ("read", "select"),
	"Healthcare Practitioner": ("read", "select"),
	"Medical Department": ("read", "select"),
	"Healthcare Service Unit": ("read", "select"),
}
SUPERVISOR = "Care Management Supervisor"
BILLING = "Care Management Billing"
# role -> doctype -> what it may do with it, for the roles that see every patient.
SEE_ALL_ROLES_ACCESS = {
	SUPERVISOR: {
		"Patient": READ,
		"Customer": ("select",),
		"Healthcare Practitioner": ("read", "select"),
	},
	BILLING: {
		"Patient": READ,
		"Customer": READ,
		"Healthcare Practitioner": ("read", "select"),
	},
}
# The ones that hold patient data, limited to the caseload (field naming the patient).
CASELOAD_LIMITED = {
	"Patient Appointment": "patient",
	"Vital Signs": "patient",
	"Patient Encounter": "patient",
	"Inpatient Record": "patient",
}
PERM_FLAGS = (
	"select", "read", "write", "create", "delete", "submit", "cancel", "amend", "report", "export",
	"import", "share", "print", "email",
)  # fmt: skip


def all_grants() -> dict[str, dict[str, tuple]]:
	return {CARE_MANAGER: CARE_MANAGER_HEALTHCARE_ACCESS, **SEE_ALL_ROLES_ACCESS}


def grant_app_role_access() -> None:
	"""Idempotent: adds what is missing, never takes anything away."""
	for role, access in all_grants().items():
		grant(role, access)
	frappe.clear_cache()


def grant(role: str, access: dict[str, tuple]) -> None:
	for doctype, ptypes in access.items():
		if not frappe.db.exists("DocType", doctype):
			continue
		if not frappe.db.exists("Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0}):
			add_permission(doctype, role, 0)
		for ptype in ptypes:
			update_permission_property(doctype, role, 0, ptype, 1, validate=False)


def revoke_app_role_access() -> None:
	"""Uninstall: our rows go; copies of the standard permissions that nobody changed go too."""
	for role, access in all_grants().items():
		for doctype in access:
			frappe.db.delete("Custom DocPerm", {"parent": doctype, "role": role})
	for doctype in {doctype for access in all_grants().values() for doctype in access}:
		if custom_perms_are_standard(doctype):
			frappe.db.delete("Custom DocPerm", {"parent": doctype})
	frappe.clear_cache()


def perm_rows(doctype_of_perms: str, doctype: str) -> list[tuple]:
	fields = ["role", "permlevel", "if_owner", *PERM_FLAGS]
	rows = frappe.get_all(doctype_of_perms, filters={"parent": doctype}, fields=fields)
	return sorted(tuple(int(row[f] or 0) if f != "role" else row[f] for f in fields) for row in rows)


def custom_perms_are_standard(doctype: str) -> bool:
	custom = perm_rows("Custom DocPerm", doctype)
	return bool(custom) and custom == perm_rows("DocPerm", doctype)
