"""The hospital ADT feed end to end: the real `care-management adt-listener` command
in its own process on a free loopback port, HL7 v2.5.1 messages sent over a socket
with MLLP framing, and the records it leaves.

The listener has its own database connection, so this class commits the records it
makes and deletes them (and everything the feed made for them) when it is done.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate

from care_management.billing.holidays import practice_holidays
from care_management.care_management.report.caseload_worklist.caseload_worklist import worklist_rows
from care_management.domain.business_days import add_business_days
from care_management.tests import pure_checks
from care_management.tests.factories import make_patient, make_user

samples = pure_checks.load("adt_samples")

CARE_MANAGER = "adt.cm@example.org"
OTHER_CARE_MANAGER = "adt.other.cm@example.org"
SUPERVISOR = "adt.supervisor@example.org"
END = b"\x1c\r"


def read_ack(sock: socket.socket) -> bytes:
	data = b""
	while not data.endswith(END):
		chunk = sock.recv(65536)
		if not chunk:
			break
		data += chunk
	return data


def fields_of(ack: bytes, segment: str) -> list[str]:
	for line in ack.strip(b"\x0b\x1c\r").decode().split("\r"):
		if line.startswith(segment):
			return line.split("|")
	return []


class TestAdtFeed(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.run_id = frappe.generate_hash(length=6).upper()
		cls.started = frappe.utils.now_datetime()
		cls.sender = ("ADT1", f"GOOD HEALTH HOSPITAL {cls.run_id}")
		cls.authority = f"GHH{cls.run_id}"
		make_user(CARE_MANAGER, ["Care Manager"])
		make_user(OTHER_CARE_MANAGER, ["Care Manager"])
		# The reviewer must also be allowed to read the patients they match messages to.
		make_user(SUPERVISOR, ["Care Management Supervisor", "Nursing User"])
		cls.adam = make_patient(
			f"Adam{cls.run_id}",
			last_name="Everyman",
			sex="Male",
			dob="1961-06-15",
			care_manager=CARE_MANAGER,
			facility_mrns=[{"assigning_authority": cls.authority, "mrn": "PATID1234"}],
		).name
		# Two namesakes: a message naming them without a known MRN must wait for a person.
		cls.twins = [
			make_patient(f"Twin{cls.run_id}", last_name="Doe", sex="Female", dob="1950-01-01").name,
			make_patient(f"Twin{cls.run_id}", last_name="Doe", sex="Female", dob="1950-01-01").name,
		]
		cls.other = make_patient(f"Other{cls.run_id}", care_manager=OTHER_CARE_MANAGER).name
		frappe.db.commit()
		cls.listener = subprocess.Popen(
			[
				sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site,
				"care-management", "adt-listener", "--host", "127.0.0.1", "--port", "0",
			],
			cwd=os.path.abspath(frappe.local.sites_path),
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			text=True,
		)  # fmt: skip
		cls.port = None
		for line in cls.listener.stdout:
			if line.startswith("ADT listener for"):
				cls.port = int(line.rsplit(":", 1)[1])
				break
		if not cls.port:
			cls.listener.kill()
			raise RuntimeError(f"The listener did not start: {cls.listener.stderr.read()[-3000:]}")

	@classmethod
	def tearDownClass(cls):
		cls.listener.terminate()
		cls.listener.wait()
		cls.listener.stdout.close()
		cls.listener.stderr.close()
		frappe.set_user("Administrator")
		frappe.db.rollback()
		patients = [cls.adam, cls.other, *cls.twins]
		transitions = frappe.get_all("Care Transition", {"patient": ("in", patients)}, pluck="name")
		if transitions:
			frappe.db.delete(
				"ToDo", {"reference_type": "Care Transition", "reference_name": ("in", transitions)}
			)
		frappe.db.delete("ADT Message", {"sender": ("like", f"%{cls.run_id}")})
		frappe.db.delete("ADT Message", {"patient": ("in", patients)})
		# The hostile frames carry no sender of this run; this site's feed is the test's alone meanwhile.
		frappe.db.delete("ADT Message", {"creation": (">=", cls.started), "patient": ("is", "not set")})
		frappe.db.delete("Notification Log", {"document_type": "Patient", "document_name": ("in", patients)})
		for name in transitions:
			frappe.delete_doc("Care Transition", name, force=True, ignore_permissions=True)
		for name in patients:
			frappe.delete_doc("Patient", name, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")

	# ------------------------------------------------------------ helpers
	def connect(self) -> socket.socket:
		sock = socket.create_connection(("127.0.0.1", self.port))
		sock.settimeout(120)  # a hung listener fails the test instead of hanging it
		self.addCleanup(sock.close)
		return sock

	def send(self, message: bytes, sock: socket.socket | None = None) -> bytes:
		sock = sock or self.connect()
		sock.sendall(samples.frame(message))
		ack = read_ack(sock)
		frappe.db.rollback()  # see what the listener committed
		return ack

	def message(self, event: str, **fields) -> bytes:
		fields.setdefault("authority", self.authority)
		fields.setdefault("sender", self.sender)
		return samples.adt(event, fields.pop("control_id", frappe.generate_hash(length=12)), **fields)

	def stored(self, control_id: str) -> list[dict]:
		return frappe.get_all(
			"ADT Message",
			filters={"control_id": control_id, "sender": f"{self.sender[0]}^{self.sender[1]}"},
			fields=["name", "outcome", "reason", "patient", "event", "care_transition", "raw_message"],
			order_by="creation asc",
		)

	def assert_ack(self, ack: bytes, code: str, control_id: str | None = None):
		msa = fields_of(ack, "MSA")
		self.assertEqual(msa[1:2], [code], ack)
		if control_id is not None:
			self.assertEqual(msa[2], control_id)

	# ------------------------------------------------------------ the story
	def test_emergency_visit_admission_and_discharge_open_the_tcm_window(self):
		visit = f"V{self.run_id}"
		steps = [
			("A04", f"{self.run_id}-1", {"patient_class": "E", "admitted": "202612010830"}),
			("A01", f"{self.run_id}-2", {"admitted": "202612011123"}),
			("A03", f"{self.run_id}-3", {"admitted": "202612011123", "discharged": "202612041530"}),
		]
		statuses = []
		sock = self.connect()
		for event, control_id, fields in steps:
			ack = self.send(self.message(event, control_id=control_id, visit=visit, **fields), sock)
			self.assert_ack(ack, "AA", control_id)
			[stored] = self.stored(control_id)
			self.assertEqual((stored.outcome, stored.patient, stored.event), ("Processed", self.adam, event))
			self.assertIn(f"|{control_id}|", stored.raw_message)
			statuses.append(frappe.db.get_value("Patient", self.adam, "hospital_status"))
		self.assertEqual(statuses, ["Emergency Visit", "Inpatient", None])
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{"for_user": CARE_MANAGER, "document_type": "Patient", "document_name": self.adam},
			)
		)

		transition = frappe.get_doc("Care Transition", self.stored(f"{self.run_id}-3")[0].care_transition)
		discharged = getdate("2026-12-04")
		self.assertEqual(transition.patient, self.adam)
		self.assertEqual(getdate(transition.discharge_date), discharged)
		self.assertEqual(transition.adt_message, self.stored(f"{self.run_id}-3")[0].name)
		self.assertEqual(
			getdate(transition.contact_due), add_business_days(discharged, 2, practice_holidays())
		)
		self.assertEqual(getdate(transition.face_to_face_due), getdate(add_days(discharged, 14)))
		todo = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Care Transition", "reference_name": transition.name},
			fields=["allocated_to", "date", "status", "priority"],
		)
		self.assertEqual(len(todo), 1)
		self.assertEqual(
			(todo[0].allocated_to, todo[0].status, todo[0].priority), (CARE_MANAGER, "Open", "High")
		)
		self.assertEqual(getdate(todo[0].date), getdate(transition.contact_due))
		# At the top of the care manager's worklist, with the contact deadline.
		top = worklist_rows(CARE_MANAGER, discharged)[0]
		self.assertEqual((top.patient, top.tcm_contact_by), (self.adam, getdate(transition.contact_due)))

		# The same discharge delivered again: acknowledged, stored, ignored.
		again = self.send(
			self.message("A03", control_id=f"{self.run_id}-3", visit=visit, discharged="202612041530")
		)
		self.assert_ack(again, "AA", f"{self.run_id}-3")
		self.assertEqual([row.outcome for row in self.stored(f"{self.run_id}-3")], ["Processed", "Duplicate"])
		self.assertEqual(frappe.db.count("Care Transition", {"patient": self.adam, "status": "Open"}), 1)

		# The hospital cancels the discharge: the window and its ToDo go.
		ack = self.send(self.message("A13", control_id=f"{self.run_id}-4", visit=visit))
		self.assert_ack(ack, "AA")
		self.assertEqual(frappe.db.get_value("Care Transition", transition.name, "status"), "Cancelled")
		self.assertEqual(
			frappe.db.get_value("ToDo", {"reference_name": transition.name}, "status"), "Cancelled"
		)
		self.assertEqual(frappe.db.get_value("Patient", self.adam, "hospital_status"), "Inpatient")
		row = next(r for r in worklist_rows(CARE_MANAGER, discharged) if r.patient == self.adam)
		self.assertEqual((row.tcm_contact_by, row.hospital_status), (None, "Inpatient"))

	def test_namesakes_without_a_known_mrn_wait_for_a_person_who_matches_or_dismisses(self):
		def twin_message(control_id):
			return self.message(
				"A03", control_id=control_id, mrn=f"NEW{control_id}", family="DOE",
				given=f"TWIN{self.run_id}", dob="19500101", sex="F", discharged="202612041530",
			)  # fmt: skip

		first, second = f"{self.run_id}-R1", f"{self.run_id}-R2"
		for control_id in (first, second):
			self.assert_ack(self.send(twin_message(control_id)), "AA", control_id)
			[stored] = self.stored(control_id)
			self.assertEqual(stored.outcome, "Needs Review")
			self.assertIsNone(stored.patient)
			self.assertIn("2 patients", stored.reason)

		from care_management.care_management.doctype.adt_message.adt_message import dismiss, match_patient

		# A care manager cannot even see a message no patient is matched to.
		frappe.set_user(CARE_MANAGER)
		self.assertFalse(frappe.has_permission("ADT Message", "read", self.stored(first)[0].name))
		self.assertRaises(frappe.PermissionError, match_patient, self.stored(first)[0].name, self.twins[0])

		frappe.set_user(SUPERVISOR)
		result = match_patient(self.stored(first)[0].name, self.twins[0])
		self.assertEqual((result.outcome, result.patient), ("Matched", self.twins[0]))
		self.assertTrue(result.care_transition)
		self.assertEqual(
			frappe.db.get_value("Patient Facility MRN", {"parent": self.twins[0]}, "mrn"), f"NEW{first}"
		)
		self.assertRaises(frappe.ValidationError, dismiss, self.stored(second)[0].name, "")
		self.assertEqual(dismiss(self.stored(second)[0].name, "Not our patient"), "Dismissed")
		self.assertRaises(frappe.ValidationError, match_patient, self.stored(second)[0].name, self.twins[1])
		frappe.db.commit()

	def test_a_care_manager_reads_only_messages_about_their_caseload(self):
		mine, theirs = f"{self.run_id}-P1", f"{self.run_id}-P2"
		self.send(self.message("A08", control_id=mine))
		self.send(
			self.message(
				"A08", control_id=theirs, mrn="", family="", given=f"Other{self.run_id}".upper(), sex="F"
			)
		)
		# The other patient has no last name in the message: it waits for review, so no one's caseload.
		frappe.set_user(CARE_MANAGER)
		visible = frappe.get_list(
			"ADT Message", filters={"sender": f"{self.sender[0]}^{self.sender[1]}"}, pluck="name"
		)
		self.assertIn(self.stored(mine)[0].name, visible)
		self.assertNotIn(self.stored(theirs)[0].name, visible)
		frappe.set_user(OTHER_CARE_MANAGER)
		self.assertFalse(frappe.has_permission("ADT Message", "read", self.stored(mine)[0].name))
		self.assertRaises(
			frappe.PermissionError,
			frappe.get_doc("ADT Message", self.stored(mine)[0].name).check_permission,
			"read",
		)

	def test_hostile_input_is_answered_and_the_listener_keeps_going(self):
		sock = self.connect()
		cases = {
			"not framed": b"GET / HTTP/1.1\r\n\r\n" + END,
			"binary": samples.frame(bytes(range(256))),
			"wrong encoding characters": samples.frame(
				b"MSH|^^^^|A|B|C|D|202612070000||ADT^A01|X1|P|2.5.1\r"
			),
			# A fresh control id: the same one again would be a repeat, acknowledged AA and ignored.
			"missing segments": samples.frame(self.message("A03").split(b"\r")[0] + b"\r"),
			"not hl7": samples.frame("ÿþ\x00<xml/>".encode()),
		}
		codes = {}
		for name, data in cases.items():
			sock.sendall(data)
			codes[name] = fields_of(read_ack(sock), "MSA")[1]
		self.assertEqual(
			codes,
			{
				"not framed": "AR",
				"binary": "AR",
				"wrong encoding characters": "AR",
				"missing segments": "AE",
				"not hl7": "AR",
			},
		)

		# A megabyte and more of junk with no end of frame: refused, that connection closed.
		junk = self.connect()
		junk.sendall(b"\x0b" + os.urandom(1_100_000).replace(b"\x1c", b"x"))
		self.assertEqual(fields_of(read_ack(junk), "MSA")[1], "AR")
		self.assertEqual(junk.recv(10), b"")

		# Half a frame, then the sender hangs up.
		half = self.connect()
		half.sendall(samples.frame(self.message("A01"))[:60])
		half.shutdown(socket.SHUT_WR)
		self.assertEqual(fields_of(read_ack(half), "MSA")[1], "AR")

		frappe.db.rollback()
		rejected = frappe.get_all(
			"ADT Message",
			filters={"outcome": "Rejected", "creation": (">=", frappe.utils.add_to_date(None, minutes=-10))},
			pluck="reason",
		)
		self.assertTrue(any("middle of a frame" in reason for reason in rejected))
		self.assertTrue(any("No end of frame" in reason for reason in rejected))

		# Still listening, on the first connection too (a line break before the frame is tolerated).
		control_id = f"{self.run_id}-H"
		sock.sendall(b"\r\n")
		self.assert_ack(self.send(self.message("A08", control_id=control_id), sock), "AA", control_id)

	def test_a_burst_of_200_messages_from_4_connections_loses_none(self):
		def sender(batch: int, acks: list):
			sock = socket.create_connection(("127.0.0.1", self.port))
			sock.settimeout(300)
			try:
				for number in range(50):
					control_id = f"{self.run_id}-B{batch}-{number}"
					sock.sendall(samples.frame(self.message("A08", control_id=control_id)))
					acks.append((control_id, fields_of(read_ack(sock), "MSA")))
			finally:
				sock.close()

		acks: list = []
		threads = [threading.Thread(target=sender, args=(batch, acks)) for batch in range(4)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join()
		self.assertEqual(len(acks), 200)
		self.assertTrue(all(msa[1] == "AA" and msa[2] == control_id for control_id, msa in acks))
		frappe.db.rollback()
		stored = frappe.get_all(
			"ADT Message",
			filters={"control_id": ("like", f"{self.run_id}-B%"), "outcome": "Processed"},
			pluck="control_id",
		)
		self.assertEqual(sorted(stored), sorted(control_id for control_id, _ in acks))
