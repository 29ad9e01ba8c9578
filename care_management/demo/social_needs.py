"""The demo's social-needs loop: the community resource directory loaded through
the real HSDS import of the shipped sample, AHC HRSN and PHQ screenings whose
positive domains are needs on the care plan (inserted set-based, scored by the
core as the form scores them), a few screenings self-completed from the emailed
link (the real path), and referrals walked through every state of the referral
workflow by the patients' care managers."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from datetime import date, timedelta
from pathlib import Path

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, today

from care_management.care_management.doctype.screening_instrument.screening_instrument import load_instrument
from care_management.demo.loader import _insert
from care_management.demo.timing import Phases
from care_management.domain.screening import ANY_OF, Instrument, score

SAMPLE = Path(__file__).parent / "hsds_sample"
HRSN, PHQ2, PHQ9 = "AHC HRSN Core", "PHQ-2", "PHQ-9"
SCREENED_SHARE = 0.85
POSITIVE_SHARE = 0.4
SPANISH_SHARE = 0.1
# Referral scenarios, each to the end state named: (actions after Send, outcome, overdue)
REFERRALS = (
	([], None, False),  # Draft
	(["Send"], None, True),  # Sent, its follow-up date passed
	(["Send"], None, False),
	(["Send", "Mark Accepted"], None, False),
	(["Send", "Mark Accepted", "Complete"], "Need Met", False),
	(["Send", "Mark Accepted", "Complete"], "Need Met", False),
	(["Send", "Mark Accepted", "Complete"], "Need Not Met", False),
	(["Send", "Mark Accepted", "Complete"], "Need Partly Met", False),
	(["Send", "Mark Declined"], None, False),
	(["Send", "Unable to Contact"], None, False),
	(["Cancel Referral"], None, False),
)


def import_directory() -> dict:
	"""The shipped HSDS sample through HSDS Import (upserts by HSDS id, so a second run updates)."""
	buffer = io.BytesIO()
	with zipfile.ZipFile(buffer, "w") as archive:
		for path in sorted(SAMPLE.glob("*.csv")):
			archive.writestr(path.name, path.read_text())
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "demo-hsds-sample.zip",
			"content": buffer.getvalue(),
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
	doc = frappe.new_doc("HSDS Import")
	doc.source_file = file.file_url
	doc.flags.run_now = True
	doc.insert(ignore_permissions=True)
	doc.reload()
	return {"hsds_import": doc.name, "community_resources": doc.created_count + doc.updated_count}


def clear_answers(instrument: Instrument) -> dict[str, str]:
	"""An answer per question that makes no domain positive: outside every rule's answers, lowest score."""
	flagged = {a for rule in instrument.rules if rule.kind == ANY_OF for a in rule.answers}
	answers = {}
	for q in instrument.questions:
		options = [o for o in q.options if o[0] not in flagged] or list(q.options)
		none = [o for o in options if o[0] == "None of the above"]
		answers[q.key] = (none or sorted(options, key=lambda o: o[1] or 0))[0][0]
	return answers


def positive_answers(instrument: Instrument, domain: str) -> dict[str, str]:
	"""Answers that make ``domain`` positive: a rule's answer, or each question's highest score."""
	rule = next(r for r in instrument.rules if r.domain == domain)
	answers = {}
	for q in instrument.questions:
		if q.domain != domain:
			continue
		if rule.kind == ANY_OF:
			hits = [o[0] for o in q.options if o[0] in rule.answers]
			if hits:
				answers[q.key] = hits[0]
		else:
			answers[q.key] = max(q.options, key=lambda o: o[1] or 0)[0]
	return answers


def answers_for(instrument: Instrument, rng: random.Random, positive_domains: list[str]) -> dict[str, str]:
	answers = clear_answers(instrument)
	for domain in positive_domains:
		answers.update(positive_answers(instrument, domain))
	return answers


