"""Records the real-browser test works on (run with `bench --site … execute`).

Idempotent: a care manager and a billing user with known passwords, and one
patient in the care manager's caseload with a consented CCM enrollment and
an active care plan made from two templates; and, for the role matrix, one desk
user per role holding only it, with a record of the closed month invoiced
(browser_role_matrix.py).
"""

from datetime import datetime, timedelta

import frappe
from frappe.utils import add_days, add_months, get_first_day, getdate, today
from frappe.utils.password import update_password

from care_management.tests import pure_checks
from care_management.tests.factories import (
	make_care_plan,
	make_deposit_account,
	make_enrollment,
	make_patient,
	make_payer,
	make_practitioner,
	make_user,
	make_website_user,
	submit_outreach_log,
)

PASSWORD = "Browser-Test-2026!"
CARE_MANAGER = "browser.cm@example.org"
BILLING = "browser.billing@example.org"
DOCTOR = "browser.doctor@example.org"
# The patient's own website user (Healthcare's Patient.user_id), reading in Spanish.
PATIENT_USER = "browser.patient@example.org"
PATIENT_FIRST_NAME = "Browser"
# A patient named with markup and template syntax (issue 31): the desk must show it as text.
HOSTILE_FIRST_NAME = '<img src=x onerror="window.__pwned=1">'
HOSTILE_LAST_NAME = "{{ 7*7 }}"
AGREEMENT_STATE = "Pending Patient Agreement"


def answers_in_patient_language(instrument: str, patient: str) -> list[dict[str, str]]:
	"""Per question, in order: English answer -> the answer as the patient reads it on the form."""
	from care_management.patient_language import language_for_patient_messages

	language = language_for_patient_messages(patient)
	doc = frappe.get_doc("Screening Instrument", instrument)
	translated = {row.question_key: row for row in doc.translations if row.language == language}
	answers = []
	for question in doc.questions:
		row = translated.get(question.key)
		# An option may carry its score ("Never = 1"); the form shows the answer alone.
		english = [o.split(" = ")[0].strip() for o in (question.options or "").splitlines() if o.strip()]
		theirs = [o.strip() for o in (row.options or "").splitlines() if o.strip()] if row else english
		answers.append(dict(zip(english, theirs, strict=False)))
	return answers


