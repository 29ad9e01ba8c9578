from datetime import date

from care_management.domain.billing.rules import BillingRule, RuleProblemKind, rule_problems, rules_in_force

BASE = BillingRule("99490", "CCM", performer_types=("Clinical Staff",), first_unit_minutes=20)
Y2026 = dict(effective_from=date(2026, 1, 1), effective_to=date(2026, 12, 31))


def test_a_sound_rule_has_no_problems():
	assert rule_problems(BillingRule("99490", "CCM", first_unit_minutes=20, **Y2026), [], add_on=False) == []


def test_add_on_without_base_is_refused():
	addon = BillingRule("99439", "CCM", performer_types=("Clinical Staff",), add_on_minutes=20)
	assert RuleProblemKind.ADD_ON_WITHOUT_BASE in rule_problems(addon, [BASE], add_on=True)


def test_add_on_naming_an_unknown_base_is_refused():
	addon = BillingRule("99439", "CCM", base_codes=("99999",), add_on_minutes=20)
	assert rule_problems(addon, [BASE], add_on=True) == [RuleProblemKind.UNKNOWN_BASE]


def test_max_units_below_one_is_refused():
	assert rule_problems(BillingRule("99490", "CCM", max_units=0), [], add_on=False) == [
		RuleProblemKind.MAX_BELOW_ONE
	]


def test_zero_minute_threshold_on_a_timed_code_is_refused():
	rule = BillingRule("99490", "CCM", performer_types=("Clinical Staff",), first_unit_minutes=0)
	assert rule_problems(rule, [], add_on=False) == [RuleProblemKind.ZERO_THRESHOLD]


def test_overlapping_effective_dates_for_one_code_are_refused():
	other = BillingRule("99490", "CCM", first_unit_minutes=20, **Y2026)
	mid_year = BillingRule("99490", "CCM", first_unit_minutes=15, effective_from=date(2026, 7, 1))
	assert rule_problems(mid_year, [other], add_on=False) == [RuleProblemKind.OVERLAPPING_DATES]
	next_year = BillingRule("99490", "CCM", first_unit_minutes=15, effective_from=date(2027, 1, 1))
	assert rule_problems(next_year, [other], add_on=False) == []


def test_dates_in_the_wrong_order_are_refused():
	rule = BillingRule("99490", "CCM", effective_from=date(2026, 5, 1), effective_to=date(2026, 4, 1))
	assert rule_problems(rule, [], add_on=False) == [RuleProblemKind.DATES_REVERSED]


def test_a_month_uses_the_rules_in_force_that_month():
	old = BillingRule("99490", "CCM", first_unit_minutes=20, **Y2026)
	new = BillingRule("99490", "CCM", first_unit_minutes=15, effective_from=date(2027, 1, 1))
	assert rules_in_force([old, new], date(2026, 12, 31)) == [old]
	assert rules_in_force([old, new], date(2027, 1, 1)) == [new]
