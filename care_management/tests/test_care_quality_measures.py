"""The Care Quality Measures report on a real site: ICD-10-CM diagnoses on
submitted Patient Encounters, Vital Signs, Lab Tests, PHQ-9 screenings and
Inpatient Records made through Healthcare's (and the app's) doctypes, counted
into numerators and denominators before and after enrollment; care managers
see their own caseload only (issue #14, part 3)."""

from datetime import datetime, time

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, get_first_day, getdate, today

from care_management.care_management.report.care_quality_measures.care_quality_measures import execute
from care_management.demo.loader import hba1c_template, load_practice
from care_management.demo.quality_readings import load_quality_readings
from care_management.domain.icd10 import ICD10_CM_SYSTEM as ICD10_CM_URI
from care_management.domain.quality_measures import reporting_window
from care_management.domain.synthetic_practice import PracticeSpec, care_managers
from care_management.setup.healthcare_indexes import HEALTHCARE_INDEXES, add_healthcare_indexes, index_name
from care_management.tests.factories import make_enrollment, make_patient, make_practitioner, make_user
from care_management.tests.site_setup import before_tests

CM_A = "quality.cm-a@example.org"
CM_B = "quality.cm-b@example.org"
SUPERVISOR = "quality.supervisor@example.org"
PROGRAM = "Quality Measures Test Program"
ICD10_CM = "ICD-10-CM (United States)"
# Twelve months ending with last month; everything is dated inside it.
MONTH = get_first_day(add_months(today(), -1))
PERIOD = reporting_window(getdate(MONTH), 12)
ENROLLED = add_months(PERIOD.start, 6)  # half the period before enrollment, half after
BORN = "1960-06-15"

BP = "Controlling High Blood Pressure"
A1C = "Diabetes: HbA1c Poor Control (> 9%)"
PHQ = "Depression Remission at Twelve Months"
FOLLOW_UP = "Follow-Up Within 7 Days of Discharge"


