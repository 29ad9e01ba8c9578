"""What the FHIR exports read from the site: the patient, the practitioner, the
practice and a community organization, as the plain data the core maps
(care_management/domain/fhir_us_core.py). One query per record; fields a site
may or may not have (race and ethnicity on Patient) are read only when the
doctype has them."""

import frappe
from frappe import _
from frappe.utils import getdate

PATIENT_OPTIONAL_FIELDS = ("race", "ethnicity")


def as_plain_text(value):
	"""The text a user typed, from what the desk stored. On save Frappe sanitizes
	any value with < or > as HTML (tags kept or escaped, & as &amp;); FHIR strings
	are plain text, so such a value is read back as text. Anything else is as
	typed. Applies through dicts and lists."""
	if isinstance(value, dict):
		return {key: as_plain_text(item) for key, item in value.items()}
	if isinstance(value, list):
		return [as_plain_text(item) for item in value]
	if isinstance(value, str) and any(mark in value for mark in ("<", ">", "&lt;", "&gt;")):
		from bs4 import BeautifulSoup

		return BeautifulSoup(value, "html.parser").get_text()
	return value


def iso(value) -> str | None:
	return str(getdate(value)) if value else None


def present_fields(doctype: str, fieldnames) -> list[str]:
	meta = frappe.get_meta(doctype)
	return [f for f in fieldnames if meta.has_field(f)]


def patient_data(name: str) -> dict:
	optional = present_fields("Patient", PATIENT_OPTIONAL_FIELDS)
	row = frappe.db.get_value(
		"Patient",
		name,
		[
			"name",
			"patient_name",
			"first_name",
			"middle_name",
			"last_name",
			"sex",
			"dob",
			"phone",
			"mobile",
			"email",
			"language",
			*optional,
		],
		as_dict=True,
	)
	return {
		"id": row.name,
		"name": row.patient_name,
		"first_name": row.first_name,
		"middle_name": row.middle_name,
		"last_name": row.last_name,
		"gender": row.sex,
		"birth_date": iso(row.dob),
		"phone": row.phone,
		"mobile": row.mobile,
		"email": row.email,
		"language": row.language,
		"address": patient_address(name),
		**{field: row.get(field) for field in optional},
	}


def patient_address(patient: str) -> dict | None:
	"""The patient's primary Address (Frappe's Address linked to the Patient), else the first one."""
	rows = frappe.get_all(
		"Address",
		filters=[
			["Dynamic Link", "link_doctype", "=", "Patient"],
			["Dynamic Link", "link_name", "=", patient],
		],
		fields=["address_line1", "address_line2", "city", "state", "pincode", "country"],
		order_by="`tabAddress`.is_primary_address desc, `tabAddress`.creation asc",
		limit=1,
	)
	if not rows:
		return None
	row = rows[0]
	return {
		"line": [row.address_line1, row.address_line2],
		"city": row.city,
		"state": row.state,
		"postal_code": row.pincode,
		"country": row.country,
	}


def practitioner_data(name: str) -> dict:
	# npi: the app's own field on Healthcare Practitioner (setup/payer_billing.py).
	row = frappe.db.get_value(
		"Healthcare Practitioner",
		name,
		[
			"name",
			"practitioner_name",
			"first_name",
			"middle_name",
			"last_name",
			"office_phone",
			"mobile_phone",
			"npi",
		],
		as_dict=True,
	)
	return {
		"id": row.name,
		"name": row.practitioner_name,
		"first_name": row.first_name,
		"middle_name": row.middle_name,
		"last_name": row.last_name,
		"phone": row.office_phone or row.mobile_phone,
		"npi": row.npi,
	}


def practice_organization() -> dict:
	"""The practice that refers: the default Company (the only one on most sites)."""
	company = (
		frappe.defaults.get_user_default("Company")
		or frappe.db.get_single_value("Global Defaults", "default_company")
		or frappe.db.get_value("Company", {}, "name", order_by="creation asc")
	)
	if not company:
		frappe.throw(
			_(
				"Set up the practice as a Company first: the FHIR export names it as the referring organization."
			),
			title=_("No Company"),
		)
	row = frappe.db.get_value(
		"Company",
		company,
		["name", "company_name", "phone_no", "email", "website", "npi", "billing_address"],
		as_dict=True,
	)
	return {
		"key": f"company/{row.name}",
		"name": row.company_name or row.name,
		"npi": row.npi,
		"identifier_system": "app/company",
		"identifier": row.name,
		"phone": row.phone_no,
		"email": row.email,
		"website": row.website,
		"address": company_address(row.name, row.billing_address),
	}


def company_address(company: str, billing_address: str | None) -> dict | None:
	"""The practice's address: the billing address its claims carry, else its primary
	(or first) address."""
	fields = ["address_line1", "address_line2", "city", "state", "pincode", "country"]
	row = billing_address and frappe.db.get_value("Address", billing_address, fields, as_dict=True)
	if not row:
		rows = frappe.get_all(
			"Address",
			filters=[
				["Dynamic Link", "link_doctype", "=", "Company"],
				["Dynamic Link", "link_name", "=", company],
			],
			fields=fields,
			order_by="`tabAddress`.is_primary_address desc, `tabAddress`.creation asc",
			limit=1,
		)
		row = rows[0] if rows else None
	if not row:
		return None
	return {
		"line": [row.address_line1, row.address_line2],
		"city": row.city,
		"state": row.state,
		"postal_code": row.pincode,
		"country": row.country,
	}


def community_organization(resource: str) -> tuple[str, dict]:
	"""The community resource's service name, and the organization that runs it."""
	row = frappe.db.get_value(
		"Community Resource",
		resource,
		[
			"name",
			"resource_name",
			"organization_name",
			"hsds_organization_id",
			"status",
			"phone",
			"email",
			"website",
			"address_1",
			"address_2",
			"city",
			"state_province",
			"postal_code",
			"country",
		],
		as_dict=True,
	)
	organization = row.organization_name or row.resource_name
	return row.resource_name, {
		"key": f"hsds/{row.hsds_organization_id}" if row.hsds_organization_id else f"name/{organization}",
		"name": organization,
		"hsds_id": row.hsds_organization_id,
		"active": row.status != "defunct",
		"phone": row.phone,
		"email": row.email,
		"website": row.website,
		"address": {
			"line": [row.address_1, row.address_2],
			"city": row.city,
			"state": row.state_province,
			"postal_code": row.postal_code,
			"country": row.country,
		},
	}


def community_service_taxonomy(resource: str, need: str) -> list[dict]:
	"""The 211 taxonomy terms the community resource carries for the need: what
	its service is, from which the referral's SNOMED CT code is chosen."""
	return frappe.get_all(
		"Community Resource Need",
		filters={"parenttype": "Community Resource", "parent": resource, "need_category": need},
		fields=["taxonomy_code as code", "taxonomy_name as name"],
		order_by="idx asc",
	)
