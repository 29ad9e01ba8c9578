"""The eligibility finder on a real site: facts from Healthcare's Patient
Encounters (ICD-10-CM in the Codification Table and on chosen Diagnoses),
Inpatient Records and Needs Screenings; the Eligible Patients report; Start
Enrollment, including two supervisors starting the same enrollment at once."""

from __future__ import annotations

import multiprocessing
import queue
from datetime import datetime, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, now_datetime, today

from care_management.care_management.doctype.needs_screening.test_needs_screening import screen
from care_management.population.eligibility_scan import scan
from care_management.population.start_enrollment import start_enrollment
from care_management.tests.factories import (
	make_diagnosis,
	make_discharge,
	make_encounter,
	make_enrollment,
	make_patient,
	make_practitioner,
	make_user,
)

SUPERVISOR = "eligibility.supervisor@example.org"
CM_ONE = "eligibility.cm1@example.org"
CM_TWO = "eligibility.cm2@example.org"


def programs_of(rows, patient) -> dict[str, str]:
	return {r.program: r.evidence for r in rows if r.patient == patient}


class TestEligiblePatients(FrappeTestCase):
	def setUp(self):
		make_user(SUPERVISOR, ["Care Management Supervisor"])
		make_user(CM_ONE, ["Care Manager"])
		make_user(CM_TWO, ["Care Manager"])
		self.doctor = make_practitioner("Eligibility Doctor")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_two_chronic_categories_on_a_submitted_encounter_qualify_for_ccm_with_evidence(self):
		patient = make_patient("Two Conditions").name
		encounter = make_encounter(patient, self.doctor, ["E11.9", "I10"], on=add_days(today(), -20))
		found = programs_of(scan("Administrator"), patient)
		self.assertIn("CCM", found)
		self.assertIn(f"E11.9 ({add_days(today(), -20)}, Patient Encounter {encounter.name})", found["CCM"])
		self.assertIn("RPM", found)  # diabetes and hypertension are RPM conditions
		self.assertNotIn("PCM", found)  # neither is a high-risk category
		row = next(r for r in scan("Administrator") if r.patient == patient and r.program == "CCM")
		self.assertEqual(row.practitioner, self.doctor)
		self.assertEqual(row.categories, "Diabetes, Hypertension")

	def test_a_diagnosis_chosen_on_the_encounter_counts_through_its_code(self):
		patient = make_patient("Heart Failure").name
		make_diagnosis("Congestive heart failure (eligibility test)", "I50.9")
		make_encounter(patient, self.doctor, diagnoses=["Congestive heart failure (eligibility test)"])
		found = programs_of(scan("Administrator"), patient)
		self.assertIn("PCM", found)
		self.assertIn("I50.9", found["PCM"])
		self.assertNotIn("CCM", found)

	def test_both_diagnosis_readers_take_icd10_cm_by_the_same_rule_and_never_pcs(self):
		from care_management.care_management.report.care_quality_measures import quality_facts
		from care_management.population import facts

		def coding(system: str, uri: str, code: str) -> dict:
			if not frappe.db.exists("Code System", system):
				frappe.get_doc({"doctype": "Code System", "code_system": system, "uri": uri}).insert()
			value = frappe.get_doc(
				{"doctype": "Code Value", "code_system": system, "code_value": code, "display": code}
			).insert()
			return {"code_value": value.name, "code": code, "code_system": system, "system": uri}

		patient = make_patient("Coded Two Ways").name
		encounter = make_encounter(patient, self.doctor, on=add_days(today(), -5), submit=False)
		# A practice's own ICD-10-CM system under another URI counts by its name; a procedure
		# (PCS) code never does, even one shaped like a diagnosis.
		encounter.append(
			"codification_table", coding("ICD10CM practice list", "urn:example:practice-icd10cm", "E11.9")
		)
		encounter.append(
			"codification_table", coding("ICD-10-PCS", "http://www.cms.gov/Medicare/Coding/ICD10", "I50.9")
		)
		encounter.save()
		encounter.submit()

		in_sql = f"(select '{patient}')"
		eligibility = [d.code for d in facts.diagnoses(in_sql)[patient]]
		params = {"until": getdate(today()), **facts.icd10_cm_params()}
		quality = sorted(
			{r.code for r in quality_facts.diagnoses(f"in {in_sql}", params) if r.patient == patient}
		)
		self.assertEqual(eligibility, ["E11.9"])
		self.assertEqual(quality, ["E11.9"])

	def test_a_care_manager_whose_email_has_a_percent_sign_sees_their_caseload(self):
		manager = "elig%pct.cm@example.org"
		make_user(manager, ["Care Manager"])
		patient = make_patient("Percent Caseload", care_manager=manager).name
		make_encounter(patient, self.doctor, ["E11.9", "I10"], on=add_days(today(), -3))
		rows = [r for r in scan(manager) if r.patient == patient]
		self.assertIn("CCM", {r.program for r in rows})
		self.assertEqual({r.practitioner for r in rows}, {self.doctor})
		self.assertEqual(
			{r.patient_name for r in rows}, {frappe.db.get_value("Patient", patient, "patient_name")}
		)

	def test_draft_and_cancelled_encounters_are_not_facts(self):
		patient = make_patient("Unsigned").name
		make_encounter(patient, self.doctor, ["E11.9", "I10"], submit=False)
		cancelled = make_encounter(patient, self.doctor, ["I50.9", "N18.3"])
		cancelled.cancel()
		found = programs_of(scan("Administrator"), patient)
		self.assertNotIn("CCM", found)
		self.assertNotIn("PCM", found)

	def test_care_plan_conditions_count_and_an_enrolled_program_is_not_offered_again(self):
		patient = make_patient("Planned").name
		frappe.get_doc(
			{
				"doctype": "Care Plan",
				"patient": patient,
				"supervising_practitioner": self.doctor,
				"start_date": today(),
				"next_review_date": add_days(today(), 90),
				"conditions": [
					{"condition_name": "COPD", "icd10_code": "J44.9"},
					{"condition_name": "CKD", "icd10_code": "N18.30"},
				],
			}
		).insert(ignore_permissions=True)
		self.assertIn("CCM", programs_of(scan("Administrator"), patient))
		make_enrollment(patient, self.doctor, "CCM", status="Pending Consent")
		found = programs_of(scan("Administrator"), patient)
		self.assertNotIn("CCM", found)
		self.assertIn("PCM", found)

	def test_phq9_of_ten_or_more_qualifies_for_bhi(self):
		patient = make_patient("Low Mood").name
		screen(patient, "PHQ-9", **{f"q{i}": "More than half the days" for i in range(1, 10)})
		found = programs_of(scan("Administrator"), patient)
		self.assertIn("BHI", found)
		self.assertIn("PHQ-9 18", found["BHI"])
		self.assertNotIn("CHI", found)  # a depression screening is not a social need

	def test_a_positive_social_need_qualifies_for_chi(self):
		patient = make_patient("Food Insecure").name
		screen(patient, q3="Sometimes true")
		found = programs_of(scan("Administrator"), patient)
		self.assertIn("CHI", found)
		self.assertIn("Food Insecurity", found["CHI"])

	def test_a_recent_discharge_qualifies_for_tcm_until_someone_acts_on_it(self):
		patient = make_patient("Just Home").name
		now = now_datetime()
		stay = make_discharge(patient, now - timedelta(days=8), now - timedelta(days=3))
		self.assertIn("TCM", programs_of(scan("Administrator"), patient))
		transition = frappe.get_doc("Care Transition", {"inpatient_record": stay.name})
		transition.db_set("status", "Contacted")
		self.assertNotIn("TCM", programs_of(scan("Administrator"), patient))

		old = make_patient("Long Home").name
		make_discharge(old, now - timedelta(days=40), now - timedelta(days=35))
		self.assertNotIn("TCM", programs_of(scan("Administrator"), old))

	def test_filters_by_program_practitioner_and_care_manager(self):
		mine = make_patient("Filter Mine", care_manager=CM_ONE).name
		other_doctor = make_practitioner("Other Eligibility Doctor")
		theirs = make_patient("Filter Theirs", care_manager=CM_TWO).name
		make_encounter(mine, self.doctor, ["E11.9", "I10"])
		make_encounter(theirs, other_doctor, ["E11.9", "I10"])
		only_ccm = scan("Administrator", program="CCM")
		self.assertEqual({r.program for r in only_ccm}, {"CCM"})
		by_doctor = {r.patient for r in scan("Administrator", practitioner=other_doctor)}
		self.assertIn(theirs, by_doctor)
		self.assertNotIn(mine, by_doctor)
		by_cm = {r.patient for r in scan("Administrator", care_manager=CM_ONE)}
		self.assertIn(mine, by_cm)
		self.assertNotIn(theirs, by_cm)

	def test_a_care_manager_sees_only_their_caseload_in_the_report(self):
		from care_management.care_management.report.eligible_patients.eligible_patients import execute

		mine = make_patient("Caseload Mine", care_manager=CM_ONE).name
		theirs = make_patient("Caseload Theirs", care_manager=CM_TWO).name
		for patient in (mine, theirs):
			make_encounter(patient, self.doctor, ["E11.9", "I10"])
		frappe.set_user(CM_ONE)
		_columns, rows, *_rest = execute({})
		patients = {r.patient for r in rows}
		self.assertIn(mine, patients)
		self.assertNotIn(theirs, patients)
		frappe.set_user(SUPERVISOR)
		_columns, rows, *_rest = execute({})
		self.assertTrue({mine, theirs} <= {r.patient for r in rows})

	def test_start_enrollment_makes_pending_enrollments_and_never_twice(self):
		first = make_patient("Start One").name
		second = make_patient("Start Two", care_manager=CM_TWO).name
		frappe.set_user(SUPERVISOR)
		result = start_enrollment(
			[
				{"patient": first, "program": "CCM", "practitioner": self.doctor},
				{"patient": second, "program": "CCM", "practitioner": self.doctor},
			],
			care_manager=None,
		)
		self.assertEqual(len(result["created"]), 2, result)
		made = frappe.get_doc("Care Program Enrollment", result["created"][0]["enrollment"])
		self.assertEqual((made.status, made.billing_practitioner), ("Pending Consent", self.doctor))
		by_patient = {c["patient"]: c["care_manager"] for c in result["created"]}
		self.assertEqual(by_patient[second], CM_TWO)  # keeps their care manager
		self.assertTrue(by_patient[first])  # someone with room gets the other

		again = start_enrollment([{"patient": first, "program": "CCM", "practitioner": self.doctor}])
		self.assertEqual(again["created"], [])
		self.assertIn("already enrolled", again["skipped"][0]["reason"])
		self.assertEqual(frappe.db.count("Care Program Enrollment", {"patient": first, "program": "CCM"}), 1)

	def test_start_enrollment_spreads_by_spare_capacity(self):
		frappe.db.set_single_value("Care Management Settings", "target_caseload", 5)
		self.addCleanup(frappe.db.set_single_value, "Care Management Settings", "target_caseload", 200)
		from care_management.population.start_enrollment import care_managers, caseload_sizes

		# Fill every care manager but CM_ONE up to the target, CM_ONE to one below it.
		sizes = caseload_sizes(care_managers())
		for manager, size in sizes.items():
			for i in range(max(0, 5 - size - (1 if manager == CM_ONE else 0))):
				make_patient(f"Filler {manager[:10]} {i}", care_manager=manager)
		patients = [make_patient(f"Spread {i}").name for i in range(2)]
		frappe.set_user(SUPERVISOR)
		result = start_enrollment(
			[{"patient": p, "program": "PCM"} for p in patients], billing_practitioner=self.doctor
		)
		managers_given = [c["care_manager"] for c in sorted(result["created"], key=lambda c: c["patient"])]
		self.assertEqual(managers_given[0], CM_ONE)  # the only one with room
		self.assertEqual(len(result["created"]), 2)

	def test_start_enrollment_with_a_chosen_care_manager_and_refusals(self):
		patient = make_patient("Chosen").name
		frappe.set_user(SUPERVISOR)
		result = start_enrollment(
			[{"patient": patient, "program": "RPM", "practitioner": self.doctor}], care_manager=CM_ONE
		)
		self.assertEqual(result["created"][0]["care_manager"], CM_ONE, result)
		with self.assertRaises(frappe.ValidationError) as refused:
			start_enrollment([{"patient": patient, "program": "BHI"}], care_manager=SUPERVISOR)
		self.assertIn("Care Manager", str(refused.exception))
		with self.assertRaises(frappe.ValidationError):
			start_enrollment([])
		frappe.set_user(CM_ONE)
		with self.assertRaises(frappe.PermissionError):
			start_enrollment([{"patient": patient, "program": "BHI"}])

	def test_invalid_categories_and_criteria_are_refused_naming_the_field(self):
		with self.assertRaises(frappe.ValidationError) as refused:
			frappe.get_doc(
				{
					"doctype": "Chronic Condition Category",
					"category_name": "Bad Codes",
					"icd10_codes": "E11, 11E",
				}
			).insert()
		self.assertIn("ICD-10-CM Codes", str(refused.exception))
		self.assertIn("11E", str(refused.exception))
		program = frappe.get_doc("Care Program", "RPM")
		program.eligibility_criteria[0].categories = "Hypertension, Diabetis"
		with self.assertRaises(frappe.ValidationError) as refused:
			program.save()
		self.assertIn("Diabetis", str(refused.exception))
		program.reload()
		program.append("eligibility_criteria", {"combine": "Required", "criterion": "Age At Least"})
		with self.assertRaises(frappe.ValidationError) as refused:
			program.save()
		self.assertIn("Value", str(refused.exception))

	def test_an_admin_rule_change_changes_who_qualifies(self):
		patient = make_patient("Rule Change", dob=getdate("1950-01-01")).name
		make_encounter(patient, self.doctor, ["E11.9"])
		self.assertNotIn("CCM", programs_of(scan("Administrator"), patient))
		program = frappe.get_doc("Care Program", "CCM")
		program.eligibility_criteria[0].value = 1
		program.save()
		self.assertIn("CCM", programs_of(scan("Administrator"), patient))


