import itertools
from collections import defaultdict

from care_management.domain.synthetic_practice import PracticeSpec, outreach_logs, patients

SPEC = PracticeSpec(patients=90, care_managers=3, months=2, logs_per_patient_month=4)


def test_same_seed_same_practice():
	assert patients(SPEC) == patients(SPEC)
	assert outreach_logs(SPEC, patients(SPEC)) == outreach_logs(SPEC, patients(SPEC))


def test_caseloads_are_shared_evenly_and_programs_match_conditions():
	rows = patients(SPEC)
	per_manager = defaultdict(int)
	for row in rows:
		per_manager[row["care_manager"]] += 1
		assert ("CCM" in row["programs"]) == (len(row["conditions"]) >= 2)
	assert sorted(per_manager.values()) == [30, 30, 30]


def test_a_care_managers_logs_never_overlap_and_stay_in_their_month():
	rows = patients(SPEC)
	logs = outreach_logs(SPEC, rows)
	assert 500 < len(logs) < 940
	by_manager = defaultdict(list)
	for log in logs:
		by_manager[log["performed_by"]].append(log)
		assert log["start"].weekday() < 5
		assert 0 < log["duration_minutes"] <= 60
	for manager_logs in by_manager.values():
		manager_logs.sort(key=lambda log: log["start"])
		for earlier, later in itertools.pairwise(manager_logs):
			assert earlier["end"] <= later["start"]


def test_outcomes_look_like_a_real_caseload():
	logs = outreach_logs(SPEC, patients(SPEC))
	reached = sum(1 for log in logs if log["outcome"] == "Reached") / len(logs)
	assert 0.5 < reached < 0.7


def test_the_demo_runs_up_to_today_and_never_into_it():
	from datetime import date

	spec = PracticeSpec(
		patients=60, care_managers=3, months=2, last_month=date(2026, 10, 1), through=date(2026, 11, 18)
	)
	logs = outreach_logs(spec, patients(spec))
	this_month = [log for log in logs if log["start"].date() >= date(2026, 11, 1)]
	assert this_month, "nothing logged in the month in progress"
	assert max(log["start"].date() for log in logs) < date(2026, 11, 18)
	# Roughly the share of a month that has passed: 13 of 21 working days.
	october = [log for log in logs if date(2026, 10, 1) <= log["start"].date() < date(2026, 11, 1)]
	assert 0.4 < len(this_month) / len(october) < 0.85
	# Without `through`, the practice stops at the end of last_month as before.
	plain = PracticeSpec(patients=60, care_managers=3, months=2, last_month=date(2026, 10, 1))
	assert max(log["start"].date() for log in outreach_logs(plain, patients(plain))) < date(2026, 11, 1)
