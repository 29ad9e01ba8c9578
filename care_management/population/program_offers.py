"""The billing side of an eligibility offer, read from the records: the Billing Code
rules and exclusions in force, each code's Item and its price on the price list the
invoices use (Care Management Settings' Selling Price List, as the month close reads
it), and each Care Program's billing family. A fixed handful of statements for the
whole report; the rule is the core's (domain/program_offers.py)."""

from __future__ import annotations

from datetime import date

import frappe
from frappe import _

from care_management.billing.month_close import item_prices
from care_management.care_management.doctype.billing_code.billing_code import load_rules
from care_management.domain.billing.rules import SAME_PRACTITIONER
from care_management.domain.program_offers import ADD, Catalogue, Offer


def code_items(day: date) -> dict[str, str]:
	"""Each code's Item on the Billing Code record in force on ``day``."""
	items = {}
	for row in frappe.get_all(
		"Billing Code",
		filters={"disabled": 0},
		fields=["code", "item", "effective_from", "effective_to"],
		order_by="effective_from",
	):
		if (not row.effective_from or row.effective_from <= day) and (
			not row.effective_to or day <= row.effective_to
		):
			items[row.code] = row.item
	return items


def catalogue(day: date) -> Catalogue:
	price_list = frappe.db.get_single_value("Care Management Settings", "selling_price_list")
	by_item = item_prices(price_list)
	prices = {code: by_item.get(item) for code, item in code_items(day).items() if item}
	families = dict(frappe.get_all("Care Program", fields=["name", "billing_family"], as_list=True))
	return Catalogue(load_rules(day), prices, families)


def offer_text(offer: Offer) -> str:
	if offer.kind == ADD:
		return _("Add")
	replaces = ", ".join(offer.replaces)
	if offer.conflict_scope == SAME_PRACTITIONER:
		return _("Switch from {0} (both only under different billing practitioners)").format(replaces)
	return _("Switch from {0}").format(replaces)
