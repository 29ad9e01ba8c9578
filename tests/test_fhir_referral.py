import copy

import pytest
import us_core_checks as checks

from care_management.domain.fhir_referral import STATUS, referral_bundle
from care_management.domain.fhir_us_core import SDOH_CATEGORY
from care_management.domain.sdoh_service_codes import SERVICE_CODES, SNOMED_CT, service_code

BASE = "https://clinic.example.org"
REFERRAL = {
	"id": "ref1",
	"status": "Sent",
	"need": "Food",
	"patient": {
		"id": "PID-1",
		"name": "Jane Doe",
		"first_name": "Jane",
		"last_name": "Doe",
		"gender": "Female",
	},
	"need_condition": {"id": "CP-1-need-abc", "status": "Referred", "identified_on": "2026-11-01"},
	"resource": {
		"name": "Eastside Pantry",
		"organization": {
			"key": "Eastside Churches",
			"name": "Eastside Churches",
			"hsds_id": "9c4a1f3e-2b5d-4c3e-8f7a-1b2c3d4e5f60",
			"phone": "555-0199",
			"address": {"line": ["1 Main St"], "city": "Springfield", "state": "IL", "postal_code": "62701"},
		},
	},
	"practice": {
		"key": "company/Clinic",
		"name": "Clinic",
		"identifier_system": "app/company",
		"identifier": "Clinic",
	},
	"referred_by": "Ann Care",
	"authored": "2026-11-02",
}
NEEDS = sorted(
	{"Food", "Housing", "Transportation", "Utilities", "Interpersonal Safety", "Financial Strain", "Employment",
	 "Education", "Social Isolation", "Mental Health", "Substance Use", "Disability", "Caregiver Support", "Legal"}
)  # fmt: skip


def bundle_of(**changes):
	return referral_bundle({**copy.deepcopy(REFERRAL), **changes}, BASE)


def parts(bundle):
	return {
		e["resource"]["resourceType"]: e["resource"]
		for e in bundle["entry"]
		if e["resource"]["resourceType"] != "Organization"
	}


def organizations(bundle):
	return {
		e["resource"]["name"]: e for e in bundle["entry"] if e["resource"]["resourceType"] == "Organization"
	}


CASES = {
	**{f"status {status}": {"status": status, "outcome": "Need Met" if status == "Completed" else None} for status in STATUS},
	**{f"need {need}": {"need": need} for need in NEEDS},
	"no care plan need": {"need_condition": None},
}  # fmt: skip


