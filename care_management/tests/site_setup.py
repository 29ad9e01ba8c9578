"""before_tests (hooks.py): the test site needs a company, fiscal year and
accounts, as every ERPNext site has after its setup wizard."""

import frappe


def before_tests():
	from erpnext.setup.utils import before_tests as complete_erpnext_setup

	from care_management.setup.after_erpnext_setup import complete_billing_setup

	# The suite makes more new users than Frappe allows a site in an hour
	# (throttle_user_limit, 60): on a site made just now every one of them is new.
	# Raised for this test process only, never in the site's config.
	frappe.local.conf["throttle_user_limit"] = max(frappe.local.conf.get("throttle_user_limit") or 60, 10_000)
	complete_erpnext_setup()  # runs the setup wizard once, when the site has no company
	# What a practice's site gets when its wizard succeeds (or on migrate): Items, company, price list.
	complete_billing_setup()
	frappe.clear_document_cache("Care Management Settings", "Care Management Settings")
	frappe.db.commit()
