"""A care plan's or referral's status is its workflow state's meaning: what a
save may do to it, and which actions a refusal points to."""

import pytest

from care_management.domain.workflow_status import Hint, Transition, actions_to_name, status_was_forged

CARE_PLAN = {
	"Draft": "Draft",
	"Pending Practitioner Review": "Pending Practitioner Review",
	"Pending Patient Agreement": "Pending Practitioner Review",
	"Active": "Active",
	"On Hold": "On Hold",
	"Closed": "Closed",
}


@pytest.mark.parametrize(
	("sent", "stored", "meaning"),
	[
		("Active", "Draft", "Draft"),  # an unapproved plan sent as Active
		("Closed", "Active", "Active"),  # an active plan closed without the action
		("Draft", "Active", "Active"),
		("Completed", "Sent", "Sent"),  # a referral
	],
)
def test_a_status_the_request_changed_away_from_the_meaning_is_forged(sent, stored, meaning):
	assert status_was_forged(sent, stored, "Draft", meaning)


def test_a_new_document_sent_with_a_status_other_than_the_default_is_forged():
	assert status_was_forged("Active", None, "Draft", "Draft")


@pytest.mark.parametrize(
	("sent", "stored", "default", "meaning"),
	[
		("Active", "Pending Practitioner Review", "Draft", "Active"),  # the workflow's action sets both
		("Draft", None, "Draft", "Draft"),  # a new document left at the default
		("Draft", None, "Draft", "Pending Practitioner Review"),  # an admin's first state means another
		# stored disagreeing and the request left it: corrected, not refused
		("Active", "Active", "Draft", "Draft"),
		(None, "Active", "Draft", "Active"),  # nothing sent
		("", "Active", "Draft", "Active"),
	],
)
def test_a_status_the_request_did_not_move_away_from_the_meaning_is_not_forged(
	sent, stored, default, meaning
):
	assert not status_was_forged(sent, stored, default, meaning)


def test_the_actions_that_reach_the_wanted_meaning_come_first():
	transitions = [
		Transition("Approve", "Pending Patient Agreement", True),
		Transition("Request Changes", "Draft", True),
		Transition("Fast Track", "Active", True),
	]
	assert actions_to_name(transitions, CARE_PLAN, "Active") == (Hint.LEADS_THERE, ["Fast Track"])
	assert actions_to_name(transitions, CARE_PLAN, "Draft") == (Hint.LEADS_THERE, ["Request Changes"])


def test_an_action_reaching_a_state_of_that_meaning_by_another_name_counts():
	transitions = [Transition("Approve", "Pending Patient Agreement", True)]
	assert actions_to_name(transitions, CARE_PLAN, "Pending Practitioner Review") == (
		Hint.LEADS_THERE,
		["Approve"],
	)


def test_an_action_to_the_wanted_meaning_that_another_role_takes_is_named():
	transitions = [
		Transition("Put On Hold", "On Hold", True),
		Transition("Close", "Closed", False),  # a supervisor's or practitioner's
		Transition("Close", "Closed", False),
	]
	assert actions_to_name(transitions, CARE_PLAN, "Closed") == (Hint.OTHERS_LEAD_THERE, ["Close"])


def test_without_an_action_to_the_wanted_meaning_every_action_open_to_the_user_is_named_once():
	transitions = [
		Transition("Send for Review", "Pending Practitioner Review", True),
		Transition("Send for Review", "Pending Practitioner Review", True),  # one row per role
		Transition("Cancel", "Closed", False),
	]
	assert actions_to_name(transitions, CARE_PLAN, "Active") == (Hint.OPEN_TO_USER, ["Send for Review"])


def test_when_no_action_is_open_to_the_user_the_others_are_named():
	transitions = [
		Transition("Approve", "Active", False),  # another practitioner's plan
		Transition("Request Changes", "Draft", False),
	]
	assert actions_to_name(transitions, CARE_PLAN, "On Hold") == (
		Hint.OTHERS_ONLY,
		["Approve", "Request Changes"],
	)


def test_a_state_nothing_leads_out_of_is_final():
	assert actions_to_name([], CARE_PLAN, "Active") == (Hint.FINAL, [])


def test_a_new_document_has_no_actions_yet():
	transitions = [Transition("Send for Review", "Pending Practitioner Review", True)]
	assert actions_to_name(transitions, CARE_PLAN, "Active", is_new=True) == (Hint.NEW, [])