# ------------------------------------------------------- real concurrency
def _enroll_in_child(site, sites_path, patient, practitioner, barrier, results):
	import frappe

	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		from care_management.population.start_enrollment import start_enrollment

		barrier.wait(timeout=120)
		out = start_enrollment([{"patient": patient, "program": "CCM", "practitioner": practitioner}])
		frappe.db.commit()
		results.put(("ok", len(out["created"]), len(out["skipped"])))
	except Exception as error:
		frappe.db.rollback()
		results.put(("error", f"{type(error).__name__}: {error}", 0))
	finally:
		frappe.destroy()


class TestStartEnrollmentConcurrency(FrappeTestCase):
	def test_two_supervisors_starting_the_same_enrollment_make_one(self):
		doctor = make_practitioner("Concurrent Eligibility Doctor")
		patient = make_patient("Concurrent Enrollee").name
		frappe.db.commit()
		try:
			context = multiprocessing.get_context("spawn")
			barrier, results = context.Barrier(2), context.Queue()
			workers = [
				context.Process(
					target=_enroll_in_child,
					args=(frappe.local.site, frappe.local.sites_path, patient, doctor, barrier, results),
				)
				for _ in range(2)
			]
			for worker in workers:
				worker.start()
			outcomes = []
			for _ in workers:
				try:
					outcomes.append(results.get(timeout=300))
				except queue.Empty:
					break
			for worker in workers:
				worker.join(timeout=60)
			self.assertEqual(len(outcomes), 2, outcomes)
			self.assertTrue(all(o[0] == "ok" for o in outcomes), outcomes)
			self.assertEqual(sorted((o[1], o[2]) for o in outcomes), [(0, 1), (1, 0)])
			self.assertEqual(
				frappe.db.count("Care Program Enrollment", {"patient": patient, "program": "CCM"}), 1
			)
		finally:
			frappe.db.rollback()
			for name in frappe.get_all("Care Program Enrollment", {"patient": patient}, pluck="name"):
				frappe.delete_doc("Care Program Enrollment", name, force=True, ignore_permissions=True)
			frappe.delete_doc("Patient", patient, force=True, ignore_permissions=True)
			frappe.db.commit()


