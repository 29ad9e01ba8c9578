"""Care managers read Patients (limited to their caseload by permissions.py)."""

import frappe
from frappe.permissions import add_permission, update_permission_property

CARE_MANAGER = "Care Manager"


def grant_care_manager_patient_access() -> None:
	# add_permission copies Healthcare's standard Patient perms into Custom
	# DocPerm first, so nobody else's access changes.
	if frappe.db.exists("Custom DocPerm", {"parent": "Patient", "role": CARE_MANAGER, "permlevel": 0}):
		return
	add_permission("Patient", CARE_MANAGER, 0)
	for ptype in ("read", "select", "report", "print"):
		update_permission_property("Patient", CARE_MANAGER, 0, ptype, 1, validate=False)
