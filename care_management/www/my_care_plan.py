"""/my-care-plan: the patient's (or a consented caregiver's) view of an Active care plan."""

import frappe
from frappe import _
from frappe.translate import get_user_lang

from care_management.domain.patient_updates import MESSAGE_MAX_CHARS, NOTE_MAX_CHARS
from care_management.patient_language import plan_language
from care_management.phi_access_log import PORTAL_PAGE, log_phi_access
from care_management.portal.access import viewable_plans
from care_management.portal.my_care_plan import plan_for_portal

no_cache = 1
PRINT_FORMAT = "Care Plan for Patients"


def get_context(context):
	# Frappe answers a PermissionError with its 403 page, whose button signs in.
	if frappe.session.user == "Guest":
		frappe.throw(_("Please sign in to see your care plan."), frappe.PermissionError)
	if not frappe.form_dict.get("_lang"):
		# The signed-in user's own language, however they signed in (a token
		# request is still Guest when Frappe picks the request's language).
		frappe.local.lang = get_user_lang(frappe.session.user)
	viewers = viewable_plans()
	requested = frappe.form_dict.get("plan")
	viewer = next((v for v in viewers if v.care_plan == requested), None) if requested else None
	if requested and not viewer:
		frappe.throw(_("This care plan is not shared with you."), frappe.PermissionError)
	viewer = viewer or (viewers[0] if viewers else None)
	if not viewer:
		frappe.throw(
			_(
				"There is no active care plan for you here. If your care team is preparing one, it will appear once it is agreed."
			),
			frappe.PermissionError,
		)
	if not viewer.as_caregiver and not frappe.form_dict.get("_lang"):
		# The plan's texts are written in its language; the page around them follows.
		# A caregiver keeps their own language for the page.
		frappe.local.lang = plan_language(
			frappe.db.get_value(
				"Care Plan", viewer.care_plan, ["preferred_language", "patient"], as_dict=True
			)
		)
	context.no_cache = 1
	context.show_sidebar = True
	context.title = _("My Care Plan")
	context.viewer = viewer
	context.others = [v for v in viewers if v.care_plan != viewer.care_plan]
	context.plan = plan_for_portal(viewer)
	context.headings = headings(viewer)
	log_phi_access(
		PORTAL_PAGE,
		[viewer.patient],
		doctype="Care Plan",
		document=viewer.care_plan,
		file_type="HTML",
		filters={"read_as": "Caregiver" if viewer.as_caregiver else "Patient"},
	)
	context.print_url = None if viewer.as_caregiver else print_url(viewer.care_plan)
	context.note_max = NOTE_MAX_CHARS
	context.message_max = MESSAGE_MAX_CHARS
	context.progress_choices = [
		("On Track", _("On track", context="My Care Plan")),
		("Struggling", _("Struggling", context="My Care Plan")),
		("Done", _("Done", context="My Care Plan")),
	]
	context.progress_labels = dict(context.progress_choices)
	context.texts = {
		"sending": _("Sending…"),
		"sent": _("Sent. Your care team will read it and get back to you."),
		"choose": _("Choose On track, Struggling or Done."),
		"failed": _("It could not be sent. Please try again, or call your care team."),
		"opening": _("Opening…"),
	}
	return context


def headings(viewer) -> dict[str, str]:
	"""The page speaks as the patient to the patient; to a caregiver it speaks of the
	patient by first name ("Goals of Rosa", not "My goals")."""
	if not viewer.as_caregiver:
		return {
			"title": _("My Care Plan"),
			"matters": _("What matters most to me"),
			"goals": _("My goals"),
			"my_part": _("What I do"),
			"medicines": _("My medicines"),
			"care_team": _("My care team"),
			"referrals": _("Community services for me"),
			"message": _("Message my care team"),
		}
	name = frappe.db.get_value("Patient", viewer.patient, "first_name") or _("the patient")
	return {
		"title": _("Care plan of {0}").format(name),
		"matters": _("What matters most to {0}").format(name),
		"goals": _("Goals of {0}").format(name),
		"my_part": _("What {0} does").format(name),
		"medicines": _("Medicines of {0}").format(name),
		"care_team": _("Care team of {0}").format(name),
		"referrals": _("Community services for {0}").format(name),
		"message": _("Message the care team of {0}").format(name),
	}


def print_url(care_plan: str) -> str:
	from urllib.parse import urlencode

	return "/printview?" + urlencode(
		{"doctype": "Care Plan", "name": care_plan, "format": PRINT_FORMAT, "no_letterhead": 0}
	)
