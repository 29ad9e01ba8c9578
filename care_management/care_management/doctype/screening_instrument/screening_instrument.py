# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.screening import ANY_OF, Instrument, instrument_from_dict


def parse_option(line: str) -> dict:
	"""'Several days = 1' -> answer and score; a line without ' = ' has no score."""
	answer, _sep, points = line.rpartition(" = ")
	if answer and points.strip().lstrip("-").isdigit():
		return {"answer": answer.strip(), "score": int(points)}
	return {"answer": line.strip(), "score": None}


def lines(text: str | None) -> list[str]:
	return [line.strip() for line in (text or "").splitlines() if line.strip()]


def instrument_dict(doc) -> dict:
	return {
		"instrument_name": doc.instrument_name or doc.name,
		"questions": [
			{
				"key": q.key,
				"question": q.question,
				"domain": q.domain,
				"multiple": q.multiple,
				"options": [parse_option(line) for line in lines(q.options)],
			}
			for q in doc.questions
		],
		"rules": [
			{
				"domain": r.domain,
				"kind": r.kind,
				"answers": lines(r.answers),
				"threshold": r.threshold,
				"need_category": r.need_category,
			}
			for r in doc.rules
		],
		"bands": [{"minimum": b.minimum, "label": b.label} for b in doc.bands],
	}


def translations_for(doc, lang: str | None) -> dict[str, tuple[str, list[str]]]:
	"""question key -> (question, answer labels) in ``lang`` ("es-MX" falls back to "es");
	empty when the instrument has no such translation."""
	if not lang:
		return {}
	wanted = [lang, lang.split("-")[0]]
	for language in wanted:
		rows = {
			r.question_key: (r.question, lines(r.options)) for r in doc.translations if r.language == language
		}
		if rows:
			return rows
	return {}


def load_instrument(name: str) -> Instrument:
	return instrument_from_dict(instrument_dict(frappe.get_cached_doc("Screening Instrument", name)))


class ScreeningInstrument(Document):
	def validate(self):
		keys, domains = set(), set()
		for q in self.questions:
			if q.key in keys:
				frappe.throw(
					_(
						"Questions, row {0}: the key {1} is used twice. Give each question its own key."
					).format(q.idx, frappe.bold(frappe.utils.escape_html(q.key)))
				)
			keys.add(q.key)
			domains.add(q.domain)
			if len(lines(q.options)) < 2:
				frappe.throw(
					_("Questions, row {0}: give at least two Answer Options, one per line.").format(q.idx)
				)
		self.validate_translations()
		answers = {parse_option(line)["answer"] for q in self.questions for line in lines(q.options)}
		for r in self.rules:
			if r.domain not in domains:
				frappe.throw(
					_("Positive Rules, row {0}: no question belongs to the domain {1}.").format(
						r.idx, frappe.bold(frappe.utils.escape_html(r.domain))
					)
				)
			if r.kind == ANY_OF:
				unknown = [a for a in lines(r.answers) if a not in answers]
				if not lines(r.answers) or unknown:
					frappe.throw(
						_(
							"Positive Rules, row {0}: list answers that the questions offer, one per line{1}."
						).format(
							r.idx,
							(": " + ", ".join(frappe.bold(frappe.utils.escape_html(a)) for a in unknown))
							if unknown
							else "",
						)
					)
			elif r.threshold is None:
				frappe.throw(_("Positive Rules, row {0}: set the Threshold.").format(r.idx))

	def validate_translations(self):
		options_of = {q.key: lines(q.options) for q in self.questions}
		seen = set()
		for row in self.translations:
			if row.question_key not in options_of:
				frappe.throw(
					_("Questions in Other Languages, row {0}: no question has the key {1}.").format(
						row.idx, frappe.bold(frappe.utils.escape_html(row.question_key))
					)
				)
			if (row.language, row.question_key) in seen:
				frappe.throw(
					_("Questions in Other Languages, row {0}: {1} is translated into {2} twice.").format(
						row.idx,
						frappe.bold(frappe.utils.escape_html(row.question_key)),
						frappe.utils.escape_html(row.language),
					)
				)
			seen.add((row.language, row.question_key))
			expected = len(options_of[row.question_key])
			if len(lines(row.options)) != expected:
				frappe.throw(
					_(
						"Questions in Other Languages, row {0}: give {1} answer options, one per line in the order of question {2}'s."
					).format(
						row.idx,
						expected,  # html-safe: a count
						frappe.bold(frappe.utils.escape_html(row.question_key)),
					)
				)
