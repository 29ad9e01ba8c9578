"""The SNOMED CT code a referral's ServiceRequest carries, chosen from the need's
domain and what the community resource's service is.

The SDOH Clinical Care ServiceRequest binds its code to US Core Procedure Codes
(required: SNOMED CT procedures among them) and, per SDOH category, to the Gravity
Project's intervention value sets (VSAC 2.16.840.1.113762.1.4.1247.*, extensible).
Every code below is a SNOMED CT procedure published in one of these sources, named
beside it; none is made up:

- IG: the SDOH Clinical Care IG's own examples
  (SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample,
  SDOHCC-ProcedureProvisionOfFoodExample).
- GRAVITY: the Gravity SDOH Exchange reference implementation's ServiceRequest
  codes per SDOH category (FHIR/Gravity-SDOH-Exchange-RI, sdoh-mappings.yml).
- ECQM: VSAC 2.16.840.1.113883.3.526.3.1571 "Referral for Adult Depression"
  (eCQM update 2025-05-08).

A need whose domain has no intervention value set of its own (utilities,
employment, education, substance use, disability, legal) is a referral to a
community resource network program: the service is still named in code.text.
"""

from __future__ import annotations

import re

SNOMED_CT = "http://snomed.info/sct"

# (code, display, source)
FOOD_PANTRY = ("467771000124109", "Assistance with application for food pantry program", "IG")
PROVISION_OF_FOOD = ("710925007", "Provision of food", "IG")
HOUSING_SERVICE = ("710911006", "Referral to housing service", "GRAVITY")
TRANSPORTATION = ("410365006", "Transportation case management", "GRAVITY")
BENEFITS = ("462491000124104", "Referral to benefits enrollment assistance program", "GRAVITY")
SOCIAL_WORKER = ("308440001", "Referral to social worker", "GRAVITY")
RESOURCE_NETWORK = ("464161000124109", "Referral to community resource network program", "GRAVITY")
MENTAL_HEALTH_TEAM = ("390866009", "Referral to mental health team", "ECQM")
MENTAL_HEALTH_COUNSELING = ("306226009", "Referral to mental health counseling service", "ECQM")
SUPPORT_GROUP = ("711281004", "Referral to support group", "ECQM")

# Need category -> ((what the service says, code), ...): the first row whose pattern
# matches the resource's service name or a 211 taxonomy term it carries for the
# need wins; the row without a pattern is the need's own code. 211 (AIRS) codes:
# BD-1800.2000 food pantries.
SERVICE_CODES: dict[str, tuple[tuple[str | None, tuple[str, str, str]], ...]] = {
	"Food": ((r"\bpantr|\bfood bank|^bd-1800\.2000", FOOD_PANTRY), (None, PROVISION_OF_FOOD)),
	"Housing": ((None, HOUSING_SERVICE),),
	"Transportation": ((None, TRANSPORTATION),),
	"Utilities": ((None, RESOURCE_NETWORK),),
	"Interpersonal Safety": ((None, SOCIAL_WORKER),),
	"Financial Strain": ((None, BENEFITS),),
	"Employment": ((None, RESOURCE_NETWORK),),
	"Education": ((None, RESOURCE_NETWORK),),
	"Social Isolation": ((None, SUPPORT_GROUP),),
	"Mental Health": ((r"\bcounsel", MENTAL_HEALTH_COUNSELING), (None, MENTAL_HEALTH_TEAM)),
	"Substance Use": ((None, RESOURCE_NETWORK),),
	"Disability": ((None, RESOURCE_NETWORK),),
	"Caregiver Support": ((None, SUPPORT_GROUP),),
	"Legal": ((None, RESOURCE_NETWORK),),
}


def service_code(need: str, service: str | None, taxonomy: list[dict] | None = None) -> tuple[str, str]:
	"""(code, display) for a referral for ``need`` to ``service`` (its name);
	``taxonomy``: the resource's 211 terms for the need, each {code, name}. A need
	not in the table is a referral to a community resource network program."""
	said = [service or ""] + [
		text for term in taxonomy or [] for text in (term.get("code"), term.get("name")) if text
	]
	for pattern, (code, display, _source) in SERVICE_CODES.get(need, ((None, RESOURCE_NETWORK),)):
		if pattern is None or any(re.search(pattern, text.strip().casefold()) for text in said):
			return code, display
	return RESOURCE_NETWORK[:2]


def service_concept(need: str, service: str | None, taxonomy: list[dict] | None = None) -> dict:
	"""ServiceRequest.code: the SNOMED CT coding, with the service's own name kept as text."""
	code, display = service_code(need, service, taxonomy)
	concept = {"coding": [{"system": SNOMED_CT, "code": code, "display": display}]}
	if service:
		concept["text"] = service
	return concept
