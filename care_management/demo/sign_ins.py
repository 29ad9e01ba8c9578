"""The demo's sign-ins, one per role, each user holding only what README "Roles"
says the role needs: a care manager (the practice's first), the supervising
practitioner of practitioner 1's plans (Physician), a billing clerk (Care
Management Billing, with Accounts User to create invoices and post 835s), an
admin (Care Management Supervisor), patients on the portal (one reading Spanish)
and a caregiver the patient consented to share the plan with. The patients and
the caregiver have sent goal updates and messages that wait on the worklist."""

from __future__ import annotations

import calendar
from datetime import date

import frappe
from frappe.utils import getdate, now_datetime, today
from frappe.utils.password import update_password

from care_management.care_management.dashboard_metrics import MONTH_END_DAYS
from care_management.demo.loader import DEMO_PASSWORD
from care_management.demo.this_month import first_working_day
from care_management.domain.synthetic_practice import care_managers

PORTAL_PATIENTS = 4  # the last patients of the practice, whose plans stay Active
WORKSPACE = "Care Management"


def may_be_zero(day: date) -> set[str]:
	"""Workspace cards that honestly read 0 on ``day`` after a demo load; every other card
	and chart each desk sign-in is shown must have data (test_demo, browser tier).

	- *Under Threshold, Month Ending* counts only in a month's last days
	  (dashboard_metrics.MONTH_END_DAYS): earlier there is time, and it says 0.
	- *Minutes Logged This Month* and *Ready to Bill This Month* count this month's logs;
	  before this month's first working day has passed there are none (this_month.py).

	Nothing else: *Due Today* has a patient per care manager (this_month.py), *Open Red
	Flags* the flags escalated to the practitioner (practitioner_work.py), and the
	practitioner is not shown the cards of a caseload they do not have (workspace_cards.py)."""
	zero = set()
	days_left = calendar.monthrange(day.year, day.month)[1] - day.day
	if days_left >= MONTH_END_DAYS:
		zero.add("Under Threshold Month Ending")
	if not first_working_day(day):
		zero |= {"Minutes Logged This Month", "Ready to Bill This Month"}
	return zero


def sign_in_roles(spec) -> dict[str, tuple[str, list[str], str]]:
	"""label -> (email, roles, user type)."""
	prefix = spec.prefix.lower()
	return {
		"Care manager": (care_managers(spec)[0]["email"], ["Care Manager"], "System User"),
		"Supervising practitioner": (f"{prefix}-doctor@example.org", ["Physician"], "System User"),
		"Billing clerk": (
			f"{prefix}-billing@example.org",
			["Care Management Billing", "Accounts User"],
			"System User",
		),
		"Admin": (f"{prefix}-admin@example.org", ["Care Management Supervisor"], "System User"),
		"Patient (portal)": (f"{prefix}-patient@example.org", [], "Website User"),
		"Patient reading Spanish (portal)": (f"{prefix}-paciente@example.org", [], "Website User"),
		"Caregiver (portal)": (f"{prefix}-caregiver@example.org", ["Care Plan Caregiver"], "Website User"),
	}


def ensure_user(email: str, roles: list[str], user_type: str, first_name: str, language: str | None = None):
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"user_type": user_type,
				"send_welcome_email": 0,
				"language": language,
				# With its roles at insert: one save, not a second through add_roles.
				"roles": [{"role": role} for role in roles],
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
		update_password(email, DEMO_PASSWORD)


def land_on_the_workspace(emails: list[str]) -> None:
	"""Each desk sign-in opens on the Care Management workspace, not on Frappe's Home."""
	frappe.db.set_value(
		"User", {"name": ("in", emails)}, "default_workspace", WORKSPACE, update_modified=False
	)


