"""Existing sites get the covering indexes the eligibility scan and the risk run
now group through (setup/healthcare_indexes.py); the others are already there
and are skipped."""

from care_management.setup.healthcare_indexes import add_healthcare_indexes


def execute():
	add_healthcare_indexes()
