"""The indexes month close, the worklist and the outreach log's checks rely on."""

from collections import defaultdict

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.patches.v0_9 import performance_indexes

EXPECTED = {
	# The worklist reads the newest log's follow-up and the newest reached start from the index alone.
	"Outreach Log": [
		("patient", "docstatus", "start", "next_follow_up", "outcome"),
		("performed_by", "start"),
	],
	"Device Reading": [("patient", "measured_at")],
	"Care Billing Record": [("month", "patient", "program"), ("month", "status")],
	"Care Program Enrollment": [("care_manager", "status"), ("patient", "program")],
}


def indexes(doctype: str) -> set[tuple[str, ...]]:
	columns = defaultdict(list)
	for row in frappe.db.sql(f"show index from `tab{doctype}`", as_dict=True):
		columns[row.Key_name].append((row.Seq_in_index, row.Column_name))
	return {tuple(name for _seq, name in sorted(parts)) for parts in columns.values()}


class TestPerformanceIndexes(FrappeTestCase):
	def test_the_patch_leaves_every_index_in_place(self):
		performance_indexes.execute()  # idempotent: adds only what is missing
		for doctype, expected in EXPECTED.items():
			present = indexes(doctype)
			for columns in expected:
				# An index whose leading columns are these serves the same lookups
				# (the unique billing key leads with month, patient, program).
				self.assertTrue(
					any(index[: len(columns)] == columns for index in present),
					f"{doctype} {columns}: {present}",
				)
