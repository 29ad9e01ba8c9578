import frappe

from care_management.api.self_screening import reading_language


def get_context(context):
	# A patient reaches this form from a link; the site's navigation is not for them.
	context.show_sidebar = False
	context.no_cache = 1
	# The form speaks the patient's language before anything is rendered.
	frappe.local.lang = reading_language(frappe.form_dict.get("self_completion_token"))
