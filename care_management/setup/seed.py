"""Records the app ships with: programs and condition templates.

Each seed creates what is missing and never overwrites a record an admin has
changed, so it is safe in after_install and in patches alike.
"""

import json
from pathlib import Path

import frappe

SEED_DATA = Path(__file__).parent / "seed_data"


def load(name: str) -> list[dict]:
	return json.loads((SEED_DATA / name).read_text())


def seed_care_programs() -> None:
	for program in load("care_programs.json"):
		if not frappe.db.exists("Care Program", program["program_name"]):
			frappe.get_doc({"doctype": "Care Program", **program}).insert(ignore_permissions=True)


def seed_care_plan_templates() -> None:
	for template in load("care_plan_templates.json"):
		if frappe.db.exists("Care Plan Template", template["template_name"]):
			continue
		frappe.get_doc(
			{
				"doctype": "Care Plan Template",
				"template_name": template["template_name"],
				"condition_name": template["condition_name"],
				"icd10_code": template.get("icd10_code"),
				"description": template.get("description"),
				"goals": template["goals"],
				"interventions": template["interventions"],
				"education_topics": [{"topic": topic} for topic in template["education_topics"]],
				"call_clinic_when": "\n".join(template.get("call_clinic_when") or []),
				"call_911_when": "\n".join(template.get("call_911_when") or []),
			}
		).insert(ignore_permissions=True)
	seed_template_translations()


def seed_template_action_plans() -> None:
	"""The symptom action plan defaults of the seeded templates, on a site whose
	templates predate them: only where the template has none (an admin's stay)."""
	for template in load("care_plan_templates.json"):
		name = template["template_name"]
		if not frappe.db.exists("Care Plan Template", name):
			continue
		doc = frappe.get_doc("Care Plan Template", name)
		changed = False
		for field in ("call_clinic_when", "call_911_when"):
			if not doc.get(field) and template.get(field):
				doc.set(field, "\n".join(template[field]))
				changed = True
		if changed:
			doc.save(ignore_permissions=True)


def seed_template_translations() -> None:
	"""Spanish texts of the seeded templates (seed_data/care_plan_template_translations.json,
	one text per English text, shared by the templates that use it). A template
	that already has texts in that language is left as the admin has it, and a
	text an admin changed in English gets no translation of the old words."""
	from care_management.care_management.doctype.care_plan_template.care_plan_template import (
		template_dict,
	)
	from care_management.domain.care_plan_templates import source_texts, text_key

	seeded = {t["template_name"] for t in load("care_plan_templates.json")}
	translation = load("care_plan_template_translations.json")
	language, texts = translation["language"], translation["texts"]
	if not frappe.db.exists("Language", language):
		return
	by_key = {text_key(english): (english, translated) for english, translated in texts.items()}
	for name in sorted(seeded):
		if not frappe.db.exists("Care Plan Template", name):
			continue
		doc = frappe.get_doc("Care Plan Template", name)
		if any(row.language == language for row in doc.translations):
			continue
		for text in source_texts(template_dict(doc)):
			if text_key(text) in by_key:
				doc.append(
					"translations",
					{"language": language, "source_text": text, "translated_text": by_key[text_key(text)][1]},
				)
		doc.translation_source = "\n".join(filter(None, [doc.translation_source, translation["source"]]))
		doc.save(ignore_permissions=True)


def seed_outreach_lists() -> None:
	for activity in load("outreach_activity_types.json"):
		if not frappe.db.exists("Outreach Activity Type", activity["activity_type"]):
			frappe.get_doc({"doctype": "Outreach Activity Type", **activity}).insert(ignore_permissions=True)
	for topic in load("education_topics.json"):
		if not frappe.db.exists("Education Topic", topic):
			frappe.get_doc({"doctype": "Education Topic", "topic": topic}).insert(ignore_permissions=True)


BILLING_ITEM_GROUP = "Services"


def seed_billing_codes() -> None:
	"""The CY2026 Medicare codes, each invoiced as an ERPNext service Item."""
	from care_management.care_management.doctype.billing_code.billing_code import PERFORMER_FIELDS

	field_of = {label: field for field, label in PERFORMER_FIELDS.items()}
	created = []
	for code in load("billing_codes_2026.json"):
		if frappe.db.exists("Billing Code", {"code": code["code"], "effective_from": code["effective_from"]}):
			continue
		record = {
			"doctype": "Billing Code",
			**{
				k: v
				for k, v in code.items()
				if k not in ("performer_types", "base_codes", "requires_code_with", "excludes")
			},
			"is_add_on": 1 if code.get("base_codes") else 0,
			"base_codes": ", ".join(code.get("base_codes") or []),
			"requires_code_with": ", ".join(code.get("requires_code_with") or []),
			"no_unit_cap": 1 if code.get("max_units") is None else 0,
			"max_units": code.get("max_units") or 1,
			"item": billing_item(code["code"], code["description"]),
		}
		for performer in code.get("performer_types") or []:
			record[field_of[performer]] = 1
		created.append((frappe.get_doc(record).insert(ignore_permissions=True), code.get("excludes") or []))
	# Exclusions name other codes, so they go in once every code exists.
	for doc, excludes in created:
		if excludes:
			for other, scope in excludes:
				doc.append("excludes", {"code": other, "scope": scope})
			doc.save(ignore_permissions=True)


