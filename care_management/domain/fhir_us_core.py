"""The resources both FHIR exports share, shaped to US Core 6.1: Patient,
Practitioner, Organization and the Condition a social need becomes; and the
bundle that holds them, where every reference points at an entry's fullUrl.

Plain dicts in, JSON-able dicts out. A code is sent as a coding only when its
system is known and its shape is right; anything else goes as text, never under
a made-up system.
"""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid5

from care_management.domain import provider_ids
from care_management.domain.icd10 import ICD10_CM_SYSTEM, is_icd10_cm, normalise_icd10

US_CORE_VERSION = "6.1.0"
_US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
_SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"


def us_core(profile: str) -> str:
	return f"{_US_CORE}{profile}|{US_CORE_VERSION}"


# The profiles each resource declares (meta.profile). The referral's ServiceRequest
# is an SDOH Clinical Care ServiceRequest, which is built on US Core's.
PROFILES = {
	"CarePlan": (us_core("us-core-careplan"),),
	"Goal": (us_core("us-core-goal"),),
	"Condition": (us_core("us-core-condition-problems-health-concerns"),),
	"Patient": (us_core("us-core-patient"),),
	"Practitioner": (us_core("us-core-practitioner"),),
	"Organization": (us_core("us-core-organization"),),
	"ServiceRequest": (f"{_SDOHCC}SDOHCC-ServiceRequest", us_core("us-core-servicerequest")),
	"Task": (f"{_SDOHCC}SDOHCC-TaskForReferralManagement",),
}

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
US_CORE_CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
US_CORE_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"

# The app's need categories -> the SDOH Clinical Care IG's category codes
# (ValueSet SDOHCC-ValueSetSDOHCategory). A need the IG has no category for is
# "sdoh-category-unspecified", the IG's own code for that, never a guess.
SDOH_CATEGORY = {
	"Food": ("food-insecurity", "Food Insecurity"),
	"Housing": ("housing-instability", "Housing Instability"),
	"Transportation": ("transportation-insecurity", "Transportation Insecurity"),
	"Utilities": ("utility-insecurity", "Utility Insecurity"),
	"Interpersonal Safety": ("intimate-partner-violence", "Intimate Partner Violence"),
	"Financial Strain": ("financial-insecurity", "Financial Insecurity"),
	"Employment": ("employment-status", "Employment Status"),
	"Education": ("educational-attainment", "Educational Attainment"),
	"Social Isolation": ("social-connection", "Social Connection"),
}
SDOH_UNSPECIFIED = ("sdoh-category-unspecified", "SDOH Category Unspecified")
# A care plan need's status -> Condition.clinicalStatus.
NEED_CLINICAL_STATUS = {
	"Open": "active",
	"Referred": "active",
	"Met": "resolved",
	"Partly Met": "active",
	"Not Met": "active",
	"Declined": "active",
}
# Healthcare's Gender records -> AdministrativeGender; any other gender a site
# adds is "other", and none (or declining to say) is "unknown".
ADMINISTRATIVE_GENDER = {"male": "male", "female": "female", "prefer not to say": "unknown", "": "unknown"}
_BCP47 = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")


def fhir_id(*parts: str) -> str:
	"""A valid FHIR id ([A-Za-z0-9-.]{1,64}) made from the app's names."""
	return re.sub(r"[^A-Za-z0-9\-.]", "-", "-".join(str(p) for p in parts))[:64]


def drop_empty(data: dict) -> dict:
	return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def mapped(mapping: dict[str, str], value: str | None, field: str) -> str:
	if value not in mapping:
		raise ValueError(f"{field}: {value!r} has no FHIR equivalent; expected one of {sorted(mapping)}")
	return mapping[value]


def coded(system: str, code: str, display: str | None = None) -> dict:
	return {"coding": [drop_empty({"system": system, "code": code, "display": display})]}


def is_npi(value: str | None) -> bool:
	"""An NPI that passes its check digit (domain/provider_ids.py), the only kind exported."""
	return bool(value) and provider_ids.npi_problem(value) is None


