from care_management.domain.thresholds import DEFAULT_LADDERS, minutes_to_next_threshold, near_threshold

CCM = DEFAULT_LADDERS["CCM"]


def test_nineteen_minutes_is_one_short_of_99490():
	assert minutes_to_next_threshold(19, CCM) == 1


def test_after_each_step_the_next_add_on_is_twenty_away():
	assert minutes_to_next_threshold(20, CCM) == 20
	assert minutes_to_next_threshold(45, CCM) == 15


def test_capped_ladder_has_no_next_step():
	assert minutes_to_next_threshold(60, CCM) is None
	assert minutes_to_next_threshold(85, CCM) is None


def test_within_five_minutes():
	assert near_threshold(15, CCM)
	assert not near_threshold(14, CCM)
	assert not near_threshold(70, CCM)
