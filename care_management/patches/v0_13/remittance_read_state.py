"""Remittance Imports saved before File Read existed were read in their save: they are
Read (submit reads the file again and refuses an unpostable one, as before).
Idempotent: only imports without a File Read are set."""

import frappe


def execute():
	frappe.db.sql(
		"""update `tabRemittance Import` set read_state = 'Read'
		where coalesce(read_state, '') = ''"""
	)
