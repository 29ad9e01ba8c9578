"""Open Referral HSDS 3.0 <-> the app's Community Resource, as plain dicts.

Import keeps the HSDS ids so a re-import updates instead of duplicating;
export produces `service` objects (with organization, phones and
service_at_locations) that validate against HSDS's compiled service schema.
Taxonomy terms are kept as code and name only: the 211 taxonomy is licensed.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
NEED_CATEGORIES = (
	"Food", "Housing", "Transportation", "Utilities", "Interpersonal Safety", "Financial Strain", "Employment",
	"Education", "Social Isolation", "Mental Health", "Substance Use", "Disability", "Caregiver Support", "Legal",
)  # fmt: skip
_NAMESPACE = uuid.UUID("6f1d1f5e-8c1b-4b8f-9d55-1c2a3b4c5d6e")


def stable_id(*parts: str) -> str:
	"""A UUID for a record that has no HSDS id yet, the same on every export."""
	return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _first(items) -> dict:
	return (items or [{}])[0] or {}


# What a taxonomy term's name or code says about our need categories. 211
# (AIRS) codes: BD-18 emergency food, BH housing/shelter, BT transportation,
# BV utility assistance; names are matched on whole words.
_NEED_PATTERNS = {
	"Food": r"\bfood|\bmeals?\b|\bpantr|\bnutrition|\bsnap\b|^bd-18",
	"Housing": r"\bhousing|\bshelter|\brent(al)?\b|\bhomeless|\beviction|^bh\b|^bh-",
	"Transportation": r"\btransportation|\btransit\b|\bparatransit|\brides?\b|^bt-",
	"Utilities": r"\butilit|\benergy assistance|\bliheap\b|\bheating assistance|^bv-",
	"Interpersonal Safety": r"\binterpersonal safety|\bdomestic violence|\bintimate partner|\babuse\b",
	"Financial Strain": r"\bfinancial|\bcash assistance|\bbenefits? (enrollment|screening)",
	"Employment": r"\bemployment|\bjob (training|placement|search)",
	"Education": r"\beducation|\bged\b|\bliteracy|\besl\b",
	"Social Isolation": r"\bsocial isolation|\bisolation|\bcompanionship|\bfriendly visit",
	"Mental Health": r"\bmental health|\bcounsel+ing|\bbehavioral health|\bcrisis line",
	"Substance Use": r"\bsubstance|\baddiction|\balcohol|\bdrug (use|treatment)",
	"Disability": r"\bdisabilit",
	"Caregiver Support": r"\bcaregiver|\brespite",
	"Legal": r"\blegal\b|\blegal aid",
}


def _need_categories(service: dict) -> list[dict]:
	"""Our need categories, from what each taxonomy term's name or code says."""
	needs = []
	for attribute in service.get("attributes") or []:
		term = attribute.get("taxonomy_term") or {}
		texts = [(term.get("name") or "").casefold(), (term.get("code") or "").casefold()]
		for category in NEED_CATEGORIES:
			pattern = _NEED_PATTERNS.get(category) or re.escape(category.casefold())
			if category in [n["need_category"] for n in needs]:
				continue
			if category.casefold() in texts[0] or any(re.search(pattern, text) for text in texts if text):
				needs.append(
					{
						"need_category": category,
						"taxonomy_code": term.get("code"),
						"taxonomy_name": term.get("name"),
					}
				)
	return needs


def _schedule_text(schedules) -> str | None:
	"""One line per HSDS schedule: its description, else its days and hours."""
	lines = []
	for schedule in schedules or []:
		hours = "–".join(t[:5] for t in (schedule.get("opens_at"), schedule.get("closes_at")) if t)
		line = schedule.get("description") or " ".join(p for p in (schedule.get("byday"), hours) if p)
		if line and line not in lines:
			lines.append(line)
	return "\n".join(lines) or None


_ZIP = re.compile(r"\b\d{5}(?:-\d{4})?\b")


def _service_area(areas) -> tuple[str | None, str | None]:
	"""(postal codes, counties) from HSDS service areas given as text: ZIP codes
	found in the extent or name, and areas named as a county or parish.
	Geographic extents (GeoJSON, KML) are left to the HSDS source."""
	codes, counties = [], []
	for area in areas or []:
		if (area.get("extent_type") or "text").lower() != "text":
			continue
		found = _ZIP.findall(f"{area.get('extent') or ''} {area.get('name') or ''}")
		for code in found:
			if code[:5] not in codes:
				codes.append(code[:5])
		name = (area.get("name") or "").strip()
		if not found and re.search(r"\b(county|parish)\b", name, re.IGNORECASE) and name not in counties:
			counties.append(name)
	return "\n".join(codes) or None, "\n".join(counties) or None


