from datetime import date

from care_management.domain.risk_tiers import (
	DEFAULT_TIERS,
	RiskTier,
	TierProblemKind,
	find_tier_problems,
	next_contact_due,
)


def kinds(problems):
	return [(p.kind, p.row) for p in problems]


def test_default_tiers_are_valid_and_ordered_from_highest_risk():
	assert find_tier_problems(list(DEFAULT_TIERS)) == []
	cadences = [t.cadence_days for t in DEFAULT_TIERS]
	assert cadences == sorted(cadences)


def test_zero_and_negative_cadence_are_refused_with_their_rows():
	tiers = [RiskTier("High", 0), RiskTier("Low", -3)]
	assert kinds(find_tier_problems(tiers)) == [
		(TierProblemKind.CADENCE_NOT_POSITIVE, 1),
		(TierProblemKind.CADENCE_NOT_POSITIVE, 2),
	]


def test_missing_cadence_is_refused():
	assert kinds(find_tier_problems([RiskTier("High", None)])) == [(TierProblemKind.CADENCE_NOT_POSITIVE, 1)]


def test_duplicate_names_ignore_case_and_spacing():
	tiers = [RiskTier("High", 7), RiskTier("Medium", 14), RiskTier(" high ", 10)]
	problems = find_tier_problems(tiers)
	assert kinds(problems) == [(TierProblemKind.DUPLICATE_NAME, 3)]
	assert problems[0].tier == " high "


def test_blank_name_is_refused():
	assert kinds(find_tier_problems([RiskTier("  ", 7)])) == [(TierProblemKind.MISSING_NAME, 1)]


def test_retry_interval_must_be_positive_and_not_longer_than_cadence():
	tiers = [RiskTier("High", 7, retry_days=-1), RiskTier("Low", 30, retry_days=45)]
	assert kinds(find_tier_problems(tiers)) == [
		(TierProblemKind.RETRY_NOT_POSITIVE, 1),
		(TierProblemKind.RETRY_LONGER_THAN_CADENCE, 2),
	]


def test_zero_retry_means_use_the_cadence():
	tier = RiskTier("Low", 30, retry_days=0)
	assert find_tier_problems([tier]) == []
	assert next_contact_due(date(2026, 1, 1), tier, reached=False) == date(2026, 1, 31)


def test_next_contact_after_reached_contact_follows_cadence():
	assert next_contact_due(date(2026, 1, 28), RiskTier("High", 7, 2), reached=True) == date(2026, 2, 4)


def test_next_contact_after_unanswered_attempt_comes_sooner():
	assert next_contact_due(date(2026, 12, 31), RiskTier("High", 7, 2), reached=False) == date(2027, 1, 2)
