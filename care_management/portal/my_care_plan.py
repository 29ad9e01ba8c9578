"""What the portal page My Care Plan shows: one plan, read for one viewer.

A handful of statements per page, whatever the plan's size: the plan, its
care manager and practitioner, the next follow-up and appointment, the open
referrals with their resources, the open screening links.
"""

import frappe
from frappe import _
from frappe.utils import getdate, today

from care_management.portal.access import PlanViewer

# A referral the patient can act on: sent to the resource, or accepted by it.
PORTAL_REFERRAL_STATUSES = ("Sent", "Accepted")
APPOINTMENT_OPEN = ("Scheduled", "Open", "Confirmed")
GOALS_HIDDEN = ("Cancelled",)


def plan_for_portal(viewer: PlanViewer) -> dict:
	plan = frappe.get_doc("Care Plan", viewer.care_plan)
	return {
		"name": plan.name,
		"patient_name": plan.patient_name,
		"start_date": plan.start_date,
		"next_review_date": plan.next_review_date,
		"what_matters_most": plan.what_matters_most,
		"goals": [
			{
				"name": g.name,
				"goal": g.goal,
				"patient_words": g.patient_words,
				"target": g.target,
				"due_date": g.due_date,
				"status": g.status,
				"patient_progress": g.patient_progress,
				"patient_progress_note": g.patient_progress_note,
				"patient_progress_on": g.patient_progress_on,
			}
			for g in plan.goals
			if g.status not in GOALS_HIDDEN
		],
		"my_part": [i for i in plan.interventions if i.responsible in ("Patient", "Caregiver")],
		"action_plan": {
			"call_clinic_when": plan.call_clinic_when,
			"clinic_phone": plan.clinic_phone,
			"after_hours_phone": plan.after_hours_phone,
			"call_911_when": plan.call_911_when,
		},
		"medications": list(plan.medications) if viewer.share_medicines else None,
		"care_team": care_team(plan),
		"next_follow_up": next_follow_up(plan.patient),
		"next_appointment": next_appointment(plan.patient),
		"referrals": open_referrals(plan.patient) if viewer.share_referrals else None,
		"screenings": open_screenings(plan.patient) if viewer.share_screenings else None,
	}


def care_team(plan) -> list[dict]:
	"""Names, roles and how to reach them: the care manager, the supervising
	practitioner, then the team members the plan lists."""
	team = []
	if plan.care_manager:
		user = (
			frappe.db.get_value("User", plan.care_manager, ["full_name", "phone", "mobile_no"], as_dict=True)
			or frappe._dict()
		)
		team.append(
			{
				"name": user.full_name or plan.care_manager,
				"role": _("Care Manager", context="My Care Plan"),
				"phone": user.phone or user.mobile_no or plan.clinic_phone,
				"email": None,
			}
		)
	if plan.supervising_practitioner:
		doctor = (
			frappe.db.get_value(
				"Healthcare Practitioner",
				plan.supervising_practitioner,
				["practitioner_name", "office_phone", "department"],
				as_dict=True,
			)
			or frappe._dict()
		)
		team.append(
			{
				"name": doctor.practitioner_name or plan.practitioner_name,
				"role": _("Doctor for this plan"),
				"detail": doctor.department,
				"phone": doctor.office_phone or plan.clinic_phone,
				"email": None,
			}
		)
	for member in plan.care_team:
		team.append(
			{
				"name": member.member_name or member.organization,
				"role": member.role,
				"detail": member.organization if member.member_name else None,
				"phone": member.phone,
				"email": member.email,
			}
		)
	return team


def next_follow_up(patient: str):
	"""The follow-up date the care team set on its latest submitted contact, if still ahead."""
	date = frappe.db.sql(
		"""select next_follow_up from `tabOutreach Log`
		where patient = %s and docstatus = 1 and next_follow_up is not null
		order by start desc limit 1""",
		patient,
	)
	if date and date[0][0] and getdate(date[0][0]) >= getdate(today()):
		return date[0][0]
	return None


def next_appointment(patient: str) -> dict | None:
	rows = frappe.db.sql(
		"""select appointment_date, appointment_time, practitioner_name, department
		from `tabPatient Appointment`
		where patient = %s and status in %s and appointment_date >= %s
		order by appointment_date, appointment_time limit 1""",
		(patient, APPOINTMENT_OPEN, today()),
		as_dict=True,
	)
	return rows[0] if rows else None


def open_referrals(patient: str) -> list[dict]:
	return frappe.db.sql(
		"""select referral.need_category, resource.resource_name, resource.organization_name,
			resource.phone, resource.address_1, resource.address_2, resource.city,
			resource.state_province, resource.postal_code, resource.schedule, resource.website,
			referral.follow_up_date
		from `tabResource Referral` referral
		join `tabCommunity Resource` resource on resource.name = referral.resource
		where referral.patient = %s and referral.status in %s
		order by referral.creation""",
		(patient, PORTAL_REFERRAL_STATUSES),
		as_dict=True,
	)


def open_screenings(patient: str) -> list[dict]:
	return frappe.db.sql(
		"""select invitation.name, invitation.instrument, invitation.expires_on, instrument.description
		from `tabScreening Invitation` invitation
		join `tabScreening Instrument` instrument on instrument.name = invitation.instrument
		where invitation.patient = %s and invitation.status = 'Sent' and invitation.expires_on >= %s
		order by invitation.expires_on""",
		(patient, today()),
		as_dict=True,
	)
