"""Who saw which patient's record: every export, print, PDF, file download, API
read and form view a care manager (or billing clerk, or patient) makes is found
in Frappe's Access Log or View Log, and the PHI Access report gives it back for
the patient — a bulk export that carried them included — and for the user.

Three classes: in-process (views, FHIR bundles, the self-screening link, the
role gate, the Patient's Track Views), a billed month (claim lines, the billing
report's export, the 837P file, the report's answer), and real requests through
Frappe's application (the portal page, its print view, a PDF download), whose
records are committed and deleted when the class is done."""

import json
from datetime import datetime, timedelta
from unittest.mock import patch
from urllib.parse import urlencode

import frappe
from frappe.desk.form.load import getdoc
from frappe.desk.query_report import export_query, run
from frappe.model.workflow import apply_workflow
from frappe.tests.test_api import FrappeAPITestCase
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, today

from care_management.api.self_screening import get_self_completion_form
from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.care_management.doctype.care_plan.care_plan import get_fhir_bundle
from care_management.care_management.doctype.resource_referral.resource_referral import (
	get_fhir_bundle as get_referral_bundle,
)
from care_management.care_management.doctype.resource_referral.test_resource_referral import make_resource
from care_management.care_management.report.care_management_billing.care_management_billing import (
	export_claim_lines,
)
from care_management.phi_access_log import (
	CLAIM_LINES_EXPORT,
	FHIR_EXPORT,
	FRAPPE_REPORT_EXPORT,
	PORTAL_PAGE,
	REPORT_EXPORT,
	SELF_SCREENING_FORM,
)
from care_management.setup.phi_access import track_healthcare_views, untrack_healthcare_views
from care_management.tests.factories import (
	activate_care_plan,
	link_patient_user,
	make_care_plan,
	make_coverage,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
	make_website_user,
)
from care_management.tests.test_billing_month import LAST_MONTH
from care_management.tests.test_claim_export import ClaimExportCase
from care_management.tests.test_patient_portal import token_headers

CARE_MANAGER = "phi.cm@example.org"
OTHER_CARE_MANAGER = "phi.other.cm@example.org"
SUPERVISOR = "phi.supervisor@example.org"
BILLING = "phi.billing@example.org"

PHI_DOCTYPES = (
	"Patient",
	"Care Plan",
	"Care Program Enrollment",
	"Outreach Log",
	"Needs Screening",
	"Patient Care Plan Update",
	"Patient Coverage",
	"Care Transition",
	"Device Reading",
	"Resource Referral",
	"Screening Invitation",
	"Care Billing Record",
	"Claim Export",
	"Remittance Import",
)


def access_entries(user: str, method: str | None = None, **more) -> list:
	filters = {"user": user, **more}
	if method:
		filters["method"] = method
	return frappe.get_all(
		"Access Log",
		filters=filters,
		fields=["export_from", "reference_document", "file_type", "method", "report_name", "filters"],
		order_by="creation desc",
	)


def listed(entry) -> dict:
	"""The patients an entry of ours says it covered, with what was asked for."""
	return json.loads(entry.filters)


def phi_access(**filters) -> list[dict]:
	"""The report through Frappe's own runner (its role gate included)."""
	filters = {"from_date": add_days(today(), -1), "to_date": today(), **filters}
	return run("PHI Access", json.dumps(filters))["result"]


def export_report(report_name: str, filters: dict, file_format: str = "CSV") -> None:
	"""Frappe's Export of a query report, as the desk posts it."""
	frappe.local.form_dict = frappe._dict(
		cmd=FRAPPE_REPORT_EXPORT,
		report_name=report_name,
		file_format_type=file_format,
		filters=json.dumps(filters, default=str),
		applied_filters="{}",
		visible_idx="[]",
	)
	try:
		export_query()
	finally:
		frappe.local.form_dict = frappe._dict()


def make_users() -> None:
	make_user(CARE_MANAGER, ["Care Manager"])
	make_user(OTHER_CARE_MANAGER, ["Care Manager"])
	make_user(SUPERVISOR, ["Care Management Supervisor"])
	make_user(BILLING, ["Care Management Billing"])


