"""Existing sites get the indexes month close, the worklist and the outreach
log's checks read through (each doctype also adds its own on a schema sync;
this makes sure a site that skipped one has them)."""

import importlib

DOCTYPES_WITH_INDEXES = (
	"care_management.care_management.doctype.outreach_log.outreach_log",
	"care_management.care_management.doctype.device_reading.device_reading",
	"care_management.care_management.doctype.care_billing_record.care_billing_record",
	"care_management.care_management.doctype.care_program_enrollment.care_program_enrollment",
)


def execute():
	for module in DOCTYPES_WITH_INDEXES:
		importlib.import_module(module).on_doctype_update()