def screening_rows(rows: list[dict], months: list[date], seed: int) -> list[dict]:
	"""Which patient answered which instrument, when, and how (pure, deterministic)."""
	rng = random.Random(seed + 26)
	hrsn = load_instrument(HRSN)
	need_domains = [r.domain for r in hrsn.rules if r.need_category and r.domain != "Interpersonal Safety"]
	screenings = []
	for p in rows:
		if rng.random() > SCREENED_SHARE:
			continue
		on = months[-1] + timedelta(days=rng.randint(0, 24)) if rng.random() < 0.6 else months[0]
		positives = rng.sample(need_domains, k=rng.choice([1, 1, 2])) if rng.random() < POSITIVE_SHARE else []
		screenings.append(
			{"patient": p, "instrument": HRSN, "on": on, "answers": answers_for(hrsn, rng, positives)}
		)
		depressed = any(c[0] == "Depression" for c in p["conditions"])
		if depressed or rng.random() < 0.3:
			instrument = load_instrument(PHQ9 if depressed else PHQ2)
			flag = [instrument.rules[0].domain] if depressed and rng.random() < 0.6 else []
			screenings.append(
				{
					"patient": p,
					"instrument": instrument.name,
					"on": on,
					"answers": answers_for(instrument, rng, flag),
				}
			)
	return screenings


def load_screenings(spec, rows: list[dict], months: list[date]) -> dict:
	"""Submitted screenings, their answers and the needs they put on the plans, set-based."""
	instruments = {name: load_instrument(name) for name in (HRSN, PHQ2, PHQ9)}
	texts = {name: {q.key: q.text for q in instrument.questions} for name, instrument in instruments.items()}
	domain_of = {
		name: {r.need_category: r.domain for r in instrument.rules if r.need_category}
		for name, instrument in instruments.items()
	}
	screenings, answers, needs = [], [], []
	open_needs: dict[str, set[str]] = {}
	for i, s in enumerate(screening_rows(rows, months, spec.seed)):
		p, instrument = s["patient"], instruments[s["instrument"]]
		result = score(instrument, s["answers"])
		name = f"{spec.prefix}-NS-{i + 1:06d}"
		plan = f"{p['id']}-PLAN"
		scores = {q.key: dict(q.options) for q in instrument.questions}
		screenings.append({
			"name": name, "naming_series": "NS-.YYYY.-", "patient": p["id"], "patient_name": f"{p['first_name']} {p['last_name']}",
			"instrument": instrument.name, "screening_date": s["on"], "screened_by": p["care_manager"], "method": "Phone",
			"positive_domains": "\n".join(result.positive_domains), "need_categories": "\n".join(result.need_categories),
			"total_score": result.total_score, "severity": result.severity, "care_plan": plan,
		})  # fmt: skip
		for idx, (key, answer) in enumerate(s["answers"].items(), start=1):
			answers.append({
				"name": f"{name}-A{idx}", "parent": name, "parenttype": "Needs Screening", "parentfield": "answers",
				"idx": idx, "question_key": key, "question": texts[instrument.name][key], "answer": answer,
				"score": scores[key].get(answer) or 0,
			})  # fmt: skip
		for need in result.need_categories:
			if need in open_needs.setdefault(p["id"], set()):
				continue
			open_needs[p["id"]].add(need)
			needs.append({
				"name": f"{name}-N-{need[:12]}", "parent": plan, "parenttype": "Care Plan", "parentfield": "needs",
				"idx": len(open_needs[p["id"]]), "need_category": need, "domain": domain_of[instrument.name].get(need),
				"status": "Open", "identified_on": s["on"], "source_screening": name,
			})  # fmt: skip
	_insert("Needs Screening", screenings, docstatus=1)
	_insert("Needs Screening Answer", answers, docstatus=1)
	_insert("Care Plan Need", needs)
	return {"needs_screenings": len(screenings), "care_plan_needs": len(needs)}


def speak_spanish(spec, rows: list[dict]) -> list[str]:
	"""Some patients read Spanish (Healthcare's Patient.language): their plan, portal and links are in it."""
	if not frappe.db.exists("Language", "es"):
		return []
	spanish = [p["id"] for i, p in enumerate(rows) if i % round(1 / SPANISH_SHARE) == 4]
	if spanish:
		frappe.db.sql("update `tabPatient` set language = 'es' where name in %s", [spanish])
	return spanish


