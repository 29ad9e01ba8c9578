"""A status that is the meaning of a workflow state: what a save may do to it.

Care plans and referrals keep their place in the workflow in `workflow_state`
and its meaning in `status` (care_management/workflow_meaning.py). Billing, the
worklist, FHIR and the portal read the meaning, so it moves only when the state
moves, and the state moves only through the workflow's actions, whose
conditions (such as "only the plan's supervising practitioner approves") are
the point of having a workflow. These are the rules of a save; no frappe here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


def status_was_forged(sent: str | None, stored: str | None, default: str | None, meaning: str) -> bool:
	"""Whether a save tried to give the status a value its state does not mean.

	``stored`` is None for a new document, which starts from the field's
	``default``. A status the request left as it found it is not the request's
	doing: a row that disagreed with its state before this rule existed is
	corrected silently by the next save, not refused."""
	if not sent or sent == meaning:
		return False
	return sent != (default if stored is None else stored)


@dataclass(frozen=True)
class Transition:
	action: str
	next_state: str
	open_to_user: bool  # the user holds the transition's role and its condition holds


class Hint(Enum):
	NEW = "new"  # not saved yet: save it, then use the actions
	LEADS_THERE = "leads_there"  # actions open to the user that reach the wanted meaning
	OTHERS_LEAD_THERE = "others_lead_there"  # actions that reach it, none open to the user
	OPEN_TO_USER = "open_to_user"  # actions open to the user (none reaches the wanted meaning)
	OTHERS_ONLY = "others_only"  # actions exist from this state, none open to the user
	FINAL = "final"  # no action leads out of this state


def actions_to_name(
	transitions: list[Transition], meaning_of_state: dict[str, str], wanted: str | None, is_new: bool = False
) -> tuple[Hint, list[str]]:
	"""The workflow actions a refusal points to, from the document's stored state.

	``transitions`` are those out of that state; ``meaning_of_state`` maps each
	state to its meaning. The actions open to the user that lead to a state
	meaning ``wanted`` come first; then those leading there that another role (or
	the user under other conditions) takes; else every action open to the user;
	else the actions someone else may take. Each action is named once, in
	workflow order."""
	if is_new:
		return Hint.NEW, []
	leading = [t for t in transitions if wanted and meaning_of_state.get(t.next_state) == wanted]
	if any(t.open_to_user for t in leading):
		return Hint.LEADS_THERE, list(dict.fromkeys(t.action for t in leading if t.open_to_user))
	if leading:
		return Hint.OTHERS_LEAD_THERE, list(dict.fromkeys(t.action for t in leading))
	open_to_user = [t for t in transitions if t.open_to_user]
	if open_to_user:
		return Hint.OPEN_TO_USER, list(dict.fromkeys(t.action for t in open_to_user))
	if transitions:
		return Hint.OTHERS_ONLY, list(dict.fromkeys(t.action for t in transitions))
	return Hint.FINAL, []
