"""Install, uninstall and reinstall on the real test site.

Uninstalling drops our tables (DDL commits), so the test ends by installing the
app again and checks that the site is exactly as usable as before.
"""

from unittest.mock import patch

import frappe
from frappe.installer import install_app, remove_app
from frappe.tests.utils import FrappeTestCase

from care_management.setup import install
from care_management.setup.healthcare_indexes import HEALTHCARE_INDEXES, index_name
from care_management.setup.patient_fields import patient_custom_fieldnames
from care_management.setup.phi_access import LOG_INDEXES
from care_management.setup.phi_access import index_name as log_index_name
from care_management.tests.factories import make_patient

APP_DOCTYPES = ("Care Management Settings", "Care Management Risk Tier")


def custom_fields_on_patient() -> set[str]:
	return set(
		frappe.get_all(
			"Custom Field",
			filters={"dt": "Patient", "fieldname": ("in", patient_custom_fieldnames())},
			pluck="fieldname",
		)
	)


def forget_doc_event_hooks() -> None:
	"""Frappe keeps the doc_events of the installed apps for the whole process."""
	if hasattr(frappe.local, "doc_events_hooks"):
		del frappe.local.doc_events_hooks


def log_indexes() -> list[tuple[str, tuple[str, ...]]]:
	return [(doctype, columns) for doctype, indexes in LOG_INDEXES.items() for columns in indexes]


def patient_tracks_views() -> bool:
	frappe.clear_cache(doctype="Patient")
	return bool(frappe.get_meta("Patient").track_views)


def healthcare_indexes() -> list[tuple[str, tuple[str, ...]]]:
	return [(doctype, columns) for doctype, indexes in HEALTHCARE_INDEXES.items() for columns in indexes]


class TestInstall(FrappeTestCase):
	def test_installed_app_has_its_fields_roles_and_seeded_settings(self):
		self.assertIn("care_management", frappe.get_installed_apps())
		self.assertEqual(custom_fields_on_patient(), set(patient_custom_fieldnames()))
		for role in install.APP_ROLES:
			self.assertTrue(frappe.db.exists("Role", role), role)
		settings = frappe.get_single("Care Management Settings")
		self.assertTrue(settings.risk_tiers)

	def test_patient_form_shows_the_fields_in_their_own_section(self):
		meta = frappe.get_meta("Patient")
		fieldnames = [f.fieldname for f in meta.fields]
		section = fieldnames.index("care_management_section")
		self.assertEqual(meta.get_field("care_management_section").fieldtype, "Section Break")
		for fieldname in ("care_manager", "care_risk_tier", "active_care_programs"):
			self.assertGreater(fieldnames.index(fieldname), section)
		self.assertEqual(meta.get_field("care_manager").options, "User")
		self.assertTrue(meta.get_field("active_care_programs").read_only)

	def test_install_refuses_a_site_without_healthcare_and_names_it(self):
		with patch("frappe.get_installed_apps", return_value=["frappe", "erpnext"]):
			with self.assertRaises(frappe.ValidationError) as refused:
				install.before_install()
		self.assertIn("healthcare", str(refused.exception))
		self.assertNotIn("erpnext", str(refused.exception))
		self.assertEqual(install.missing_required_apps(["frappe"]), ["erpnext", "healthcare"])

	def test_uninstall_removes_our_records_and_keeps_patients_then_reinstall_works(self):
		patient = make_patient("Uninstall", care_risk_tier="High")
		frappe.db.commit()  # the uninstall's DDL commits anyway; make the patient durable first
		try:
			remove_app("care_management", yes=True, no_backup=True)
			forget_doc_event_hooks()  # as a new process would: our Customer hook is gone with the app

			self.assertNotIn("care_management", frappe.get_installed_apps())
			self.assertEqual(custom_fields_on_patient(), set())
			for role in install.APP_ROLES:
				self.assertFalse(frappe.db.exists("Role", role), role)
			for doctype in APP_DOCTYPES:
				self.assertFalse(frappe.db.exists("DocType", doctype), doctype)
			self.assertFalse(frappe.db.exists("Module Def", "Care Management"))
			# Patients and Healthcare's own records are untouched.
			self.assertTrue(frappe.db.exists("Patient", patient.name))
			self.assertEqual(frappe.db.get_value("Patient", patient.name, "first_name"), "Uninstall")
			self.assertTrue(frappe.db.exists("DocType", "Patient"))
			self.assertTrue(frappe.db.exists("Role", "Physician"))
			# The copies of Healthcare's standard permissions made when our role was
			# added are gone, so Healthcare's own permissions apply again.
			for doctype in (
				"Patient",
				"Patient Appointment",
				"Vital Signs",
				"Customer",
				"Healthcare Practitioner",
			):
				self.assertEqual(frappe.db.count("Custom DocPerm", {"parent": doctype}), 0, doctype)
			# The indexes we added to Healthcare's tables are gone too.
			for doctype, columns in healthcare_indexes():
				self.assertFalse(frappe.db.has_index(f"tab{doctype}", index_name(columns)), doctype)
			# Views of Patient are no longer tracked; Frappe's logs lose only our indexes.
			self.assertFalse(patient_tracks_views())
			for doctype, columns in log_indexes():
				self.assertFalse(frappe.db.has_index(f"tab{doctype}", log_index_name(columns)), doctype)
			reloaded = frappe.get_doc("Patient", patient.name)
			reloaded.save(ignore_permissions=True)  # the Patient form still works without us
		finally:
			if "care_management" not in frappe.get_installed_apps():
				install_app("care_management")
				frappe.db.commit()
			# Leave the process as the other tests expect it: not "installing",
			# and no caches from before the reinstall.
			frappe.flags.in_install = False
			frappe.flags.in_uninstall = False
			frappe.clear_cache()
			forget_doc_event_hooks()

		self.assertIn("care_management", frappe.get_installed_apps())
		self.assertEqual(custom_fields_on_patient(), set(patient_custom_fieldnames()))
		for role in install.APP_ROLES:
			self.assertTrue(frappe.db.exists("Role", role), role)
		self.assertTrue(frappe.get_single("Care Management Settings").risk_tiers)
		self.assertTrue(
			frappe.db.exists(
				"Custom DocPerm", {"parent": "Patient Appointment", "role": "Care Manager", "create": 1}
			)
		)
		for role, doctype in (
			("Care Management Supervisor", "Patient"),
			("Care Management Billing", "Customer"),
		):
			self.assertTrue(
				frappe.db.exists("Custom DocPerm", {"parent": doctype, "role": role, "read": 1}), role
			)
		for doctype, columns in healthcare_indexes():
			self.assertTrue(frappe.db.has_index(f"tab{doctype}", index_name(columns)), doctype)
		self.assertTrue(patient_tracks_views())
		for doctype, columns in log_indexes():
			self.assertTrue(frappe.db.has_index(f"tab{doctype}", log_index_name(columns)), doctype)
		# The column survived, so the assignment made before uninstall is back.
		self.assertEqual(frappe.db.get_value("Patient", patient.name, "care_risk_tier"), "High")
		frappe.delete_doc("Patient", patient.name, force=True)
		frappe.db.commit()
