"""What an ADT event does to the practice's records, and which patient it is about.

A patient is matched by the sending facility's MRN (PID-3 with its assigning
authority), else by name, date of birth and sex. Anything but exactly one
candidate goes to a person: a wrong match would put one patient's hospital stay
in another's chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from care_management.domain.adt_message import (
	ADMISSION_EVENTS,
	CANCEL_ADMISSION_EVENT,
	CANCEL_DISCHARGE_EVENT,
	DISCHARGE_EVENT,
	UPDATE_EVENT,
	AdtEvent,
	PatientIdentity,
)

ADMIT, DISCHARGE, UPDATE, CANCEL_ADMISSION, CANCEL_DISCHARGE, NOTHING = (
	"admit",
	"discharge",
	"update",
	"cancel admission",
	"cancel discharge",
	"nothing",
)


@dataclass(frozen=True)
class Candidate:
	"""A patient found by name, birth date and sex, with the MRN it already holds from the same authority."""

	patient: str
	mrn_from_same_authority: str | None = None


@dataclass(frozen=True)
class Match:
	patient: str | None
	matched_by: str | None  # "MRN" or "Demographics"
	review_reason: str | None

	@property
	def found(self) -> bool:
		return self.patient is not None


def match_patient(identity: PatientIdentity, by_mrn: list[str], by_demographics: list[Candidate]) -> Match:
	"""``by_mrn``: patients holding the message's MRN from its authority; ``by_demographics``:
	patients with its name, birth date and sex (asked only when no MRN matched)."""
	by_mrn = sorted(set(by_mrn))
	if len(by_mrn) == 1:
		return Match(by_mrn[0], "MRN", None)
	if len(by_mrn) > 1:
		return _review(f"MRN {identity.mrn} of {identity.assigning_authority} is on {len(by_mrn)} patients.")
	if not identity.has_demographics:
		return _review(
			"No patient holds this MRN, and the message lacks a name, birth date or sex to match on."
		)
	if not by_demographics:
		return _review("No patient holds this MRN or has this name, birth date and sex.")
	if len(by_demographics) > 1:
		return _review(f"{len(by_demographics)} patients have this name, birth date and sex.")
	only = by_demographics[0]
	if identity.mrn and only.mrn_from_same_authority and only.mrn_from_same_authority != identity.mrn:
		return _review(
			f"The patient with this name, birth date and sex holds another MRN "
			f"({only.mrn_from_same_authority}) from {identity.assigning_authority}."
		)
	return Match(only.patient, "Demographics", None)


def _review(reason: str) -> Match:
	return Match(None, None, reason)


def action_for(event: AdtEvent) -> str:
	if event.event in ADMISSION_EVENTS:
		return ADMIT
	return {
		DISCHARGE_EVENT: DISCHARGE,
		UPDATE_EVENT: UPDATE,
		CANCEL_ADMISSION_EVENT: CANCEL_ADMISSION,
		CANCEL_DISCHARGE_EVENT: CANCEL_DISCHARGE,
	}.get(event.event, NOTHING)


def discharge_date(event: AdtEvent) -> date:
	"""PV1-45 when the hospital sent it, else when the event happened."""
	return (event.discharged_at or event.occurred_at).date()


def admission_date(event: AdtEvent) -> date:
	return (event.admitted_at or event.occurred_at).date()