def billing_item(code: str, description: str) -> str | None:
	if frappe.db.exists("Item", code):
		return code
	if not (frappe.db.exists("Item Group", BILLING_ITEM_GROUP) and frappe.db.exists("UOM", "Nos")):
		return None  # the site has no ERPNext setup yet; admins link Items later
	item = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": f"{code} {description}"[:140],
			"description": description,
			"item_group": BILLING_ITEM_GROUP,
			"stock_uom": "Nos",
			"is_stock_item": 0,
			"include_item_in_manufacturing": 0,
		}
	)
	item.insert(ignore_permissions=True)
	return item.name


def seed_screening_instruments() -> None:
	"""AHC HRSN core and PHQ-2 / PHQ-9, as standards.md gives them."""
	for instrument in load("screening_instruments.json"):
		if frappe.db.exists("Screening Instrument", instrument["instrument_name"]):
			continue
		frappe.get_doc(
			{
				"doctype": "Screening Instrument",
				"instrument_name": instrument["instrument_name"],
				"description": instrument.get("description"),
				"questions": [
					{
						"key": q["key"],
						"question": q["question"],
						"domain": q["domain"],
						"multiple": int(q.get("multiple", False)),
						"options": "\n".join(
							o["answer"] if o.get("score") is None else f"{o['answer']} = {o['score']}"
							for o in q["options"]
						),
					}
					for q in instrument["questions"]
				],
				"rules": [
					{
						"domain": r["domain"],
						"kind": r["kind"],
						"answers": "\n".join(r.get("answers") or []),
						"threshold": r.get("threshold"),
						"need_category": r.get("need_category"),
					}
					for r in instrument["rules"]
				],
				"bands": instrument.get("bands") or [],
			}
		).insert(ignore_permissions=True)
	seed_instrument_translations()


def seed_instrument_translations() -> None:
	"""Spanish questions and answers of the seeded instruments, with where they
	come from (seed_data/screening_instrument_translations.json). An instrument
	that already has a translation into that language is left as the admin has it."""
	for translation in load("screening_instrument_translations.json"):
		name, language = translation["instrument_name"], translation["language"]
		if not frappe.db.exists("Screening Instrument", name):
			continue
		doc = frappe.get_doc("Screening Instrument", name)
		if any(row.language == language for row in doc.translations):
			continue
		if not frappe.db.exists("Language", language):
			continue
		keys = {q.key for q in doc.questions}
		for question in translation["questions"]:
			if question["key"] in keys:
				doc.append(
					"translations",
					{
						"language": language,
						"question_key": question["key"],
						"question": question["question"],
						"options": "\n".join(question["options"]),
					},
				)
		doc.translation_source = "\n".join(filter(None, [doc.translation_source, translation["source"]]))
		try:
			doc.save(ignore_permissions=True)
		except frappe.ValidationError:
			# An admin changed the questions' answers (validation refuses before
			# writing anything): the translation of their version is theirs to write.
			frappe.clear_last_message()


def seed_chronic_condition_categories() -> None:
	"""The CMS Chronic Conditions Warehouse groups (source in the seed file)."""
	for category in json.loads((SEED_DATA / "chronic_condition_categories.json").read_text())["categories"]:
		if not frappe.db.exists("Chronic Condition Category", category["category_name"]):
			frappe.get_doc({"doctype": "Chronic Condition Category", **category}).insert(
				ignore_permissions=True
			)


def seed_program_eligibility() -> None:
	"""Criteria for the seeded programs that have none yet (an admin's are kept)."""
	for program, criteria in json.loads((SEED_DATA / "program_eligibility.json").read_text()).items():
		if program.startswith("_") or not frappe.db.exists("Care Program", program):
			continue
		doc = frappe.get_doc("Care Program", program)
		if doc.eligibility_criteria:
			continue
		for criterion in criteria:
			doc.append("eligibility_criteria", criterion)
		doc.save(ignore_permissions=True)


def seed_risk_factors() -> None:
	for factor in load("risk_factors.json"):
		if not frappe.db.exists("Care Risk Factor", factor["factor_name"]):
			frappe.get_doc({"doctype": "Care Risk Factor", **factor}).insert(ignore_permissions=True)


DEFAULT_SCORE_BANDS = {"High": (8, None), "Medium": (4, 7), "Low": (0, 3)}


def seed_score_bands() -> None:
	"""Bands for the default tiers, when the practice still has exactly those
	tiers and no bands; a practice with its own tiers sets its own bands."""
	settings = frappe.get_single("Care Management Settings")
	tiers = {row.tier for row in settings.risk_tiers}
	if tiers != set(DEFAULT_SCORE_BANDS) or any(
		row.min_score or row.max_score for row in settings.risk_tiers
	):
		return
	for row in settings.risk_tiers:
		low, high = DEFAULT_SCORE_BANDS[row.tier]
		row.min_score, row.max_score = str(low), (str(high) if high is not None else None)
	if not settings.target_caseload:
		settings.target_caseload = 200
	settings.flags.ignore_permissions = True
	settings.save()
