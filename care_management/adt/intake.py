"""One received frame: stored first, then read, matched and acted on, then answered.

Runs in the listener's database thread (listener.py), one message at a time, so
a feed's messages take effect in the order they arrived. Each step commits:
what was received is kept even when acting on it fails.
"""

from __future__ import annotations

import hashlib

import frappe
from frappe.utils import now_datetime

from care_management.adt.effects import apply
from care_management.domain.adt_message import (
	ACCEPT,
	ERROR,
	MAX_MESSAGE_BYTES,
	REJECT,
	AdtEvent,
	Header,
	Refused,
	ack,
	read_event,
	storable_text,
)

OUTCOME_OF_REFUSAL = {REJECT: "Rejected", ERROR: "Error"}


def receive(raw: bytes, peer: str = "") -> bytes:
	"""The ACK for ``raw`` (one MLLP frame's content)."""
	received = now_datetime()
	try:
		event, refusal = read_event(raw), None
		header = event.header
	except Refused as refused:
		event, refusal, header = None, refused, refused.header
	message, duplicate_of = store(raw, header, event, peer, received)
	if duplicate_of:
		return _answer(ACCEPT, f"Duplicate of {duplicate_of}; ignored.", header, message)
	if refusal:
		_finish(message, OUTCOME_OF_REFUSAL[refusal.code], refusal.reason)
		return _answer(refusal.code, refusal.reason, header, message)
	try:
		outcome, reason = apply(message, event)
		_finish(message, outcome, reason)
		frappe.db.commit()
	except Exception:
		frappe.db.rollback()
		log = frappe.log_error(
			title="ADT message could not be processed",
			reference_doctype="ADT Message",
			reference_name=message,
		)
		reason = f"Could not be processed; see Error Log {log.name}."
		_finish(message, "Error", reason)
		return _answer(ERROR, reason, header, message)
	return _answer(ACCEPT, reason or outcome, header, message)


def refuse_frame(reason: str, partial: bytes, peer: str = "") -> bytes:
	"""A frame the listener could not cut out of the stream (too large, never finished)."""
	message, _duplicate = store(partial, None, None, peer, now_datetime())
	_finish(message, "Rejected", reason)
	return _answer(REJECT, reason, None, message)


def store(
	raw: bytes, header: Header | None, event: AdtEvent | None, peer: str, received
) -> tuple[str, str | None]:
	"""Insert the message; returns (its name, the earlier message when it is a repeat).

	A repeat is refused by the unique sender+control id key, so two deliveries of
	one message can never both be acted on, whatever else runs at the same time."""
	text = storable_text(raw[:MAX_MESSAGE_BYTES])
	doc = frappe.get_doc(
		{
			"doctype": "ADT Message",
			"received": received,
			"peer": peer[:140],
			"raw_message": text,
			"outcome": "Received",
			**_header_fields(header),
			**_event_fields(event),
		}
	)
	doc.flags.from_adt_feed = True
	key = doc.sender_control_id
	frappe.db.savepoint("adt_store")
	try:
		doc.insert(ignore_permissions=True)
	except frappe.UniqueValidationError:
		frappe.db.rollback(save_point="adt_store")
		frappe.clear_messages()
		earlier = frappe.db.get_value("ADT Message", {"sender_control_id": key}, "name")
		doc = frappe.get_doc(
			doc.as_dict() | {"name": None, "sender_control_id": None, "outcome": "Duplicate"}
		)
		doc.flags.from_adt_feed = True
		doc.reason = f"Same sender and control id as {earlier}; acknowledged and ignored."
		doc.insert(ignore_permissions=True)
		frappe.db.commit()
		return doc.name, earlier or "an earlier message"
	frappe.db.commit()
	return doc.name, None


def _header_fields(header: Header | None) -> dict:
	if not header:
		return {}
	return {
		"sender": header.sender[:140],
		"control_id": header.control_id[:140],
		"message_type": header.message_type[:140],
		"event": header.event[:140],
		# A digest: the pair can be longer than a Data column, and cutting it could make two keys one.
		"sender_control_id": hashlib.sha256(f"{header.sender}|{header.control_id}".encode()).hexdigest(),
	}


def _event_fields(event: AdtEvent | None) -> dict:
	if not event:
		return {}
	identity = event.patient
	return {
		"event": event.event[:140],
		"mrn": identity.mrn[:140],
		"assigning_authority": identity.assigning_authority[:140],
		"patient_name_in_message": " ".join(filter(None, [identity.given_name, identity.family_name]))[:140],
		"birth_date": identity.birth_date,
		"sex": identity.sex,
		"visit_number": event.visit_number[:140],
		"facility": event.facility[:140],
	}


def _finish(message: str, outcome: str, reason: str | None) -> None:
	frappe.db.set_value("ADT Message", message, {"outcome": outcome, "reason": reason}, update_modified=False)
	frappe.db.commit()


def _answer(code: str, text: str, header: Header | None, message: str) -> bytes:
	return ack(code, text, header, ack_control_id=message, now=now_datetime())