class TestPhiAccessLogged(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_users()
		cls.practitioner = make_practitioner("Phiaccess")
		frappe.db.set_value("Healthcare Practitioner", cls.practitioner, "last_name", "Audit")
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		self.patient = make_patient(
			"Ruth", last_name="Auditcase", dob="1950-03-04", care_manager=CARE_MANAGER
		).name
		self.plan = make_care_plan(self.patient, self.practitioner).name

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
		frappe.db.rollback()

	def referral(self):
		resource = make_resource("Audit pantry")
		referral = frappe.get_doc(
			{
				"doctype": "Resource Referral",
				"patient": self.patient,
				"need_category": "Food",
				"resource": resource.name,
			}
		).insert()
		return apply_workflow(referral, "Send")

	def test_every_doctype_holding_phi_tracks_views_patient_included(self):
		for doctype in PHI_DOCTYPES:
			self.assertTrue(frappe.get_meta(doctype).track_views, doctype)

	def test_a_care_managers_form_views_are_in_the_view_log_and_in_the_report(self):
		enrollment = make_enrollment(self.patient, self.practitioner)
		start = datetime.combine(getdate(add_days(today(), -1)), datetime.min.time()) + timedelta(hours=9)
		records = {
			"Patient": self.patient,
			"Care Plan": self.plan,
			"Care Program Enrollment": enrollment.name,
			"Patient Coverage": make_coverage(self.patient).name,
			"Outreach Log": frappe.get_doc(
				{
					"doctype": "Outreach Log",
					"patient": self.patient,
					"enrollment": enrollment.name,
					"performed_by": CARE_MANAGER,
					"activity_type": "Phone Call",
					"start": start,
					"end": start + timedelta(minutes=20),
					"duration_minutes": 20,
					"outcome": "Reached",
				}
			)
			.insert(ignore_permissions=True)
			.name,
			"Device Reading": frappe.get_doc(
				{
					"doctype": "Device Reading",
					"patient": self.patient,
					"measured_at": start,
					"reading_type": "Weight",
					"value": 80,
					"vendor": "audit-vendor",
					"vendor_reading_id": "r-1",
				}
			)
			.insert(ignore_permissions=True)
			.name,
			"Care Transition": frappe.get_doc(
				{"doctype": "Care Transition", "patient": self.patient, "discharge_date": today()}
			)
			.insert(ignore_permissions=True)
			.name,
			"Patient Care Plan Update": frappe.get_doc(
				{
					"doctype": "Patient Care Plan Update",
					"patient": self.patient,
					"care_plan": self.plan,
					"update_type": "Message",
					"note": "Feeling better",
					"status": "New",
				}
			)
			.insert(ignore_permissions=True)
			.name,
			"Screening Invitation": frappe.get_doc(
				{"doctype": "Screening Invitation", "patient": self.patient, "instrument": "PHQ-2"}
			)
			.insert(ignore_permissions=True)
			.name,
			"Resource Referral": self.referral().name,
		}
		frappe.set_user(CARE_MANAGER)
		for doctype, name in records.items():
			getdoc(doctype, name)
		frappe.set_user("Administrator")
		for doctype, name in records.items():
			self.assertTrue(
				frappe.db.exists(
					"View Log",
					{"reference_doctype": doctype, "reference_name": name, "viewed_by": CARE_MANAGER},
				),
				doctype,
			)

		frappe.set_user(SUPERVISOR)
		rows = phi_access(patient=self.patient)
		viewed = {(r["document_type"], r["document"]) for r in rows if r["log_type"] == "View Log"}
		self.assertEqual(viewed, set(records.items()))
		self.assertEqual({r["user"] for r in rows}, {CARE_MANAGER})
		self.assertTrue(all(r["patient"] == self.patient and r["patient_count"] == 1 for r in rows))
		# For the user: everything they opened, each with its patient.
		mine = phi_access(user=CARE_MANAGER)
		self.assertEqual({(r["document_type"], r["document"]) for r in mine}, set(records.items()))
		self.assertEqual({r["patient"] for r in mine}, {self.patient})
		# Another patient's record: not in this patient's answer.
		other = make_patient("Otto", care_manager=OTHER_CARE_MANAGER).name
		frappe.set_user(OTHER_CARE_MANAGER)
		getdoc("Patient", other)
		frappe.set_user(SUPERVISOR)
		self.assertEqual(len(phi_access(patient=self.patient)), len(rows))
		self.assertEqual(phi_access(patient=self.patient, user=OTHER_CARE_MANAGER), [])

	def test_fhir_exports_of_a_plan_and_a_referral_are_logged_with_their_patient(self):
		referral = self.referral()
		frappe.set_user(CARE_MANAGER)
		get_fhir_bundle(self.plan)
		get_referral_bundle(referral.name)
		frappe.set_user("Administrator")
		entries = access_entries(CARE_MANAGER, FHIR_EXPORT)
		self.assertEqual(
			{(e.export_from, e.reference_document, e.file_type) for e in entries},
			{("Care Plan", self.plan, "FHIR JSON"), ("Resource Referral", referral.name, "FHIR JSON")},
		)
		for entry in entries:
			self.assertEqual(listed(entry)["patients"], [self.patient])
			self.assertEqual(listed(entry)["patient_count"], 1)
		frappe.set_user(SUPERVISOR)
		hows = {(r["how"], r["document"]) for r in phi_access(patient=self.patient)}
		self.assertIn((FHIR_EXPORT, self.plan), hows)
		self.assertIn((FHIR_EXPORT, referral.name), hows)

	def test_a_refused_export_is_not_logged(self):
		frappe.set_user(OTHER_CARE_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			get_fhir_bundle(self.plan)
		frappe.set_user("Administrator")
		self.assertEqual(access_entries(OTHER_CARE_MANAGER), [])

	def test_the_self_screening_link_read_is_logged_as_guest_for_the_patient(self):
		invitation = frappe.get_doc(
			{"doctype": "Screening Invitation", "patient": self.patient, "instrument": "PHQ-2"}
		).insert(ignore_permissions=True)
		token = invitation.flags.link.split("self_completion_token=", 1)[1]
		frappe.set_user("Guest")
		get_self_completion_form(token)
		frappe.set_user("Administrator")
		# Guest's entries of this invitation only: other links read on the site (the browser
		# tier's, committed) are Guest's too.
		(entry,) = access_entries("Guest", SELF_SCREENING_FORM, reference_document=invitation.name)
		self.assertEqual(
			(entry.export_from, entry.reference_document), ("Screening Invitation", invitation.name)
		)
		self.assertEqual(listed(entry)["patients"], [self.patient])

	def test_showing_a_report_is_not_an_export_and_writes_nothing(self):
		frappe.set_user(CARE_MANAGER)
		run("Caseload Worklist", json.dumps({}))
		frappe.set_user("Administrator")
		self.assertEqual(access_entries(CARE_MANAGER), [])

	def test_the_worklists_export_lists_the_caseload_it_carried(self):
		frappe.set_user(CARE_MANAGER)
		export_report("Caseload Worklist", {})
		frappe.set_user("Administrator")
		(entry,) = access_entries(CARE_MANAGER, REPORT_EXPORT)
		self.assertEqual((entry.report_name, entry.file_type), ("Caseload Worklist", "CSV"))
		self.assertIn(self.patient, listed(entry)["patients"])

	def test_only_supervisors_and_system_managers_open_the_report_and_one_of_patient_or_user_is_needed(self):
		for user in (CARE_MANAGER, BILLING):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				phi_access(patient=self.patient)
		frappe.set_user(SUPERVISOR)
		self.assertEqual(phi_access(patient=self.patient), [])
		self.assertEqual(phi_access(), [])  # nothing chosen yet: no rows, and the report says what to choose

	def test_the_reports_own_export_is_logged_with_the_patients_it_named(self):
		frappe.set_user(CARE_MANAGER)
		getdoc("Care Plan", self.plan)
		frappe.set_user(SUPERVISOR)
		export_report(
			"PHI Access", {"patient": self.patient, "from_date": add_days(today(), -1), "to_date": today()}
		)
		frappe.set_user("Administrator")
		(entry,) = access_entries(SUPERVISOR, REPORT_EXPORT)
		self.assertEqual(entry.report_name, "PHI Access")
		self.assertEqual(listed(entry)["patients"], [self.patient])

	def test_patient_tracks_views_while_installed_and_an_admins_own_setting_is_kept(self):
		untrack_healthcare_views()
		self.assertFalse(frappe.get_meta("Patient").track_views)
		track_healthcare_views()
		track_healthcare_views()  # idempotent
		self.assertTrue(frappe.get_meta("Patient").track_views)
		self.assertEqual(
			frappe.db.count("Property Setter", {"doc_type": "Patient", "property": "track_views"}), 1
		)
		# An admin's choice in Customize Form is theirs: neither overwritten nor removed.
		frappe.db.set_value(
			"Property Setter",
			{"doc_type": "Patient", "property": "track_views"},
			{"is_system_generated": 0, "value": "0"},
		)
		track_healthcare_views()
		untrack_healthcare_views()
		self.assertEqual(
			frappe.db.get_value(
				"Property Setter", {"doc_type": "Patient", "property": "track_views"}, "value"
			),
			"0",
		)


class TestPhiAccessOfABilledMonth(ClaimExportCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_users()
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
		super().tearDown()

	def test_claim_lines_report_export_and_the_837p_download_are_found_for_the_patient(self):
		patient = self.billed_patient("Phi Claim One")
		second = self.billed_patient("Phi Claim Two")
		for name in (patient, second):
			frappe.db.set_value("Patient", name, "care_manager", CARE_MANAGER)
		close_month(LAST_MONTH, now=True)
		create_invoices(LAST_MONTH, submit=1, commit=False)
		export = self.export()
		self.assertEqual({row.patient for row in export.invoices}, {patient, second})

		# Billing staff, who export claims (a care manager may not: issue #29's roles).
		frappe.set_user(BILLING)
		# This test's practitioner only: the site may hold other claims of the month (the browser tier's).
		month_filters = {"month": str(LAST_MONTH), "billing_practitioner": self.practitioner}
		export_claim_lines(json.dumps(month_filters))
		export_report("Care Management Billing", month_filters)
		with patch("frappe.utils.response.send_private_file"):
			frappe.utils.response.download_private_file(export.file)

		frappe.set_user("Administrator")
		(lines,) = access_entries(BILLING, CLAIM_LINES_EXPORT)
		self.assertEqual((lines.report_name, lines.file_type), ("Care Management Billing", "CSV"))
		self.assertEqual(set(listed(lines)["patients"]), {patient, second})
		self.assertEqual(listed(lines)["filters"], month_filters)
		(report,) = access_entries(BILLING, REPORT_EXPORT)
		self.assertEqual(set(listed(report)["patients"]), {patient, second})
		(download,) = access_entries(BILLING, None, export_from="File")  # Frappe's own entry
		self.assertEqual(download.export_from, "File")

		frappe.set_user(SUPERVISOR)
		rows = {row["how"]: row for row in phi_access(patient=patient)}
		self.assertEqual(set(rows), {CLAIM_LINES_EXPORT, REPORT_EXPORT, "File downloaded"})
		self.assertEqual(
			(rows[CLAIM_LINES_EXPORT]["user"], rows[CLAIM_LINES_EXPORT]["patient_count"]), (BILLING, 2)
		)
		file_row = rows["File downloaded"]
		self.assertEqual(
			(file_row["user"], file_row["document_type"], file_row["document"], file_row["patient_count"]),
			(BILLING, "Claim Export", export.name, 2),
		)
		self.assertEqual(file_row["file_type"], "txt")
		self.assertTrue(file_row["details"].startswith("837P-"))
		# The clerk's own answer: the file, its export and how many patients it carried.
		mine = {row["how"]: row for row in phi_access(user=BILLING)}
		self.assertEqual(set(mine), {"File downloaded", CLAIM_LINES_EXPORT, REPORT_EXPORT})
		self.assertEqual(
			(mine["File downloaded"]["document"], mine["File downloaded"]["patient_count"]), (export.name, 2)
		)
		self.assertIsNone(mine["File downloaded"]["patient"])
		# A patient outside the file is not in it.
		outsider = self.billed_patient("Phi Not Exported")
		self.assertEqual(phi_access(patient=outsider), [])


class TestPhiAccessThroughRequests(FrappeAPITestCase):
	"""The portal page, the portal's print view and a PDF download, each a real request."""

	PATIENT_USER = "phi.patient@example.org"
	CAREGIVER = "phi.caregiver@example.org"

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_users()
		make_website_user(cls.PATIENT_USER, ["Patient"])
		make_website_user(cls.CAREGIVER)
		practitioner = make_practitioner("Phiportal")
		cls.patient = make_patient("Pilar", last_name="Audittest", care_manager=CARE_MANAGER).name
		link_patient_user(cls.patient, cls.PATIENT_USER)
		cls.plan = make_care_plan(
			cls.patient,
			practitioner,
			care_manager=CARE_MANAGER,
			goals=[{"goal": "Walk to the park", "status": "In Progress"}],
			caregivers=[
				{
					"caregiver_name": "Camila",
					"relationship": "Daughter",
					"consent_to_share": 1,
					"consent_date": today(),
					"portal_user": cls.CAREGIVER,
				}
			],
		).name
		activate_care_plan(cls.plan)
		cls.headers = {user: token_headers(user) for user in (cls.PATIENT_USER, cls.CAREGIVER, CARE_MANAGER)}
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.delete("Access Log", {"reference_document": cls.plan})
		frappe.db.delete("View Log", {"reference_name": cls.plan})
		frappe.delete_doc("Care Plan", cls.plan, force=True, ignore_permissions=True)
		frappe.delete_doc("Patient", cls.patient, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def entries_for_plan(self, user: str) -> list:
		frappe.db.rollback()  # a fresh snapshot sees what the request committed
		return [e for e in access_entries(user) if e.reference_document == self.plan]

	def test_the_portal_page_its_print_view_and_a_pdf_are_logged_and_reported(self):
		response = self.get("/my-care-plan", headers=self.headers[self.PATIENT_USER])
		self.assertEqual(response.status_code, 200)
		response = self.get("/shared-care-plans", headers=self.headers[self.CAREGIVER])
		self.assertEqual(response.status_code, 200)
		response = self.get(
			f"/printview?doctype=Care%20Plan&name={self.plan}&format=Care%20Plan%20for%20Patients",
			headers=self.headers[self.PATIENT_USER],
		)
		self.assertEqual(response.status_code, 200)
		# wkhtmltopdf would fetch the print's stylesheets from a server these tests do not run.
		with patch("frappe.utils.pdf.get_pdf", return_value=b"%PDF-1.4 care plan"):
			response = self.get(
				self.method("frappe.utils.print_format.download_pdf")
				+ "?"
				+ urlencode({"doctype": "Care Plan", "name": self.plan}),
				headers=self.headers[CARE_MANAGER],
			)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True)[:500])
		self.assertEqual(response.mimetype, "application/pdf")

		patient_reads = self.entries_for_plan(self.PATIENT_USER)
		self.assertEqual({e.method for e in patient_reads}, {PORTAL_PAGE, "Print"})
		page = next(e for e in patient_reads if e.method == PORTAL_PAGE)
		self.assertEqual(
			listed(page), {"filters": {"read_as": "Patient"}, "patient_count": 1, "patients": [self.patient]}
		)
		(shared,) = self.entries_for_plan(self.CAREGIVER)
		self.assertEqual(listed(shared)["filters"], {"read_as": "Caregiver"})
		# Frappe renders a PDF through its print view, which logs it.
		(pdf,) = self.entries_for_plan(CARE_MANAGER)
		self.assertEqual((pdf.method, pdf.file_type), ("Print", "PDF"))

		frappe.set_user(SUPERVISOR)
		rows = phi_access(patient=self.patient)
		self.assertEqual(
			sorted((r["user"], r["how"]) for r in rows),
			sorted(
				[
					(self.PATIENT_USER, PORTAL_PAGE),
					(self.PATIENT_USER, "Print"),
					(self.CAREGIVER, PORTAL_PAGE),
					(CARE_MANAGER, "Print"),
				]
			),
		)
		frappe.set_user("Administrator")
