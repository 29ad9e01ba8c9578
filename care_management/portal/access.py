"""Who may see which care plan on the portal.

The identity is the server's: the signed-in user, linked to a Patient by
Healthcare's own Patient.user_id (set when Healthcare invites the patient as a
website user), or named as the portal user of a caregiver the patient consented
to share with. Nothing a browser posts names the patient. Only an Active plan
is shown; a draft, a plan under review, on hold or closed is not.

Caregivers see the portal page only (what was shared); the document itself
(print view, Frappe's document pages) is the patient's alone, as the printed
plan holds everything, conditions and the other caregivers included.
"""

from dataclasses import dataclass

import frappe

ACTIVE = "Active"
CAREGIVER_ROLE = "Care Plan Caregiver"


@dataclass(frozen=True)
class PlanViewer:
	"""One plan the signed-in user may see, and how much of it."""

	care_plan: str
	patient: str
	as_caregiver: bool = False
	caregiver_name: str = ""
	may_send_updates: bool = True
	share_medicines: bool = True
	share_referrals: bool = True
	share_screenings: bool = True


def patient_of(user: str) -> str | None:
	"""The Patient whose website user this is (an enabled Patient only)."""
	if not user or user == "Guest":
		return None
	return frappe.db.get_value("Patient", {"user_id": user, "status": ("!=", "Disabled")}, "name")


def viewable_plans(user: str | None = None) -> list[PlanViewer]:
	"""The patient's own Active plan first, then the Active plans shared with them as a caregiver."""
	user = user or frappe.session.user
	if not user or user == "Guest":
		return []
	viewers = []
	patient = patient_of(user)
	if patient:
		own = frappe.db.get_value("Care Plan", {"patient": patient, "status": ACTIVE}, "name")
		if own:
			viewers.append(PlanViewer(care_plan=own, patient=patient))
	shared = frappe.db.sql(
		"""select plan.name, plan.patient, caregiver.caregiver_name, caregiver.may_send_updates,
			caregiver.share_medicines, caregiver.share_referrals
		from `tabCare Plan Caregiver` caregiver
		join `tabCare Plan` plan on plan.name = caregiver.parent
		where caregiver.parenttype = 'Care Plan' and caregiver.parentfield = 'caregivers'
			and caregiver.portal_user = %(user)s and caregiver.consent_to_share = 1
			and plan.status = %(active)s and plan.patient != %(own)s
		order by plan.patient_name, plan.name""",
		{"user": user, "active": ACTIVE, "own": patient or ""},
		as_dict=True,
	)
	for row in shared:
		viewers.append(
			PlanViewer(
				care_plan=row.name,
				patient=row.patient,
				as_caregiver=True,
				caregiver_name=row.caregiver_name,
				may_send_updates=bool(row.may_send_updates),
				share_medicines=bool(row.share_medicines),
				share_referrals=bool(row.share_referrals),
				share_screenings=False,  # a screening is the patient's own to answer
			)
		)
	return viewers


def viewer_for(care_plan: str | None, user: str | None = None) -> PlanViewer | None:
	"""The viewer of ``care_plan`` (default: the first the user may see), or None."""
	viewers = viewable_plans(user)
	if not care_plan:
		return viewers[0] if viewers else None
	return next((v for v in viewers if v.care_plan == care_plan), None)


# --- has_website_permission hook (hooks.py): Frappe asks it on the print view
# when the desk's role permissions say no.


def care_plan_website_permission(doc, ptype=None, user=None, verbose=False) -> bool:
	user = user or frappe.session.user
	patient = patient_of(user)
	return bool(patient and doc.get("patient") == patient and doc.get("status") == ACTIVE)
