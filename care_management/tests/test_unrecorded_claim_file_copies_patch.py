"""The patch that removes the unrecorded copies Frappe's old save_file left of the
837P and 270 files: old unrecorded copies go; recorded files, files being written
now and other files stay."""

import os
import time

import frappe
from frappe.tests.utils import FrappeTestCase

from care_management.billing.attached_file import attach_private_file
from care_management.patches.v0_13.unrecorded_claim_file_copies import remove_unrecorded_copies

HOUR = 3600


class TestUnrecordedClaimFileCopiesPatch(FrappeTestCase):
	def setUp(self):
		self.folder = frappe.get_site_path("private", "files")
		os.makedirs(self.folder, exist_ok=True)
		self.written = []

	def tearDown(self):
		frappe.db.rollback()
		for name in self.written:
			path = os.path.join(self.folder, name)
			if os.path.exists(path):
				os.remove(path)

	def on_disk(self, name: str, hours_ago: float) -> str:
		path = os.path.join(self.folder, name)
		with open(path, "w") as handle:
			handle.write("ISA*00*patch test~")
		written = time.time() - hours_ago * HOUR
		os.utime(path, (written, written))
		self.written.append(name)
		return name

	def test_only_old_unrecorded_claim_and_inquiry_copies_are_removed(self):
		tag = frappe.generate_hash(length=6)
		old_copy = self.on_disk(f"837P-2026-01-{tag}.txt", hours_ago=48)
		old_inquiry_copy = self.on_disk(f"270-2026-01-{tag}.txt", hours_ago=48)
		being_written = self.on_disk(f"837P-2026-02-{tag}.txt", hours_ago=0)
		other = self.on_disk(f"consent-{tag}.txt", hours_ago=48)
		recorded = attach_private_file(f"837P-2026-03-{tag}.txt", "ISA*recorded~", "User", "Administrator")
		self.written.append(recorded.file_name)
		os.utime(os.path.join(self.folder, recorded.file_name), (time.time() - 48 * HOUR,) * 2)

		removed = remove_unrecorded_copies(time.time() - HOUR)

		self.assertEqual(sorted(set(removed) & set(self.written)), sorted([old_copy, old_inquiry_copy]))
		for kept in (being_written, other, recorded.file_name):
			self.assertTrue(os.path.exists(os.path.join(self.folder, kept)), kept)
		for gone in (old_copy, old_inquiry_copy):
			self.assertFalse(os.path.exists(os.path.join(self.folder, gone)), gone)
