"""Existing sites get the Patient fields the hospital ADT feed uses; new sites get them on install."""

from care_management.setup.adt_fields import create_adt_fields


def execute():
	create_adt_fields()
