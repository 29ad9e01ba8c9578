"""Existing sites: Healthcare's Patient records its form views (Track Views) and
Frappe's Access Log and View Log get the indexes the PHI Access report reads by
(setup/phi_access.py). The app's own doctypes track views from their JSON."""

from care_management.setup.phi_access import set_up_phi_access_audit


def execute():
	set_up_phi_access_audit()