@pytest.mark.parametrize("changes", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize(
	"rule",
	checks.rules_for("ServiceRequest", "Task", "Condition", "Patient", "Organization"),
	ids=lambda r: r.name,
)
def test_bundle_meets_the_sdoh_clinical_care_rule(changes, rule):
	assert checks.problems(bundle_of(**changes), only=rule) == []


@pytest.mark.parametrize("changes", CASES.values(), ids=CASES.keys())
def test_bundle_validates_against_fhir_r4b(changes):
	bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
	bundle_model.Bundle.model_validate(bundle_of(**changes, notes="Called twice"))


@pytest.mark.parametrize("status, codes", sorted(STATUS.items()))
def test_each_status_maps_to_request_and_task_codes(status, codes):
	found = parts(bundle_of(status=status))
	assert (found["ServiceRequest"]["status"], found["Task"]["status"]) == codes
	assert found["ServiceRequest"]["intent"] == found["Task"]["intent"] == "order"


def test_the_bundle_holds_the_request_the_task_and_all_they_point_at():
	bundle = bundle_of()
	urls = {e["resource"]["resourceType"] + ("/" + e["resource"]["name"] if "name" in e["resource"] and e["resource"]["resourceType"] == "Organization" else ""): e["fullUrl"] for e in bundle["entry"]}  # fmt: skip
	found = parts(bundle)
	request, task = found["ServiceRequest"], found["Task"]
	assert task["focus"]["reference"] == urls["ServiceRequest"]
	assert task["for"]["reference"] == request["subject"]["reference"] == urls["Patient"]
	assert (
		task["owner"]["reference"]
		== request["performer"][0]["reference"]
		== urls["Organization/Eastside Churches"]
	)
	assert task["requester"]["reference"] == request["requester"]["reference"] == urls["Organization/Clinic"]
	assert request["reasonReference"][0]["reference"] == urls["Condition"]
	assert found["Condition"]["id"] == "CP-1-need-abc"  # the same Condition as in the care plan's export


def test_the_need_is_coded_with_the_sdoh_categories_and_outcome_is_on_the_task():
	found = parts(bundle_of(status="Completed", outcome="Need Met"))
	codes = [c["code"] for cat in found["ServiceRequest"]["category"] for c in cat["coding"]]
	assert codes == ["sdoh", "food-insecurity"]
	assert found["Task"]["output"][0]["valueString"] == "Need Met"
	assert found["ServiceRequest"]["code"] == {
		"coding": [
			{
				"system": SNOMED_CT,
				"code": "467771000124109",
				"display": "Assistance with application for food pantry program",
			}
		],
		"text": "Eastside Pantry",
	}
	# The completed task says what was done, coded as the request was.
	(performed,) = [o for o in found["Task"]["output"] if "valueCodeableConcept" in o]
	assert performed["type"]["coding"][0]["code"] == "resulting-activity"
	assert performed["valueCodeableConcept"]["coding"] == found["ServiceRequest"]["code"]["coding"]


def test_the_request_declares_the_sdohcc_service_request_on_top_of_us_core():
	assert parts(bundle_of())["ServiceRequest"]["meta"]["profile"] == [
		"http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest",
		"http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest|6.1.0",
	]


def test_every_need_the_forms_offer_has_a_service_code():
	assert set(NEEDS) == set(SERVICE_CODES)


@pytest.mark.parametrize(
	"need, code",
	[(need, rows[-1][1][0]) for need, rows in SERVICE_CODES.items()],
	ids=list(SERVICE_CODES),
)
def test_each_need_is_coded_from_its_domain_and_every_code_is_a_snomed_ct_concept_id(need, code):
	assert checks.is_sctid(code)
	resource = {**copy.deepcopy(REFERRAL["resource"]), "name": "Neighbourhood Help Desk"}
	request = parts(bundle_of(need=need, resource=resource))["ServiceRequest"]
	assert request["code"]["coding"][0]["code"] == code
	assert request["code"]["text"] == "Neighbourhood Help Desk"


@pytest.mark.parametrize(
	"need, service, taxonomy, code",
	[
		("Food", "Eastside Tuesday Pantry", [], "467771000124109"),
		(
			"Food",
			"Home Delivered Meals",
			[{"code": "BD-5000.1500", "name": "Home Delivered Meals"}],
			"710925007",
		),
		(
			"Food",
			"Mobile Distribution",
			[{"code": "BD-1800.2000", "name": "Food Pantries"}],
			"467771000124109",
		),
		("Mental Health", "Walk-in Counseling Center", [], "306226009"),
		("Mental Health", "Crisis Team", [{"code": None, "name": "Individual Counseling"}], "306226009"),
		("Mental Health", "Crisis Team", [], "390866009"),
		("Housing", "Emergency Rental Assistance", [], "710911006"),
		("Not a need", "Anything", [], "464161000124109"),
	],
)
def test_the_code_follows_what_the_service_is(need, service, taxonomy, code):
	assert service_code(need, service, taxonomy)[0] == code


def test_every_mapped_need_category_is_in_the_sdohcc_value_set():
	assert {code for code, _display in SDOH_CATEGORY.values()} <= checks.SDOHCC_CATEGORY


@pytest.mark.parametrize("status", ["Declined", "Unable to Contact", "Cancelled"])
def test_a_task_that_did_not_go_ahead_says_why(status):
	assert parts(bundle_of(status=status))["Task"]["statusReason"] == {"text": status}


def test_the_organization_keeps_its_hsds_id_phone_and_address():
	org = organizations(bundle_of())["Eastside Churches"]["resource"]
	assert {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:9c4a1f3e-2b5d-4c3e-8f7a-1b2c3d4e5f60"} in org[
		"identifier"
	]
	assert org["telecom"] == [{"system": "phone", "value": "555-0199", "use": "work"}]
	assert org["address"][0]["city"] == "Springfield" and org["active"] is True


def test_the_practice_carries_its_npi_and_address():
	practice = {
		**REFERRAL["practice"],
		"npi": "1234567893",
		"address": {
			"line": ["123 Main St", None],
			"city": "Springfield",
			"state": "IL",
			"postal_code": "62701-1234",
		},
	}
	org = organizations(bundle_of(practice=practice))["Clinic"]["resource"]
	assert {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"} in org["identifier"]
	assert org["address"] == [
		{
			"use": "work",
			"line": ["123 Main St"],
			"city": "Springfield",
			"state": "IL",
			"postalCode": "62701-1234",
		}
	]
	bundle = bundle_of(practice=practice)
	for rule in checks.rules_for("Organization"):
		assert checks.problems(bundle, only=rule) == []
	# An NPI that fails its check digit is not sent as one.
	org = organizations(bundle_of(practice={**practice, "npi": "1234567890"}))["Clinic"]["resource"]
	assert all(i["system"] != "http://hl7.org/fhir/sid/us-npi" for i in org["identifier"])


def test_an_hsds_id_that_is_no_uuid_is_not_sent_as_one():
	resource = copy.deepcopy(REFERRAL["resource"])
	resource["organization"]["hsds_id"] = "org-17"
	org = organizations(bundle_of(resource=resource))["Eastside Churches"]["resource"]
	assert "identifier" not in org


def test_unknown_status_is_refused():
	with pytest.raises(ValueError, match="referral status"):
		bundle_of(status="Lost")


def complete(bundle):
	parts(bundle)["Task"].update(status="completed", output=[])


BREAKAGES = {
	"ServiceRequest.code (SDOHCC": lambda b: parts(b)["ServiceRequest"]["code"].pop("coding"),
	"Coding.system (no made-up systems; ICD-10-CM and SNOMED CT": lambda b: parts(b)["ServiceRequest"]["code"]["coding"][0].update(code="467771000124108"),
	"meta.profile": lambda b: parts(b)["ServiceRequest"]["meta"]["profile"].pop(0),
	"Task.focus -> SDOHCC ServiceRequest": lambda b: parts(b)["ServiceRequest"]["meta"]["profile"].pop(0),
	"Task.output:PerformedActivityCode": complete,
	"Task.status (SDOHCC-ValueSetReferralTaskStatus) / statusReason.text": lambda b: parts(b)["Task"].update(statusReason={}),
	"Task.focus": lambda b: parts(b)["Task"]["focus"].update(reference="ServiceRequest/x"),
	"Task.status": lambda b: parts(b)["Task"].update(status="received"),
	"ServiceRequest.category:SDOHCC": lambda b: parts(b)["ServiceRequest"]["category"].pop(1),
	"ServiceRequest.subject / requester / performer / reasonReference": lambda b: parts(b)["ServiceRequest"].pop("reasonReference"),
	"Reference.reference resolves": lambda b: b["entry"].pop(),
}  # fmt: skip


@pytest.mark.parametrize("element, breakage", BREAKAGES.items(), ids=BREAKAGES.keys())
def test_each_check_catches_the_rule_it_names(element, breakage):
	bundle = bundle_of()
	breakage(bundle)
	assert any(p.startswith(element) for p in checks.problems(bundle)), checks.problems(bundle)