def prepare() -> dict:
	"""Everything the browser tier needs, so it passes run on its own: ERPNext's
	setup (company, fiscal year) as before_tests does it, then its own records."""
	from care_management.tests.site_setup import before_tests

	frappe.set_user("Administrator")
	before_tests()
	make_user(CARE_MANAGER, ["Care Manager"])
	make_user(BILLING, ["Care Management Billing", "Accounts User"])
	make_user(DOCTOR, ["Physician"])
	for user in (CARE_MANAGER, BILLING, DOCTOR):
		update_password(user, PASSWORD)
	practitioner = make_practitioner("Browser Doctor", DOCTOR)
	patient = frappe.db.get_value("Patient", {"first_name": PATIENT_FIRST_NAME}) or (
		make_patient(
			PATIENT_FIRST_NAME, last_name="Testpatient", care_manager=CARE_MANAGER, care_risk_tier="High"
		).name
	)
	# The patient signs in to the portal in Spanish, so their plan is written in Spanish.
	make_website_user(PATIENT_USER, ["Patient"])
	update_password(PATIENT_USER, PASSWORD)
	frappe.db.set_value("User", PATIENT_USER, "language", "es")
	frappe.db.set_value("Patient", patient, "user_id", PATIENT_USER)
	start = add_months(today(), -3)
	# The uninstall test drops the app's tables, so these are checked apart from the patient.
	if not frappe.db.exists("Care Program Enrollment", {"patient": patient, "status": "Active"}):
		make_enrollment(
			patient, practitioner, care_manager=CARE_MANAGER, start_date=start, consent_date=start
		)
	if not frappe.db.exists("Care Plan", {"patient": patient, "status": ("!=", "Closed")}):
		plan = make_care_plan(
			patient,
			practitioner,
			start_date=start,
			next_review_date=add_days(today(), 60),
			what_matters_most="Walking to the market with my grandson",
			call_911_when="Chest pain, trouble breathing, or fainting",
			clinic_phone="555-0100",
		)
		plan.apply_templates(["Heart Failure", "Hypertension"])
		frappe.db.set_value("Care Plan", plan.name, {"status": "Active", "workflow_state": "Active"})
	else:  # a plan an earlier run made in English: in Spanish, as the care manager would switch it
		from care_management.api.care_plan_language import write_template_text_in_plan_language

		plan = frappe.get_doc("Care Plan", {"patient": patient, "status": ("!=", "Closed")})
		if plan.preferred_language != "es":
			frappe.db.set_value("Care Plan", plan.name, "preferred_language", "es")
		write_template_text_in_plan_language(plan.name)
	# Each run starts with no running timer and the patient due today.
	for name in frappe.get_all("Outreach Log", {"patient": patient, "docstatus": 0}, pluck="name"):
		frappe.delete_doc("Outreach Log", name, force=True, ignore_permissions=True)
	for name in frappe.get_all("Outreach Log", {"patient": patient, "docstatus": 1}, pluck="name"):
		frappe.db.set_value("Outreach Log", name, "docstatus", 2)
	# Each run starts with nothing sent.
	sent = frappe.get_all("Patient Care Plan Update", {"patient": patient}, pluck="name")
	if sent:
		frappe.db.delete(
			"ToDo", {"reference_type": "Patient Care Plan Update", "reference_name": ("in", sent)}
		)
		frappe.db.delete("Patient Care Plan Update", {"name": ("in", sent)})
	frappe.cache.delete_keys("rl:care_management.api.patient_portal.")  # the limiter's count for 127.0.0.1
	plan_name = frappe.db.get_value("Care Plan", {"patient": patient, "status": ("!=", "Closed")})
	frappe.db.sql(
		"""update `tabCare Plan Goal` set patient_progress = null, patient_progress_note = null,
		patient_progress_on = null where parent = %s""",
		plan_name,
	)
	# A fresh self-completion link each run, sent by the care manager; the plan's
	# social needs start empty so the browser sees the screening add them.
	frappe.db.delete(
		"Care Plan Need",
		{"parent": frappe.db.get_value("Care Plan", {"patient": patient, "status": ("!=", "Closed")})},
	)
	frappe.set_user(CARE_MANAGER)
	invitation = frappe.get_doc(
		{"doctype": "Screening Invitation", "patient": patient, "instrument": "AHC HRSN Core"}
	).insert()
	frappe.set_user("Administrator")
	# The admin's step: a state added to the care plan workflow in the desk's form.
	update_password("Administrator", PASSWORD)
	frappe.db.delete("Workflow Document State", {"parent": "Care Plan Approval", "state": AGREEMENT_STATE})
	frappe.clear_cache(doctype="Care Plan")
	if not frappe.db.exists("Workflow State", AGREEMENT_STATE):
		frappe.get_doc(
			{"doctype": "Workflow State", "workflow_state_name": AGREEMENT_STATE, "style": "Warning"}
		).insert(ignore_permissions=True)
	hostile = hostile_patient(practitioner, start)
	from care_management.tests import browser_role_matrix
	from care_management.tests.test_billing_month import LAST_MONTH

	# Before the close, which makes its record; invoiced after it.
	to_invoice = browser_role_matrix.log_for_invoicing(practitioner, LAST_MONTH)
	billing_record = ready_billing_record(practitioner)
	invoiced_record = browser_role_matrix.invoice_after_the_close(to_invoice, LAST_MONTH)
	# Each role alone: the care manager with a caseload and the doctor supervising the plans
	# are the users the other steps sign in as (billing staff there also hold Accounts User).
	role_matrix = browser_role_matrix.role_matrix_users(
		{"Care Manager": CARE_MANAGER, browser_role_matrix.PHYSICIAN: DOCTOR}
	)
	for row in role_matrix:
		update_password(row["user"], PASSWORD)
	discharge = discharged_through_the_adt_feed()
	claim_export = submitted_claim_export(patient)
	remittance_import = draft_remittance_import()
	acknowledgment_import = draft_acknowledgment_import()
	frappe.db.commit()
	return {
		"claim_export": claim_export,
		"remittance_import": remittance_import,
		"acknowledgment_import": acknowledgment_import,
		"admin": "Administrator",
		"agreement_state": AGREEMENT_STATE,
		"screening_link": invitation.flags.link,
		"screening_invitation": invitation.name,
		# The link opens in the patient's language: the step picks answers by their English text.
		"screening_answers": answers_in_patient_language("AHC HRSN Core", patient),
		"password": PASSWORD,
		"care_manager": CARE_MANAGER,
		"billing": BILLING,
		"patient": patient,
		"patient_user": PATIENT_USER,
		"care_plan": frappe.db.get_value("Care Plan", {"patient": patient, "status": ("!=", "Closed")}),
		"hostile_patient": hostile["patient"],
		"hostile_patient_name": hostile["patient_name"],
		"hostile_care_plan": hostile["care_plan"],
		"doctor": DOCTOR,
		"billing_record": billing_record["record"],
		"billing_log": billing_record["outreach_log"],
		"discharged_patient": discharge["patient"],
		"discharged_patient_name": discharge["patient_name"],
		"tcm_contact_by": discharge["contact_by"],
		"role_matrix": role_matrix,
		"invoiced_record": invoiced_record,
	}


