"""Existing sites get the indexes on Healthcare's tables that Care Quality
Measures reads through (new sites get them on install)."""

from care_management.setup.healthcare_indexes import add_healthcare_indexes


def execute():
	add_healthcare_indexes()