def self_completed_screenings(rows: list[dict], spanish: list[str]) -> dict:
	"""Screening Invitations emailed to patients; some answered on the web form
	(the real self-completion path) and submitted by the care manager who reviewed them,
	one still waiting, one expired."""
	chosen = [p for p in rows if p["id"] in spanish][:2] + [p for p in rows if p["id"] not in spanish][5:8]
	done = 0
	for n, p in enumerate(chosen):
		frappe.set_user(p["care_manager"])
		invitation = frappe.get_doc(
			{
				"doctype": "Screening Invitation",
				"patient": p["id"],
				"instrument": HRSN,
				"email": f"{p['id'].lower()}@example.org",
			}
		)
		invitation.insert()
		token = invitation.flags.link.rsplit("self_completion_token=", 1)[1]
		if n == len(chosen) - 1:
			frappe.db.set_value(
				"Screening Invitation",
				invitation.name,
				{"status": "Expired", "expires_on": add_days(today(), -1)},
				update_modified=False,
			)
			continue
		if n == len(chosen) - 2:
			continue  # sent, not answered yet
		frappe.set_user("Guest")
		posted = answers_for(load_instrument(HRSN), random.Random(n), ["Food Insecurity"] if n % 2 else [])
		screening = frappe.get_doc(
			{
				"doctype": "Needs Screening",
				"self_completion_token": token,
				"self_completion_answers": json.dumps(posted),
			}
		)
		screening.insert(ignore_permissions=True)
		frappe.set_user(p["care_manager"])
		frappe.get_doc("Needs Screening", screening.name).submit()
		done += 1
	frappe.set_user("Administrator")
	return {"screening_invitations": len(chosen), "self_completed_screenings": done}


def load_referrals(rows: list[dict]) -> dict:
	"""Referrals for needs the directory serves, one per scenario, walked by the patient's care manager."""
	resources = {}
	for need, resource in frappe.db.sql(
		"""select n.need_category, r.name from `tabCommunity Resource` r
		join `tabCommunity Resource Need` n on n.parent = r.name
		where r.status = 'active' and r.hsds_service_id in %s order by r.resource_name""",
		[sample_service_ids()],
	):
		resources.setdefault(need, resource)
	by_id = {p["id"]: p for p in rows}
	candidates = frappe.db.sql(
		"""select plan.patient, need.need_category from `tabCare Plan Need` need
		join `tabCare Plan` plan on plan.name = need.parent
		where plan.name in %(plans)s and plan.status = 'Active' and need.status = 'Open'
			and need.need_category in %(served)s
		order by plan.patient, need.need_category""",
		{"plans": [f"{p}-PLAN" for p in by_id], "served": list(resources) or [""]},
	)
	made = 0
	for (patient, need), (actions, outcome, overdue) in zip(candidates, REFERRALS, strict=False):
		frappe.set_user(by_id[patient]["care_manager"])
		referral = frappe.get_doc(
			{
				"doctype": "Resource Referral",
				"patient": patient,
				"need_category": need,
				"resource": resources[need],
				"method": "Logged",
				"follow_up_date": add_days(today(), 7),
			}
		).insert()
		for action in actions:
			if action == "Complete":
				referral.outcome = outcome
				referral.save()
			referral = apply_workflow(frappe.get_doc("Resource Referral", referral.name), action)
		if overdue:
			frappe.db.set_value(
				"Resource Referral",
				referral.name,
				"follow_up_date",
				add_days(today(), -5),
				update_modified=False,
			)
		made += 1
	frappe.set_user("Administrator")
	return {"resource_referrals": made}


def sample_service_ids() -> list[str]:
	with (SAMPLE / "services.csv").open() as services:
		return [row["id"] for row in csv.DictReader(services)]


def coordinates_problems() -> list[str]:
	"""Every sample service with a located address lies around Springfield, IL; a phone-only one has none."""
	problems = []
	for r in frappe.get_all(
		"Community Resource",
		filters={"hsds_service_id": ("in", sample_service_ids())},
		fields=["resource_name", "address_1", "latitude", "longitude"],
	):
		located = r.latitude not in (None, "", 0) or r.longitude not in (None, "", 0)
		if (
			r.address_1
			and located
			and not (39.6 < float(r.latitude) < 40.0 and -89.9 < float(r.longitude) < -89.4)
		):
			problems.append(f"{r.resource_name}: {r.latitude}, {r.longitude}")
		if not r.address_1 and located:
			problems.append(f"{r.resource_name}: no address but coordinates")
	return problems


def months_of(spec) -> list[date]:
	from care_management.domain.synthetic_practice import _months

	return _months(spec)


def load_social_needs(spec, rows: list[dict], timed: Phases | None = None) -> dict:
	timed = timed or Phases()
	with timed("HSDS import"):
		counts = import_directory()
	with timed("screenings"):
		counts.update(load_screenings(spec, rows, months_of(spec)))
		spanish = speak_spanish(spec, rows)
		counts["spanish_speaking_patients"] = len(spanish)
		counts.update(self_completed_screenings(rows, spanish))
	with timed("referrals"):
		counts.update(load_referrals(rows))
	return counts
