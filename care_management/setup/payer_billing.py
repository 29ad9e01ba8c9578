"""What billing the payer needs on other apps' doctypes, and the seeded plan types.

Customer: a payer is a Customer marked Is Payer, with the payer ID claims go to.
Healthcare Practitioner and Company: NPI and taxonomy (Company: also the billing
address; its Tax ID is ERPNext's own field). Sales Invoice: which share of the
care-management lines an invoice bills, and under which coverage. All created on
install and by a patch on existing sites; removed on uninstall (the columns stay,
as with the Patient fields).
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

# Role values of a Sales Invoice that bills Care Billing Lines (line_claims.ROLE_COLUMNS).
INVOICE_ROLES = ("Primary Payer", "Secondary Payer", "Patient")

PLAN_TYPES = (
	# plan type, SBR09 claim filing indicator, member ID is an MBI, share as primary, as secondary
	("Medicare Part B", "MB", 1, 80, 100, "Original Medicare: 80 % of the allowed amount, 20 % coinsurance."),
	("Medicare Advantage", "16", 0, 80, 100, "A Medicare Advantage plan; set the share the plan pays."),
	("Medicaid", "MC", 0, 100, 100, "Pays the allowed amount as primary, the coinsurance as secondary."),
	("Medigap", "CI", 0, 0, 100, "Medicare supplement: secondary only, pays the Part B coinsurance."),
	("Commercial", "CI", 0, 80, 100, "A commercial plan; set the share the plan pays."),
)


def payer_billing_fields() -> dict:
	return {
		"Customer": [
			{
				"fieldname": "is_payer",
				"fieldtype": "Check",
				"label": "Is Payer",
				"insert_after": "customer_group",
				"description": "An insurer or health plan billed for patients' care (Patient Coverage).",
			},
			{
				"fieldname": "payer_id",
				"fieldtype": "Data",
				"label": "Payer ID",
				"insert_after": "is_payer",
				"depends_on": "is_payer",
				"mandatory_depends_on": "is_payer",
				"search_index": 1,
				"description": "The payer's electronic ID at your clearinghouse (837P loop 2010BB).",
			},
		],
		"Healthcare Practitioner": [
			{
				"fieldname": "npi",
				"fieldtype": "Data",
				"label": "NPI",
				"insert_after": "practitioner_type",
				"length": 10,
				"description": "National Provider Identifier: 10 digits, the last a check digit.",
			},
			{
				"fieldname": "taxonomy_code",
				"fieldtype": "Data",
				"label": "Taxonomy Code",
				"insert_after": "npi",
				"length": 10,
				"description": "Provider taxonomy, e.g. 207Q00000X (family medicine).",
			},
		],
		"Company": [
			{
				"fieldname": "care_billing_section",
				"fieldtype": "Section Break",
				"label": "Claims (837P Billing Provider)",
				"insert_after": "registration_details",
				"collapsible": 1,
			},
			{
				"fieldname": "npi",
				"fieldtype": "Data",
				"label": "Group NPI",
				"insert_after": "care_billing_section",
				"length": 10,
				"description": "The practice's NPI, billed as the billing provider. Its Tax ID is the EIN.",
			},
			{
				"fieldname": "taxonomy_code",
				"fieldtype": "Data",
				"label": "Taxonomy Code",
				"insert_after": "npi",
				"length": 10,
			},
			{
				"fieldname": "care_billing_column",
				"fieldtype": "Column Break",
				"insert_after": "taxonomy_code",
			},
			{
				"fieldname": "billing_address",
				"fieldtype": "Link",
				"options": "Address",
				"label": "Billing Provider Address",
				"insert_after": "care_billing_column",
				"description": "A street address (no PO box), as payers require for the billing provider.",
			},
		],
		"Sales Invoice": [
			{
				"fieldname": "care_billing_role",
				"fieldtype": "Select",
				"label": "Care Management Share",
				"options": "\n" + "\n".join(INVOICE_ROLES),
				"insert_after": "patient_name",
				"read_only": 1,
				"allow_on_submit": 0,
				"in_standard_filter": 1,
				"search_index": 1,
				"description": "Which share of the care-management services this invoice bills. "
				"Empty on a hand-made invoice: it bills the primary share.",
			},
			{
				"fieldname": "care_coverage",
				"fieldtype": "Link",
				"options": "Patient Coverage",
				"label": "Patient Coverage",
				"insert_after": "care_billing_role",
				"read_only": 1,
				"description": "The coverage the claim is made under (member ID, payer).",
			},
		],
	}


def create_payer_billing_fields() -> None:
	create_custom_fields(payer_billing_fields(), ignore_validate=True, update=True)


def delete_payer_billing_fields() -> None:
	for doctype, fields in payer_billing_fields().items():
		names = [field["fieldname"] for field in fields]
		frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": ("in", names)})
		frappe.db.delete("Custom Field", {"dt": doctype, "fieldname": ("in", names)})
		frappe.clear_cache(doctype=doctype)


def seed_plan_types() -> None:
	"""Plan types with their shares; an admin's edits are never overwritten."""
	for plan_type, indicator, is_mbi, primary, secondary, description in PLAN_TYPES:
		if frappe.db.exists("Coverage Plan Type", plan_type):
			continue
		frappe.get_doc(
			{
				"doctype": "Coverage Plan Type",
				"plan_type": plan_type,
				"claim_filing_indicator": indicator,
				"member_id_is_mbi": is_mbi,
				"payer_share_percent": primary,
				"secondary_share_percent": secondary,
				"description": description,
			}
		).insert(ignore_permissions=True)


def set_up_payer_billing() -> None:
	"""Idempotent; run on install and by the patch on sites installed before payer billing."""
	create_payer_billing_fields()
	seed_plan_types()
