"""Who may perform billable time (issue #17 part 5) and a month judged on the
care plan's history (part 6), in the pure core."""

import json
from datetime import date, datetime

from test_billing_engine import BH, CHW, CS, MD, SEED

from care_management.domain.billing.engine import EnrollmentFacts, PeriodFacts, evaluate
from care_management.domain.billing.rules import ordered_rules, rules_in_force
from care_management.domain.care_plan_history import (
	ConditionSpan,
	PlanHistory,
	StatusSpan,
	condition_key,
	first_duplicate_codes,
	judge_month,
	replay_versions,
)

RULES = rules_in_force(ordered_rules(json.loads(SEED.read_text())), date(2026, 10, 15))
OCTOBER = date(2026, 10, 1)
OCT_START, NOV_START, DEC_START = datetime(2026, 10, 1), datetime(2026, 11, 1), datetime(2026, 12, 1)
INITIATING_VISIT_MISSING = (
	"G0019 needs an initiating visit in which the practitioner identified the social needs; none recorded"
)


def reasons(evaluation):
	return [r.text for r in evaluation.reasons]


def month(program, minutes, performer, initiating_visit=False, conditions=0):
	return PeriodFacts(
		month=OCTOBER,
		enrollments=[EnrollmentFacts(program, "DR-1", consented=True, initiating_visit=initiating_visit)],
		minutes={(program, performer): minutes},
		chronic_conditions=conditions,
	)


# --- part 5: performers and the CHI initiating visit -------------------------------


def test_behavioral_health_care_manager_minutes_bill_99484():
	assert evaluate(month("BHI", 25, BH), RULES).codes() == {"99484": 1}


def test_60_clinical_staff_minutes_bill_g0019_with_the_initiating_visit():
	assert evaluate(month("CHI", 60, CS, initiating_visit=True), RULES).codes() == {"G0019": 1}
	assert evaluate(month("CHI", 90, CS, initiating_visit=True), RULES).codes() == {"G0019": 1, "G0022": 1}


def test_g0019_without_the_initiating_visit_says_so():
	result = evaluate(month("CHI", 60, CS), RULES)
	assert result.lines == []
	assert INITIATING_VISIT_MISSING in reasons(result)


def test_community_health_worker_minutes_still_bill_g0019():
	assert evaluate(month("CHI", 60, CHW, initiating_visit=True), RULES).codes() == {"G0019": 1}


def test_pin_by_clinical_staff_bills_g0023():
	assert evaluate(month("PIN", 60, CS, conditions=1), RULES).codes() == {"G0023": 1}


def test_physician_minutes_are_not_auxiliary_personnel_time():
	result = evaluate(month("CHI", 60, MD, initiating_visit=True), RULES)
	assert result.lines == []
	assert "60 minutes short of G0019" in reasons(result)


# --- part 6: the plan in force during the month --------------------------------------


def conditions(*codes, added=None, removed=None):
	return tuple(ConditionSpan(code, f"Condition {code}", added, removed) for code in codes)


def plan(status="Active", past=(), codes=("E11.9", "I10"), held=None, start=date(2026, 8, 1), name="CP-1"):
	return PlanHistory(name, start, status, tuple(past), conditions(*codes) if held is None else held)


def test_a_plan_closed_on_2_november_was_active_in_october_with_its_conditions():
	closed = plan(
		"Closed",
		past=[
			StatusSpan("Draft", datetime(2026, 8, 1, 9), datetime(2026, 8, 3, 10)),
			StatusSpan("Pending Practitioner Review", datetime(2026, 8, 3, 10), datetime(2026, 8, 5, 11)),
			StatusSpan("Active", datetime(2026, 8, 5, 11), datetime(2026, 11, 2, 15)),
		],
	)
	october = judge_month([closed], OCT_START, NOV_START)
	assert (october.plan, october.active, october.icd10_codes) == ("CP-1", True, ("E11.9", "I10"))
	november = judge_month([closed], NOV_START, DEC_START)
	assert november.active  # active on 1 and 2 November
	assert not judge_month([closed], DEC_START, datetime(2027, 1, 1)).active


def test_a_plan_activated_after_the_month_was_not_active_in_it():
	late = plan(past=[StatusSpan("Draft", datetime(2026, 9, 1), datetime(2026, 11, 3))])
	october = judge_month([late], OCT_START, NOV_START)
	assert (october.active, october.plan, len(october.conditions)) == (False, "CP-1", 2)


def test_a_plan_with_no_history_keeps_its_status_since_it_started():
	assert judge_month([plan()], OCT_START, NOV_START).active
	assert not judge_month([plan(start=date(2026, 11, 5))], OCT_START, NOV_START).active
	assert judge_month([plan("Closed")], OCT_START, NOV_START).plan is None


def test_conditions_removed_at_a_later_revision_still_count_for_the_month():
	held = conditions("I10") + conditions("E11.9", removed=datetime(2026, 11, 10))
	revised = plan(held=held, past=[StatusSpan("Active", None, datetime(2026, 11, 10))], status="Draft")
	assert len(judge_month([revised], OCT_START, NOV_START).conditions) == 2
	# Sent back for revision on 10 November with E11.9 removed: the plan was in force
	# until then with both, and in December it is a draft holding I10 alone.
	assert judge_month([revised], NOV_START, DEC_START).icd10_codes == ("I10", "E11.9")
	december = judge_month([revised], DEC_START, datetime(2027, 1, 1))
	assert (december.active, december.icd10_codes) == (False, ("I10",))


