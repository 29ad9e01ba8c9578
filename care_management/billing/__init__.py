"""Frappe side of billing: gathering facts in SQL, month close, invoices."""