class BundleEntries:
	"""The entries of one self-contained Bundle. Each entry's fullUrl is a
	urn:uuid derived from the site and the record, so the same patient has the
	same fullUrl in every export of a site; references use that fullUrl, and
	the bundle refuses to be built with a reference it does not hold."""

	def __init__(self, base_url: str):
		self.base_url = base_url.rstrip("/")
		self.entries: dict[str, dict] = {}

	def full_url(self, resource_type: str, resource_id: str) -> str:
		return f"urn:uuid:{uuid5(NAMESPACE_URL, f'{self.base_url}/{resource_type}/{resource_id}')}"

	def reference(self, resource: dict, display: str | None = None) -> dict:
		return drop_empty(
			{"reference": self.full_url(resource["resourceType"], resource["id"]), "display": display}
		)

	def add(self, resource: dict) -> None:
		"""Adds the resource, declaring the profile it follows (first, where a reader looks)."""
		kind, resource_id = resource["resourceType"], resource["id"]
		declared = {"resourceType": kind, "id": resource_id, "meta": {"profile": list(PROFILES[kind])}}
		self.entries.setdefault(self.full_url(kind, resource_id), {**declared, **resource})

	def bundle(self, bundle_id: str) -> dict:
		unresolved = sorted(set(references_in(list(self.entries.values()))) - set(self.entries))
		if unresolved:
			raise ValueError(f"bundle {bundle_id}: references not in the bundle: {unresolved}")
		return {
			"resourceType": "Bundle",
			"id": bundle_id,
			"type": "collection",
			"entry": [{"fullUrl": url, "resource": resource} for url, resource in self.entries.items()],
		}


def references_in(value) -> list[str]:
	"""Every Reference.reference inside value, except to contained resources (#id)."""
	found = []
	if isinstance(value, dict):
		reference = value.get("reference")
		if isinstance(reference, str) and not reference.startswith("#"):
			found.append(reference)
		for item in value.values():
			found.extend(references_in(item))
	elif isinstance(value, list):
		for item in value:
			found.extend(references_in(item))
	return found


def _telecom(phone=None, mobile=None, email=None, url=None, phone_use="home") -> list[dict]:
	return [
		drop_empty({"system": system, "value": value, "use": use})
		for system, value, use in (
			("phone", phone, phone_use),
			("phone", mobile, "mobile"),
			("email", email, None),
			("url", url, None),
		)
		if value
	]


def _addresses(address: dict | None, use: str) -> list[dict] | None:
	"""``address``: line (a list), city, state, postal_code, country."""
	address = address or {}
	lines = [line for line in address.get("line") or [] if line]
	if not lines and not any(address.get(k) for k in ("city", "state", "postal_code")):
		return None
	return [
		drop_empty(
			{
				"use": use,
				"line": lines,
				"city": address.get("city"),
				"state": address.get("state"),
				"postalCode": address.get("postal_code"),
				"country": address.get("country"),
			}
		)
	]


def _human_name(first: str | None, middle: str | None, last: str | None, full: str | None) -> dict:
	given = [part for part in (first, middle) if part] or ([full] if full and not last else [])
	name = drop_empty({"text": full, "family": last, "given": given})
	if not last:
		# US Core Practitioner requires family; an unknown one is said, not invented.
		name["_family"] = {"extension": [{"url": DATA_ABSENT_REASON, "valueCode": "unknown"}]}
	return name


def patient_resource(patient: dict, base_url: str) -> dict:
	"""``patient``: id, name, first_name, middle_name, last_name, gender, birth_date,
	phone, mobile, email, language, address (see _addresses), race, ethnicity
	(race and ethnicity as text, only when the site records them)."""
	gender = (patient.get("gender") or "").strip().casefold()
	language = patient.get("language")
	communication = None
	if language:
		communication = [
			{"language": coded("urn:ietf:bcp:47", language) if _BCP47.match(language) else {"text": language}}
		]
	extension = [
		{"url": url, "extension": [{"url": "text", "valueString": patient[key]}]}
		for url, key in ((US_CORE_RACE, "race"), (US_CORE_ETHNICITY, "ethnicity"))
		if patient.get(key)
	]
	name = _human_name(
		patient.get("first_name"), patient.get("middle_name"), patient.get("last_name"), patient.get("name")
	)
	if name.get("given"):
		name.pop("_family", None)  # US Core Patient asks for family or given, not both
	return drop_empty(
		{
			"resourceType": "Patient",
			"id": fhir_id(patient["id"]),
			"extension": extension,
			"identifier": [
				{
					"use": "usual",
					"type": coded(IDENTIFIER_TYPE, "MR", "Medical record number"),
					"system": f"{base_url.rstrip('/')}/app/patient",
					"value": patient["id"],
				}
			],
			"name": [name],
			"telecom": _telecom(patient.get("phone"), patient.get("mobile"), patient.get("email")),
			"gender": ADMINISTRATIVE_GENDER.get(gender, "other"),
			"birthDate": patient.get("birth_date"),
			"address": _addresses(patient.get("address"), "home"),
			"communication": communication,
		}
	)


