"""The US Core 6.1 and SDOH Clinical Care rules the exports must meet, written
down as checks because no profile validator can be installed here.

Each rule names the profile and element it enforces. A rule takes one resource
and the bundle's entries (by fullUrl) and returns what is wrong with it, so a
test can say which rule failed on which resource. Code lists below are copied
from the published value sets they name.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import verhoeff

from care_management.domain.icd10 import is_icd10_cm

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
SDOHCC_SERVICE_REQUEST = SDOHCC + "SDOHCC-ServiceRequest"
# Every profile each resource must declare.
EXPECTED_PROFILES = {
	"CarePlan": (US_CORE + "us-core-careplan|6.1.0",),
	"Goal": (US_CORE + "us-core-goal|6.1.0",),
	"Condition": (US_CORE + "us-core-condition-problems-health-concerns|6.1.0",),
	"Patient": (US_CORE + "us-core-patient|6.1.0",),
	"Practitioner": (US_CORE + "us-core-practitioner|6.1.0",),
	"Organization": (US_CORE + "us-core-organization|6.1.0",),
	"ServiceRequest": (SDOHCC_SERVICE_REQUEST, US_CORE + "us-core-servicerequest|6.1.0"),
	"Task": (SDOHCC + "SDOHCC-TaskForReferralManagement",),
}

# ValueSet request-status, request-intent, goal-status, care-plan-activity-status,
# care-plan-activity-kind, administrative-gender, task-status (R4).
REQUEST_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
REQUEST_INTENT = {
	"proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order",
	"instance-order", "option",
}  # fmt: skip
GOAL_LIFECYCLE = {
	"proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled",
	"entered-in-error", "rejected",
}  # fmt: skip
GOAL_ACHIEVEMENT = {
	"in-progress", "improving", "worsening", "no-change", "achieved", "sustaining", "not-achieved",
	"no-progress", "not-attainable",
}  # fmt: skip
ACTIVITY_STATUS = {
	"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped",
	"unknown", "entered-in-error",
}  # fmt: skip
ACTIVITY_KIND = {
	"Appointment", "CommunicationRequest", "DeviceRequest", "MedicationRequest", "NutritionOrder",
	"Task", "ServiceRequest", "VisionPrescription",
}  # fmt: skip
ADMINISTRATIVE_GENDER = {"male", "female", "other", "unknown"}
CONDITION_CLINICAL = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
CONDITION_VERIFICATION = {
	"unconfirmed",
	"provisional",
	"differential",
	"confirmed",
	"refuted",
	"entered-in-error",
}
# SDOHCC-ValueSetReferralTaskStatus: TaskStatus without ready and received.
REFERRAL_TASK_STATUS = {
	"draft", "requested", "accepted", "rejected", "cancelled", "in-progress", "on-hold", "failed",
	"completed", "entered-in-error",
}  # fmt: skip
# SDOHCC-ValueSetSDOHCategory.
SDOHCC_CATEGORY = {
	"sdoh-category-unspecified", "food-insecurity", "housing-instability", "homelessness",
	"inadequate-housing", "transportation-insecurity", "financial-insecurity", "material-hardship",
	"educational-attainment", "employment-status", "veteran-status", "stress", "social-connection",
	"intimate-partner-violence", "elder-abuse", "personal-health-literacy",
	"health-insurance-coverage-status", "medical-cost-burden", "digital-literacy", "digital-access",
	"utility-insecurity", "incarceration-status", "language-access",
}  # fmt: skip

CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
GOAL_ACHIEVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/goal-achievement"
CLINICAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
PROBLEM_CATEGORY = ("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item")
HEALTH_CONCERN = ("http://hl7.org/fhir/us/core/CodeSystem/condition-category", "health-concern")
SDOH = ("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "sdoh")
SDOHCC_SYSTEM = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED_CT = "http://snomed.info/sct"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
NPI = "http://hl7.org/fhir/sid/us-npi"
DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
# Every code system an export may use; a coding under any other is made up.
KNOWN_SYSTEMS = {
	CAREPLAN_CATEGORY, GOAL_ACHIEVEMENT_SYSTEM, CLINICAL_SYSTEM, VERIFICATION_SYSTEM, PROBLEM_CATEGORY[0],
	HEALTH_CONCERN[0], SDOH[0], SDOHCC_SYSTEM, ICD10_CM, SNOMED_CT, TASK_CODE,
	"http://terminology.hl7.org/CodeSystem/v2-0203", "urn:ietf:bcp:47",
}  # fmt: skip
# FHIR narrative (txt-1): basic formatting only; these are the ones the export uses.
NARRATIVE_ELEMENTS = {"div", "h2", "h3", "p", "b", "i", "br", "ul", "ol", "li"}
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Rule:
	resource_type: str  # "*" for every resource, "Bundle" for the bundle itself
	element: str  # profile element the rule enforces
	check: Callable[[dict, dict], list[str]]

	@property
	def name(self) -> str:
		return self.element


RULES: list[Rule] = []


def rule(resource_type: str, element: str):
	def register(check):
		RULES.append(Rule(resource_type, element, check))
		return check

	return register


def codings(concept: dict | None) -> list[tuple[str | None, str | None]]:
	return [(c.get("system"), c.get("code")) for c in (concept or {}).get("coding", [])]


def target(reference: dict | None, index: dict) -> dict | None:
	return index.get((reference or {}).get("reference"))


def points_to(reference: dict | None, index: dict, *types: str) -> bool:
	found = target(reference, index)
	return bool(found) and found["resourceType"] in types


def all_values(value, key: str):
	if isinstance(value, dict):
		for k, v in value.items():
			if k == key:
				yield v
			yield from all_values(v, key)
	elif isinstance(value, list):
		for item in value:
			yield from all_values(item, key)


# -- the bundle ----------------------------------------------------------------


@rule("Bundle", "Bundle.entry.fullUrl (bdl-7, urn:uuid)")
def full_urls_unique_and_uniform(bundle, index):
	urls = [e.get("fullUrl") for e in bundle["entry"]]
	problems = [f"duplicate fullUrl {u}" for u in set(urls) if urls.count(u) > 1]
	pattern = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
	return problems + [f"fullUrl {u!r} is not a urn:uuid" for u in urls if not pattern.match(u or "")]


@rule("Bundle", "Reference.reference resolves inside the bundle")
def references_resolve(bundle, index):
	problems = []
	for entry in bundle["entry"]:
		resource = entry["resource"]
		contained = {c["id"] for c in resource.get("contained", [])}
		for reference in all_values(resource, "reference"):
			if reference.startswith("#"):
				if reference[1:] not in contained:
					problems.append(f"{resource['resourceType']}: #{reference[1:]} is not contained")
			elif reference not in index:
				problems.append(f"{resource['resourceType']}: {reference} is not an entry's fullUrl")
	return problems


@rule("*", "meta.profile")
def profile_declared(resource, index):
	declared = resource.get("meta", {}).get("profile", [])
	return [
		f"no {expected}"
		for expected in EXPECTED_PROFILES[resource["resourceType"]]
		if expected not in declared
	]


def is_sctid(code: str) -> bool:
	"""A SNOMED CT concept id: 6-18 digits, no leading zero, partition 00 (core) or
	10 (extension), and a Verhoeff check digit that holds (python-stdnum)."""
	return (
		bool(re.fullmatch(r"[1-9][0-9]{5,17}", code))
		and code[-3:-1] in ("00", "10")
		and verhoeff.is_valid(code)
	)


@rule("*", "Coding.system (no made-up systems; ICD-10-CM and SNOMED CT codes have their shape)")
def codings_known(resource, index):
	problems = []
	for coding_list in all_values(resource, "coding"):
		for coding in coding_list:
			if coding.get("system") not in KNOWN_SYSTEMS:
				problems.append(f"coding under unknown system {coding.get('system')!r}")
			if not coding.get("code"):
				problems.append("coding without a code")
			if coding.get("system") == ICD10_CM and not is_icd10_cm(coding.get("code") or ""):
				problems.append(f"{coding.get('code')!r} is not ICD-10-CM")
			if coding.get("system") == SNOMED_CT and not is_sctid(coding.get("code") or ""):
				problems.append(f"{coding.get('code')!r} is not a SNOMED CT concept id")
	return problems


# -- US Core CarePlan ----------------------------------------------------------------


@rule("CarePlan", "CarePlan.text (status, div: XHTML, txt-1, txt-2)")
def care_plan_narrative(resource, index):
	text = resource.get("text") or {}
	problems = [] if text.get("status") in ("generated", "additional") else ["text.status"]
	try:
		root = ET.fromstring(text.get("div") or "")
	except ET.ParseError as error:
		return [*problems, f"text.div is not well-formed XML: {error}"]
	if root.tag != XHTML + "div":
		problems.append("text.div is not an XHTML div")
	for node in root.iter():
		tag = node.tag.replace(XHTML, "")
		if tag not in NARRATIVE_ELEMENTS:
			problems.append(f"element <{tag}> in the narrative")
		if node.attrib and node is not root:
			problems.append(f"attributes on <{tag}>")
	if not "".join(root.itertext()).strip():
		problems.append("the narrative has no text (txt-2)")
	return problems


@rule("CarePlan", "CarePlan.status (required: RequestStatus)")
def care_plan_status(resource, index):
	return [] if resource.get("status") in REQUEST_STATUS else [f"status {resource.get('status')!r}"]


@rule("CarePlan", "CarePlan.intent (fixed: plan)")
def care_plan_intent(resource, index):
	return [] if resource.get("intent") == "plan" else [f"intent {resource.get('intent')!r}"]


@rule("CarePlan", "CarePlan.category:AssessPlan (careplan-category#assess-plan)")
def care_plan_category(resource, index):
	found = [c for concept in resource.get("category", []) for c in codings(concept)]
	return [] if (CAREPLAN_CATEGORY, "assess-plan") in found else ["no assess-plan category"]


@rule("CarePlan", "CarePlan.subject (US Core Patient)")
def care_plan_subject(resource, index):
	return (
		[]
		if points_to(resource.get("subject"), index, "Patient")
		else ["subject is not the bundle's Patient"]
	)


@rule("CarePlan", "CarePlan.activity.detail (kind, status, description, performer)")
def care_plan_activity(resource, index):
	problems = []
	for position, activity in enumerate(resource.get("activity", [])):
		detail = activity.get("detail") or {}
		if "reference" in activity and detail:
			problems.append(f"activity {position}: both reference and detail (cpl-3)")
		if detail.get("kind") not in ACTIVITY_KIND:
			problems.append(f"activity {position}: kind {detail.get('kind')!r}")
		if detail.get("status") not in ACTIVITY_STATUS:
			problems.append(f"activity {position}: status {detail.get('status')!r}")
		if not detail.get("description"):
			problems.append(f"activity {position}: no description")
		for performer in detail.get("performer", []):
			if "reference" not in performer and not performer.get("display"):
				problems.append(f"activity {position}: performer with neither reference nor display")
	return problems


@rule("CarePlan", "CarePlan.addresses / CarePlan.goal (the bundle's Conditions and Goals)")
def care_plan_links(resource, index):
	problems = [
		f"addresses {r.get('reference')}"
		for r in resource.get("addresses", [])
		if not points_to(r, index, "Condition")
	]
	return problems + [
		f"goal {r.get('reference')}" for r in resource.get("goal", []) if not points_to(r, index, "Goal")
	]


# -- US Core Goal ----------------------------------------------------------------


@rule("Goal", "Goal.lifecycleStatus (required: GoalLifecycleStatus)")
def goal_lifecycle(resource, index):
	return [] if resource.get("lifecycleStatus") in GOAL_LIFECYCLE else ["lifecycleStatus"]


@rule("Goal", "Goal.description (1..1)")
def goal_description(resource, index):
	description = resource.get("description") or {}
	return [] if description.get("text") or description.get("coding") else ["no description"]


@rule("Goal", "Goal.subject (US Core Patient)")
def goal_subject(resource, index):
	return [] if points_to(resource.get("subject"), index, "Patient") else ["subject"]


@rule("Goal", "Goal.achievementStatus (goal-achievement code system)")
def goal_achievement(resource, index):
	return [
		f"achievementStatus {system}#{code}"
		for system, code in codings(resource.get("achievementStatus"))
		if system != GOAL_ACHIEVEMENT_SYSTEM or code not in GOAL_ACHIEVEMENT
	]


@rule("Goal", "Goal.target (gol-1: detail needs measure)")
def goal_target(resource, index):
	return [
		"target detail without measure"
		for target_ in resource.get("target", [])
		if any(k.startswith("detail") for k in target_) and not target_.get("measure")
	]


# -- US Core Condition Problems and Health Concerns ---------------------------------------------


@rule("Condition", "Condition.category:us-core (problem-list-item | health-concern)")
def condition_category(resource, index):
	found = [c for concept in resource.get("category", []) for c in codings(concept)]
	return (
		[] if PROBLEM_CATEGORY in found or HEALTH_CONCERN in found else ["no problem/health-concern category"]
	)


@rule("Condition", "Condition.category (SDOHCC: a health concern carries sdoh + an SDOHCC SDOH category)")
def condition_sdoh_category(resource, index):
	found = [c for concept in resource.get("category", []) for c in codings(concept)]
	if HEALTH_CONCERN not in found:
		return []
	sdohcc = [code for system, code in found if system == SDOHCC_SYSTEM]
	problems = [] if SDOH in found else ["no us-core-category#sdoh"]
	if not sdohcc:
		problems.append("no SDOHCC category")
	return problems + [
		f"{code!r} is not in SDOHCC-ValueSetSDOHCategory" for code in sdohcc if code not in SDOHCC_CATEGORY
	]


@rule("Condition", "Condition.clinicalStatus (required: condition-clinical; con-3)")
def condition_clinical_status(resource, index):
	found = codings(resource.get("clinicalStatus"))
	return (
		[]
		if found and all(s == CLINICAL_SYSTEM and c in CONDITION_CLINICAL for s, c in found)
		else ["clinicalStatus"]
	)


@rule("Condition", "Condition.verificationStatus (required: condition-ver-status)")
def condition_verification_status(resource, index):
	found = codings(resource.get("verificationStatus"))
	ok = all(s == VERIFICATION_SYSTEM and c in CONDITION_VERIFICATION for s, c in found)
	return [] if ok else ["verificationStatus"]


@rule("Condition", "Condition.code (1..1)")
def condition_code(resource, index):
	code = resource.get("code") or {}
	return [] if code.get("text") or code.get("coding") else ["no code"]


@rule("Condition", "Condition.subject (US Core Patient)")
def condition_subject(resource, index):
	return [] if points_to(resource.get("subject"), index, "Patient") else ["subject"]


_FHIR_DATE_TIME = re.compile(
	r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?$"
)


@rule("Condition", "Condition.recordedDate (US Core 6.1: SHALL support; dateTime)")
def condition_recorded_date(resource, index):
	value = resource.get("recordedDate")
	if not value:
		return ["no recordedDate"]
	return [] if _FHIR_DATE_TIME.match(str(value)) else [f"recordedDate {value!r} is no dateTime"]


# -- US Core Patient, Practitioner, Organization -------------------------------------------------


@rule("Patient", "Patient.identifier (1..*: system, value)")
def patient_identifier(resource, index):
	ids = resource.get("identifier", [])
	return [] if ids and all(i.get("system") and i.get("value") for i in ids) else ["identifier"]


@rule("Patient", "Patient.name (1..*; us-core-6: family or given)")
def patient_name(resource, index):
	names = resource.get("name", [])
	return [] if names and all(n.get("family") or n.get("given") for n in names) else ["name"]


@rule("Patient", "Patient.gender (1..1, required: AdministrativeGender)")
def patient_gender(resource, index):
	return [] if resource.get("gender") in ADMINISTRATIVE_GENDER else [f"gender {resource.get('gender')!r}"]


@rule("Patient", "Patient.birthDate (date)")
def patient_birth_date(resource, index):
	value = resource.get("birthDate")
	return [] if value is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) else ["birthDate"]


@rule("Patient", "Patient.extension:race / :ethnicity (text 1..1)")
def patient_race_ethnicity(resource, index):
	problems = []
	for extension in resource.get("extension", []):
		if extension["url"].endswith(("us-core-race", "us-core-ethnicity")):
			texts = [e for e in extension.get("extension", []) if e["url"] == "text" and e.get("valueString")]
			if len(texts) != 1:
				problems.append(f"{extension['url']} without its text")
	return problems


@rule("Practitioner", "Practitioner.identifier (1..*; :NPI is a valid NPI)")
def practitioner_identifier(resource, index):
	ids = resource.get("identifier", [])
	problems = [] if ids and all(i.get("system") and i.get("value") for i in ids) else ["identifier"]
	return problems + [
		f"NPI {i['value']!r}"
		for i in ids
		if i.get("system") == NPI and not re.fullmatch(r"\d{10}", i["value"])
	]


@rule("Practitioner", "Practitioner.name (1..*; family 1..1 or data-absent-reason)")
def practitioner_name(resource, index):
	problems = []
	for name in resource.get("name", []) or [None]:
		absent = any(
			e.get("url") == DATA_ABSENT_REASON
			for e in ((name or {}).get("_family") or {}).get("extension", [])
		)
		if not name or not (name.get("family") or absent):
			problems.append("name.family")
	return problems


@rule("Organization", "Organization.active (1..1) / Organization.name (1..1)")
def organization_active_and_name(resource, index):
	return [k for k in ("active", "name") if resource.get(k) in (None, "")]


NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"


@rule("Organization", "Organization.identifier:NPI (a valid NPI in the NPI slice)")
def organization_npi(resource, index):
	from care_management.domain.provider_ids import npi_problem

	return [
		f"NPI {i.get('value')!r} is not a valid NPI"
		for i in resource.get("identifier", [])
		if i.get("system") == NPI_SYSTEM and npi_problem(i.get("value"))
	]


# -- US Core ServiceRequest in the SDOHCC shape ------------------------------------------------


def _sdoh_categories(resource) -> list[str]:
	found = [c for concept in resource.get("category", []) for c in codings(concept)]
	problems = [] if SDOH in found else ["no us-core-category#sdoh"]
	sdohcc = [code for system, code in found if system == SDOHCC_SYSTEM]
	if not sdohcc:
		problems.append("no SDOHCC category (1..*)")
	return problems + [
		f"{code!r} not in SDOHCC-ValueSetSDOHCategory" for code in sdohcc if code not in SDOHCC_CATEGORY
	]


@rule("ServiceRequest", "ServiceRequest.status / intent (required: RequestStatus, RequestIntent)")
def service_request_status(resource, index):
	return [
		k
		for k, allowed in (("status", REQUEST_STATUS), ("intent", REQUEST_INTENT))
		if resource.get(k) not in allowed
	]


@rule("ServiceRequest", "ServiceRequest.category:SDOHCC (sdoh + an SDOHCC SDOH category)")
def service_request_category(resource, index):
	return _sdoh_categories(resource)


@rule("ServiceRequest", "ServiceRequest.code (SDOHCC: SNOMED CT from US Core Procedure Codes; text kept)")
def service_request_code(resource, index):
	code = resource.get("code") or {}
	problems = [] if code.get("text") else ["no text beside the codes"]
	snomed = [c for s, c in codings(code) if s == SNOMED_CT]
	return problems + ([] if len(snomed) == 1 else [f"{len(snomed)} SNOMED CT codings, expected 1"])


@rule("ServiceRequest", "ServiceRequest.subject / requester / performer / reasonReference")
def service_request_links(resource, index):
	problems = [] if points_to(resource.get("subject"), index, "Patient") else ["subject"]
	if not points_to(resource.get("requester"), index, "Organization", "Practitioner", "PractitionerRole"):
		problems.append("requester")
	if not resource.get("performer") or not all(
		points_to(p, index, "Organization") for p in resource["performer"]
	):
		problems.append("performer")
	reasons = resource.get("reasonReference", [])
	if not reasons or not all(points_to(r, index, "Condition") for r in reasons):
		problems.append("reasonReference is not the need's Condition")
	return problems


# -- SDOHCC Task For Referral Management ----------------------------------------------------------


@rule("Task", "Task.status (SDOHCC-ValueSetReferralTaskStatus) / statusReason.text")
def task_status(resource, index):
	problems = (
		[] if resource.get("status") in REFERRAL_TASK_STATUS else [f"status {resource.get('status')!r}"]
	)
	if "statusReason" in resource and not resource["statusReason"].get("text"):
		problems.append("statusReason without text (1..1)")
	if resource.get("status") in ("rejected", "cancelled", "on-hold", "failed"):
		if not (resource.get("statusReason") or {}).get("text"):
			problems.append("statusReason.text missing")
	return problems


@rule("Task", "Task.intent (fixed: order) / Task.code (task-code#fulfill)")
def task_intent_and_code(resource, index):
	problems = [] if resource.get("intent") == "order" else ["intent"]
	fulfil = ("http://hl7.org/fhir/CodeSystem/task-code", "fulfill")
	return problems + ([] if fulfil in codings(resource.get("code")) else ["code"])


@rule(
	"Task",
	"Task.focus -> SDOHCC ServiceRequest / for -> Patient / owner, requester -> Organization / authoredOn",
)
def task_links(resource, index):
	focus = target(resource.get("focus"), index) or {}
	problems = [] if points_to(resource.get("focus"), index, "ServiceRequest") else ["focus"]
	if focus and SDOHCC_SERVICE_REQUEST not in focus.get("meta", {}).get("profile", []):
		problems.append("focus is not an SDOHCC ServiceRequest")
	if not points_to(resource.get("for"), index, "Patient"):
		problems.append("for")
	for key in ("owner", "requester"):
		if not points_to(resource.get(key), index, "Organization"):
			problems.append(key)
	return problems + ([] if resource.get("authoredOn") else ["authoredOn"])


@rule(
	"Task",
	"Task.output:PerformedActivityCode (resulting-activity: SNOMED CT; a completed task says what was done)",
)
def task_output(resource, index):
	problems = []
	performed = [
		o
		for o in resource.get("output", [])
		if (SDOHCC_SYSTEM, "resulting-activity") in codings(o.get("type"))
	]
	for output in performed:
		if not any(s == SNOMED_CT for s, _c in codings(output.get("valueCodeableConcept"))):
			problems.append("resulting-activity without a SNOMED CT code")
	if resource.get("status") == "completed" and not performed:
		problems.append("completed without the resulting activity")
	return problems


def problems(bundle: dict, only: Rule | None = None) -> list[str]:
	"""Everything the rules (or one rule) find wrong with the bundle."""
	index = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
	found = []
	for rule_ in [only] if only else RULES:
		if rule_.resource_type == "Bundle":
			found += [f"{rule_.element}: {p}" for p in rule_.check(bundle, index)]
			continue
		for entry in bundle["entry"]:
			resource = entry["resource"]
			if rule_.resource_type in ("*", resource["resourceType"]):
				found += [f"{rule_.element} [{resource['id']}]: {p}" for p in rule_.check(resource, index)]
	return found


def rules_for(*resource_types: str) -> list[Rule]:
	return [r for r in RULES if r.resource_type in ("*", "Bundle", *resource_types)]
