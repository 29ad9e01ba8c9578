"""Bulk endpoint for RPM device vendors.

POST /api/method/care_management.api.device_readings.post_readings with
{"vendor": "...", "readings": [{"vendor_reading_id", "patient", "measured_at",
"reading_type", "value", "value_2", "unit", "device_id"}, ...]}. Posting the
same vendor reading id again changes nothing.
"""

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

READING_TYPES = (
	"Blood Pressure",
	"Weight",
	"Blood Glucose",
	"Oxygen Saturation",
	"Heart Rate",
	"Temperature",
	"Other",
)
MAX_READINGS_PER_CALL = 5000


def reading_problem(index: int, reading: dict, patients: set[str]) -> str | None:
	if not reading.get("vendor_reading_id"):
		return _("readings[{0}]: vendor_reading_id is missing.").format(index)
	if reading.get("patient") not in patients:
		return _("readings[{0}]: patient {1} does not exist.").format(index, reading.get("patient"))
	if reading.get("reading_type") not in READING_TYPES:
		return _("readings[{0}]: reading_type must be one of {1}.").format(index, ", ".join(READING_TYPES))
	try:
		measured = get_datetime(reading.get("measured_at"))
	except Exception:
		measured = None
	if not measured:
		return _("readings[{0}]: measured_at is not a date-time.").format(index)
	if measured > now_datetime():
		return _("readings[{0}]: measured_at is in the future.").format(index)
	return None


@frappe.whitelist(methods=["POST"])
def post_readings(vendor: str, readings) -> dict:
	"""Insert many readings in one statement; duplicates (same vendor and id) are skipped."""
	frappe.has_permission("Device Reading", "create", throw=True)
	readings = frappe.parse_json(readings) or []
	if not vendor:
		frappe.throw(_("vendor is required."))
	if len(readings) > MAX_READINGS_PER_CALL:
		frappe.throw(_("Send at most {0} readings per call.").format(MAX_READINGS_PER_CALL))
	patients = set(
		frappe.get_all(
			"Patient",
			filters={"name": ("in", list({r.get("patient") for r in readings}) or [""])},
			pluck="name",
		)
	)
	problems = [p for i, r in enumerate(readings) if (p := reading_problem(i, r, patients))]
	if problems:
		frappe.throw("<br>".join(problems[:50]), title=_("Invalid Readings"))
	now, user = now_datetime(), frappe.session.user
	fields = [
		"name", "patient", "measured_at", "reading_type", "value", "value_2", "unit", "vendor", "vendor_reading_id",
		"device_id", "transmitted_automatically", "creation", "modified", "owner", "modified_by", "docstatus",
	]  # fmt: skip
	before = frappe.db.count("Device Reading", {"vendor": vendor})
	values = [
		[
			frappe.generate_hash(length=12),
			r["patient"],
			get_datetime(r["measured_at"]),
			r["reading_type"],
			r.get("value"),
			r.get("value_2"),
			r.get("unit"),
			vendor,
			str(r["vendor_reading_id"]),
			r.get("device_id"),
			1,
			now,
			now,
			user,
			user,
			0,
		]
		for r in readings
	]
	# The unique key (vendor, vendor_reading_id) makes a repeated post a no-op.
	frappe.db.bulk_insert("Device Reading", fields, values, ignore_duplicates=True)
	inserted = frappe.db.count("Device Reading", {"vendor": vendor}) - before
	return {"received": len(readings), "inserted": inserted, "duplicates": len(readings) - inserted}
