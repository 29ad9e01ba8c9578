"""What billing needs of ERPNext's setup, made whenever that setup exists.

The usual order is `bench new-site --install-app …` first and ERPNext's setup
wizard after, so at install time there is no company, item group or UOM yet and
the Billing Codes get no Item. This runs when the wizard succeeds
(setup_wizard_success) and after every migrate, for either install order; it
only fills what is empty, so an admin's own choices are never overwritten.
"""

import frappe

from care_management.setup.seed import billing_item


def complete_billing_setup(args=None) -> None:
	link_billing_items()
	default_settings()


def link_billing_items() -> None:
	for code in frappe.get_all(
		"Billing Code", filters={"item": ("is", "not set")}, fields=["name", "code", "description"]
	):
		item = billing_item(code.code, code.description or code.code)
		if item:
			frappe.db.set_value("Billing Code", code.name, "item", item, update_modified=False)


def default_settings() -> None:
	"""The practice's company and selling price list, once ERPNext has them."""
	settings = frappe.get_single("Care Management Settings")
	company = (
		frappe.db.get_default("company") or (frappe.get_all("Company", pluck="name", limit=1) or [None])[0]
	)
	updates = {}
	if not settings.company and company:
		updates["company"] = company
	if not settings.selling_price_list and frappe.db.get_value("Price List", "Standard Selling", "selling"):
		updates["selling_price_list"] = "Standard Selling"
	if updates:
		frappe.db.set_single_value("Care Management Settings", updates)