def create_sign_ins(spec, rows: list[dict], physician_practitioner: str, spanish: list[str]) -> dict:
	roles = sign_in_roles(spec)
	for label, (email, user_roles, user_type) in roles.items():
		ensure_user(email, user_roles, user_type, label.split(" (")[0], "es" if "Spanish" in label else None)
	land_on_the_workspace(
		[email for email, _roles, user_type in roles.values() if user_type == "System User"]
	)
	frappe.db.set_value(
		"Healthcare Practitioner", physician_practitioner, "user_id", roles["Supervising practitioner"][0]
	)
	portal = rows[-PORTAL_PATIENTS:]
	# The patient reading Spanish is one whose record says so; the others sign in in English.
	reader = next((p for p in portal if p["id"] in spanish), portal[-1])
	frappe.db.set_value("Patient", reader["id"], "language", "es", update_modified=False)
	patient_users = {portal[0]["id"]: roles["Patient (portal)"][0]}
	patient_users[reader["id"]] = roles["Patient reading Spanish (portal)"][0]
	for p in portal:
		if p["id"] not in patient_users:
			email = f"{p['id'].lower()}@example.org"
			ensure_user(email, [], "Website User", p["first_name"])
			patient_users[p["id"]] = email
	for patient, email in patient_users.items():
		frappe.db.set_value("Patient", patient, "user_id", email, update_modified=False)

	caregiver_of = portal[1]
	plan = frappe.get_doc("Care Plan", f"{caregiver_of['id']}-PLAN")
	plan.append(
		"caregivers",
		{
			"caregiver_name": "Daniel " + caregiver_of["last_name"],
			"relationship": "Son",
			"phone": "217-555-0190",
			"consent_to_share": 1,
			"consent_date": caregiver_of["enrolled_on"],
			"portal_user": roles["Caregiver (portal)"][0],
			"may_send_updates": 1,
			"share_medicines": 1,
			"share_referrals": 1,
		},
	)
	plan.flags.ignore_permissions = True
	plan.save()
	updates = send_updates(portal, patient_users, caregiver_of, roles["Caregiver (portal)"][0], plan)
	return {"portal_patients": len(patient_users), "patient_care_plan_updates": updates}


def send_updates(portal: list[dict], patient_users: dict, caregiver_of: dict, caregiver: str, plan) -> int:
	"""A goal update or a message from each portal patient, and one from the caregiver, still New."""
	sent = 0
	for n, p in enumerate(portal):
		goal = frappe.db.get_value(
			"Care Plan Goal",
			{"parent": f"{p['id']}-PLAN", "parenttype": "Care Plan"},
			["name", "goal"],
			as_dict=True,
		)
		update = {
			"doctype": "Patient Care Plan Update",
			"patient": p["id"],
			"care_plan": f"{p['id']}-PLAN",
			"care_manager": p["care_manager"],
			"submitted_on": now_datetime(),
			"submitted_by": patient_users[p["id"]],
			"submitted_as": "Patient",
			"status": "New",
			"language": frappe.db.get_value("Patient", p["id"], "language"),
		}
		if goal and n % 2 == 0:
			update.update(
				update_type="Goal Progress",
				care_plan_goal=goal.name,
				goal=goal.goal,
				progress="Struggling" if n == 0 else "On Track",
				note="I walked three days this week; my knees hurt on the fourth.",
			)
		else:
			update.update(update_type="Message", note="Can the pharmacy send a 90-day supply of my pills?")
		frappe.get_doc(update).insert(ignore_permissions=True)
		sent += 1
	frappe.get_doc(
		{
			"doctype": "Patient Care Plan Update",
			"patient": caregiver_of["id"],
			"care_plan": plan.name,
			"care_manager": caregiver_of["care_manager"],
			"update_type": "Message",
			"note": "Mom ran out of test strips; could the clinic send a new prescription?",
			"submitted_on": now_datetime(),
			"submitted_by": caregiver,
			"submitted_as": "Caregiver",
			"caregiver_name": plan.caregivers[-1].caregiver_name,
			"status": "New",
		}
	).insert(ignore_permissions=True)
	return sent + 1


def printed_sign_ins(spec) -> list[str]:
	return [
		f"  {label:34} {email:40} {', '.join(roles) or 'website user'}"
		for label, (email, roles, _type) in sign_in_roles(spec).items()
	]


@frappe.whitelist()
def browser_sign_ins(prefix: str = "CM-DEMO") -> dict:
	"""For scripts/browser_flow.py --demo-sign-ins (run with `bench execute`): the users to sign in as."""
	from care_management.domain.synthetic_practice import PracticeSpec

	frappe.only_for("System Manager")
	spec = PracticeSpec(prefix=prefix, care_managers=1)
	users = [
		(label, email, "desk" if user_type == "System User" else "portal")
		for label, (email, _roles, user_type) in sign_in_roles(spec).items()
	]
	zero = may_be_zero(getdate(today()))
	loaded_on = frappe.db.get_value("Patient", f"{spec.prefix}-000001", "creation")
	loaded_on, day = getdate(loaded_on or today()), getdate(today())
	if loaded_on != day:
		# Looked at on a later day than it was loaded: today's follow-ups, and this
		# month's work if it was loaded in another month or before its first working day passed.
		zero.add("Due Today")
		if (loaded_on.year, loaded_on.month) != (day.year, day.month) or not first_working_day(loaded_on):
			zero |= {"Minutes Logged This Month", "Ready to Bill This Month"}
	# The desk titles a card by its label; both are given.
	zero |= {frappe.db.get_value("Number Card", name, "label") or name for name in zero}
	return {"password": DEMO_PASSWORD, "users": users, "may_be_zero": sorted(zero)}