DISCHARGED_FIRST_NAME = "Browser Discharged"
BROWSER_HOSPITAL = ("ADT1", "BROWSER GENERAL HOSPITAL")
BROWSER_AUTHORITY = "BGH"


def discharged_through_the_adt_feed() -> dict:
	"""A patient of the care manager whom the hospital's ADT feed reports discharged
	yesterday: an A03 read by the feed's own intake (as the listener hands it a frame),
	matched by the hospital's MRN, opening the TCM window. Each run starts the stay afresh."""
	from frappe.utils import add_to_date, now_datetime

	from care_management.adt.intake import receive
	from care_management.tests import pure_checks

	patient = frappe.db.get_value("Patient", {"first_name": DISCHARGED_FIRST_NAME})
	if not patient:
		patient = make_patient(
			DISCHARGED_FIRST_NAME,
			last_name="Adtpatient",
			sex="Male",
			dob="1961-06-15",
			care_manager=CARE_MANAGER,
			facility_mrns=[{"assigning_authority": BROWSER_AUTHORITY, "mrn": "BROWSER-MRN-1"}],
		).name
	elif not frappe.db.exists("Patient Facility MRN", {"parent": patient, "mrn": "BROWSER-MRN-1"}):
		# The app reinstalled since (its uninstall removes the MRN table's rows): give it back.
		doc = frappe.get_doc("Patient", patient)
		doc.append("facility_mrns", {"assigning_authority": BROWSER_AUTHORITY, "mrn": "BROWSER-MRN-1"})
		doc.save(ignore_permissions=True)
	transitions = frappe.get_all("Care Transition", {"patient": patient}, pluck="name")
	if transitions:
		frappe.db.delete("ToDo", {"reference_type": "Care Transition", "reference_name": ("in", transitions)})
		frappe.db.delete("Care Transition", {"name": ("in", transitions)})
	frappe.db.delete("ADT Message", {"patient": patient})
	frappe.db.set_value("Patient", patient, {"hospital_status": None, "hospital_facility": None})
	frappe.db.commit()
	yesterday = add_to_date(now_datetime(), days=-1)
	samples = pure_checks.load("adt_samples")
	ack = receive(
		samples.adt(
			"A03",
			f"BROWSER{frappe.generate_hash(length=10).upper()}",
			mrn="BROWSER-MRN-1",
			authority=BROWSER_AUTHORITY,
			family="ADTPATIENT",
			given="BROWSER",
			visit=f"VB{yesterday:%Y%m%d}",
			admitted=add_to_date(yesterday, days=-3).strftime("%Y%m%d%H%M"),
			discharged=yesterday.strftime("%Y%m%d%H%M"),
			sent=yesterday.strftime("%Y%m%d%H%M"),
			sender=BROWSER_HOSPITAL,
		)
	)
	transition = frappe.db.get_value(
		"Care Transition", {"patient": patient, "status": "Open"}, ["name", "contact_due"], as_dict=True
	)
	assert transition, f"the ADT feed opened no transition for the browser's patient: {ack!r}"
	return {
		"patient": patient,
		"patient_name": frappe.db.get_value("Patient", patient, "patient_name"),
		"contact_by": str(transition.contact_due),
	}


