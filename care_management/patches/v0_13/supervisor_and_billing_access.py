"""Existing sites: Care Management Supervisor and Care Management Billing read
the patients, payers and practitioners their reports and forms show, so neither
needs a Healthcare or ERPNext role besides its own (setup/patient_access.py)."""

from care_management.setup.patient_access import grant_app_role_access


def execute():
	grant_app_role_access()  # idempotent: every app role's grants
