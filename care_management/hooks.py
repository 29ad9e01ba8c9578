app_name = "care_management"
app_title = "Care Management"
app_publisher = "care_management contributors"
app_description = (
	"Care management for Frappe Health: enrollment and consent, care plans, outreach time, "
	"worklists, social needs, referrals and Medicare care-management billing"
)
app_email = "care-management@example.org"
app_license = "mit"

# The "org/repo" form is parsed locally; a bare name would make Frappe ask
# GitHub which organization holds the app, and installs must work offline.
required_apps = ["frappe/erpnext", "frappe/healthcare"]

before_install = "care_management.setup.install.before_install"
after_install = "care_management.setup.install.after_install"
before_uninstall = "care_management.setup.install.before_uninstall"
# Items for the Billing Codes, company and price list in Settings: made as soon
# as ERPNext's setup exists, whichever was first (setup/after_erpnext_setup.py).
setup_wizard_success = "care_management.setup.after_erpnext_setup.complete_billing_setup"
after_migrate = "care_management.setup.after_erpnext_setup.complete_billing_setup"

# Roles are shipped as fixtures so an admin sees them as ordinary Role records;
# before_uninstall removes them again.
fixtures = [
	{
		"dt": "Role",
		"filters": [
			[
				"name",
				"in",
				[
					"Care Manager",
					"Care Management Supervisor",
					"Care Management Billing",
					"Care Plan Caregiver",
				],
			]
		],
	},
]

# Row-level access: a care manager sees their caseload, a practitioner the
# plans they supervise (care_management.permissions; rule in domain/access.py).
permission_query_conditions = {
	"Care Plan": "care_management.permissions.query_conditions",
	"Care Program Enrollment": "care_management.permissions.query_conditions",
	"Outreach Log": "care_management.permissions.query_conditions",
	"Care Transition": "care_management.permissions.query_conditions",
	"Needs Screening": "care_management.permissions.query_conditions",
	"Resource Referral": "care_management.permissions.query_conditions",
	"Screening Invitation": "care_management.permissions.query_conditions",
	"Device Reading": "care_management.permissions.query_conditions",
	"Care Billing Record": "care_management.permissions.query_conditions",
	"Care Billing Adjustment": "care_management.permissions.query_conditions",
	"Patient Care Plan Update": "care_management.permissions.query_conditions",
	"Patient Coverage": "care_management.permissions.query_conditions",
	"ADT Message": "care_management.permissions.query_conditions",
	"Patient": "care_management.permissions.patient_query_conditions",
	# Healthcare's records a care manager works with (setup/patient_access.py).
	"Patient Appointment": "care_management.permissions.healthcare_record_query_conditions",
	"Vital Signs": "care_management.permissions.healthcare_record_query_conditions",
	"Patient Encounter": "care_management.permissions.healthcare_record_query_conditions",
	"Inpatient Record": "care_management.permissions.healthcare_record_query_conditions",
}
has_permission = {
	"Care Plan": "care_management.permissions.has_permission",
	"Care Program Enrollment": "care_management.permissions.has_permission",
	"Outreach Log": "care_management.permissions.has_permission",
	"Care Transition": "care_management.permissions.has_permission",
	"Needs Screening": "care_management.permissions.has_permission",
	"Resource Referral": "care_management.permissions.has_permission",
	"Screening Invitation": "care_management.permissions.has_permission",
	"Device Reading": "care_management.permissions.has_permission",
	"Care Billing Record": "care_management.permissions.has_permission",
	"Care Billing Adjustment": "care_management.permissions.has_permission",
	"Patient Care Plan Update": "care_management.permissions.has_permission",
	"Patient Coverage": "care_management.permissions.has_permission",
	"ADT Message": "care_management.permissions.has_permission",
	"Patient": "care_management.permissions.patient_has_permission",
	"Patient Appointment": "care_management.permissions.healthcare_record_has_permission",
	"Vital Signs": "care_management.permissions.healthcare_record_has_permission",
	"Patient Encounter": "care_management.permissions.healthcare_record_has_permission",
	"Inpatient Record": "care_management.permissions.healthcare_record_has_permission",
	"Number Card": "care_management.workspace_cards.number_card_has_permission",
}