class TestCareQualityMeasures(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		before_tests()
		make_user(CM_A, ["Care Manager"])
		make_user(CM_B, ["Care Manager"])
		make_user(SUPERVISOR, ["Care Management Supervisor"])
		cls.practitioner = make_practitioner("Quality Doctor")
		if not frappe.db.exists("Code System", ICD10_CM):
			frappe.get_doc({"doctype": "Code System", "code_system": ICD10_CM, "uri": ICD10_CM_URI}).insert(
				ignore_permissions=True
			)
		if not frappe.db.exists("Care Program", PROGRAM):
			frappe.get_doc(
				{"doctype": "Care Program", "program_name": PROGRAM, "billing_family": "Other"}
			).insert(ignore_permissions=True)
		cls.template = hba1c_template()
		frappe.db.commit()

	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	# --- records, made through the doctypes a practice uses

	def enrolled(self, name: str, care_manager: str = CM_A, dob: str = BORN) -> str:
		patient = make_patient(name, dob=dob, care_manager=care_manager).name
		make_enrollment(
			patient,
			self.practitioner,
			program=PROGRAM,
			start_date=ENROLLED,
			consent_date=ENROLLED,
			care_manager=care_manager,
		)
		return patient

	def encounter(self, patient: str, on, codes=(), diagnoses=()):
		doc = frappe.get_doc(
			{
				"doctype": "Patient Encounter",
				"patient": patient,
				"practitioner": self.practitioner,
				"encounter_date": on,
				"encounter_time": "10:00:00",
				"codification_table": [code_row(code) for code in codes],
				"diagnosis": [{"diagnosis": d} for d in diagnoses],
			}
		).insert(ignore_permissions=True)
		doc.submit()
		return doc.name

	def vitals(self, patient: str, on, systolic: str, diastolic: str, at: str = "09:00:00"):
		doc = frappe.get_doc(
			{
				"doctype": "Vital Signs",
				"patient": patient,
				"signs_date": on,
				"signs_time": at,
				"bp_systolic": systolic,
				"bp_diastolic": diastolic,
			}
		).insert(ignore_permissions=True)
		doc.submit()
		return doc.name

	def hba1c(self, patient: str, on, result: str):
		"""As the lab enters it: Healthcare lays out the template's result row on
		insert; the result goes into it."""
		doc = frappe.get_doc(
			{
				"doctype": "Lab Test",
				"patient": patient,
				"patient_sex": "Female",
				"template": self.template,
				"practitioner": self.practitioner,
				"date": on,
				"time": "08:00:00",
			}
		).insert(ignore_permissions=True)
		doc.reload()
		self.assertEqual([row.lab_test_name for row in doc.normal_test_items], ["HbA1c"])
		doc.normal_test_items[0].result_value = result
		doc.save(ignore_permissions=True)
		doc.submit()
		return doc.name

	def phq9(self, patient: str, on, total: int):
		answers = {}
		for i in range(1, 10):
			score = min(3, total)
			total -= score
			answers[f"q{i}"] = PHQ9_ANSWERS[score]
		doc = frappe.get_doc(
			{
				"doctype": "Needs Screening",
				"patient": patient,
				"instrument": "PHQ-9",
				"method": "Phone",
				"screening_date": on,
				"answers": [{"question_key": key, "answer": value} for key, value in answers.items()],
			}
		).insert(ignore_permissions=True)
		doc.submit()
		return doc

	def discharge(self, patient: str, admitted, discharged):
		return (
			frappe.get_doc(
				{
					"doctype": "Inpatient Record",
					"patient": patient,
					"status": "Discharged",
					"scheduled_date": admitted,
					"admitted_datetime": datetime.combine(getdate(admitted), time(8)),
					"discharge_datetime": datetime.combine(getdate(discharged), time(16)),
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def practice(self) -> dict:
		"""Seven patients of CM_A, one of CM_B."""
		p = {}
		p["controlled"] = self.enrolled("Quality Controlled")
		self.encounter(p["controlled"], add_days(PERIOD.start, -30), codes=["I10"])
		self.vitals(p["controlled"], add_days(ENROLLED, -30), "150", "95")
		self.vitals(p["controlled"], add_days(ENROLLED, 30), "128", "78")

		# Coded through Healthcare's Diagnosis record; 140/90 is not controlled.
		p["uncontrolled"] = self.enrolled("Quality Uncontrolled")
		self.encounter(p["uncontrolled"], add_days(PERIOD.start, -10), diagnoses=[diagnosis("I10")])
		p["uncontrolled_bp"] = self.vitals(p["uncontrolled"], add_days(ENROLLED, 40), "140", "90")

		too_old = getdate(PERIOD.end).year - 86
		p["too_old"] = self.enrolled("Quality Too Old", dob=f"{too_old}-01-01")
		self.encounter(p["too_old"], add_days(PERIOD.start, -10), codes=["I10"])
		self.vitals(p["too_old"], add_days(ENROLLED, 10), "120", "70")

		p["poor"] = self.enrolled("Quality Poor Control")
		self.encounter(p["poor"], add_days(PERIOD.start, -5), codes=["E11.9"])
		self.hba1c(p["poor"], add_days(ENROLLED, -20), "7.1")
		p["poor_lab"] = self.hba1c(p["poor"], add_days(ENROLLED, 20), "9.4 %")

		p["nine"] = self.enrolled("Quality Nine Percent")
		self.encounter(p["nine"], add_days(PERIOD.start, -5), codes=["E119"])
		self.hba1c(p["nine"], add_days(ENROLLED, 25), "9.0")

		p["untested"] = self.enrolled("Quality Untested", care_manager=CM_B)
		self.encounter(p["untested"], add_days(PERIOD.start, -5), codes=["E11.65"])

		# CMS159: the index falls in the period moved back 425 days.
		p["depressed"] = self.enrolled("Quality Depressed")
		self.encounter(p["depressed"], add_days(PERIOD.start, -500), codes=["F33.1"])
		index_day = add_days(PERIOD.start, -420)
		p["index"] = self.phq9(p["depressed"], index_day, 16).name
		self.phq9(p["depressed"], add_days(index_day, 365), 3)

		p["discharged"] = self.enrolled("Quality Discharged")
		first = add_days(PERIOD.start, 60)
		p["first_stay"] = self.discharge(p["discharged"], add_days(first, -3), first)
		self.encounter(p["discharged"], add_days(first, 7))
		second = add_days(ENROLLED, 20)
		p["second_stay"] = self.discharge(p["discharged"], add_days(second, -2), second)
		self.encounter(p["discharged"], add_days(second, 8))
		return p

	def report(self, **filters):
		_columns, rows, *_rest = execute({"month": MONTH, "program": PROGRAM, **filters})
		if filters.get("measure"):
			return rows
		return {row["measure"]: row for row in rows}

	# --- the tests

	def test_numerators_denominators_and_rates_for_the_whole_program(self):
		self.practice()
		frappe.set_user(SUPERVISOR)
		rows = self.report()
		counts = {m: (r["denominator"], r["numerator"], r["rate"]) for m, r in rows.items()}
		self.assertEqual(counts[BP], (2, 1, 50.0))
		self.assertEqual(counts[A1C], (3, 2, 66.7))
		self.assertEqual(counts[PHQ], (1, 1, 100.0))
		self.assertEqual(counts[FOLLOW_UP], (2, 1, 50.0))
		self.assertIn("CMS165", rows[BP]["definition"])
		self.assertIn("140/90", rows[BP]["definition"])
		self.assertEqual(rows[A1C]["better"], "Lower")

	def test_before_and_after_enrollment(self):
		self.practice()
		rows = self.report()
		before_after = {
			m: (r["before_denominator"], r["before_numerator"], r["after_denominator"], r["after_numerator"])
			for m, r in rows.items()
		}
		# Before: 150/95 and no reading at all; after: 128/78 and 140/90.
		self.assertEqual(before_after[BP], (2, 0, 2, 1))
		# Before: 7.1 %, none, none (poor twice); after: 9.4 % (poor), 9.0 % (not), none (poor).
		self.assertEqual(before_after[A1C], (3, 2, 3, 2))
		self.assertEqual(before_after[FOLLOW_UP], (1, 1, 1, 0))
		# The index and its remission window both fall before the enrollment.
		self.assertEqual(before_after[PHQ], (1, 1, 0, 0))

	def test_the_patient_list_shows_who_is_in_the_numerator_and_why(self):
		p = self.practice()
		rows = {r["patient"]: r for r in self.report(measure=BP)}
		self.assertEqual(set(rows), {p["controlled"], p["uncontrolled"], p["too_old"]})
		self.assertEqual(
			(rows[p["controlled"]]["in_denominator"], rows[p["controlled"]]["in_numerator"]), (1, 1)
		)
		uncontrolled = rows[p["uncontrolled"]]
		self.assertEqual((uncontrolled["in_denominator"], uncontrolled["in_numerator"]), (1, 0))
		self.assertEqual(
			(uncontrolled["source_doctype"], uncontrolled["source"]), ("Vital Signs", p["uncontrolled_bp"])
		)
		self.assertIn("140/90", uncontrolled["reason"])
		self.assertEqual(rows[p["too_old"]]["in_denominator"], 0)
		self.assertIn("86", rows[p["too_old"]]["reason"])

		a1c = {r["patient"]: r for r in self.report(measure=A1C)}
		self.assertEqual(a1c[p["poor"]]["source"], p["poor_lab"])
		self.assertEqual(a1c[p["nine"]]["in_numerator"], 0)
		self.assertEqual(a1c[p["untested"]]["in_numerator"], 1)

		before = {r["patient"]: r for r in self.report(measure=A1C, window="Before Enrollment")}
		self.assertIn("7.1", before[p["poor"]]["reason"])

		depression = self.report(measure=PHQ)
		self.assertEqual(
			[(r["index_doctype"], r["index_record"]) for r in depression], [("Needs Screening", p["index"])]
		)

		discharges = sorted(
			self.report(measure=FOLLOW_UP), key=lambda r: r["index_record"] == p["second_stay"]
		)
		self.assertEqual(
			[(r["index_record"], r["in_numerator"]) for r in discharges],
			[(p["first_stay"], 1), (p["second_stay"], 0)],
		)

	def test_a_care_manager_sees_only_their_caseload(self):
		p = self.practice()
		frappe.set_user(CM_A)
		rows = self.report()
		self.assertEqual((rows[A1C]["denominator"], rows[A1C]["numerator"]), (2, 1))
		patients = {r["patient"] for r in self.report(measure=A1C)}
		self.assertNotIn(p["untested"], patients)
		with self.assertRaises(frappe.PermissionError):
			self.report(care_manager=CM_B)
		frappe.set_user(CM_B)
		self.assertEqual({r["patient"] for r in self.report(measure=A1C)}, {p["untested"]})
		self.assertEqual(self.report()[BP]["denominator"], 0)

	def test_care_managers_and_supervisors_open_it_through_the_desk_and_others_do_not(self):
		from frappe.desk.query_report import run

		self.practice()
		physician = make_user("quality.physician@example.org", ["Physician"])
		filters = {"month": str(MONTH), "program": PROGRAM}
		for user, denominator in ((CM_A, 2), (SUPERVISOR, 3)):
			frappe.set_user(user)
			result = run("Care Quality Measures", filters)
			a1c = next(row for row in result["result"] if row.get("measure") == A1C)
			self.assertEqual(a1c["denominator"], denominator, user)
		frappe.set_user(physician)
		with self.assertRaises(frappe.PermissionError):
			run("Care Quality Measures", filters)

	def test_a_supervisor_may_look_at_one_care_managers_patients(self):
		p = self.practice()
		frappe.set_user(SUPERVISOR)
		self.assertEqual({r["patient"] for r in self.report(measure=A1C, care_manager=CM_B)}, {p["untested"]})

	def test_a_cancelled_encounter_or_draft_vital_signs_count_for_nothing(self):
		patient = self.enrolled("Quality Cancelled")
		name = self.encounter(patient, add_days(PERIOD.start, -5), codes=["I10"])
		frappe.get_doc("Patient Encounter", name).cancel()
		self.assertEqual(self.report(measure=BP), [])
		self.encounter(patient, add_days(PERIOD.start, -5), codes=["I10"])
		frappe.get_doc(
			{
				"doctype": "Vital Signs",
				"patient": patient,
				"signs_date": add_days(ENROLLED, 5),
				"signs_time": "09:00:00",
				"bp_systolic": "120",
				"bp_diastolic": "70",
			}
		).insert(ignore_permissions=True)
		[row] = self.report(measure=BP)
		self.assertEqual((row["in_denominator"], row["in_numerator"]), (1, 0))

	def test_filters_that_are_not_choices_are_refused(self):
		with self.assertRaises(frappe.ValidationError):
			self.report(period="7 Years")
		with self.assertRaises(frappe.ValidationError):
			self.report(measure="Happiness")
		with self.assertRaises(frappe.ValidationError):
			self.report(measure=BP, window="Next Year")


PHQ9_ANSWERS = {0: "Not at all", 1: "Several days", 2: "More than half the days", 3: "Nearly every day"}


def code_value(code: str) -> str:
	name = frappe.db.get_value("Code Value", {"code_system": ICD10_CM, "code_value": code})
	if name:
		return name
	return (
		frappe.get_doc(
			{"doctype": "Code Value", "code_system": ICD10_CM, "code_value": code, "display": code}
		)
		.insert(ignore_permissions=True)
		.name
	)


def code_row(code: str) -> dict:
	return {"code_value": code_value(code), "code": code, "code_system": ICD10_CM, "system": ICD10_CM_URI}


def diagnosis(code: str) -> str:
	name = f"Quality Test Diagnosis {code}"
	if not frappe.db.exists("Diagnosis", name):
		frappe.get_doc(
			{"doctype": "Diagnosis", "diagnosis": name, "codification_table": [code_row(code)]}
		).insert(ignore_permissions=True)
	return name


DEMO = PracticeSpec(
	patients=16,
	care_managers=2,
	months=2,
	last_month=getdate(MONTH),
	prefix="CM-QUAL",
	seed=5,
)


class TestDemoQualityReadings(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		load_practice(DEMO, force=True, with_templates=False)
		self.loaded = load_quality_readings(DEMO)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_the_demo_gives_the_quality_measures_something_to_count_once(self):
		self.assertGreater(self.loaded["vital_signs"], 0)
		self.assertGreater(self.loaded["hba1c_lab_tests"], 0)
		self.assertEqual(load_quality_readings(DEMO), {})
		totals = {"denominator": 0, "before_denominator": 0}
		sources = set()
		for manager in care_managers(DEMO):
			_columns, rows, *_rest = execute({"month": MONTH, "care_manager": manager["email"]})
			for row in rows:
				if row["measure"] in (BP, A1C):
					totals["denominator"] += row["denominator"]
					totals["before_denominator"] += row["before_denominator"]
			for measure in (BP, A1C):
				_columns, cases, *_rest = execute(
					{
						"month": MONTH,
						"care_manager": manager["email"],
						"measure": measure,
						"window": "Before Enrollment",
					}
				)
				sources.update(case["source_doctype"] for case in cases)
		self.assertGreater(totals["denominator"], 0)
		self.assertGreater(totals["before_denominator"], 0)
		self.assertTrue({"Vital Signs", "Lab Test"} <= sources, sources)


class TestHealthcareIndexes(FrappeTestCase):
	def test_the_tables_the_quality_facts_read_are_indexed_by_patient(self):
		add_healthcare_indexes()  # idempotent: the patch and install run it
		for doctype, indexes in HEALTHCARE_INDEXES.items():
			for columns in indexes:
				self.assertTrue(frappe.db.has_index(f"tab{doctype}", index_name(columns)), (doctype, columns))
