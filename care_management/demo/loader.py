"""Load a synthetic practice (care_management.domain.synthetic_practice) into a
site with set-based inserts: one INSERT per few thousand rows, not one
document save per row. Used by `bench --site … care-management demo` and by
the benchmark."""

from __future__ import annotations

import zlib
from datetime import timedelta

import frappe
from frappe.utils import add_days, now_datetime
from frappe.utils.password import update_password

from care_management.demo.timing import Phases
from care_management.domain import provider_ids
from care_management.domain.icd10 import ICD10_CM_CODE_SYSTEM, ICD10_CM_SYSTEM
from care_management.domain.outreach import propose_follow_up
from care_management.domain.risk_tiers import RiskTier
from care_management.domain.synthetic_practice import (
	ClinicalSpec,
	PracticeSpec,
	care_managers,
	clinical_records,
	outreach_logs,
	patients,
	practitioners,
)
from care_management.setup.patient_sync import refresh_all_active_programs

DEMO_PASSWORD = "Demo-Care-2026!"
BATCH = 2000


class RealPatientsPresent(Exception):
	pass


def demo_patient_count(spec: PracticeSpec) -> int:
	return frappe.db.count("Patient", {"name": ("like", f"{spec.prefix}-%")})


def real_patient_count(spec: PracticeSpec) -> int:
	return frappe.db.count("Patient", {"name": ("not like", f"{spec.prefix}-%")})


def _standard(docstatus: int = 0) -> dict:
	now, user = now_datetime(), frappe.session.user
	return {"creation": now, "modified": now, "owner": user, "modified_by": user, "docstatus": docstatus}


def _insert(doctype: str, rows: list[dict], docstatus: int = 0) -> None:
	"""Rows as multi-row INSERTs with the values passed to the driver. (frappe.db.bulk_insert
	builds each statement value by value through pypika: several seconds of CPU for the
	demo's few thousand rows, on a 2-core machine most of the patients step.)"""
	if not rows:
		return
	standard = _standard(docstatus)
	fields = list(rows[0]) + [f for f in standard if f not in rows[0]]
	columns = ", ".join(f"`{field}`" for field in fields)
	placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
	for start in range(0, len(rows), BATCH):
		chunk = rows[start : start + BATCH]
		frappe.db.sql(
			f"insert into `tab{doctype}` ({columns}) values " + ", ".join([placeholders] * len(chunk)),
			[{**standard, **row}.get(field) for row in chunk for field in fields],
		)


def create_care_manager_users(managers: list[dict]) -> None:
	"""The practice's care managers as desk users, those missing only."""
	# Frappe refuses more than 60 new users a minute (site config
	# throttle_user_limit); a 50,000-patient practice has 200 care managers.
	# Raised for this process only, while loading.
	limit = frappe.local.conf.get("throttle_user_limit")
	frappe.local.conf["throttle_user_limit"] = max(limit or 60, len(managers) + 60)
	try:
		for manager in managers:
			if frappe.db.exists("User", manager["email"]):
				continue
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": manager["email"],
					"first_name": manager["first_name"],
					"last_name": manager["last_name"],
					"send_welcome_email": 0,
					# With its role at insert: one save, not a second through add_roles.
					"roles": [{"role": "Care Manager"}],
				}
			)
			user.flags.no_welcome_mail = True
			user.insert(ignore_permissions=True)
			update_password(manager["email"], DEMO_PASSWORD)
	finally:
		if limit is None:
			frappe.local.conf.pop("throttle_user_limit", None)
		else:
			frappe.local.conf["throttle_user_limit"] = limit


