"""Existing sites: Care Management Billing gets select on Patient and Healthcare
Practitioner, which the Care Billing Adjustment form's fetched links are checked with
(without it, Adjust from a billing record opened an empty error dialog)."""

from care_management.setup.patient_access import grant_care_manager_patient_access


def execute():
	grant_care_manager_patient_access()
