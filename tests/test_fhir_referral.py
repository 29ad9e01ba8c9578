import pytest

from care_management.domain.fhir_referral import STATUS, referral_bundle

REFERRAL = {
	"id": "ref1", "status": "Sent", "need": "Food", "patient": {"id": "PID-1", "name": "Jane Doe"},
	"resource": {"id": "r1", "name": "Eastside Pantry", "organization": "Eastside Churches"},
	"referred_by": "cm@example.org", "authored": "2026-11-02",
}  # fmt: skip


def parts(bundle):
	by_type = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
	return by_type["ServiceRequest"], by_type["Task"]


@pytest.mark.parametrize("status, codes", sorted(STATUS.items()))
def test_each_status_maps_to_request_and_task_codes(status, codes):
	request, task = parts(referral_bundle({**REFERRAL, "status": status}))
	assert (request["status"], task["status"]) == codes
	assert request["intent"] == task["intent"] == "order"
	assert task["focus"]["reference"] == f"ServiceRequest/{request['id']}"


def test_need_is_coded_with_the_sdoh_category_and_outcome_is_on_the_task():
	request, task = parts(referral_bundle({**REFERRAL, "status": "Completed", "outcome": "Need Met"}))
	assert request["category"][0]["coding"][0]["code"] == "food-insecurity"
	assert task["output"][0]["valueString"] == "Need Met"


def test_unknown_status_is_refused():
	with pytest.raises(ValueError):
		referral_bundle({**REFERRAL, "status": "Lost"})


@pytest.mark.parametrize("status", ["Draft", "Sent", "Completed"])
def test_bundle_validates_against_fhir_r4(status):
	bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
	bundle_model.Bundle.model_validate(
		referral_bundle({**REFERRAL, "status": status, "outcome": "Need Met", "notes": "Called twice"})
	)
