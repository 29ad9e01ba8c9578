# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.billing.rules import RuleProblemKind, ordered_rules, rule_from_dict, rule_problems

PERFORMER_FIELDS = {
	"counts_clinical_staff": "Clinical Staff",
	"counts_physician": "Physician/QHP",
	"counts_bh_care_manager": "Behavioral Health Care Manager",
	"counts_chw": "Community Health Worker / Navigator",
}


def rule_dict(record: dict, exclusions: list[dict]) -> dict:
	"""A Billing Code record (as a dict) in the plain form the core reads."""

	def zero_is_none(value):
		return value or None

	return {
		**record,
		"performer_types": [label for field, label in PERFORMER_FIELDS.items() if record.get(field)],
		"base_codes": record.get("base_codes") if record.get("is_add_on") else None,
		"max_units": None if record.get("no_unit_cap") else record.get("max_units"),
		"first_unit_minutes": None if record.get("is_add_on") else record.get("first_unit_minutes"),
		"add_on_minutes": record.get("add_on_minutes") if record.get("is_add_on") else None,
		"min_conditions": zero_is_none(record.get("min_conditions")),
		"max_conditions": zero_is_none(record.get("max_conditions")),
		"min_device_days": zero_is_none(record.get("min_device_days")),
		"max_device_days": zero_is_none(record.get("max_device_days")),
		"max_business_days_to_contact": zero_is_none(record.get("max_business_days_to_contact")),
		"max_days_to_face_to_face": zero_is_none(record.get("max_days_to_face_to_face")),
		"excludes": [(row["code"], row["scope"]) for row in exclusions],
	}


def problem_message(kind: str, doc) -> str:
	return {
		RuleProblemKind.ADD_ON_WITHOUT_BASE: _(
			"Adds To: an add-on code needs the base code it follows, e.g. 99490."
		),
		RuleProblemKind.UNKNOWN_BASE: _(
			"Adds To: {0} is not a billing code. Add that code first or correct the code."
		).format(frappe.bold(frappe.utils.escape_html(doc.base_codes))),
		RuleProblemKind.MAX_BELOW_ONE: _(
			"Max Units per Period must be at least 1. Tick No Cap on Units for a code without a cap."
		),
		RuleProblemKind.ZERO_THRESHOLD: _(
			"A timed code needs more than 0 minutes: set Minutes for First Unit (or Minutes per Add-On Unit)."
		),
		RuleProblemKind.OVERLAPPING_DATES: _(
			"{0} already has a record in force between {1} and {2}. End the earlier record the day before this one starts."
		).format(
			frappe.bold(frappe.utils.escape_html(doc.code)),
			doc.effective_from,
			doc.effective_to or _("open-ended"),
		),
		RuleProblemKind.DATES_REVERSED: _("Effective To must be on or after Effective From."),
	}[kind]


class BillingCode(Document):
	def validate(self):
		self.code = (self.code or "").strip().upper()
		others = [
			rule_from_dict(rule_dict(r, []))
			for r in frappe.get_all("Billing Code", filters={"name": ("!=", self.name or "")}, fields=["*"])
		]
		own = rule_from_dict(rule_dict(self.as_dict(), [row.as_dict() for row in self.excludes]))
		problems = rule_problems(own, others, add_on=bool(self.is_add_on))
		if problems:
			frappe.throw(
				"<br>".join(problem_message(p, self) for p in problems), title=_("Invalid Billing Code")
			)
		known = {rule.code for rule in others} | {self.code}
		for row in self.excludes:
			row.code = (row.code or "").strip().upper()
			if row.code not in known:
				frappe.throw(
					_(
						"Exclusions, row {0}: {1} is not a billing code. Correct the code or add it first."
					).format(row.idx, frappe.bold(frappe.utils.escape_html(row.code)))
				)


def load_rules(day) -> list:
	"""The enabled rules in force on ``day``, in evaluation order: two queries in all."""
	from care_management.domain.billing.rules import rules_in_force

	records = frappe.get_all("Billing Code", filters={"disabled": 0}, fields=["*"])
	exclusions = frappe.get_all(
		"Billing Code Exclusion", filters={"parenttype": "Billing Code"}, fields=["parent", "code", "scope"]
	)
	by_parent: dict[str, list[dict]] = {}
	for row in exclusions:
		by_parent.setdefault(row.parent, []).append(row)
	dicts = [rule_dict(r, by_parent.get(r.name, [])) for r in records]
	return rules_in_force(ordered_rules(dicts), frappe.utils.getdate(day))