def resource_from_service(service: dict) -> tuple[dict | None, list[tuple[str, str]]]:
	"""A Community Resource (fields as the doctype names them) and the problems
	that stop this row from importing: (field, reason)."""
	problems = []
	for field in ("id", "name", "status"):
		if not service.get(field):
			problems.append((field, "required by HSDS and missing"))
	status = (service.get("status") or "").strip().lower()
	if service.get("status") and status not in STATUSES:
		problems.append(("status", f"{service.get('status')!r} is not one of {', '.join(STATUSES)}"))
	organization = service.get("organization") or {}
	if not (organization.get("name") or service.get("organization_id")):
		problems.append(("organization", "the service names no organization"))
	if problems:
		return None, problems
	at_location = _first(service.get("service_at_locations"))
	location = at_location.get("location") or {}
	address = _first(location.get("addresses"))
	phone = _first(service.get("phones"))
	try:
		latitude = float(location["latitude"]) if location.get("latitude") not in (None, "") else None
		longitude = float(location["longitude"]) if location.get("longitude") not in (None, "") else None
	except (TypeError, ValueError):
		return None, [("location.latitude/longitude", "not a number")]
	postal_codes, counties = _service_area(service.get("service_areas"))
	assured = str(service.get("assured_date") or "")[:10] or None
	try:
		assured and date.fromisoformat(assured)
	except ValueError:
		return None, [("assured_date", f"{service.get('assured_date')!r} is not a date (YYYY-MM-DD)")]
	resource = {
		"hsds_service_id": service["id"],
		"hsds_organization_id": organization.get("id") or service.get("organization_id"),
		"hsds_location_id": location.get("id"),
		"hsds_service_at_location_id": at_location.get("id"),
		"resource_name": service["name"],
		"organization_name": organization.get("name") or service.get("organization_id"),
		"organization_description": organization.get("description"),
		"description": service.get("description"),
		"status": status,
		"email": service.get("email") or organization.get("email"),
		"website": service.get("url") or organization.get("website"),
		"eligibility": service.get("eligibility_description"),
		"fees": service.get("fees_description"),
		"application_process": service.get("application_process"),
		"wait_time": service.get("wait_time"),
		"last_verified_on": assured,
		"languages": ", ".join(
			lang.get("name") or lang.get("code") or "" for lang in service.get("languages") or []
		),
		"phone": (phone.get("number") or "").strip('"') or None,
		"phone_type": phone.get("type"),
		"address_1": address.get("address_1"),
		"address_2": address.get("address_2"),
		"city": address.get("city"),
		"state_province": address.get("state_province"),
		"postal_code": address.get("postal_code"),
		"country": address.get("country"),
		"latitude": latitude,
		"longitude": longitude,
		"schedule": _schedule_text(service.get("schedules")),
		"service_area_postal_codes": postal_codes,
		"service_area_counties": counties,
		"needs": _need_categories(service),
	}
	return resource, []


def service_from_resource(resource: dict) -> dict:
	"""An HSDS `service` object for a Community Resource."""
	service_id = resource.get("hsds_service_id") or stable_id("service", resource["name"])
	organization_id = resource.get("hsds_organization_id") or stable_id(
		"organization", resource["organization_name"]
	)
	location_id = resource.get("hsds_location_id") or stable_id("location", resource["name"])

	def clean(data: dict) -> dict:
		return {k: v for k, v in data.items() if v not in (None, "", [])}

	service = clean(
		{
			"id": service_id,
			"organization_id": organization_id,
			"name": resource["resource_name"],
			"description": resource.get("description"),
			"url": resource.get("website"),
			"email": resource.get("email"),
			"status": resource.get("status") or "active",
			"application_process": resource.get("application_process"),
			"fees_description": resource.get("fees"),
			"wait_time": resource.get("wait_time"),
			"eligibility_description": resource.get("eligibility"),
			"assured_date": str(resource["last_verified_on"]) if resource.get("last_verified_on") else None,
			"organization": clean(
				{
					"id": organization_id,
					"name": resource["organization_name"],
					"description": resource.get("organization_description") or resource["organization_name"],
				}
			),
			"phones": [
				clean(
					{
						"id": stable_id("phone", service_id),
						"number": resource["phone"],
						"type": resource.get("phone_type"),
					}
				)
			]
			if resource.get("phone")
			else [],
			"schedules": [
				{"id": stable_id("schedule", service_id, line), "description": line}
				for line in (resource.get("schedule") or "").splitlines()
				if line.strip()
			],
			"service_areas": [
				{
					"id": stable_id("area", service_id, "postal"),
					"name": "Postal codes " + " ".join(codes),
					"extent": " ".join(codes),
					"extent_type": "text",
				}
				for codes in [(resource.get("service_area_postal_codes") or "").split()]
				if codes
			]
			+ [
				{
					"id": stable_id("area", service_id, county),
					"name": county,
					"extent": county,
					"extent_type": "text",
				}
				for county in (resource.get("service_area_counties") or "").splitlines()
				if county.strip()
			],
			"languages": [
				{"id": stable_id("language", service_id, name.strip()), "name": name.strip()}
				for name in (resource.get("languages") or "").split(",")
				if name.strip()
			],
			"attributes": [
				clean(
					{
						"id": stable_id("attribute", service_id, need["need_category"]),
						"link_type": "service",
						"link_entity": "service",
						"link_id": service_id,
						"value": need["need_category"],
						"taxonomy_term": clean(
							{
								"id": stable_id("term", need.get("taxonomy_code") or need["need_category"]),
								"code": need.get("taxonomy_code"),
								"name": need.get("taxonomy_name") or need["need_category"],
								"description": need["need_category"],
							}
						),
					}
				)
				for need in resource.get("needs") or []
			],
		}
	)
	if resource.get("address_1") or resource.get("latitude") is not None:
		address = clean(
			{
				"id": stable_id("address", location_id),
				"address_1": resource.get("address_1") or "",
				"address_2": resource.get("address_2"),
				"city": resource.get("city") or "",
				"state_province": resource.get("state_province") or "",
				"postal_code": resource.get("postal_code") or "",
				"country": resource.get("country") or "US",
				"address_type": "physical",
			}
		)
		location = clean(
			{
				"id": location_id,
				"location_type": "physical",
				"name": resource["resource_name"],
				"latitude": resource.get("latitude"),
				"longitude": resource.get("longitude"),
				"addresses": [address] if resource.get("address_1") else [],
			}
		)
		service["service_at_locations"] = [
			{
				"id": resource.get("hsds_service_at_location_id")
				or stable_id("sal", service_id, location_id),
				"location": location,
			}
		]
	return service
