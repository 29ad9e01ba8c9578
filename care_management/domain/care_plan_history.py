"""Which care plan a patient had in force during a month, and the chronic
conditions it held, judged on the plans' dated history rather than on what
they say today.

Why: a month is billed after it ends. A plan closed on 2 November (the patient
moved away) was in force for all of October, and a condition removed at a
November revision was held in October; reading today's status and rows would
bill October as if the plan had never been.

What is kept (the Care Plan controller writes it on every save):
- each status a plan has left, with when it began and ended (Care Plan Past
  Status); the current status runs from the end of the last one;
- when each current condition row was added, or its code last changed
  (Care Plan Condition.added_on), and each row removed or changed, as it was,
  with when it was added and removed (Care Plan Past Condition).

The month close reads those rows for a chunk of patients in a fixed number of
queries and this module decides for each patient:
- the plan was *active* in the month if it was Active at any moment of the
  month, on or after its start date;
- the plan judged is the one Active latest in the month; when none was
  Active, the one open (not Closed) latest, so that codes needing conditions
  but no care plan (APCM, PIN) still see them;
- its conditions are those it held at the last moment it was so in the month
  (the month's end, or the moment it was closed, put on hold or sent back for
  revision), once per distinct condition (``condition_key``).

Rows written without the controller (sites from before the history was kept,
bulk loads) carry no dates: a plan with no past statuses is taken to have had
its current status since its start date, and an undated condition to have been
held since the plan began, which is what the close assumed before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from care_management.domain.icd10 import normalise_icd10

ACTIVE = "Active"
CLOSED = "Closed"


@dataclass(frozen=True)
class StatusSpan:
	status: str
	valid_from: datetime | None  # None: since the plan began
	valid_to: datetime | None  # None: still the plan's status


@dataclass(frozen=True)
class ConditionSpan:
	icd10_code: str | None
	condition_name: str | None
	valid_from: datetime | None  # None: held since the plan began
	valid_to: datetime | None  # None: still on the plan


@dataclass(frozen=True)
class PlanHistory:
	plan: str
	start_date: date
	status: str  # the current status
	past_statuses: tuple[StatusSpan, ...] = ()
	conditions: tuple[ConditionSpan, ...] = ()  # only rows that count (expected to last 12 months)

	def statuses(self) -> list[StatusSpan]:
		past = sorted(self.past_statuses, key=lambda s: s.valid_to or datetime.max)
		since = max((s.valid_to for s in past if s.valid_to), default=None)
		return [*past, StatusSpan(self.status, since, None)]


@dataclass(frozen=True)
class PlanMonth:
	plan: str | None  # the plan judged, None when the patient had none open in the month
	active: bool
	conditions: tuple[str, ...] = ()  # one key per distinct condition (``condition_key``)
	icd10_codes: tuple[str, ...] = ()  # the codes among them, in plan order, for the claim


def condition_key(icd10_code: str | None, condition_name: str | None) -> str:
	"""One condition per normalised ICD-10-CM code (E11.9, e119 and 'E11.9 ' are one);
	a row without a code is one condition per name."""
	code = normalise_icd10(icd10_code)
	return code if code else "name:" + " ".join((condition_name or "").split()).casefold()


def _last_moment(plan: PlanHistory, start: datetime, next_start: datetime, wanted) -> datetime | None:
	"""Where the plan's last stretch in a ``wanted`` status ends within [start, next_start)."""
	begins = max(start, datetime.combine(plan.start_date, time.min))
	last = None
	for span in plan.statuses():
		if not wanted(span.status):
			continue
		low = max(begins, span.valid_from) if span.valid_from else begins
		high = min(next_start, span.valid_to) if span.valid_to else next_start
		if low < high and (last is None or high > last):
			last = high
	return last


def _latest(plans: list[PlanHistory], start: datetime, next_start: datetime, wanted):
	best = None
	for plan in plans:
		moment = _last_moment(plan, start, next_start, wanted)
		if moment is None:
			continue
		rank = (moment, plan.start_date, plan.plan)
		if best is None or rank > best[0]:
			best = (rank, plan)
	return (best[0][0], best[1]) if best else None


def held_at(plan: PlanHistory, moment: datetime) -> list[ConditionSpan]:
	"""The conditions the plan held just before ``moment``."""
	return [
		c
		for c in plan.conditions
		if (c.valid_from is None or c.valid_from < moment) and (c.valid_to is None or c.valid_to >= moment)
	]


def judge_month(plans: list[PlanHistory], start: datetime, next_start: datetime) -> PlanMonth:
	"""The plan in force for the month [start, next_start) among a patient's ``plans``."""
	chosen = _latest(plans, start, next_start, lambda status: status == ACTIVE)
	active = chosen is not None
	if not active:
		chosen = _latest(plans, start, next_start, lambda status: status != CLOSED)
	if chosen is None:
		return PlanMonth(None, False)
	moment, plan = chosen
	keys, codes = [], []
	for condition in held_at(plan, moment):
		key = condition_key(condition.icd10_code, condition.condition_name)
		if key in keys:
			continue
		keys.append(key)
		if not key.startswith("name:"):
			codes.append(key)
	return PlanMonth(plan.plan, active, tuple(keys), tuple(codes))