BILLING_PATIENT_FIRST_NAME = "Browser Billing"


def ready_billing_record(practitioner: str) -> dict:
	"""Last month closed for the browser doctor, with a Ready CCM record (99490 and one unit of
	99439 for 45 minutes) of a patient of their own, with no adjustments yet: billing staff
	hold it and propose adding a code, the doctor approves. A patient apart from the browser
	patient, whose logs the other steps start afresh each run."""
	from care_management.billing.month_close import close_month
	from care_management.tests.test_billing_month import LAST_MONTH, price

	price("99490", 62.0)
	price("99439", 47.0)
	patient, log = one_call_in_the_month(
		BILLING_PATIENT_FIRST_NAME, practitioner, LAST_MONTH, day=26, minutes=45
	)
	close_month(LAST_MONTH, practitioner=practitioner, now=True)
	record = frappe.db.get_value(
		"Care Billing Record",
		{"patient": patient, "month": LAST_MONTH, "program": "CCM"},
		["name", "status"],
		as_dict=True,
	)
	assert record and record.status == "Ready", f"the browser's billing record is not Ready: {record}"
	return {"record": record.name, "outreach_log": log}


def one_call_in_the_month(
	first_name: str, practitioner: str, month, day: int, minutes: int
) -> tuple[str, str]:
	"""A covered patient of the care manager named ``first_name``, enrolled in CCM and billed by
	``practitioner``, whose only submitted log is one call of ``minutes`` on ``day`` of
	``month``, with none of that month's billing records left: the close computes them afresh.
	Returns the patient and the log."""
	from care_management.tests.factories import make_coverage

	patient = frappe.db.get_value("Patient", {"first_name": first_name})
	if not patient:
		patient = make_patient(first_name, last_name="Testpatient", care_manager=CARE_MANAGER).name
	# Also after test_install's reinstall, which drops the app's records (coverage among them)
	# and keeps the Patient: without coverage the close's record would be held, not invoiced.
	if not frappe.db.exists("Patient Coverage", {"patient": patient}):
		make_coverage(patient)
	begun = add_months(month, -2)
	enrollment = frappe.db.get_value("Care Program Enrollment", {"patient": patient, "status": "Active"})
	if not enrollment:
		enrollment = make_enrollment(
			patient, practitioner, care_manager=CARE_MANAGER, start_date=begun, consent_date=begun
		).name
	if not frappe.db.exists("Care Plan", {"patient": patient, "status": ("!=", "Closed")}):
		plan = make_care_plan(
			patient,
			practitioner,
			start_date=begun,
			conditions=[
				{"condition_name": "Diabetes", "icd10_code": "E11.9"},
				{"condition_name": "Hypertension", "icd10_code": "I10"},
			],
		)
		frappe.db.set_value("Care Plan", plan.name, {"status": "Active", "workflow_state": "Active"})
	# Each run: the month as the engine computes it from one fresh log, nothing adjusted.
	records = frappe.get_all("Care Billing Record", {"patient": patient, "month": month}, pluck="name")
	if records:
		frappe.db.delete("Care Billing Adjustment", {"record": ("in", records)})
		frappe.db.delete("Care Billing Line", {"parent": ("in", records)})
		frappe.db.delete("Care Billing Record", {"name": ("in", records)})
	frappe.db.set_value(
		"Outreach Log", {"patient": patient, "docstatus": 1}, "docstatus", 2, update_modified=False
	)
	# The care manager's own call, at an hour no test's log takes (a performer's logs may not overlap).
	start = datetime.combine(getdate(month), datetime.min.time()) + timedelta(days=day, hours=7)
	log = submit_outreach_log(patient, CARE_MANAGER, start, minutes, enrollment=enrollment)
	return patient, log.name


