"""The demo's remote monitoring: home blood-pressure cuff readings for every RPM
patient, sent automatically, a 30-day episode that ends in last month (16 or
more days of data for most, fewer for some, so 99454 bills for most and not for
all), readings since then, and a few out-of-range readings that raised a red
flag the care manager has not yet resolved. Set-based."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from care_management.demo.loader import _insert

VENDOR = "Demo Home Cuffs"
FEW_DAYS_SHARE = 0.2
RED_FLAGS = 3
RED_FLAG_READING = (186, 112)


def load_device_readings(spec, rows: list[dict], last_month: date, today: date) -> dict:
	rng = random.Random(spec.seed + 454)
	readings, flags = [], []
	rpm = [p for p in rows if "RPM" in p["programs"]]
	# A red flag in each care manager's caseload (their workspace's Open Red Flags card).
	flagged = {}
	for p in rpm:
		flagged.setdefault(p["care_manager"], p["id"])
	flagged = set(list(flagged.values())[:RED_FLAGS])
	for n, p in enumerate(rpm):
		first_day = last_month - timedelta(days=5)
		few = rng.random() < FEW_DAYS_SHARE or n == 1
		days = sorted(rng.sample(range(30), k=rng.randint(8, 12) if few else rng.randint(17, 27)))
		days = [0] + [d for d in days if d] + list(range(30, (today - first_day).days))
		flagged_day = days[len(days) // 2] if p["id"] in flagged else None
		for d in days:
			on = first_day + timedelta(days=d)
			if on >= today:
				break
			at = datetime.combine(on, time(7, rng.randint(0, 59)))
			systolic = round(rng.gauss(138, 10))
			diastolic = max(55, round(systolic * 0.6 + rng.gauss(0, 5)))
			if d == flagged_day:
				systolic, diastolic = RED_FLAG_READING
				flags.append((p, at))
			readings.append({
				"name": f"{spec.prefix}-DR-{p['id'][-6:]}-{d:03d}", "patient": p["id"], "measured_at": at,
				"reading_type": "Blood Pressure", "value": systolic, "value_2": diastolic, "unit": "mmHg",
				"vendor": VENDOR, "vendor_reading_id": f"{p['id']}-{on.isoformat()}", "device_id": f"CUFF-{p['id'][-4:]}",
				"transmitted_automatically": 1,
			})  # fmt: skip
	_insert("Device Reading", readings)
	_insert("Outreach Log", [
		{
			"name": f"{spec.prefix}-OLR-{i + 1:04d}", "naming_series": "OL-.YYYY.-", "patient": p["id"],
			"patient_name": f"{p['first_name']} {p['last_name']}", "care_plan": f"{p['id']}-PLAN", "program": "RPM",
			"enrollment": f"{p['id']}-RPM",
			"performed_by": p["care_manager"], "performer_type": "Clinical Staff", "activity_type": "Chart Review",
			"start": at + timedelta(hours=2), "end": at + timedelta(hours=2, minutes=6), "duration_minutes": 6,
			"paused_minutes": 0, "direction": "Outbound", "contacted_party": "None", "outcome": "Not Applicable",
			"interactive": 0, "red_flag": 1, "red_flag_status": "Open",
			"red_flag_reason": "Home cuff {}/{} mmHg, above 180/110: call the patient and tell the practitioner.".format(
				*RED_FLAG_READING
			),
		}
		for i, (p, at) in enumerate(flags)
	], docstatus=1)  # fmt: skip
	return {"device_readings": len(readings), "red_flags": len(flags), "rpm_patients": len(rpm)}