class TestDemoClinicalRecords(FrappeTestCase):
	"""The demo's encounters, vitals, labs and stays are real Healthcare rows the finder and the risk run read."""

	def tearDown(self):
		frappe.db.rollback()

	def test_demo_clinical_records_feed_the_report_and_the_risk_run(self):
		from care_management.demo.loader import load_practice
		from care_management.domain.synthetic_practice import ClinicalSpec, PracticeSpec
		from care_management.population.risk_run import run

		spec = PracticeSpec(patients=8, care_managers=1, months=1, prefix="CM-ELIG")
		loaded = load_practice(
			spec, force=True, with_templates=False, clinical=ClinicalSpec(today=getdate(today()))
		)
		self.assertEqual(loaded["encounters"], 24)
		self.assertGreater(loaded["vitals"], 0)
		rows = [r for r in scan("Administrator") if r.patient.startswith("CM-ELIG-")]
		self.assertTrue(rows)
		self.assertTrue(any("Patient Encounter CM-ELIG-ENC-" in r.evidence for r in rows), rows[:3])
		run()
		scored = frappe.get_all(
			"Patient",
			filters={"name": ("like", "CM-ELIG-%"), "suggested_risk_tier": ("is", "set")},
			pluck="name",
		)
		self.assertEqual(len(scored), 8)


