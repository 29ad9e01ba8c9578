"""The practice's holidays, from the ERPNext Holiday List of its company."""

import frappe


def practice_holidays(company: str | None = None) -> set:
	company = company or frappe.db.get_single_value("Care Management Settings", "company")
	holiday_list = frappe.db.get_value("Company", company, "default_holiday_list") if company else None
	if not holiday_list:
		return set()
	return set(frappe.get_all("Holiday", filters={"parent": holiday_list}, pluck="holiday_date"))
