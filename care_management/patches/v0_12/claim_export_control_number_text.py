"""Claim Export's interchange control number became a nine-digit text that is
empty on drafts. As an Int column it was 0 on every draft, so under its unique
key a second draft (or an export whose submit had failed) could not be saved.
Model sync has turned the column to text; this writes the numbers already
given as ISA13 writes them (zero-padded, so they sort) and empties the drafts'."""

import frappe


def execute():
	frappe.db.sql(
		"""update `tabClaim Export` set interchange_control_number = null
		where docstatus = 0 or interchange_control_number in ('', '0')"""
	)
	frappe.db.sql(
		"""update `tabClaim Export` set interchange_control_number = lpad(interchange_control_number, 9, '0')
		where interchange_control_number regexp '^[0-9]{1,8}$'"""
	)