def test_a_condition_added_after_the_month_does_not_count_for_it():
	held = conditions("I10") + conditions("E11.9", added=datetime(2026, 11, 3))
	assert judge_month([plan(held=held)], OCT_START, NOV_START).icd10_codes == ("I10",)


def test_a_plan_closed_mid_month_is_judged_as_it_stood_when_closed():
	held = conditions("I10") + conditions("E11.9", removed=datetime(2026, 10, 20))
	closed = plan("Closed", held=held, past=[StatusSpan("Active", None, datetime(2026, 10, 15))])
	assert judge_month([closed], OCT_START, NOV_START).icd10_codes == ("I10", "E11.9")


def test_the_plan_active_latest_in_the_month_is_judged():
	old = plan("Closed", past=[StatusSpan("Active", None, datetime(2026, 10, 10))], codes=("E11.9",))
	new = plan(
		"Active",
		past=[StatusSpan("Draft", datetime(2026, 10, 11), datetime(2026, 10, 12))],
		codes=("E11.9", "I10", "N18.30"),
		start=date(2026, 10, 11),
		name="CP-2",
	)
	october = judge_month([old, new], OCT_START, NOV_START)
	assert (october.plan, len(october.conditions)) == ("CP-2", 3)


def test_the_same_code_twice_is_one_condition_however_it_is_written():
	held = conditions("E11.9", "e119", " E11.9")
	assert judge_month([plan(held=held)], OCT_START, NOV_START).conditions == ("E11.9",)
	assert condition_key(None, "  Heart  failure") == condition_key("", "heart failure")


def test_duplicate_codes_are_found_with_the_row_they_repeat():
	assert first_duplicate_codes(["E11.9", "I10", "e119", None, "I10"]) == [(3, 1, "E11.9"), (5, 2, "I10")]
	assert first_duplicate_codes(["E11.9", None, None]) == []


def test_history_is_replayed_from_versions():
	versions = [
		(datetime(2026, 8, 3), {"changed": [["status", "Draft", "Pending Practitioner Review"]]}),
		(datetime(2026, 8, 5), {"changed": [["status", "Pending Practitioner Review", "Active"]]}),
		(
			datetime(2026, 9, 1),
			{"added": [["conditions", {"name": "c3", "icd10_code": "N18.30", "expected_12_months": 1}]]},
		),
		(datetime(2026, 9, 15), {"row_changed": [["conditions", 1, "c2", [["icd10_code", "I10", "I11.9"]]]]}),
		(
			datetime(2026, 11, 2),
			{
				"changed": [["status", "Active", "Closed"]],
				"removed": [["conditions", {"name": "c1", "icd10_code": "E11.9", "expected_12_months": 1}]],
			},
		),
	]
	rows = [
		{
			"name": "c2",
			"icd10_code": "I11.9",
			"condition_name": "Hypertensive heart disease",
			"expected_12_months": 1,
		},
		{"name": "c3", "icd10_code": "N18.30", "condition_name": "CKD 3", "expected_12_months": 1},
	]
	statuses = {s: s for s in ("Draft", "Pending Practitioner Review", "Active", "On Hold", "Closed")}
	history = replay_versions(datetime(2026, 8, 1), rows, versions, statuses)
	assert [(s.status, s.valid_from, s.valid_to) for s in history.past_statuses] == [
		("Draft", datetime(2026, 8, 1), datetime(2026, 8, 3)),
		("Pending Practitioner Review", datetime(2026, 8, 3), datetime(2026, 8, 5)),
		("Active", datetime(2026, 8, 5), datetime(2026, 11, 2)),
	]
	assert history.added_on == {"c3": datetime(2026, 9, 1), "c2": datetime(2026, 9, 15)}
	assert [(v["icd10_code"], s.valid_from, s.valid_to) for v, s in history.past_conditions] == [
		("I10", None, datetime(2026, 9, 15)),
		("E11.9", None, datetime(2026, 11, 2)),
	]
	# Judged on the replayed history, August had E11.9 and I10; October E11.9, I11.9 and N18.30.
	replayed = PlanHistory(
		"CP-1",
		date(2026, 8, 1),
		"Closed",
		tuple(history.past_statuses),
		tuple(
			ConditionSpan(r["icd10_code"], r["condition_name"], history.added_on.get(r["name"]), None)
			for r in rows
		)
		+ tuple(span for _values, span in history.past_conditions),
	)
	assert set(judge_month([replayed], datetime(2026, 8, 1), datetime(2026, 9, 1)).icd10_codes) == {
		"E11.9",
		"I10",
	}
	assert set(judge_month([replayed], OCT_START, NOV_START).icd10_codes) == {"E11.9", "I11.9", "N18.30"}


def test_an_unknown_status_label_leaves_the_statuses_to_the_close_assumption():
	versions = [(datetime(2026, 8, 3), {"changed": [["status", "Entwurf", "Aktiv"]]})]
	assert replay_versions(datetime(2026, 8, 1), [], versions, {"Draft": "Draft"}).past_statuses == []
