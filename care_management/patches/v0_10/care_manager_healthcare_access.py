"""Existing sites: the Care Manager role gets what the care-management flows need
of Healthcare's doctypes (appointments, vital signs, encounters, inpatient records)."""

from care_management.setup.patient_access import grant_care_manager_patient_access


def execute():
	grant_care_manager_patient_access()
