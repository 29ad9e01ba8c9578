"""Every patient-facing sentence ships in Spanish: the portal page, the patient
print format, the self-screening form and the screening-link email.

Reads the source files as text (no Frappe): each _("…") / __("…") found in
them must have a row in care_management/translations/es.csv, with the context
the call gives, and each seeded instrument a complete Spanish version.
"""

import csv
import json
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "care_management"
PATIENT_FACING = [
	"www/my-care-plan.html",
	"www/my_care_plan.py",
	"portal/my_care_plan.py",
	"api/patient_portal.py",
	"api/self_screening.py",
	"care_management/web_form/patient_screening/patient_screening.js",
	"setup/email_templates.py",
]
CALL = re.compile(r'(?<![\w.])_{1,2}\(\s*"((?:[^"\\]|\\.)+)"\s*(?:,\s*context\s*=\s*"([^"]+)")?')
# Sentences meant for the care team, not the patient, in the files above.
DESK_ONLY = {
	"Care Management Overdue Digest",
}


def translations() -> dict[tuple[str, str], str]:
	rows = csv.reader((APP / "translations" / "es.csv").open(encoding="utf-8"))
	return {(row[0], row[2] if len(row) > 2 else ""): row[1] for row in rows if row}


def calls(text: str) -> set[tuple[str, str]]:
	return {(m.group(1).replace('\\"', '"'), m.group(2) or "") for m in CALL.finditer(text)}


def patient_facing_strings() -> set[tuple[str, str]]:
	found = set()
	for path in PATIENT_FACING:
		text = (APP / path).read_text(encoding="utf-8")
		if path.endswith("email_templates.py"):
			text = text[text.index("SCREENING_LINK") :]
		found |= calls(text)
	print_format = json.loads(
		(APP / "care_management/print_format/care_plan_for_patients/care_plan_for_patients.json").read_text()
	)
	found |= calls(print_format["html"])
	web_form = json.loads(
		(APP / "care_management/web_form/patient_screening/patient_screening.json").read_text()
	)
	for key in ("title", "introduction_text", "success_title", "success_message", "button_label"):
		found.add((web_form[key], ""))
	return {item for item in found if item[0] not in DESK_ONLY}


def test_the_extractor_finds_calls_with_and_without_context():
	assert calls('_("Done", context="My Care Plan") __("Hello {0}.", [x]) _("A")') == {
		("Done", "My Care Plan"),
		("Hello {0}.", ""),
		("A", ""),
	}


def test_every_patient_facing_string_has_a_spanish_translation():
	spanish = translations()
	missing = sorted(item for item in patient_facing_strings() if not spanish.get(item))
	assert not missing, f"add to translations/es.csv: {missing}"


def test_translations_keep_their_placeholders():
	for (source, _context), target in translations().items():
		assert re.findall(r"\{\d\}", source) == re.findall(r"\{\d\}", target), source


def test_seeded_instruments_have_a_complete_spanish_version_with_its_source():
	instruments = {
		i["instrument_name"]: i
		for i in json.loads((APP / "setup/seed_data/screening_instruments.json").read_text())
	}
	spanish = json.loads((APP / "setup/seed_data/screening_instrument_translations.json").read_text())
	assert {t["instrument_name"] for t in spanish} == set(instruments)
	for translation in spanish:
		assert translation["language"] == "es" and translation["source"]
		questions = {q["key"]: q for q in instruments[translation["instrument_name"]]["questions"]}
		assert {q["key"] for q in translation["questions"]} == set(questions)
		for q in translation["questions"]:
			assert len(q["options"]) == len(questions[q["key"]]["options"]), q["key"]
			assert q["question"] != questions[q["key"]]["question"]


def test_an_unofficial_translation_says_so():
	spanish = json.loads((APP / "setup/seed_data/screening_instrument_translations.json").read_text())
	ahc = next(t for t in spanish if t["instrument_name"] == "AHC HRSN Core")
	assert "NOT an official" in ahc["source"]


def test_seeded_care_plan_templates_read_wholly_in_spanish_marked_unofficial():
	from care_management.domain.care_plan_templates import source_texts, text_key

	templates = json.loads((APP / "setup/seed_data/care_plan_templates.json").read_text())
	spanish = json.loads((APP / "setup/seed_data/care_plan_template_translations.json").read_text())
	assert spanish["language"] == "es" and "NOT an official" in spanish["source"]
	keys = {text_key(english) for english in spanish["texts"]}
	for template in templates:
		plain = {**template, **{f: "\n".join(template[f]) for f in ("call_clinic_when", "call_911_when")}}
		assert template["call_clinic_when"] and template["call_911_when"], template["template_name"]
		missing = [text for text in source_texts(plain) if text_key(text) not in keys]
		assert not missing, f"{template['template_name']}: no Spanish for {missing}"
	assert all(translated.strip() for translated in spanish["texts"].values())
