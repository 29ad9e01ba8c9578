"""The pure core of care_management.

Everything under this package is plain Python: no frappe import, no database.
Controllers hand it plain data and turn what it returns into documents and
translated messages. The pytest tier (``tests/``) runs it without a bench.
"""