def practitioner_resource(practitioner: dict, base_url: str) -> dict:
	"""``practitioner``: id, name, first_name, middle_name, last_name, npi, phone,
	email. An NPI is sent only when its check digit holds."""
	identifiers = []
	if is_npi(practitioner.get("npi")):
		identifiers.append({"system": NPI_SYSTEM, "value": practitioner["npi"]})
	identifiers.append(
		{"system": f"{base_url.rstrip('/')}/app/healthcare-practitioner", "value": practitioner["id"]}
	)
	return drop_empty(
		{
			"resourceType": "Practitioner",
			"id": fhir_id(practitioner["id"]),
			"identifier": identifiers,
			"name": [
				_human_name(
					practitioner.get("first_name"),
					practitioner.get("middle_name"),
					practitioner.get("last_name"),
					practitioner.get("name"),
				)
			],
			"telecom": _telecom(practitioner.get("phone"), None, practitioner.get("email"), phone_use="work"),
		}
	)


def organization_resource(organization: dict, base_url: str) -> dict:
	"""``organization``: key (what makes it one organization on this site),
	name, npi (a practice's: US Core SHALL support NPI for organizations),
	identifier_system + identifier (the app's own id), hsds_id (a UUID from an
	HSDS feed), active, phone, email, website, address {line, city, state,
	postal_code, country}."""
	base_url = base_url.rstrip("/")
	identifiers = []
	if is_npi(organization.get("npi")):
		identifiers.append({"system": NPI_SYSTEM, "value": organization["npi"]})
	if organization.get("identifier"):
		identifiers.append(
			{"system": f"{base_url}/{organization['identifier_system']}", "value": organization["identifier"]}
		)
	hsds_id = organization.get("hsds_id")
	if hsds_id:
		try:
			identifiers.append({"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{UUID(hsds_id)}"})
		except ValueError:
			pass  # not a UUID: HSDS ids are, so this one identifies nothing outside the feed
	return drop_empty(
		{
			"resourceType": "Organization",
			"id": str(uuid5(NAMESPACE_URL, f"{base_url}/Organization/{organization['key']}")),
			"identifier": identifiers,
			"active": organization.get("active", True),
			"name": organization["name"],
			"telecom": _telecom(
				organization.get("phone"),
				None,
				organization.get("email"),
				organization.get("website"),
				phone_use="work",
			),
			"address": _addresses(organization.get("address"), "work"),
		}
	)


def condition_code(name: str | None, icd10_code: str | None) -> dict:
	"""ICD-10-CM coding when the code has ICD-10-CM's shape; otherwise text only
	(the name, or the code as written when there is no name)."""
	code = normalise_icd10(icd10_code) if icd10_code else ""
	concept = drop_empty({"text": name or icd10_code})
	if code and is_icd10_cm(code):
		concept["coding"] = [drop_empty({"system": ICD10_CM_SYSTEM, "code": code, "display": name})]
	return concept


def sdoh_categories(need_category: str) -> list[dict]:
	code, display = SDOH_CATEGORY.get(need_category, SDOH_UNSPECIFIED)
	return [coded(US_CORE_CATEGORY, "sdoh", "SDOH"), coded(SDOHCC_CODES, code, display)]


def need_condition_resource(need: dict, subject: dict) -> dict:
	"""A social need as a US Core health concern with the SDOH categories.
	``need``: id, category (the app's need category), label (what a reader
	sees), status, identified_on, notes."""
	return drop_empty(
		{
			"resourceType": "Condition",
			"id": fhir_id(need["id"]),
			"clinicalStatus": coded(
				CONDITION_CLINICAL, mapped(NEED_CLINICAL_STATUS, need.get("status") or "Open", "need status")
			),
			"verificationStatus": coded(CONDITION_VERIFICATION, "confirmed"),
			"category": [
				coded(US_CORE_CONDITION_CATEGORY, "health-concern", "Health Concern"),
				*sdoh_categories(need["category"]),
			],
			"code": {"text": need.get("label") or need["category"]},
			"subject": subject,
			"recordedDate": need.get("identified_on"),
			"note": [{"text": need["notes"]}] if need.get("notes") else None,
		}
	)
