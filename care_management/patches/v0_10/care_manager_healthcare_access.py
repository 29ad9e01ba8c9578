"""Existing sites: the Care Manager role gets what the care-management flows need
of Healthcare's doctypes (appointments, vital signs, encounters, inpatient records)."""

from care_management.setup.patient_access import grant_app_role_access


def execute():
	grant_app_role_access()
