"""The site's side of the load and fault tests (scripts/load-test.sh,
scripts/fault-test.sh): who the simulated staff and patients are, and, after a
run, whether the data holds. Run inside the site:

    bench --site <site> execute care_management.demo.load_test.prepare --kwargs "{'path': '/tmp/m.json'}"
    bench --site <site> execute care_management.demo.load_test.check --kwargs "{'accepted': '/tmp/a.jsonl'}"

The demo practice (`care-management demo`) must be loaded: its care managers
sign in with the demo password.
"""

from __future__ import annotations

import json

import frappe
from frappe.utils import add_months, get_first_day, getdate, today
from frappe.utils.password import update_password

from care_management.demo.loader import DEMO_PASSWORD

CLERK = "load-billing-clerk@example.org"
PATIENT_USER = "load-patient-{}@example.org"
PATIENTS_PER_CARE_MANAGER = 40


def prepare(path: str, portal_patients: int = 60, month: str | None = None) -> dict:
	"""Write the manifest locust reads: each demo care manager with patients of
	their caseload (enrollment, care plan), a billing clerk, patients signed up
	on the portal. Makes the clerk and the portal users when missing."""
	frappe.set_user("Administrator")
	# Frappe refuses more than throttle_user_limit (60) new users an hour; raised for this process only.
	frappe.local.conf["throttle_user_limit"] = max(frappe.local.conf.get("throttle_user_limit") or 60, 1000)
	managers = frappe.db.sql_list(
		"""select distinct u.name from `tabUser` u join `tabHas Role` r on r.parent = u.name
		where r.role = 'Care Manager' and u.enabled = 1 and u.name like 'cm-demo-%%' order by u.name"""
	)
	if not managers:
		frappe.throw("No demo care managers: load the demo practice first (bench care-management demo).")
	caseloads = {}
	for manager in managers:
		caseloads[manager] = frappe.db.sql(
			"""select e.patient, e.name as enrollment, p.name as care_plan
			from `tabCare Program Enrollment` e
			join `tabCare Plan` p on p.patient = e.patient and p.status = 'Active'
			where e.care_manager = %(cm)s and e.status = 'Active'
			group by e.patient order by e.patient limit %(limit)s""",
			{"cm": manager, "limit": PATIENTS_PER_CARE_MANAGER},
			as_dict=True,
		)
	# A timer an earlier run left running (stopped mid-request) would refuse this run's first start.
	frappe.db.sql(
		"""update `tabOutreach Log` set timer_status = 'Stopped'
		where docstatus = 0 and timer_status in ('Running', 'Paused') and performed_by in %(cms)s""",
		{"cms": managers},
	)
	ensure_user(CLERK, "Load", ["Care Management Billing", "Accounts User"])
	portal = []
	plans = frappe.db.sql(
		"""select p.name as care_plan, p.patient from `tabCare Plan` p
		join `tabPatient` pt on pt.name = p.patient
		where p.status = 'Active' and pt.name like 'CM-DEMO-%%'
		order by p.patient limit %(n)s""",
		{"n": portal_patients},
		as_dict=True,
	)
	for index, plan in enumerate(plans, start=1):
		email = PATIENT_USER.format(index)
		ensure_user(email, f"Patient {index}", ["Patient"], user_type="Website User")
		owner = frappe.db.get_value("Patient", {"user_id": email}, "name")
		if owner and owner != plan.patient:
			frappe.db.set_value("Patient", owner, "user_id", None, update_modified=False)
		frappe.db.set_value("Patient", plan.patient, "user_id", email, update_modified=False)
		portal.append({"user": email, "care_plan": plan.care_plan, "patient": plan.patient})
	frappe.db.commit()
	manifest = {
		"password": DEMO_PASSWORD,
		"care_managers": [{"user": cm, "patients": caseloads[cm]} for cm in managers if caseloads[cm]],
		"clerk": CLERK,
		"close_month": str(getdate(month) if month else get_first_day(add_months(today(), -1))),
		"log_month": str(get_first_day(today())),
		"patients": portal,
		"log_slots_from": first_free_slot(),
	}
	with open(path, "w") as out:
		json.dump(manifest, out, indent=1, default=str)
	return {"care_managers": len(manifest["care_managers"]), "patients": len(portal)}