HOSTILE_PATIENT = "CM-BROWSER-HOSTILE"


def hostile_patient(practitioner: str, start: str) -> dict:
	"""A patient in the care manager's caseload whose stored name carries markup and template
	syntax, with an active care plan. This site names patients (and their Customers) by
	their full name, and a name refuses < and >: the patient is made under a naming series
	without a Customer, as a site naming by series would have it (the settings are put back),
	then given the whole payload, as a direct SQL import or an HSDS-fed record would store it
	past Frappe's own filter (which takes the handler out of a saved field)."""
	full_name = f"{HOSTILE_FIRST_NAME} {HOSTILE_LAST_NAME}"
	patient = frappe.db.get_value("Patient", {"first_name": HOSTILE_FIRST_NAME})
	if patient and patient != HOSTILE_PATIENT:
		# An earlier fixture named it from the series, whose next number the integration
		# tests (rolled back, so never advancing it) take too: a fixed name of its own.
		frappe.rename_doc("Patient", patient, HOSTILE_PATIENT, force=True, show_alert=False)
		patient = HOSTILE_PATIENT
	if not patient:
		settings = frappe.db.get_value(
			"Healthcare Settings",
			None,
			["patient_name_by", "link_customer_to_patient"],
			as_dict=True,
		)
		frappe.db.set_single_value(
			"Healthcare Settings", {"patient_name_by": "Naming Series", "link_customer_to_patient": 0}
		)
		frappe.db.value_cache.pop("Healthcare Settings", None)
		try:
			patient = (
				frappe.get_doc(
					{
						"doctype": "Patient",
						"first_name": "Hostile Browser",
						"sex": "Female",
						"care_manager": CARE_MANAGER,
						"care_risk_tier": "High",
					}
				)
				.insert(ignore_permissions=True, set_name=HOSTILE_PATIENT)
				.name
			)
		finally:
			frappe.db.set_single_value("Healthcare Settings", settings)
			frappe.db.value_cache.pop("Healthcare Settings", None)
	frappe.db.set_value(
		"Patient",
		patient,
		{"first_name": HOSTILE_FIRST_NAME, "last_name": HOSTILE_LAST_NAME, "patient_name": full_name},
	)
	# Each run starts with no outreach timer of theirs (the browser step starts one).
	for name in frappe.get_all("Outreach Log", {"patient": patient, "docstatus": 0}, pluck="name"):
		frappe.delete_doc("Outreach Log", name, force=True, ignore_permissions=True)
	plan = frappe.db.get_value("Care Plan", {"patient": patient, "status": ("!=", "Closed")})
	if not plan:
		plan = make_care_plan(
			patient,
			practitioner,
			start_date=start,
			next_review_date=add_days(today(), 60),
			what_matters_most="Gardening",
		).name
		frappe.db.set_value("Care Plan", plan, {"status": "Active", "workflow_state": "Active"})
	frappe.db.set_value("Care Plan", plan, "patient_name", full_name)
	return {"patient": patient, "patient_name": full_name, "care_plan": plan}


BROWSER_CLAIM_EXPORT = "CLMX-BROWSER-0001"


