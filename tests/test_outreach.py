from datetime import date, datetime, timedelta

from care_management.domain.outreach import (
	LoggedTime,
	TimeProblem,
	TimerState,
	counting_month,
	counts_toward_thresholds,
	propose_follow_up,
	time_problems,
)
from care_management.domain.risk_tiers import RiskTier

NOW = datetime(2026, 11, 24, 15, 0)
T = datetime(2026, 11, 24, 10, 0)


def problems(start, end, duration, paused=0):
	return time_problems(LoggedTime(start, end, duration, paused), NOW)


def test_a_plain_twenty_minute_call_is_fine():
	assert problems(T, T + timedelta(minutes=20), 20) == []


def test_end_before_start_is_refused():
	assert problems(T, T - timedelta(minutes=5), 5) == [TimeProblem.END_BEFORE_START]


def test_start_in_the_future_is_refused():
	later = NOW + timedelta(hours=1)
	assert problems(later, later + timedelta(minutes=10), 10) == [TimeProblem.START_IN_FUTURE]


def test_more_than_four_hours_is_refused():
	assert problems(T - timedelta(hours=5), T, 300) == [TimeProblem.TOO_LONG]
	assert problems(T - timedelta(hours=4), T, 240) == []


def test_duration_must_match_start_and_end_within_a_minute():
	assert problems(T, T + timedelta(minutes=20), 21) == []
	assert problems(T, T + timedelta(minutes=20), 30) == [TimeProblem.DURATION_MISMATCH]


def test_paused_time_is_not_counted():
	assert problems(T, T + timedelta(minutes=30), 20, paused=10) == []
	assert problems(T, T + timedelta(minutes=30), 30, paused=10) == [TimeProblem.DURATION_MISMATCH]


def test_zero_minutes_is_refused():
	assert problems(T, T, 0) == [TimeProblem.NOT_POSITIVE]


def test_minutes_count_toward_the_month_the_log_started():
	assert counting_month(datetime(2026, 1, 31, 23, 50)) == date(2026, 1, 1)


def test_unanswered_attempts_do_not_count_toward_thresholds():
	assert counts_toward_thresholds("Reached")
	assert counts_toward_thresholds("Not Applicable")
	for outcome in ("Left Voicemail", "No Answer", "Wrong Number", "Declined"):
		assert not counts_toward_thresholds(outcome)


def test_follow_up_comes_sooner_when_nobody_was_reached():
	high = RiskTier("High", 7, 2)
	assert propose_follow_up(date(2026, 11, 24), high, "Reached") == date(2026, 12, 1)
	assert propose_follow_up(date(2026, 11, 24), high, "No Answer") == date(2026, 11, 26)


def test_timer_with_a_pause_logs_only_working_time():
	timer = TimerState(T)
	timer = timer.pause(T + timedelta(minutes=12))
	assert timer.elapsed_seconds(T + timedelta(minutes=40)) == 12 * 60
	timer = timer.resume(T + timedelta(minutes=20))
	logged = timer.stop(T + timedelta(minutes=30))
	assert (logged.start, logged.end, logged.duration_minutes, logged.paused_minutes) == (
		T,
		T + timedelta(minutes=30),
		22,
		8,
	)
	assert time_problems(logged, NOW) == []


def test_stopping_a_paused_timer_ends_when_it_was_paused():
	timer = TimerState(T).pause(T + timedelta(minutes=15))
	logged = timer.stop(T + timedelta(hours=2))
	assert logged.end == T + timedelta(minutes=15)
	assert logged.duration_minutes == 15


def test_a_very_short_call_still_logs_one_minute():
	logged = TimerState(T).stop(T + timedelta(seconds=20))
	assert logged.duration_minutes == 1
	assert time_problems(logged, NOW) == []


def test_a_log_cannot_span_more_than_a_day():
	# Paused most of the time: 30 minutes of work, but start to end is 25 hours.
	time = LoggedTime(T - timedelta(hours=25), T, 30, paused_minutes=25 * 60 - 30)
	assert time_problems(time, T + timedelta(minutes=1)) == [TimeProblem.SPANS_TOO_LONG]
