"""The demo the browser tier signs in to as each printed role (run with `bench --site …
execute care_management.tests.browser_demo.prepare`; scripts/run-tests.sh does).

A small demo, committed, under a prefix of its own for the month (CM-DB2612 …), on a
site of its own (run-tests.sh: $CARE_MANAGEMENT_DEMO_SITE), never the integration
tests' site: its enrolled patients would be closed and invoiced with the months those
tests close and count. Loaded once a month, about half a minute; on any other day of
the month it is found and kept. The
cards that count today's work (Due Today) or this month's depend on the day the
demo was loaded, so on a later day they are allowed to read 0
(sign_ins.browser_sign_ins says which)."""

import frappe
from frappe.utils import getdate, today

PATIENTS = 32


def prefix_for(day) -> str:
	return f"CM-DB{day.strftime('%y%m')}"


def prepare() -> dict:
	from care_management.demo.practice import demo_spec, load_demo
	from care_management.demo.sign_ins import browser_sign_ins
	from care_management.tests.site_setup import before_tests

	frappe.set_user("Administrator")
	before_tests()
	prefix = prefix_for(getdate(today()))
	loaded = load_demo(demo_spec(PATIENTS, prefix=prefix), force=True)
	frappe.db.commit()
	return {**browser_sign_ins(prefix), "loaded": loaded}
