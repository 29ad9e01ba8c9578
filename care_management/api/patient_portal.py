"""What the portal page My Care Plan posts: a goal's progress, a message, the
start of a screening.

Every call works out who is asking from the session (care_management.portal.
access): a posted goal row or plan name is only ever checked against the plans
the signed-in user may see, never believed. What a patient writes becomes a
Patient Care Plan Update for the care manager; the plan itself is not touched,
and no Outreach Log (care-management time) is made.
"""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import add_to_date, now_datetime

from care_management.billing.db_errors import explained
from care_management.care_management.doctype.screening_invitation.screening_invitation import (
	link_for,
	token_hash,
)
from care_management.domain.patient_updates import (
	EMPTY_MESSAGE,
	NO_PROGRESS,
	TOO_LONG,
	UNKNOWN_PROGRESS,
	Checked,
	check_goal_progress,
	check_message,
)
from care_management.portal.access import PlanViewer, patient_of, viewer_for

# Frappe's limiter counts requests per address; the daily cap per user below
# also holds for many people behind one address, or one person on many.
REQUESTS_PER_HOUR = 30
UPDATES_PER_USER_PER_DAY = 20


def portal_collision() -> dict:
	"""A patient's post that met another request of theirs (a double tap, two
	tabs) in the database: said plainly, never as the database's text."""
	return {
		"duplicate": _("This was already sent, once. There is no need to send it again."),
		"busy": _(
			"Your care team's system is busy for a moment. Nothing was sent: please send it again in a minute."
		),
		"title": _("Please Try Again"),
	}


def refuse(message: str, exc=frappe.ValidationError, title: str | None = None):
	frappe.throw(message, exc, title=title or _("Not Sent"))


def signed_in() -> str:
	user = frappe.session.user
	if not user or user == "Guest":
		refuse(_("Please sign in to send an update to your care team."), frappe.PermissionError)
	return user


def refuse_checked(checked: Checked) -> None:
	messages = {
		NO_PROGRESS: _("Progress: choose On track, Struggling or Done."),
		UNKNOWN_PROGRESS: _("Progress: choose On track, Struggling or Done."),
		EMPTY_MESSAGE: _("Message: write a few words for your care team."),
		TOO_LONG: _(
			"Keep it to {0} characters or fewer, please. Your care team can call you for more."
		).format(checked.limit),
	}
	refuse(messages[checked.problem])


def viewer_that_may_send(care_plan: str | None, user: str) -> PlanViewer:
	viewer = viewer_for(care_plan, user)
	if not viewer:
		own = patient_of(user)
		if care_plan and own and frappe.db.get_value("Care Plan", care_plan, "patient") == own:
			refuse(
				_(
					"Your care plan is not active right now (it is being prepared, reviewed or was closed), so updates cannot be sent to it. Please call your care team."
				),
				title=_("Care Plan Not Active"),
			)
		refuse(
			_("There is no active care plan of yours here to send this to."),
			frappe.PermissionError,
			title=_("Not Your Care Plan"),
		)
	if viewer.as_caregiver and not viewer.may_send_updates:
		refuse(
			_("The patient shared this plan for you to read; sending updates was not included."),
			frappe.PermissionError,
		)
	sent_today = frappe.db.count(
		"Patient Care Plan Update",
		{"submitted_by": user, "creation": (">", add_to_date(now_datetime(), days=-1))},
	)
	if sent_today >= UPDATES_PER_USER_PER_DAY:
		refuse(
			_("You have sent {0} updates today. Please call your care team, or send more tomorrow.").format(
				sent_today
			),
			frappe.RateLimitExceededError,
			title=_("Too Many Updates"),
		)
	return viewer


def record_update(viewer: PlanViewer, user: str, **fields) -> dict:
	plan = frappe.db.get_value("Care Plan", viewer.care_plan, ["care_manager", "patient"], as_dict=True)
	update = frappe.get_doc(
		{
			"doctype": "Patient Care Plan Update",
			"patient": plan.patient,  # from the plan, never from the request
			"care_plan": viewer.care_plan,
			"status": "New",
			"care_manager": plan.care_manager or frappe.db.get_value("Patient", plan.patient, "care_manager"),
			"submitted_by": user,
			"submitted_as": "Caregiver" if viewer.as_caregiver else "Patient",
			"caregiver_name": viewer.caregiver_name if viewer.as_caregiver else None,
			"submitted_on": now_datetime(),
			"language": frappe.local.lang,
			**fields,
		}
	)
	with explained(**portal_collision()):
		update.insert(ignore_permissions=True)  # the portal user has no desk rights; identity checked above
	return {"name": update.name, "message": _("Sent. Your care team will read it and get back to you.")}


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=REQUESTS_PER_HOUR, seconds=60 * 60)
def post_goal_update(goal: str, progress: str, note: str | None = None) -> dict:
	user = signed_in()
	row = frappe.db.get_value(
		"Care Plan Goal",
		{"name": goal or "", "parenttype": "Care Plan"},
		["parent", "goal", "status"],
		as_dict=True,
	)
	if not row:
		refuse(_("This goal is not on your care plan."), frappe.PermissionError, title=_("Not Your Goal"))
	viewer = viewer_that_may_send(row.parent, user)
	checked = check_goal_progress(progress, note)
	if checked.problem:
		refuse_checked(checked)
	return record_update(
		viewer,
		user,
		update_type="Goal Progress",
		care_plan_goal=goal,
		goal=row.goal,
		progress=checked.progress,
		note=checked.text,
	)


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=REQUESTS_PER_HOUR, seconds=60 * 60)
def post_message(message: str, care_plan: str | None = None) -> dict:
	user = signed_in()
	viewer = viewer_that_may_send(care_plan, user)
	checked = check_message(message)
	if checked.problem:
		refuse_checked(checked)
	return record_update(viewer, user, update_type="Message", note=checked.text)


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=REQUESTS_PER_HOUR, seconds=60 * 60)
def start_screening(invitation: str) -> dict:
	"""A fresh self-completion link for the patient's own open invitation. The
	token is stored only as a hash, so the emailed link cannot be rebuilt: a new
	one replaces it (same expiry), as the care manager's "Send a New Link" does."""
	import secrets

	user = signed_in()
	patient = patient_of(user)
	with explained(**portal_collision()):
		row = frappe.db.get_value(
			"Screening Invitation",
			invitation or "",
			["patient", "status", "expires_on"],
			as_dict=True,
			for_update=True,
		)
	if not patient or not row or row.patient != patient:
		refuse(
			_("This screening is not one of yours."), frappe.PermissionError, title=_("Not Your Screening")
		)
	if row.status != "Sent" or frappe.utils.getdate(row.expires_on) < frappe.utils.getdate():
		refuse(_("This screening is no longer open. Please ask your care team for a new one."))
	token = secrets.token_urlsafe(24)
	frappe.db.set_value("Screening Invitation", invitation, "token_hash", token_hash(token))
	return {"link": link_for(token)}
