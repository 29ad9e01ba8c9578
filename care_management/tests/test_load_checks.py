"""The data checks the load, fault and backup scripts rely on (demo/load_test.py,
demo/backup_check.py) find what they are meant to find."""

import hashlib
import json
import os
import tempfile

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_months
from frappe.utils.file_manager import save_file

from care_management.demo import backup_check, load_test
from care_management.tests.factories import make_enrollment, make_patient
from care_management.tests.test_counted_minutes import CM, MONTH, at, log_values, make_staff


class TestLoadChecks(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.practitioner = make_staff()
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		self.patient = make_patient("Load Check", care_manager=CM).name
		self.enrollment = make_enrollment(
			self.patient,
			self.practitioner,
			start_date=add_months(MONTH, -2),
			consent_date=MONTH,
			care_manager=CM,
		).name

	def tearDown(self):
		frappe.db.rollback()

	def accepted_file(self, entries: list[dict]) -> str:
		handle, path = tempfile.mkstemp(suffix=".jsonl")
		with os.fdopen(handle, "w") as out:
			out.writelines(json.dumps(entry) + "\n" for entry in entries)
		self.addCleanup(os.remove, path)
		return path

	def submitted(self, request_id: str, hour: int) -> str:
		log = frappe.get_doc(log_values(self.patient, self.enrollment, at(3, hour), 5, request_id=request_id))
		log.insert()
		log.submit()
		return log.name

	def test_every_accepted_log_found_once_passes(self):
		name = self.submitted("load-t-0-1", 9)
		result = load_test.check(self.accepted_file([{"request_id": "load-t-0-1", "name": name}]))
		self.assertEqual(result["logs_accepted"], 1)
		self.assertEqual(result["logs_missing"], [])
		self.assertTrue(result["ok"])

	def test_an_accepted_log_that_is_not_stored_fails(self):
		name = self.submitted("load-t-0-2", 10)
		result = load_test.check(
			self.accepted_file(
				[{"request_id": "load-t-0-2", "name": name}, {"request_id": "load-t-0-3", "name": "OL-LOST"}]
			)
		)
		self.assertEqual(result["logs_missing"], ["load-t-0-3"])
		self.assertFalse(result["ok"])

	def test_an_accepted_log_stored_under_another_name_fails(self):
		self.submitted("load-t-0-4", 11)
		result = load_test.check(self.accepted_file([{"request_id": "load-t-0-4", "name": "OL-OTHER"}]))
		self.assertEqual(result["logs_under_another_name"], ["load-t-0-4"])
		self.assertFalse(result["ok"])

	def test_the_backup_snapshot_hashes_an_attached_consent_form(self):
		content = b"%PDF-1.4 load check consent\n"
		saved = save_file(
			"load-check-consent.pdf",
			content,
			"Care Program Enrollment",
			self.enrollment,
			is_private=1,
			df="consent_form",
		)
		self.addCleanup(lambda: os.path.exists(path) and os.remove(path))
		path = frappe.get_site_path(saved.file_url.lstrip("/"))
		handle, snapshot_path = tempfile.mkstemp(suffix=".json")
		os.close(handle)
		self.addCleanup(os.remove, snapshot_path)
		backup_check.snapshot(snapshot_path)
		with open(snapshot_path) as snapshot:
			data = json.load(snapshot)
		ours = [f for f in data["files"] if f["file_url"] == saved.file_url]
		self.assertEqual([f["sha256"] for f in ours], [hashlib.sha256(content).hexdigest()])
		self.assertIn("Outreach Log", data["counts"])
