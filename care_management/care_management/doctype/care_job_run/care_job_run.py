# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

"""One run of a long job (Create Invoices, Claim Export, Start Enrollment, risk
scores): written by the job only (care_management/job_runs.py); the form follows it."""

from frappe.model.document import Document


class CareJobRun(Document):
	pass
