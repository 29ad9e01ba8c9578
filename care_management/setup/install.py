"""Install and uninstall hooks (wired in hooks.py)."""

import frappe
from frappe import _

from care_management.billing.remittance import make_posting_row
from care_management.domain.risk_tiers import DEFAULT_TIERS
from care_management.setup.adt_fields import create_adt_fields, delete_adt_fields
from care_management.setup.billing_adjustment_workflow import (
	create_billing_adjustment_workflow,
	delete_billing_adjustment_workflow,
)
from care_management.setup.care_plan_workflow import create_care_plan_workflow, delete_care_plan_workflow
from care_management.setup.email_templates import create_email_templates, delete_email_templates
from care_management.setup.healthcare_indexes import add_healthcare_indexes, drop_healthcare_indexes
from care_management.setup.patient_access import (
	grant_app_role_access,
	revoke_app_role_access,
)
from care_management.setup.patient_fields import create_patient_fields, delete_patient_fields
from care_management.setup.payer_billing import delete_payer_billing_fields, set_up_payer_billing
from care_management.setup.phi_access import remove_phi_access_audit, set_up_phi_access_audit
from care_management.setup.referral_workflow import create_referral_workflow, delete_referral_workflow
from care_management.setup.seed import (
	seed_billing_codes,
	seed_care_plan_templates,
	seed_care_programs,
	seed_chronic_condition_categories,
	seed_outreach_lists,
	seed_program_eligibility,
	seed_risk_factors,
	seed_score_bands,
	seed_screening_instruments,
)
from care_management.setup.views import create_care_plan_board, delete_care_plan_board

REQUIRED_APPS = ("erpnext", "healthcare")

# Roles this app creates (fixtures/role.json). Healthcare's own roles, such as
# Physician for the supervising practitioner, are reused, never twinned.
APP_ROLES = ("Care Manager", "Care Management Supervisor", "Care Management Billing", "Care Plan Caregiver")


def missing_required_apps(installed_apps: list[str]) -> list[str]:
	return [app for app in REQUIRED_APPS if app not in installed_apps]


def before_install():
	missing = missing_required_apps(frappe.get_installed_apps())
	if missing:
		frappe.throw(
			_(
				"Care Management needs {0} installed on this site first. Run: bench --site {1} install-app {2}"
			).format(
				", ".join(frappe.bold(frappe.utils.escape_html(app)) for app in missing),
				frappe.utils.escape_html(frappe.local.site),
				frappe.utils.escape_html(" ".join(missing)),
			),
			title=_("Missing Apps"),
		)


def after_install():
	create_patient_fields([tier.name for tier in DEFAULT_TIERS])
	seed_settings()
	set_up_enrollment_and_care_plans()
	set_up_outreach()
	set_up_billing()
	set_up_views()
	set_up_screening()
	set_up_referrals()
	set_up_self_screening()
	add_healthcare_indexes()
	set_up_population()
	set_up_phi_access_audit()
	create_adt_fields()


def set_up_population():
	"""Idempotent; also run by a patch on sites installed before the eligibility
	finder and risk scores existed."""
	create_patient_fields([row.tier for row in frappe.get_single("Care Management Settings").risk_tiers])
	seed_chronic_condition_categories()
	seed_program_eligibility()
	seed_risk_factors()
	seed_score_bands()


def set_up_screening():
	"""Idempotent; also run by a patch on sites installed before screening existed."""
	seed_screening_instruments()


def set_up_referrals():
	"""Idempotent; also run by a patch on sites installed before referrals existed."""
	create_referral_workflow()


def set_up_self_screening():
	"""Idempotent; also run by a patch on sites installed before patients could self-screen."""
	create_email_templates()


def set_up_views():
	"""Idempotent; also run by a patch on sites installed before these views existed."""
	create_care_plan_board()


def set_up_billing():
	"""Idempotent; also run by a patch on sites installed before billing existed."""
	tiers = [row.tier for row in frappe.get_single("Care Management Settings").risk_tiers]
	create_patient_fields(tiers)  # adds Qualified Medicare Beneficiary
	seed_billing_codes()
	set_up_payer_billing()
	make_posting_row()
	set_up_billing_adjustments()


def set_up_billing_adjustments():
	"""Idempotent; also run by a patch on sites installed before billing adjustments existed."""
	create_billing_adjustment_workflow()


def set_up_outreach():
	"""Idempotent; also run by a patch on sites installed before outreach logs existed."""
	seed_outreach_lists()
	create_email_templates()


def set_up_enrollment_and_care_plans():
	"""Idempotent; also run by a patch on sites installed before these existed."""
	seed_care_programs()
	seed_care_plan_templates()
	create_care_plan_workflow()
	grant_app_role_access()


def seed_settings():
	settings = frappe.get_single("Care Management Settings")
	if settings.risk_tiers:
		return
	for tier in DEFAULT_TIERS:
		settings.append(
			"risk_tiers",
			{"tier": tier.name, "cadence_days": tier.cadence_days, "retry_days": tier.retry_days},
		)
	settings.default_risk_tier = DEFAULT_TIERS[-1].name
	settings.company = frappe.defaults.get_global_default("company")
	settings.flags.ignore_permissions = True
	settings.save()


def before_uninstall():
	delete_patient_fields()
	delete_adt_fields()
	delete_payer_billing_fields()
	delete_care_plan_workflow()
	delete_billing_adjustment_workflow()
	delete_email_templates()
	delete_care_plan_board()
	delete_referral_workflow()
	revoke_app_role_access()
	delete_portal_menu_items()
	drop_healthcare_indexes()
	remove_phi_access_audit()
	delete_app_roles()


def delete_portal_menu_items():
	"""Our entries in the portal menu (hooks.standard_portal_menu_items); Healthcare's stay."""
	from care_management.hooks import standard_portal_menu_items

	routes = [item["route"] for item in standard_portal_menu_items]
	frappe.db.delete("Portal Menu Item", {"parent": "Portal Settings", "route": ("in", routes)})


def delete_app_roles():
	"""Remove the roles we created and every grant of them.

	Users keep their other roles; Healthcare roles we merely use are untouched.
	"""
	for role in APP_ROLES:
		frappe.db.delete("Has Role", {"role": role})
		frappe.db.delete("Custom DocPerm", {"role": role})
		frappe.db.delete("Role", {"name": role})
	frappe.clear_cache()