def load_practice(
	spec: PracticeSpec,
	force: bool = False,
	with_templates: bool = True,
	clinical: ClinicalSpec | None = None,
	timed: Phases | None = None,
) -> dict:
	"""Create the practice unless its patients are already there. Returns counts."""
	timed = timed or Phases()
	if demo_patient_count(spec):
		return {"already_loaded": demo_patient_count(spec)}
	if real_patient_count(spec) and not force:
		raise RealPatientsPresent(real_patient_count(spec))

	with timed("users"):
		create_care_manager_users(care_managers(spec))
	doctors = {}
	for doctor in practitioners(spec):
		name = frappe.db.get_value(
			"Healthcare Practitioner", {"first_name": doctor["first_name"], "last_name": doctor["last_name"]}
		)
		if not name:
			name = (
				frappe.get_doc(
					{
						"doctype": "Healthcare Practitioner",
						"first_name": doctor["first_name"],
						"last_name": doctor["last_name"],
						"status": "Active",
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
		doctors[doctor["id"]] = name
	doctor_names = dict(
		frappe.get_all(
			"Healthcare Practitioner",
			filters={"name": ("in", list(doctors.values()))},
			fields=["name", "practitioner_name"],
			as_list=True,
		)
	)

	with timed("patients"):
		rows = patients(spec)
		customer_group = frappe.db.get_single_value(
			"Selling Settings", "customer_group"
		) or frappe.db.get_value("Customer Group", {"is_group": 0})
		territory = frappe.db.get_single_value("Selling Settings", "territory") or frappe.db.get_value(
			"Territory", {"is_group": 0}
		)
		for gender in ("Female", "Male"):
			if not frappe.db.exists("Gender", gender):
				frappe.get_doc({"doctype": "Gender", "gender": gender}).insert(ignore_permissions=True)
		_insert("Customer", [
			{"name": p["id"], "customer_name": f"{p['first_name']} {p['last_name']}", "customer_type": "Individual", "customer_group": customer_group, "territory": territory}
			for p in rows
		])  # fmt: skip
		_insert("Patient", [
			{
				"name": p["id"], "first_name": p["first_name"], "last_name": p["last_name"], "patient_name": f"{p['first_name']} {p['last_name']}",
				"sex": p["sex"], "dob": p["dob"], "status": "Active", "customer": p["id"], "care_manager": p["care_manager"],
				"care_risk_tier": p["risk_tier"], "qualified_medicare_beneficiary": int(p["qmb"]),
			}
			for p in rows
		])  # fmt: skip

		enrollments, enrollment_of = [], {}
		for p in rows:
			for program in p["programs"]:
				name = f"{p['id']}-{program}"
				enrollment_of[(p["id"], program)] = name
				enrollments.append({
					"name": name, "naming_series": "CPE-.YYYY.-", "patient": p["id"], "patient_name": f"{p['first_name']} {p['last_name']}",
					"program": program, "status": "Active", "start_date": p["enrolled_on"], "billing_practitioner": doctors[p["practitioner"]],
					"practitioner_name": doctor_names.get(doctors[p["practitioner"]]), "care_manager": p["care_manager"],
					"consent_method": "Verbal", "consent_date": p["enrolled_on"], "consent_obtained_by": p["care_manager"],
					"told_service_available": 1, "told_cost_sharing": 1, "told_one_practitioner_bills": 1, "told_may_stop_any_time": 1,
				})  # fmt: skip
		_insert("Care Program Enrollment", enrollments)

		plans, conditions = [], []
		for p in rows:
			plan = f"{p['id']}-PLAN"
			plans.append({
				"name": plan, "naming_series": "CP-.YYYY.-", "patient": p["id"], "patient_name": f"{p['first_name']} {p['last_name']}",
				"status": "Active", "workflow_state": "Active", "start_date": p["enrolled_on"],
				"next_review_date": add_days(p["enrolled_on"], 180),
				"care_manager": p["care_manager"], "supervising_practitioner": doctors[p["practitioner"]],
				"practitioner_name": doctor_names.get(doctors[p["practitioner"]]),
				"call_911_when": "Chest pain, trouble breathing, fainting, or signs of a stroke.",
				"call_clinic_when": "New or worse symptoms, or questions about your medicines.",
			})  # fmt: skip
			for idx, (_template, condition, code) in enumerate(p["conditions"], start=1):
				conditions.append({
					"name": f"{plan}-C{idx}", "parent": plan, "parenttype": "Care Plan", "parentfield": "conditions", "idx": idx,
					"condition_name": condition, "icd10_code": code, "expected_12_months": 1,
				})  # fmt: skip
		_insert("Care Plan", plans)
		_insert("Care Plan Condition", conditions)

		settings = frappe.get_cached_doc("Care Management Settings")
		tiers = {
			row.tier: RiskTier(row.tier, row.cadence_days, row.retry_days) for row in settings.risk_tiers
		}
		tier_of = {p["id"]: tiers.get(p["risk_tier"]) or next(iter(tiers.values())) for p in rows}
		name_of = {p["id"]: f"{p['first_name']} {p['last_name']}" for p in rows}
		logs = outreach_logs(spec, rows)
		_insert("Outreach Log", [
			{
				"name": f"{spec.prefix}-OL-{i + 1:08d}", "naming_series": "OL-.YYYY.-", "patient": log["patient"], "patient_name": name_of[log["patient"]],
				"care_plan": f"{log['patient']}-PLAN", "enrollment": enrollment_of.get((log["patient"], log["program"])), "program": log["program"],
				"performed_by": log["performed_by"], "performer_type": "Clinical Staff", "activity_type": log["activity_type"],
				"start": log["start"], "end": log["end"], "duration_minutes": log["duration_minutes"], "paused_minutes": 0,
				"direction": "Outbound", "contacted_party": log["contacted_party"], "outcome": log["outcome"], "interactive": log["interactive"],
				"next_follow_up": propose_follow_up(log["start"].date(), tier_of[log["patient"]], log["outcome"]), "red_flag": 0,
			}
			for i, log in enumerate(logs)
		], docstatus=1)  # fmt: skip
		refresh_all_active_programs()

		load_coverage_and_addresses(rows)
		give_practitioners_npis(list(doctors.values()))
		set_demo_claim_identity()
	with timed("clinical history"):
		clinical_counts = load_clinical_records(spec, clinical, rows, doctors) if clinical else {}
	with timed("plan templates"):
		set_demo_prices()
		if with_templates:
			apply_condition_templates(rows)
	return {
		"patients": len(rows),
		"enrollments": len(enrollments),
		"care_plans": len(plans),
		"outreach_logs": len(logs),
		**clinical_counts,
	}


def apply_condition_templates(rows: list[dict]) -> None:
	"""Goals, interventions and education from the seeded templates, as Apply Template
	adds them (the same core: template_additions, action_plan_additions), inserted
	set-based: a save per plan was most of the demo's load time."""
	from care_management.care_management.doctype.care_plan.care_plan import template_as_dict
	from care_management.domain.care_plan_templates import action_plan_additions, template_additions

	meta = frappe.get_meta("Care Plan")
	templates = {}
	children: dict[str, list[dict]] = {}
	action_plans: dict[tuple, list[str]] = {}
	existing = set(
		frappe.get_all(
			"Care Plan Template",
			filters={
				"name": ("in", list({name for p in rows for name, _c, _code in p["conditions"]}) or [""])
			},
			pluck="name",
		)
	)
	for p in rows:
		plan = f"{p['id']}-PLAN"
		names = [name for name, _c, _code in p["conditions"] if name in existing]
		for name in names:
			templates.setdefault(name, template_as_dict(name))
		chosen = [templates[name] for name in names]
		# The plan already holds the conditions the loader gave it, with their codes.
		current = {
			"conditions": [{"condition_name": c, "icd10_code": code} for _t, c, code in p["conditions"]]
		}
		additions = template_additions(current, chosen, p["enrolled_on"], "en")
		additions["applied_templates"] = [{"template": name} for name in names]
		for table, added in additions.items():
			start = len(current.get(table, []))
			for idx, row in enumerate(added, start=start + 1):
				children.setdefault(meta.get_field(table).options, []).append(
					{"name": f"{plan}-{table[:4].upper()}{idx}", "parent": plan, "parenttype": "Care Plan",
					"parentfield": table, "idx": idx, **row}
				)  # fmt: skip
		plan_text = {
			"call_clinic_when": "New or worse symptoms, or questions about your medicines.",
			"call_911_when": "Chest pain, trouble breathing, fainting, or signs of a stroke.",
		}
		changed = action_plan_additions(plan_text, chosen, "en")
		if changed:
			action_plans.setdefault(tuple(sorted(changed.items())), []).append(plan)
	for doctype, added in children.items():
		fields = list(dict.fromkeys(field for row in added for field in row))
		_insert(doctype, [{field: row.get(field) for field in fields} for row in added])
	for changed, plans in action_plans.items():
		assignments = ", ".join(f"`{field}` = %({field})s" for field, _text in changed)
		frappe.db.sql(
			f"update `tabCare Plan` set {assignments} where name in %(plans)s",
			{**dict(changed), "plans": plans},
		)


def set_demo_prices() -> None:
	"""Illustrative prices on the Settings' price list, where an item has none."""
	from care_management.setup.seed import load

	price_list = frappe.db.get_single_value("Care Management Settings", "selling_price_list")
	if not price_list:
		return
	for code, rate in load("demo_prices.json").items():
		item = frappe.db.get_value("Billing Code", {"code": code}, "item")
		if item and not frappe.db.exists("Item Price", {"item_code": item, "price_list": price_list}):
			frappe.get_doc(
				{
					"doctype": "Item Price",
					"item_code": item,
					"price_list": price_list,
					"price_list_rate": rate,
				}
			).insert(ignore_permissions=True)


DEMO_PAYER = "Medicare Part B (Demo)"
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # the MBI alphabet: no B, I, L, O, S, Z


def demo_mbi(index: int) -> str:
	"""A well-formed, made-up MBI per patient (digit, letter, alnum, digit, letter, alnum, digit, letter, letter, digit, digit)."""
	n = index
	letters = []
	for _ in range(5):
		letters.append(MBI_LETTERS[n % len(MBI_LETTERS)])
		n //= len(MBI_LETTERS)
	return f"{1 + index % 9}{letters[0]}{index % 10}{(index // 10) % 10}{letters[1]}{letters[2]}{(index // 100) % 10}{letters[3]}{letters[4]}{(index // 1000) % 10}{(index // 10000) % 10}"


def demo_npi(index: int) -> str:
	first_nine = f"1{index:08d}"
	return first_nine + str(provider_ids.npi_check_digit(first_nine))


# Payers besides Part B: (customer, payer id, plan type). Every tenth patient is on
# Medicare Advantage, every tenth on Medicaid; one in ten on Part B has a Medigap
# secondary, and the QMB patients have Medicaid paying their Part B cost sharing.
MEDICARE_ADVANTAGE = ("Prairie Medicare Advantage (Demo)", "DEMOMA", "Medicare Advantage")
MEDICAID = ("Illinois Medicaid (Demo)", "DEMOMCD", "Medicaid")
MEDIGAP = ("Heartland Medigap (Demo)", "DEMOMGP", "Medigap")
PART_B = (DEMO_PAYER, "DEMOMCR", "Medicare Part B")


def coverage_of(index: int, qmb: bool) -> list[tuple[str, tuple]]:
	"""(coverage order, payer) of the index-th patient."""
	if index % 10 == 6:
		return [("Primary", MEDICARE_ADVANTAGE)]
	if index % 10 == 7 and not qmb:
		return [("Primary", MEDICAID)]
	if qmb:
		return [("Primary", PART_B), ("Secondary", MEDICAID)]
	if index % 10 == 8:
		return [("Primary", PART_B), ("Secondary", MEDIGAP)]
	return [("Primary", PART_B)]


def member_id(index: int, plan_type: str) -> str:
	return demo_mbi(index) if plan_type == "Medicare Part B" else f"{plan_type[:2].upper()}{700000 + index}"


def load_coverage_and_addresses(rows: list[dict]) -> None:
	"""Each demo patient's coverage (coverage_of), with a home address."""
	for customer, payer_id, _plan_type in (PART_B, MEDICARE_ADVANTAGE, MEDICAID, MEDIGAP):
		if not frappe.db.exists("Customer", customer):
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": customer,
					"customer_type": "Company",
					"is_payer": 1,
					"payer_id": payer_id,
				}
			).insert(ignore_permissions=True)
	_insert("Patient Coverage", [
		{
			"name": f"{p['id']}-COV" + ("" if order == "Primary" else "2"), "patient": p["id"],
			"patient_name": f"{p['first_name']} {p['last_name']}", "coverage_order": order, "payer": payer,
			"payer_id": payer_id, "plan_type": plan_type, "member_id": member_id(i, plan_type),
			"relationship_to_subscriber": "Self", "effective_from": "2020-01-01",
			"qualified_medicare_beneficiary": int(p["qmb"]) if plan_type == "Medicare Part B" else 0,
		}
		for i, p in enumerate(rows)
		for order, (payer, payer_id, plan_type) in coverage_of(i, p["qmb"])
	])  # fmt: skip
	country = frappe.db.get_value(
		"Company", frappe.db.get_single_value("Care Management Settings", "company"), "country"
	)
	_insert("Address", [
		{
			"name": f"{p['id']}-Billing", "address_title": f"{p['first_name']} {p['last_name']}", "address_type": "Billing",
			"address_line1": f"{100 + i % 900} Elm St", "city": "Springfield", "state": "IL", "pincode": "62701",
			"country": country or "United States", "is_primary_address": 1,
		}
		for i, p in enumerate(rows)
	])  # fmt: skip
	_insert("Dynamic Link", [
		{
			"name": f"{p['id']}-Billing-L", "parent": f"{p['id']}-Billing", "parenttype": "Address", "parentfield": "links",
			"idx": 1, "link_doctype": "Patient", "link_name": p["id"], "link_title": f"{p['first_name']} {p['last_name']}",
		}
		for p in rows
	])  # fmt: skip


def give_practitioners_npis(names: list[str]) -> None:
	for i, name in enumerate(sorted(names)):
		if not frappe.db.get_value("Healthcare Practitioner", name, "npi"):
			frappe.db.set_value(
				"Healthcare Practitioner",
				name,
				{"npi": demo_npi(zlib.crc32(name.encode()) % 10_000_000 + i), "taxonomy_code": "207Q00000X"},
				update_modified=False,
			)


def set_demo_claim_identity() -> None:
	"""The practice's NPI, EIN and billing address, and the clearinghouse contact, where none is set."""
	company = frappe.db.get_single_value("Care Management Settings", "company")
	if not company:
		return
	values = frappe.db.get_value(
		"Company", company, ["npi", "tax_id", "billing_address", "country"], as_dict=True
	)
	if not values.billing_address:
		address = frappe.get_doc(
			{
				"doctype": "Address",
				"address_title": company,
				"address_type": "Billing",
				"address_line1": "123 Main St",
				"city": "Springfield",
				"state": "IL",
				"pincode": "627011234",
				"country": values.country or "United States",
				"is_your_company_address": 1,
				"links": [{"link_doctype": "Company", "link_name": company}],
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Company", company, "billing_address", address.name, update_modified=False)
	if not values.npi:
		frappe.db.set_value("Company", company, {"npi": demo_npi(99_999), "taxonomy_code": "207Q00000X"})
	if not values.tax_id or provider_ids.ein_problem(values.tax_id):
		frappe.db.set_value("Company", company, "tax_id", "123456789", update_modified=False)
	settings = {"claims_contact_name": "Billing Office", "claims_contact_phone": "5555551234"}
	for field, value in settings.items():
		if not frappe.db.get_single_value("Care Management Settings", field):
			frappe.db.set_single_value("Care Management Settings", field, value)


# --- Healthcare's clinical records for the eligibility finder, risk scores and quality measures.
ICD10_CM, ICD10_CM_URI = ICD10_CM_CODE_SYSTEM, ICD10_CM_SYSTEM
HBA1C_TEMPLATE = "HbA1c"


def ensure_icd10_code_values(codes: set[str]) -> dict[str, str]:
	"""The ICD-10-CM Code System and a Code Value per code; returns code -> Code Value name."""
	if not frappe.db.exists("Code System", ICD10_CM):
		frappe.get_doc({"doctype": "Code System", "code_system": ICD10_CM, "uri": ICD10_CM_URI}).insert(
			ignore_permissions=True
		)
	names = {}
	for code in sorted(codes):
		name = frappe.db.get_value("Code Value", {"code_system": ICD10_CM, "code_value": code})
		if not name:
			name = (
				frappe.get_doc(
					{"doctype": "Code Value", "code_system": ICD10_CM, "code_value": code, "display": code}
				)
				.insert(ignore_permissions=True)
				.name
			)
		names[code] = name
	return names


def hba1c_template() -> str:
	"""The single-result HbA1c template (Healthcare makes its Item), made once;
	the demo, the tests and the risk factor "Last HbA1c" (name contains A1c) share it."""
	if frappe.db.exists("Lab Test Template", HBA1C_TEMPLATE):
		return HBA1C_TEMPLATE
	department = frappe.db.get_value("Medical Department", {}, "name")
	if not department:
		department = (
			frappe.get_doc({"doctype": "Medical Department", "department": "Laboratory"})
			.insert(ignore_permissions=True)
			.name
		)
	return (
		frappe.get_doc(
			{
				"doctype": "Lab Test Template",
				"lab_test_name": HBA1C_TEMPLATE,
				"lab_test_code": HBA1C_TEMPLATE,
				"lab_test_template_type": "Single",
				"lab_test_group": frappe.db.get_value("Item Group", {"is_group": 0}, "name"),
				"department": department,
				"is_billable": 0,
				"lab_test_normal_range": "4.0 - 5.6 %",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def load_clinical_records(
	spec: PracticeSpec, clinical: ClinicalSpec, rows: list[dict], doctors: dict
) -> dict:
	"""Encounters with ICD-10-CM codes, vital signs, HbA1c lab tests and
	inpatient stays, inserted set-based like the rest of the practice."""
	records = clinical_records(spec, clinical, rows)
	name_of = {p["id"]: f"{p['first_name']} {p['last_name']}" for p in rows}
	sex_of = {p["id"]: p["sex"] for p in rows}
	code_values = ensure_icd10_code_values({c for e in records["encounters"] for c in e["codes"]})
	company = frappe.db.get_single_value(
		"Care Management Settings", "company"
	) or frappe.defaults.get_global_default("company")
	encounters, codings = [], []
	for i, e in enumerate(records["encounters"]):
		name = f"{spec.prefix}-ENC-{i + 1:08d}"
		encounters.append({
			"name": name, "naming_series": "HLC-ENC-.YYYY.-", "patient": e["patient"], "patient_name": name_of[e["patient"]],
			"practitioner": doctors[e["practitioner"]], "encounter_date": e["on"], "encounter_time": "10:00:00",
			"company": company, "status": "Completed", "title": name_of[e["patient"]],
		})  # fmt: skip
		for idx, code in enumerate(e["codes"], start=1):
			codings.append({
				"name": f"{name}-D{idx}", "parent": name, "parenttype": "Patient Encounter", "parentfield": "codification_table",
				"idx": idx, "code_value": code_values[code], "code": code, "code_system": ICD10_CM, "system": ICD10_CM_URI,
				"display": code,
			})  # fmt: skip
	_insert("Patient Encounter", encounters, docstatus=1)
	_insert("Codification Table", codings, docstatus=1)
	_insert("Vital Signs", [
		{
			"name": f"{spec.prefix}-VTS-{i + 1:08d}", "naming_series": "HLC-VTS-.YYYY.-", "patient": v["patient"],
			"patient_name": name_of[v["patient"]], "signs_date": v["on"], "signs_time": "09:45:00",
			"bp_systolic": str(v["systolic"]), "bp_diastolic": str(v["diastolic"]), "bp": f"{v['systolic']}/{v['diastolic']} mmHg",
			"company": company, "title": name_of[v["patient"]],
		}
		for i, v in enumerate(records["vitals"])
	], docstatus=1)  # fmt: skip
	template = hba1c_template()
	tests, results = [], []
	for i, lab in enumerate(records["hba1c"]):
		name = f"{spec.prefix}-LAB-{i + 1:08d}"
		tests.append({
			"name": name, "naming_series": "HLC-LAB-.YYYY.-", "patient": lab["patient"], "patient_name": name_of[lab["patient"]],
			"patient_sex": sex_of[lab["patient"]], "template": template, "lab_test_name": template, "status": "Completed",
			"date": lab["on"], "result_date": lab["on"], "company": company,
		})  # fmt: skip
		results.append({
			"name": f"{name}-R1", "parent": name, "parenttype": "Lab Test", "parentfield": "normal_test_items", "idx": 1,
			"lab_test_name": template, "result_value": str(lab["value"]), "normal_range": "< 5.7 %",
		})  # fmt: skip
	_insert("Lab Test", tests, docstatus=1)
	_insert("Normal Test Result", results, docstatus=1)
	_insert("Inpatient Record", [
		{
			"name": f"{spec.prefix}-INP-{i + 1:08d}", "naming_series": "HLC-INP-.YYYY.-", "patient": a["patient"],
			"patient_name": name_of[a["patient"]], "status": "Discharged", "scheduled_date": a["admitted"].date(),
			"admitted_datetime": a["admitted"], "discharge_datetime": a["discharged"], "company": company,
		}
		for i, a in enumerate(records["admissions"])
	])  # fmt: skip
	return {key: len(value) for key, value in records.items()}