def submitted_claim_export(patient: str) -> str:
	"""A submitted Claim Export with one exported claim and no payer number yet, written
	as it stands after submit (the file itself is not needed for the desk step)."""
	frappe.db.delete("Claim Export Invoice", {"parent": BROWSER_CLAIM_EXPORT})
	frappe.db.delete("Claim Export", {"name": BROWSER_CLAIM_EXPORT})
	export = frappe.get_doc(
		{
			"doctype": "Claim Export",
			"name": BROWSER_CLAIM_EXPORT,
			"month": get_first_day(add_months(today(), -1)),
			"company": frappe.db.get_single_value("Care Management Settings", "company"),
			"status": "Exported",
			"docstatus": 1,
			"interchange_control_number": "999990001",
			"claims_exported": 1,
			"total_charge": 62,
			"invoices": [
				{
					"sales_invoice": "ACC-SINV-BROWSER-0001",
					"patient": patient,
					"status": "Exported",
					"claim_frequency": "1",
					"charge": 62,
				}
			],
		}
	)
	export.db_insert()
	for row in export.invoices:
		row.parent, row.parenttype, row.parentfield, row.docstatus = (
			export.name,
			export.doctype,
			"invoices",
			1,
		)
		row.db_insert()
	return export.name


BROWSER_835 = "browser-remittance.835"


def draft_remittance_import() -> str:
	"""A saved Remittance Import of an 835 paying 10.00 for a claim that is not ours (so
	no invoice is needed: the payment stays unallocated on the payer). The previous
	run's import is cancelled first, which cancels its Payment Entry; each run's
	payment has its own trace number."""
	company = frappe.db.get_single_value("Care Management Settings", "company")
	frappe.db.set_single_value(
		"Care Management Settings", "remittance_deposit_account", make_deposit_account(company)
	)
	payer = make_payer()
	for name in frappe.get_all(
		"Remittance Import", filters={"docstatus": 1, "file": ("like", f"%{BROWSER_835}")}, pluck="name"
	):
		frappe.get_doc("Remittance Import", name).cancel()
	text = pure_checks.load("remittance_files").remittance_835(
		[{"claim_id": "BROWSER-NOT-OURS", "charge": 10, "paid": 10}],
		trace_number=f"EFTBROWSER{frappe.generate_hash(length=8).upper()}",
		payer_name=frappe.db.get_value("Customer", payer, "customer_name"),
		payer_id=frappe.db.get_value("Customer", payer, "payer_id"),
	)
	file_url = (
		frappe.get_doc({"doctype": "File", "file_name": BROWSER_835, "content": text, "is_private": 1})
		.insert(ignore_permissions=True)
		.file_url
	)
	return (
		frappe.get_doc({"doctype": "Remittance Import", "company": company, "file": file_url}).insert().name
	)


BROWSER_277CA = "browser-acknowledgment.277"
BROWSER_REJECTED_MESSAGE = 'MEMBER ID NOT ON FILE <img src=x onerror="window.__pwned=1">'


def draft_acknowledgment_import() -> str:
	"""A saved Claim Acknowledgment Import of the payer's 277CA rejecting the browser's
	exported claim (A7:164:IL, with markup in its free-text message). The previous run's
	submitted imports are cancelled first, so the claim's row starts unacknowledged."""
	company = frappe.db.get_single_value("Care Management Settings", "company")
	for name in frappe.get_all(
		"Claim Acknowledgment Import",
		filters={"docstatus": 1, "file": ("like", f"%{BROWSER_277CA}")},
		pluck="name",
	):
		frappe.get_doc("Claim Acknowledgment Import", name).cancel()
	text = pure_checks.load("acknowledgment_files").ack_277ca(
		[
			{
				"claim_id": "ACC-SINV-BROWSER-0001",
				"charge": "62",
				"statuses": [("A7", "164", "IL")],
				"action": "U",
				"message": BROWSER_REJECTED_MESSAGE,
			}
		]
	)
	file_url = (
		frappe.get_doc({"doctype": "File", "file_name": BROWSER_277CA, "content": text, "is_private": 1})
		.insert(ignore_permissions=True)
		.file_url
	)
	return (
		frappe.get_doc({"doctype": "Claim Acknowledgment Import", "company": company, "file": file_url})
		.insert()
		.name
	)
