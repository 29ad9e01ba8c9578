"""Installed before ERPNext's setup wizard (the usual `bench new-site --install-app`
order), billing still gets its Items, company and price list."""

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.setup.after_erpnext_setup import complete_billing_setup


class TestAfterErpnextSetup(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_codes_without_an_item_get_one_and_an_admins_item_is_kept(self):
		codes = frappe.get_all(
			"Billing Code", filters={"code": ("in", ["99490", "99439"])}, fields=["name", "code"]
		)
		self.assertEqual(len(codes), 2)
		by_code = {c.code: c.name for c in codes}
		# As install left them on a site with no ERPNext setup: no Item, and no Item record either.
		frappe.db.set_value("Billing Code", by_code["99490"], "item", None)
		frappe.db.set_value("Billing Code", by_code["99439"], "item", None)
		if not frappe.db.exists("Sales Invoice Item", {"item_code": "99439"}):
			frappe.delete_doc("Item", "99439", force=True, ignore_permissions=True)
		# An admin chose their own Item for 99490.
		own = frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": "CCM-OWN-ITEM",
				"item_name": "Our CCM service",
				"item_group": "Services",
				"stock_uom": "Nos",
				"is_stock_item": 0,
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Billing Code", by_code["99490"], "item", own.name)

		complete_billing_setup()

		self.assertEqual(frappe.db.get_value("Billing Code", by_code["99490"], "item"), own.name)
		self.assertEqual(frappe.db.get_value("Billing Code", by_code["99439"], "item"), "99439")
		self.assertTrue(frappe.db.exists("Item", "99439"))
		self.assertEqual(frappe.db.count("Billing Code", {"item": ("is", "not set")}), 0)

	def test_settings_get_the_company_and_price_list_only_when_empty(self):
		frappe.db.set_single_value("Care Management Settings", {"company": None, "selling_price_list": None})
		complete_billing_setup()
		settings = frappe.get_single("Care Management Settings")
		self.assertTrue(settings.company)
		self.assertEqual(settings.selling_price_list, "Standard Selling")

	def test_it_runs_when_the_setup_wizard_succeeds_and_after_migrate(self):
		hook = "care_management.setup.after_erpnext_setup.complete_billing_setup"
		self.assertIn(hook, frappe.get_hooks("setup_wizard_success"))
		self.assertIn(hook, frappe.get_hooks("after_migrate"))