PRICE_LIST = "Eligibility Offer Prices"
# Near the CY2026 national amounts (the demo's list); only these codes are priced.
OFFER_PRICES = {
	"99490": 60, "99491": 82, "99424": 83, "99426": 62, "99484": 45, "99492": 157, "99493": 140,
	"G0556": 15, "G0557": 50, "G0558": 110, "99453": 20, "99454": 44, "99445": 44, "99457": 48, "99470": 25,
}  # fmt: skip


class TestEligiblePatientsOffers(FrappeTestCase):
	"""Additions and switches from the Billing Code exclusions, priced on the invoices' price list."""

	def setUp(self):
		self.doctor = make_practitioner("Offers Doctor")
		if not frappe.db.exists("Price List", PRICE_LIST):
			frappe.get_doc(
				{"doctype": "Price List", "price_list_name": PRICE_LIST, "selling": 1, "currency": "USD"}
			).insert(ignore_permissions=True)
		for code, rate in OFFER_PRICES.items():
			item = frappe.db.get_value("Billing Code", {"code": code, "disabled": 0}, "item")
			frappe.get_doc(
				{
					"doctype": "Item Price",
					"item_code": item,
					"price_list": PRICE_LIST,
					"price_list_rate": rate,
				}
			).insert(ignore_permissions=True)
		frappe.db.set_single_value("Care Management Settings", "selling_price_list", PRICE_LIST)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def offers_of(self, patient, **filters):
		from care_management.care_management.report.eligible_patients.eligible_patients import execute

		return {
			r.program: r for r in execute({"practitioner": self.doctor, **filters})[1] if r.patient == patient
		}

	def ccm_patient(self, name="Offers Ccm"):
		# Diabetes, hypertension, heart failure (high risk: PCM) and depression (behavioral: BHI, CoCM).
		patient = make_patient(name).name
		make_enrollment(patient, self.doctor, "CCM")
		make_encounter(patient, self.doctor, ["E11.9", "I10", "I50.9", "F32.9"], on=add_days(today(), -10))
		return patient

	def test_a_ccm_patient_is_offered_pcm_and_apcm_as_switches_and_bhi_as_an_addition(self):
		patient = self.ccm_patient()
		found = self.offers_of(patient)
		self.assertEqual(
			set(found) & {"PCM", "BHI", "CoCM", "RPM", "APCM"}, {"PCM", "BHI", "CoCM", "RPM", "APCM"}
		)
		pcm, bhi, apcm = found["PCM"], found["BHI"], found["APCM"]
		# 99490/99491 exclude 99424/99426 (one practitioner): PCM only replaces CCM, 62 - 60 a month.
		self.assertEqual((pcm.replaces, pcm.monthly_difference), ("CCM", 2))
		self.assertIn("Switch from CCM", pcm.offer)
		# G0556-G0558 exclude 99490/99491: four conditions, not QMB, G0557 50 - 60.
		self.assertEqual((apcm.replaces, apcm.monthly_difference), ("CCM", -10))
		# Nothing of BHI's excludes CCM's codes, or the other way.
		self.assertEqual((bhi.offer, bhi.replaces, bhi.monthly_difference), ("Add", "", 45))
		self.assertEqual((found["CoCM"].replaces, found["RPM"].replaces), ("", ""))
		# Best paying: PCM 62 + CoCM 140 + RPM 20 (CoCM and BHI exclude each other; CCM + CoCM + RPM is 220).
		self.assertEqual(pcm.best_combination, "CoCM + PCM + RPM")
		self.assertEqual({p for p, r in found.items() if r.best}, {"PCM", "CoCM", "RPM"})
		self.assertEqual(pcm.enrolled_in, "CCM")

	def test_a_bhi_patient_is_offered_cocm_as_a_switch(self):
		patient = make_patient("Offers Bhi").name
		make_enrollment(patient, self.doctor, "BHI")
		make_encounter(patient, self.doctor, ["F32.9"], on=add_days(today(), -10))
		cocm = self.offers_of(patient)["CoCM"]
		# 99492/99493 exclude 99484: CoCM (140 a month after the first) replaces BHI (45).
		self.assertEqual((cocm.replaces, cocm.monthly_difference, cocm.best), ("BHI", 95, 1))

	def test_an_exclusion_an_admin_removes_turns_the_switch_into_an_addition(self):
		patient = self.ccm_patient("Offers Edited")
		for code in ("99490", "99491"):
			doc = frappe.get_doc(
				"Billing Code", frappe.db.get_value("Billing Code", {"code": code, "disabled": 0})
			)
			doc.excludes = [row for row in doc.excludes if row.code not in ("99424", "99426")]
			doc.save(ignore_permissions=True)
		pcm = self.offers_of(patient)["PCM"]
		self.assertEqual((pcm.offer, pcm.replaces, pcm.monthly_difference), ("Add", "", 62))

	def test_the_program_filter_narrows_the_rows_not_the_best_combination(self):
		patient = self.ccm_patient("Offers Filtered")
		found = self.offers_of(patient, program="BHI")
		self.assertEqual(set(found), {"BHI"})
		self.assertEqual((found["BHI"].best, found["BHI"].best_combination), (0, "CoCM + PCM + RPM"))

	def test_the_report_reads_a_fixed_number_of_statements_whatever_the_patients(self):
		from care_management.care_management.report.eligible_patients.eligible_patients import execute

		def statements() -> int:
			execute({"practitioner": self.doctor})  # warm the caches (meta, settings)
			sent = []
			original = frappe.db.sql

			def recording(query, *args, **kwargs):
				sent.append(query)
				return original(query, *args, **kwargs)

			frappe.db.sql = recording
			try:
				execute({"practitioner": self.doctor})
			finally:
				frappe.db.sql = original
			return len(sent)

		self.ccm_patient("Offers One")
		one = statements()
		for n in range(3):
			self.ccm_patient(f"Offers More {n}")
		self.assertEqual(statements(), one)
