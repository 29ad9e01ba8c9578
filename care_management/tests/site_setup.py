"""before_tests (hooks.py): the test site needs a company, fiscal year and
accounts, as every ERPNext site has after its setup wizard."""

import frappe


def before_tests():
	from erpnext.setup.utils import before_tests as complete_erpnext_setup

	complete_erpnext_setup()  # runs the setup wizard once, when the site has no company
	settings = frappe.get_single("Care Management Settings")
	settings.company = (
		settings.company or frappe.db.get_default("company") or frappe.get_all("Company", pluck="name")[0]
	)
	settings.selling_price_list = settings.selling_price_list or "Standard Selling"
	settings.flags.ignore_permissions = True
	settings.save()
	frappe.db.commit()
