"""A plan is written in the language its patient reads: texts applied from
condition templates, the symptom action plan defaults, the printed copy and the
portal page; and the care plan form warns when a plan read in Spanish still
holds English text from a template."""

import frappe
from frappe.tests.test_api import FrappeAPITestCase
from frappe.tests.utils import FrappeTestCase

from care_management.api.care_plan_language import (
	template_text_in_other_language,
	write_template_text_in_plan_language,
)
from care_management.care_management.doctype.care_plan.test_care_plan import render_patient_print
from care_management.domain.care_plan_templates import lines_of, text_key
from care_management.patient_language import language_for_patient_messages
from care_management.tests import test_patient_portal as portal_tests
from care_management.tests.factories import (
	activate_care_plan,
	link_patient_user,
	make_care_plan,
	make_patient,
	make_practitioner,
	make_user,
	make_website_user,
)

CM = "languages.cm@example.org"
NOBODY = "languages.nobody@example.org"
SPANISH_USER = "languages.rosa@example.org"
PORTAL_SPANISH = "languages.portal.rosa@example.org"
PORTAL_ENGLISH = "languages.portal.ed@example.org"
TEMPLATES = ["Type 2 Diabetes", "Hypertension"]


def spanish_of(template: str) -> dict[str, str]:
	doc = frappe.get_doc("Care Plan Template", template)
	return {text_key(r.source_text): r.translated_text for r in doc.translations if r.language == "es"}


def expected_goals(templates: list[str], language: str) -> list[str]:
	"""The templates' goals in order, each once, in ``language``."""
	goals = {}
	for name in templates:
		spanish = spanish_of(name)
		for row in frappe.get_doc("Care Plan Template", name).goals:
			text = spanish[text_key(row.goal)] if language == "es" else row.goal
			goals.setdefault(text_key(row.goal), text)
	return list(goals.values())


