"""The admin's records (categories, program criteria, risk factors, score
bands) read once and turned into the core's plain objects."""

from __future__ import annotations

import frappe
from frappe import _

from care_management.domain.eligibility import (
	ChronicCategory,
	Criterion,
	Rule,
	RuleProblem,
	parse_code_ranges,
	split_entries,
)
from care_management.domain.risk_scoring import Band, Measure, RiskFactor


def rule_of_row(row) -> Rule:
	return Rule(
		criterion=Criterion(row.criterion),
		combine=row.combine or "Required",
		value=None if row.value in (None, "") else float(row.value),
		categories=tuple(split_entries(row.categories)),
	)


def rules_problem_message(problem: RuleProblem) -> str:
	return {
		"bad_combine": _("Eligibility Criteria, row {0}: Counts As must be Required or Any Of."),
		"missing_value": _("Eligibility Criteria, row {0}: enter the Value this criterion needs."),
		"negative_value": _("Eligibility Criteria, row {0}: Value cannot be negative."),
		"missing_categories": _(
			"Eligibility Criteria, row {0}: Categories: name at least one Chronic Condition Category."
		),
		"unknown_category": _(
			"Eligibility Criteria, row {0}: Categories: {1} is not a Chronic Condition Category. Check the spelling or create it first."
		),
	}[problem.kind].format(problem.row, frappe.bold(frappe.utils.escape_html(problem.detail)))


def chronic_categories() -> list[ChronicCategory]:
	rows = frappe.get_all(
		"Chronic Condition Category",
		filters={"disabled": 0},
		fields=["name", "icd10_codes", "lasts_12_months", "high_risk", "behavioral"],
		order_by="name",
	)
	return [
		ChronicCategory(
			r.name,
			parse_code_ranges(r.icd10_codes),
			lasts_12_months=bool(r.lasts_12_months),
			high_risk=bool(r.high_risk),
			behavioral=bool(r.behavioral),
		)
		for r in rows
	]


def program_rules(program: str | None = None) -> dict[str, list[Rule]]:
	"""Enabled programs with criteria -> their rules, in row order."""
	filters = {"parenttype": "Care Program", "parentfield": "eligibility_criteria"}
	if program:
		filters["parent"] = program
	disabled = set(frappe.get_all("Care Program", filters={"disabled": 1}, pluck="name"))
	rules: dict[str, list[Rule]] = {}
	for row in frappe.get_all(
		"Care Program Eligibility Criterion",
		filters=filters,
		fields=["parent", "criterion", "combine", "value", "categories"],
		order_by="parent, idx",
	):
		if row.parent not in disabled:
			rules.setdefault(row.parent, []).append(rule_of_row(row))
	return rules


def risk_factors() -> list[frappe._dict]:
	"""The enabled factors with the record fields the facts query needs."""
	rows = frappe.get_all(
		"Care Risk Factor",
		filters={"disabled": 0},
		fields=["name", "measure", "at_least", "points", "months", "medical_department", "lab_test_name"],
		order_by="name",
	)
	for row in rows:
		row.core = RiskFactor(
			row.name, Measure(row.measure), float(row.at_least or 0), int(row.points), row.months or None
		)
	return rows


def score_bands() -> list[Band]:
	settings = frappe.get_cached_doc("Care Management Settings")
	return [
		Band(row.tier, score_or_none(row.min_score), score_or_none(row.max_score))
		for row in settings.risk_tiers
	]


def score_or_none(value) -> int | None:
	"""A band end as typed: blank is None; anything else must be a whole number."""
	text = str(value).strip() if value is not None else ""
	if not text:
		return None
	return int(text)
