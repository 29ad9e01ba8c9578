"""Scoring a social-needs or symptom screening against its instrument.

An instrument is data: questions with answer options (each option may carry
a score), and one rule per domain that says when the domain is positive:

- ``any_of``: one of the listed answers was given (AHC HRSN housing, food…);
- ``sum_over``: the domain's scores add up to more than the threshold
  (AHC HRSN interpersonal safety: > 10);
- ``sum_at_least``: they add up to at least the threshold (PHQ-2 ≥ 3,
  PHQ-9 ≥ 10).

Severity bands name a total score (PHQ-9: 5, 10, 15, 20).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANY_OF = "Any Of Answers"
SUM_OVER = "Sum Over Threshold"
SUM_AT_LEAST = "Sum At Least Threshold"


@dataclass(frozen=True)
class Question:
	key: str
	text: str
	domain: str
	options: tuple[tuple[str, int | None], ...]  # (answer, score)
	multiple: bool = False


@dataclass(frozen=True)
class DomainRule:
	domain: str
	kind: str
	answers: tuple[str, ...] = ()
	threshold: int | None = None
	need_category: str | None = None


@dataclass(frozen=True)
class Band:
	minimum: int
	label: str


@dataclass(frozen=True)
class Instrument:
	name: str
	questions: tuple[Question, ...]
	rules: tuple[DomainRule, ...]
	bands: tuple[Band, ...] = ()


@dataclass
class ScreeningResult:
	positive_domains: list[str]
	domain_scores: dict[str, int]
	total_score: int
	severity: str | None
	need_categories: list[str]
	unanswered: list[str] = field(default_factory=list)
	invalid: list[tuple[str, str]] = field(default_factory=list)  # (question key, answer)


def _as_list(answer) -> list[str]:
	if answer is None or answer == "":
		return []
	if isinstance(answer, (list, tuple)):
		return [a for a in answer if a not in (None, "")]
	return [answer]


def score(instrument: Instrument, answers: dict[str, object]) -> ScreeningResult:
	"""Score ``answers`` (question key -> answer, or a list for multi-select)."""
	given: dict[str, list[str]] = {}
	domain_scores: dict[str, int] = {}
	unanswered, invalid = [], []
	for question in instrument.questions:
		chosen = _as_list(answers.get(question.key))
		if not chosen:
			unanswered.append(question.key)
			continue
		options = dict(question.options)
		for answer in chosen:
			if answer not in options:
				invalid.append((question.key, answer))
		chosen = [a for a in chosen if a in options]
		if len(chosen) > 1 and not question.multiple:
			invalid.append((question.key, " | ".join(chosen)))
			chosen = chosen[:1]
		given[question.key] = chosen
		points = sum(options[a] or 0 for a in chosen)
		domain_scores[question.domain] = domain_scores.get(question.domain, 0) + points

	positive, needs = [], []
	for rule in instrument.rules:
		total = domain_scores.get(rule.domain, 0)
		if rule.kind == ANY_OF:
			hit = any(
				set(given.get(q.key, [])) & set(rule.answers)
				for q in instrument.questions
				if q.domain == rule.domain
			)
		elif rule.kind == SUM_OVER:
			hit = total > (rule.threshold or 0)
		elif rule.kind == SUM_AT_LEAST:
			hit = total >= (rule.threshold or 0)
		else:
			raise ValueError(f"rule for {rule.domain}: unknown kind {rule.kind!r}")
		if hit and rule.domain not in positive:
			positive.append(rule.domain)
			if rule.need_category and rule.need_category not in needs:
				needs.append(rule.need_category)
	total_score = sum(domain_scores.values())
	severity = None
	for band in sorted(instrument.bands, key=lambda b: b.minimum):
		if total_score >= band.minimum:
			severity = band.label
	return ScreeningResult(positive, domain_scores, total_score, severity, needs, unanswered, invalid)


def instrument_from_dict(data: dict) -> Instrument:
	"""An instrument from plain data (the seed file, or a record as a dict)."""
	return Instrument(
		name=data["instrument_name"],
		questions=tuple(
			Question(
				key=q["key"],
				text=q["question"],
				domain=q["domain"],
				options=tuple((o["answer"], o.get("score")) for o in q["options"]),
				multiple=bool(q.get("multiple")),
			)
			for q in data["questions"]
		),
		rules=tuple(
			DomainRule(
				domain=r["domain"],
				kind=r["kind"],
				answers=tuple(r.get("answers") or ()),
				threshold=r.get("threshold"),
				need_category=r.get("need_category"),
			)
			for r in data["rules"]
		),
		bands=tuple(Band(b["minimum"], b["label"]) for b in data.get("bands") or ()),
	)