def first_duplicate_codes(codes: list[str | None]) -> list[tuple[int, int, str]]:
	"""(row, earlier row, code), 1-based, for each row whose normalised code an earlier row already has."""
	seen: dict[str, int] = {}
	duplicates = []
	for row, raw in enumerate(codes, start=1):
		code = normalise_icd10(raw)
		if not code:
			continue
		if code in seen:
			duplicates.append((row, seen[code], code))
		else:
			seen[code] = row
	return duplicates


# --- history of plans saved before it was kept --------------------------------


@dataclass
class ReplayedHistory:
	past_statuses: list[StatusSpan]
	past_conditions: list[tuple[dict, ConditionSpan]]  # (the row as it was, when it was held)
	added_on: dict[str, datetime]  # current row name -> when it was added or last recoded


def _history_key(row: dict) -> tuple:
	return (
		condition_key(row.get("icd10_code"), row.get("condition_name")),
		bool(row.get("expected_12_months")),
	)


def _as_flag(value) -> int:
	return 1 if str(value).strip().lower() in ("1", "true", "yes") else 0


CONDITION_FIELDS = ("condition_name", "icd10_code", "expected_12_months")


def replay_versions(
	begin: datetime,
	current_rows: list[dict],
	versions: list[tuple[datetime, dict]],
	statuses: dict[str, str],
	table: str = "conditions",
) -> ReplayedHistory:
	"""A plan's history rebuilt from its Version records (``versions``: when, and
	the diff as Frappe stores it: ``changed`` [field, old, new], ``added`` and
	``removed`` [table, row], ``row_changed`` [table, idx, row name, [[field, old, new]]]).

	``begin`` is when the plan began; ``current_rows`` its condition rows today
	(with ``name``); ``statuses`` maps a status as a Version shows it (Select
	values are stored translated) to the status. A status no entry of
	``statuses`` knows makes the statuses unknowable: none are returned, and the
	plan keeps the close's assumption (its status since it started).

	Statuses are replayed forwards from ``begin``. Conditions are replayed
	backwards from today's rows, because a row on the plan since it was created
	appears in no Version until it is changed or removed."""
	versions = sorted(versions, key=lambda v: v[0])
	past_statuses: list[StatusSpan] = []
	known = True
	since = begin
	for at, data in versions:
		for change in data.get("changed") or ():
			if change[0] != "status" or change[1] == change[2]:
				continue
			status = statuses.get(change[1] or "")
			if status is None:
				known = False
				break
			past_statuses.append(StatusSpan(status, since, at))
			since = at
		if not known:
			break

	# Backwards: each row's open stretch, the values it had then and when it ended.
	open_rows = {
		row["name"]: ({f: row.get(f) for f in CONDITION_FIELDS}, None)
		for row in current_rows
		if row.get("name")
	}
	closed: list[tuple[str, dict, datetime | None, datetime | None]] = []
	for at, data in reversed(versions):
		for entry in data.get("added") or ():
			if entry[0] != table:
				continue
			name = (entry[1] or {}).get("name")
			if name in open_rows:
				values, valid_to = open_rows.pop(name)
				closed.append((name, values, at, valid_to))
		for entry in data.get("row_changed") or ():
			if entry[0] != table or entry[2] not in open_rows:
				continue
			name = entry[2]
			values, valid_to = open_rows[name]
			earlier = dict(values)
			for field, old, _new in entry[3]:
				if field in CONDITION_FIELDS:
					earlier[field] = _as_flag(old) if field == "expected_12_months" else old
			if _history_key(earlier) != _history_key(values):
				closed.append((name, values, at, valid_to))
				open_rows[name] = (earlier, at)
			else:
				open_rows[name] = (earlier, valid_to)
		for entry in data.get("removed") or ():
			if entry[0] != table:
				continue
			row = entry[1] or {}
			if row.get("name") and row["name"] not in open_rows:
				open_rows[row["name"]] = ({f: row.get(f) for f in CONDITION_FIELDS}, at)
	closed.extend((name, values, None, valid_to) for name, (values, valid_to) in open_rows.items())

	live = {row.get("name") for row in current_rows}
	added_on: dict[str, datetime] = {}
	past_conditions: list[tuple[dict, ConditionSpan]] = []
	for name, values, valid_from, valid_to in closed:
		if valid_to is None and name in live:
			if valid_from is not None:
				added_on[name] = valid_from
			continue
		past_conditions.append(
			(
				{**values, "expected_12_months": _as_flag(values.get("expected_12_months"))},
				ConditionSpan(values.get("icd10_code"), values.get("condition_name"), valid_from, valid_to),
			)
		)
	past_conditions.sort(
		key=lambda item: (item[1].valid_to or datetime.max, item[1].valid_from or datetime.min)
	)
	return ReplayedHistory(past_statuses if known else [], past_conditions, added_on)