def ensure_user(email: str, first_name: str, roles: list[str], user_type: str = "System User") -> None:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"send_welcome_email": 0,
				"user_type": user_type,
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	frappe.get_doc("User", email).add_roles(*roles)
	update_password(email, DEMO_PASSWORD)


def first_free_slot() -> int:
	"""The load test's logs take numbered slots of the month (load-test.py); an
	earlier run's slots are not used again, or its logs would overlap."""
	last = frappe.db.sql(
		"select max(cast(substring_index(request_id, '-', -1) as unsigned)) from `tabOutreach Log` "
		"where request_id like 'load-%%'"
	)[0][0]
	return int(last or 0) + 1


def check(accepted: str) -> dict:
	"""After a run: each log the load test saw accepted exists exactly once
	(submitted, under the name it was given), and nothing is billed twice."""
	seen = {}
	with open(accepted) as lines:
		for line in lines:
			if line.strip():
				entry = json.loads(line)
				seen[entry["request_id"]] = entry["name"]
	stored = {}
	for start in range(0, len(seen), 1000):
		ids = list(seen)[start : start + 1000]
		for row in frappe.db.sql(
			"""select request_id, name, docstatus from `tabOutreach Log` where request_id in %(ids)s""",
			{"ids": ids},
			as_dict=True,
		):
			stored.setdefault(row.request_id, []).append(row)
	missing = [rid for rid in seen if rid not in stored]
	duplicated = [rid for rid, rows in stored.items() if len(rows) > 1]
	renamed = [rid for rid, rows in stored.items() if len(rows) == 1 and rows[0].name != seen[rid]]
	not_submitted = [rid for rid, rows in stored.items() if any(row.docstatus != 1 for row in rows)]
	same_request_twice = frappe.db.sql(
		"""select request_id from `tabOutreach Log` where request_id like 'load-%%'
		group by request_id having count(*) > 1"""
	)
	records_twice = frappe.db.sql(
		"""select month, patient, program, ifnull(billing_practitioner, ''), count(*)
		from `tabCare Billing Record` group by 1, 2, 3, 4 having count(*) > 1"""
	)
	lines_billed_twice = frappe.db.sql(
		"""select i.reference_dn, s.care_billing_role, count(distinct s.name)
		from `tabSales Invoice Item` i join `tabSales Invoice` s on s.name = i.parent
		where i.reference_dt = 'Care Billing Line' and s.docstatus < 2
		group by 1, 2 having count(distinct s.name) > 1"""
	)
	result = {
		"logs_accepted": len(seen),
		"logs_missing": missing[:20],
		"logs_duplicated": duplicated[:20] + [r[0] for r in same_request_twice][:20],
		"logs_under_another_name": renamed[:20],
		"logs_not_submitted": not_submitted[:20],
		"billing_records_twice": len(records_twice),
		"billing_lines_invoiced_twice": len(lines_billed_twice),
		"billing_by_month": billing_by_month(),
	}
	result["ok"] = not (
		missing
		or duplicated
		or same_request_twice
		or renamed
		or not_submitted
		or records_twice
		or lines_billed_twice
	)
	return result


def billing_by_month() -> list[dict]:
	return frappe.db.sql(
		"""select r.month, count(distinct r.name) as records, sum(r.status = 'Ready') as ready,
			(select count(*) from `tabSales Invoice` s where s.docstatus < 2 and s.care_billing_role is not null
				and s.name in (select l.sales_invoice from `tabCare Billing Line` l
					join `tabCare Billing Record` rr on rr.name = l.parent where rr.month = r.month)) as invoices
		from `tabCare Billing Record` r group by r.month order by r.month""",
		as_dict=True,
	)