# The patient portal, beside Healthcare's own items (role Patient; Patient.user_id
# links the website user). Caregivers the patient consented to share with get
# the role Care Plan Caregiver and their own item to the same page.
standard_portal_menu_items = [
	{"title": "My Care Plan", "route": "/my-care-plan", "reference_doctype": "Care Plan", "role": "Patient"},
	{
		"title": "Care Plans Shared With Me",
		"route": "/shared-care-plans",
		"reference_doctype": "Care Plan",
		"role": "Care Plan Caregiver",
	},
]
website_route_rules = [{"from_route": "/shared-care-plans", "to_route": "my-care-plan"}]
# The print view asks this when role permissions say no (care_management.portal.access);
# REST, frappe.client and lists never do. Only the plan: a patient update's print
# would show the care manager's review note, an invitation's its token hash.
has_website_permission = {
	"Care Plan": "care_management.portal.access.care_plan_website_permission",
}

# Counting is reading: the REST count applies the same permissions as a list.
# A report's Export writes the app's reports with spreadsheet-safe cells (overrides/report_export.py).
override_whitelisted_methods = {
	"frappe.client.get_count": "care_management.api.permitted_count.get_count",
	"frappe.desk.query_report.export_query": "care_management.overrides.report_export.export_query",
	"frappe.desk.search.search_link": "care_management.overrides.link_search.search_link",
	# A lock wait or deadlock met while saving in the desk, in words (overrides/form_save.py).
	"frappe.desk.form.save.savedocs": "care_management.overrides.form_save.savedocs",
}

scheduler_events = {
	"daily": [
		"care_management.setup.patient_sync.refresh_all_active_programs",
		"care_management.care_management.report.caseload_worklist.overdue_digest.send_overdue_digests",
		"care_management.care_management.doctype.screening_invitation.screening_invitation.expire_old_links",
		"care_management.billing.month_close.close_last_month_on_schedule",
	],
	# Risk scores of every enrolled patient, on the long queue (population/risk_run.py).
	"daily_long": ["care_management.population.risk_run.score_on_schedule"],
	# A background run or month close whose worker died ends Failed with the reason
	# (job_runs.py, billing/close_guard.py).
	"cron": {
		"*/5 * * * *": [
			"care_management.job_runs.fail_stopped_runs",
			"care_management.billing.close_guard.fail_stopped_closes",
		]
	},
}

# Tells a care manager, on every desk load, that a call timer is still running;
# tells whoever started a background run how it ended (job_runs.py).
app_include_js = ["/assets/care_management/js/running_timer.js", "/assets/care_management/js/job_runs.js"]

override_doctype_dashboards = {
	"Patient": "care_management.overrides.patient_dashboard.get_data",
}

# The patient's printed copy is written in the plan's language (print format Care Plan for Patients).
jinja = {"methods": ["care_management.patient_language.plan_language"]}

doc_events = {
	# A care plan or referral workflow state without a meaning is refused.
	"Workflow": {"validate": "care_management.workflow_meaning.validate_workflow"},
	"Inpatient Record": {"on_update": "care_management.billing.transitions.open_transition_on_discharge"},
	# Risk and CMS-HCC scores are the risk run's to write (population/risk_run.py).
	"Patient": {"validate": "care_management.population.risk_run.keep_what_the_run_wrote"},
	# Claim identifiers are checked where they are typed (NPI check digit, taxonomy, EIN, payer ID).
	"Healthcare Practitioner": {"validate": "care_management.billing.identifiers.validate_practitioner"},
	"Company": {"validate": "care_management.billing.identifiers.validate_company"},
	"Customer": {"validate": "care_management.billing.identifiers.validate_customer"},
	# A billing line is on one invoice at a time: claimed under a row lock on
	# every save (draft or submit), freed on cancel and delete.
	"Sales Invoice": {
		"before_insert": "care_management.billing.line_claims.lock_before_naming",
		"validate": "care_management.billing.line_claims.claim_lines",
		# A line is on up to three invoices (primary payer, secondary payer,
		# patient); Healthcare's own one-invoice check is stood aside for it.
		"before_submit": "care_management.billing.line_claims.before_submit",
		"on_submit": [
			"care_management.billing.line_claims.settle_invoiced_flags",
			"care_management.billing.invoicing.on_sales_invoice_change",
		],
		"on_cancel": [
			"care_management.billing.claim_export.let_exported_invoice_cancel",
			"care_management.billing.remittance.let_remitted_invoice_cancel",
			"care_management.billing.line_claims.release_lines",
			"care_management.billing.line_claims.settle_invoiced_flags",
			"care_management.billing.invoicing.on_sales_invoice_change",
		],
		"on_trash": "care_management.billing.line_claims.release_lines",
	},
}

doctype_js = {
	"Sales Invoice": "public/js/sales_invoice.js",
	# Risk score: recompute and accept the suggested tier (population/risk_run.py).
	"Patient": "public/js/patient_risk_score.js",
}

before_tests = "care_management.tests.site_setup.before_tests"