class TestCarePlanLanguages(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(CM, ["Care Manager"])
		make_user(NOBODY, ["Blogger"])
		make_website_user(SPANISH_USER, ["Patient"])
		frappe.db.set_value("User", SPANISH_USER, "language", "es")
		cls.practitioner = make_practitioner("Languages Doctor")
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.local.lang = "en"

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = "en"
		frappe.db.rollback()

	def spanish_patient(self) -> str:
		"""Reads Spanish as a user; Healthcare still records the site's English on the Patient."""
		patient = make_patient("Rosa", care_manager=CM).name
		link_patient_user(patient, SPANISH_USER)
		self.assertEqual(frappe.db.get_value("Patient", patient, "language"), "en")
		return patient

	def plan(self, patient: str, *templates: str, **fields):
		plan = make_care_plan(patient, self.practitioner, care_manager=CM, **fields)
		if templates:
			plan.apply_templates(list(templates))
		return frappe.get_doc("Care Plan", plan.name)

	def test_seeded_templates_carry_spanish_for_every_patient_facing_text(self):
		from care_management.care_management.doctype.care_plan_template.care_plan_template import (
			template_dict,
		)
		from care_management.domain.care_plan_templates import source_keys

		for name in (
			"Type 2 Diabetes",
			"Hypertension",
			"Heart Failure",
			"COPD",
			"Chronic Kidney Disease",
			"Depression",
		):
			doc = frappe.get_doc("Care Plan Template", name)
			self.assertTrue(doc.call_911_when, name)
			self.assertEqual(source_keys(template_dict(doc)) - set(spanish_of(name)), set(), name)
			self.assertIn("NOT an official translation", doc.translation_source)

	def test_a_fresh_install_seeds_templates_with_their_spanish_and_a_rerun_keeps_an_admins(self):
		from care_management.setup.seed import seed_care_plan_templates, seed_template_translations

		# Runs after tearDown's rollback: no later test reads this test's COPD from the cache.
		self.addCleanup(frappe.clear_document_cache, "Care Plan Template", "COPD")
		frappe.delete_doc("Care Plan Template", "COPD", force=True, ignore_permissions=True)
		seed_care_plan_templates()
		copd = frappe.get_doc("Care Plan Template", "COPD")
		self.assertIn("El inhalador de rescate no le ayuda", [r.translated_text for r in copd.translations])
		self.assertIn("Your rescue inhaler does not help", copd.call_911_when)
		copd.translations[0].translated_text = "Texto del administrador"
		copd.save()
		seed_template_translations()
		copd.reload()
		self.assertEqual(copd.translations[0].translated_text, "Texto del administrador")
		self.assertEqual(len(copd.translations), len(set(r.source_text for r in copd.translations)))

	def test_a_spanish_reading_patients_plan_from_two_templates_holds_the_spanish_texts(self):
		plan = self.plan(self.spanish_patient(), *TEMPLATES)
		self.assertEqual(plan.preferred_language, "es")
		self.assertEqual([g.goal for g in plan.goals], expected_goals(TEMPLATES, "es"))
		self.assertIn(
			"Tomar mis medicinas todos los días como me las recetaron", [g.goal for g in plan.goals]
		)
		spanish = {**spanish_of("Type 2 Diabetes"), **spanish_of("Hypertension")}
		texts = set(spanish.values())
		for row in plan.goals:
			self.assertTrue({row.measure, row.target} <= texts, row.goal)
		for row in plan.interventions:
			self.assertIn(row.intervention, texts)
			self.assertIn(row.frequency, texts)
			if row.linked_goal:  # still names one of the plan's goals
				self.assertIn(row.linked_goal, [g.goal for g in plan.goals])
		self.assertTrue(all(t.topic in texts for t in plan.education_topics))
		self.assertEqual(
			[c.condition_name for c in plan.conditions], ["Diabetes tipo 2", "Presión arterial alta"]
		)
		self.assertIn("Se le cae un lado de la cara", plan.call_911_when)
		self.assertTrue(all(line in texts for line in lines_of(plan.call_clinic_when)))
		self.assertEqual(template_text_in_other_language(plan.name)["rows"], [])

	def test_an_english_reading_patients_plan_holds_the_templates_english(self):
		patient = make_patient("Ed", care_manager=CM).name
		plan = self.plan(patient, *TEMPLATES)
		self.assertEqual(plan.preferred_language, "en")
		self.assertEqual([g.goal for g in plan.goals], expected_goals(TEMPLATES, "en"))
		self.assertEqual(plan.conditions[0].condition_name, "Type 2 diabetes mellitus")
		self.assertIn("Your face droops", plan.call_911_when)

	def test_the_language_recorded_on_the_patient_decides_and_the_plan_keeps_its_own(self):
		patient = make_patient("Lupe", care_manager=CM, language="es").name
		plan = self.plan(patient)
		self.assertEqual(plan.preferred_language, "es")
		# The care team switches the plan to English; the plan remembers it.
		plan.preferred_language = "en"
		plan.save()
		plan.apply_templates(["Depression"])
		plan.reload()
		self.assertEqual(plan.preferred_language, "en")
		self.assertEqual(plan.goals[0].goal, "Feel better day to day")
		self.assertEqual(language_for_patient_messages(patient), "en")

	def test_text_the_care_manager_typed_stays_as_typed(self):
		plan = self.plan(
			self.spanish_patient(),
			call_911_when="Chest pain (typed by the nurse)",
			goals=[{"goal": "Walk to church on Sundays", "status": "In Progress"}],
		)
		plan.apply_templates(["Heart Failure"])
		plan.reload()
		self.assertEqual(plan.goals[0].goal, "Walk to church on Sundays")
		self.assertEqual(
			lines_of(plan.call_911_when)[:2],
			[
				"Chest pain (typed by the nurse)",
				"Tiene dolor de pecho o le cuesta respirar estando en reposo",
			],
		)
		plan.apply_templates(["Heart Failure"])  # again: nothing added twice
		self.assertEqual(len(lines_of(frappe.db.get_value("Care Plan", plan.name, "call_911_when"))), 4)

	def test_the_warning_lists_english_template_rows_on_a_spanish_plan_and_rewrites_them(self):
		patient = make_patient("Tomas", care_manager=CM).name
		plan = self.plan(
			patient, "Type 2 Diabetes", goals=[{"goal": "Walk to church on Sundays", "status": "In Progress"}]
		)
		plan.preferred_language = "es"  # the care manager switches the plan to Spanish
		plan.save()
		warning = template_text_in_other_language(plan.name)
		self.assertEqual(warning["language"], "es")
		listed = {(row["table"], row["field"], row["text"]) for row in warning["rows"]}
		self.assertIn(("goals", "goal", "Bring HbA1c to my target"), listed)
		self.assertIn(("education_topics", "topic", "Daily foot care"), listed)
		self.assertIn((None, "call_911_when", lines_of(plan.call_911_when)[0]), listed)
		self.assertNotIn("Walk to church on Sundays", {row["text"] for row in warning["rows"]})
		goal = next(r for r in warning["rows"] if r["text"] == "Bring HbA1c to my target")
		self.assertEqual(goal["where"], "Goals, row 2, Goal")
		self.assertEqual(goal["translation"], "Llevar mi HbA1c a la meta")

		frappe.set_user(CM)
		self.assertGreater(write_template_text_in_plan_language(plan.name), 10)
		frappe.set_user("Administrator")
		plan.reload()
		self.assertEqual(template_text_in_other_language(plan.name)["rows"], [])
		self.assertEqual(plan.goals[0].goal, "Walk to church on Sundays")
		self.assertEqual(plan.goals[1].goal, "Llevar mi HbA1c a la meta")
		linked = {i.linked_goal for i in plan.interventions if i.linked_goal}
		self.assertTrue(linked <= {g.goal for g in plan.goals}, linked)

	def test_the_warning_lists_rows_from_a_template_without_spanish(self):
		template = frappe.get_doc(
			{
				"doctype": "Care Plan Template",
				"template_name": "Languages Gout",
				"condition_name": "Gout",
				"goals": [{"goal": "No gout attacks this season", "due_in_days": 90}],
				"education_topics": [{"topic": "Foods that trigger gout"}],
			}
		).insert()
		plan = self.plan(self.spanish_patient(), "Type 2 Diabetes", template.name)
		rows = template_text_in_other_language(plan.name)["rows"]
		self.assertEqual(
			{(r["where"], r["text"]) for r in rows},
			{
				("Chronic Conditions, row 2, Condition", "Gout"),
				(f"Goals, row {len(plan.goals)}, Goal", "No gout attacks this season"),
				(f"Education Topics, row {len(plan.education_topics)}, Topic", "Foods that trigger gout"),
			},
		)
		self.assertEqual(write_template_text_in_plan_language(plan.name), 0)  # nothing to write them with

	def test_only_a_reader_of_the_plan_sees_its_warning(self):
		plan = self.plan(make_patient("Hidden", care_manager=CM).name)
		frappe.set_user(NOBODY)
		with self.assertRaises(frappe.PermissionError):
			template_text_in_other_language(plan.name)
		with self.assertRaises(frappe.PermissionError):
			write_template_text_in_plan_language(plan.name)

	def test_a_template_refuses_a_translation_of_a_text_it_does_not_have(self):
		doc = frappe.get_doc("Care Plan Template", "COPD")
		doc.append(
			"translations", {"language": "es", "source_text": "Not in this template", "translated_text": "No"}
		)
		with self.assertRaises(frappe.ValidationError) as refused:
			doc.save()
		self.assertIn(f"row {len(doc.translations)}", str(refused.exception))
		doc.reload()
		first = doc.translations[0]
		doc.append(
			"translations", {"language": "es", "source_text": first.source_text, "translated_text": "Otra"}
		)
		with self.assertRaises(frappe.ValidationError) as refused:
			doc.save()
		self.assertIn("twice", str(refused.exception))

	def test_the_patient_print_is_written_in_the_plans_language(self):
		spanish = self.plan(self.spanish_patient(), *TEMPLATES)
		html = render_patient_print(spanish.name)  # from a desk whose language is English
		self.assertEqual(frappe.local.lang, "en")
		for text in ("Mis metas", "Lo que hago yo", "Llame al 911 de inmediato si", spanish.goals[0].goal):
			self.assertIn(text, html)
		self.assertIn(frappe.utils.escape_html(spanish.interventions[2].intervention), html)
		self.assertNotIn("My goals", html)
		english = self.plan(make_patient("Edna", care_manager=CM).name, *TEMPLATES)
		html = render_patient_print(english.name)
		self.assertIn("My goals", html)
		self.assertIn("Bring HbA1c to my target", html)


class TestSpanishPortal(FrappeAPITestCase):
	"""The patient's own page and print view, through Frappe's whole application."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_user(CM, ["Care Manager"])
		practitioner = make_practitioner("Languages Doctor")
		cls.patients, cls.plans = {}, {}
		for user, first_name, language in (
			(PORTAL_SPANISH, "Rosalia", "es"),
			(PORTAL_ENGLISH, "Edwin", "en"),
		):
			make_website_user(user, ["Patient"])
			frappe.db.set_value("User", user, "language", language)
			patient = make_patient(first_name, last_name="Languagetest", care_manager=CM).name
			link_patient_user(patient, user)
			plan = make_care_plan(patient, practitioner, care_manager=CM)
			plan.apply_templates(TEMPLATES)
			activate_care_plan(plan.name)
			cls.patients[user], cls.plans[user] = patient, plan.name
		frappe.translate.clear_cache()
		cls.headers = {user: portal_tests.token_headers(user) for user in cls.plans}
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		for user in cls.plans:
			frappe.delete_doc("Care Plan", cls.plans[user], force=True, ignore_permissions=True)
			frappe.delete_doc("Patient", cls.patients[user], force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def page(self, user: str, path: str = "/my-care-plan") -> str:
		response = self.get(path, headers=self.headers[user])
		self.assertEqual(response.status_code, 200, path)
		return response.get_data(as_text=True)

	def printed(self, user: str) -> str:
		return self.page(
			user,
			f"/printview?doctype=Care%20Plan&name={self.plans[user]}&format=Care%20Plan%20for%20Patients",
		)

	def test_a_spanish_reading_patient_reads_template_goals_in_spanish_on_the_page_and_the_print(self):
		for html in (self.page(PORTAL_SPANISH), self.printed(PORTAL_SPANISH)):
			self.assertIn("Mis metas", html)
			self.assertIn("Llevar mi HbA1c a la meta", html)
			self.assertIn("Medir el azúcar en la sangre y anotar los resultados", html)
			self.assertNotIn("Bring HbA1c to my target", html)

	def test_an_english_reading_patient_reads_them_in_english(self):
		for html in (self.page(PORTAL_ENGLISH), self.printed(PORTAL_ENGLISH)):
			self.assertIn("My goals", html)
			self.assertIn("Bring HbA1c to my target", html)
			self.assertNotIn("Llevar mi HbA1c a la meta", html)
