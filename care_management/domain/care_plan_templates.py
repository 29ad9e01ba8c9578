"""Applying condition templates to a care plan without duplicating anything.

A care manager may apply several templates (diabetes and hypertension share
goals like "take medicines as prescribed"), or apply the same one twice; each
goal, intervention, education topic and condition lands on the plan once.

Templates are written in English and may carry a text per language for each
of their patient-facing texts (rows of ``translations``: ``language``,
``source_text``, ``translated_text``). The plan's patient-facing language
decides which text lands on the plan; a text with no translation into it lands
in English, and the plan then holds mixed languages (see ``rows_in_template_language``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta


def text_key(text: str | None) -> str:
	"""Two texts are the same item when they differ only in case, spacing or a
	trailing full stop."""
	return " ".join((text or "").split()).rstrip(".").casefold()


def merge_new(existing: Iterable[dict], incoming: Iterable[dict], key: Callable[[dict], str]) -> list[dict]:
	"""The incoming items whose key is neither on the plan nor earlier in ``incoming``."""
	seen = {key(item) for item in existing}
	added = []
	for item in incoming:
		k = key(item)
		if k and k not in seen:
			seen.add(k)
			added.append(item)
	return added


def goal_due_date(start: date, due_in_days: int | None) -> date | None:
	return start + timedelta(days=due_in_days) if due_in_days else None


def template_additions(
	plan: dict, templates: list[dict], start: date, language: str | None = None
) -> dict[str, list[dict]]:
	"""Rows to append to the plan's tables, per table, for the given templates.

	``plan`` holds the plan's current rows (``conditions``, ``goals``,
	``interventions``, ``education_topics``); each template holds its
	``template_name``, ``condition_name``, ``icd10_code``, its own rows and,
	optionally, its ``translations``. Texts are written in ``language`` where
	the template has them in it. An item already on the plan in any of its
	languages is not added again.
	"""
	conditions, goals, interventions, topics = [], [], [], []
	variants: dict[str, set[str]] = {}  # key of a text in any language -> keys of all its languages
	for template in templates:
		source = template["template_name"]
		table = translation_table(template.get("translations") or [])
		tr = translator(table, language)
		for texts in table.values():
			for english, translated in texts.items():
				same = variants.setdefault(english, {english})
				same.add(text_key(translated))
				variants[text_key(translated)] = same
		conditions.append(
			{
				"condition_name": tr(template["condition_name"]),
				"icd10_code": template.get("icd10_code") or "",
				"expected_12_months": 1,
				"source_template": source,
			}
		)
		for goal in template.get("goals", []):
			goals.append(
				{
					"goal": tr(goal["goal"]),
					"measure": tr(goal.get("measure")),
					"target": tr(goal.get("target")),
					"due_date": goal_due_date(start, goal.get("due_in_days")),
					"status": "In Progress",
					"source_template": source,
				}
			)
		for intervention in template.get("interventions", []):
			interventions.append(
				{
					"intervention": tr(intervention["intervention"]),
					"responsible": intervention["responsible"],
					"frequency": tr(intervention.get("frequency")),
					"linked_goal": tr(intervention.get("linked_goal")),
					"status": "Planned",
					"source_template": source,
				}
			)
		topics.extend(
			{"topic": tr(t), "source_template": source} for t in template.get("education_topics", [])
		)

	def keyed(field: str) -> Callable[[dict], frozenset[str]]:
		def keys(row: dict) -> frozenset[str]:
			key = text_key(row.get(field))
			return frozenset(variants.get(key, {key}) - {""})

		return keys

	def condition_key(row: dict) -> frozenset[str]:
		code = (row.get("icd10_code") or "").upper()
		return frozenset({code}) if code else keyed("condition_name")(row)

	return {
		"conditions": merge_new_any(plan.get("conditions", []), conditions, condition_key),
		"goals": merge_new_any(plan.get("goals", []), goals, keyed("goal")),
		"interventions": merge_new_any(plan.get("interventions", []), interventions, keyed("intervention")),
		"education_topics": merge_new_any(plan.get("education_topics", []), topics, keyed("topic")),
	}


def merge_new_any(
	existing: Iterable[dict], incoming: Iterable[dict], keys: Callable[[dict], frozenset[str]]
) -> list[dict]:
	"""``merge_new`` for items known by several keys (a text in each of its languages):
	an item is new when none of its keys is on the plan or earlier in ``incoming``."""
	seen: set[str] = set()
	for item in existing:
		seen |= keys(item)
	added = []
	for item in incoming:
		k = keys(item)
		if k and not (k & seen):
			seen |= k
			added.append(item)
	return added


# The language templates are written in; their rows are the source texts.
TEMPLATE_LANGUAGE = "en"
# The patient-facing texts of a plan's rows that a template fills, per table.
PATIENT_FACING_FIELDS = {
	"conditions": ("condition_name",),
	"goals": ("goal", "measure", "target"),
	"interventions": ("intervention", "frequency"),
	"education_topics": ("topic",),
}
# The symptom action plan: texts of several lines, one instruction a line.
ACTION_PLAN_FIELDS = ("call_clinic_when", "call_911_when")


def patient_language(recorded: str | None, user_language: str | None, site_language: str | None) -> str:
	"""The language a patient reads: the one recorded on Healthcare's Patient,
	else their portal user's, else the site's. Healthcare writes the site's
	language into every Patient it saves, so a recorded language equal to the
	site's says nothing the user's own choice does not override."""
	site = site_language or TEMPLATE_LANGUAGE
	if recorded and recorded != site:
		return recorded
	return user_language or recorded or site


def language_candidates(language: str | None) -> list[str]:
	"""``es-MX`` reads ``es-MX`` texts, else ``es`` ones."""
	if not language:
		return []
	base = language.split("-")[0]
	return [language] if base == language else [language, base]


def reads_template_language(language: str | None) -> bool:
	return not language or TEMPLATE_LANGUAGE in language_candidates(language)


def translation_table(rows: Iterable[dict]) -> dict[str, dict[str, str]]:
	"""{language: {key of the template's text: its text in that language}}; the
	first row for a text wins."""
	table: dict[str, dict[str, str]] = {}
	for row in rows:
		source, translated = text_key(row.get("source_text")), (row.get("translated_text") or "").strip()
		if row.get("language") and source and translated:
			table.setdefault(row["language"], {}).setdefault(source, translated)
	return table


def translator(table: dict[str, dict[str, str]], language: str | None) -> Callable[[str | None], str | None]:
	"""A function giving a template's text in ``language`` where the template has
	it, else unchanged. A text of several lines without a translation of its own
	is translated line by line (the symptom action plan is written that way)."""
	texts: dict[str, str] = {}
	for candidate in reversed(language_candidates(language)):
		texts.update(table.get(candidate, {}))

	def translate(text: str | None) -> str | None:
		if not text or not texts:
			return text
		whole = texts.get(text_key(text))
		if whole:
			return whole
		if "\n" in text:
			return "\n".join(texts.get(text_key(line), line) for line in text.split("\n"))
		return text

	return translate


def lines_of(text: str | None) -> list[str]:
	return [line.strip() for line in (text or "").split("\n") if line.strip()]


def action_plan_additions(plan: dict, templates: list[dict], language: str | None = None) -> dict[str, str]:
	"""The symptom action plan fields that the templates' defaults add to, with
	their new text: what the plan says, as typed, then each default line it
	does not yet say (in any language), in ``language`` where the template has it."""
	changed = {}
	for field in ACTION_PLAN_FIELDS:
		have = {text_key(line) for line in lines_of(plan.get(field))}
		new_lines = []
		for template in templates:
			table = translation_table(template.get("translations") or [])
			tr = translator(table, language)
			for line in lines_of(template.get(field)):
				keys = {text_key(line)} | {
					text_key(texts[text_key(line)]) for texts in table.values() if text_key(line) in texts
				}
				if not keys & have:
					have |= keys
					new_lines.append(tr(line))
		if new_lines:
			changed[field] = "\n".join(filter(None, [(plan.get(field) or "").rstrip(), *new_lines]))
	return changed


def source_texts(template: dict) -> list[str]:
	"""The template's own patient-facing texts, in the order a reader meets them,
	each once: what a translation row may translate (each line of the symptom
	action plan is one text)."""
	texts = [template.get("condition_name")]
	for goal in template.get("goals", []):
		texts += [goal.get("goal"), goal.get("measure"), goal.get("target")]
	for intervention in template.get("interventions", []):
		texts += [intervention.get("intervention"), intervention.get("frequency")]
	texts += template.get("education_topics", [])
	for field in ACTION_PLAN_FIELDS:
		texts += lines_of(template.get(field))
	unique = {}
	for text in texts:
		if text_key(text):
			unique.setdefault(text_key(text), text.strip())
	return list(unique.values())


def source_keys(template: dict) -> set[str]:
	return {text_key(text) for text in source_texts(template)}


def rows_in_template_language(plan: dict, templates: list[dict], language: str | None) -> list[dict]:
	"""Patient-facing texts of a plan read in ``language`` that are still a
	template's English text: rows applied from a template with no text in that
	language, or applied before the plan's language changed. Text a care manager
	typed is theirs and not listed. Each item: ``table`` (None for the action
	plan), ``idx``, ``field``, ``text``, ``template`` and ``translation`` (the
	template's text in ``language``, if it has one)."""
	if reads_template_language(language):
		return []
	by_name = {t["template_name"]: t for t in templates}
	found = []
	sources = {name: source_keys(t) for name, t in by_name.items()}
	translators = {
		name: translator(translation_table(t.get("translations") or []), language)
		for name, t in by_name.items()
	}
	own_texts = {
		name: {
			text_key(text)
			for lang in language_candidates(language)
			for text in translation_table(t.get("translations") or []).get(lang, {}).values()
		}
		for name, t in by_name.items()
	}

	def check(table, idx, field, text, names):
		key = text_key(text)
		for name in names:
			if key in sources[name] and key not in own_texts[name]:
				translated = translators[name](text)
				found.append(
					{
						"table": table,
						"idx": idx,
						"field": field,
						"text": text,
						"template": name,
						"translation": translated if text_key(translated) != key else None,
					}
				)
				return

	for table, fields in PATIENT_FACING_FIELDS.items():
		for position, row in enumerate(plan.get(table, []), start=1):
			name = row.get("source_template")
			if name not in by_name:
				continue
			for field in fields:
				if row.get(field):
					check(table, row.get("idx") or position, field, row[field], [name])
	for field in ACTION_PLAN_FIELDS:
		for position, line in enumerate(lines_of(plan.get(field)), start=1):
			check(None, position, field, line, list(by_name))
	return found
