# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.risk_scoring import Band, BandProblem, band_problems
from care_management.domain.risk_tiers import RiskTier, TierProblemKind, find_tier_problems
from care_management.setup.patient_fields import sync_risk_tier_options


def tier_problem_message(kind: TierProblemKind) -> str:
	# Built on each call: _() must run in the user's language, not at import.
	return {
		TierProblemKind.MISSING_NAME: _("Risk Tiers, row {0}: enter a name for the tier."),
		TierProblemKind.DUPLICATE_NAME: _(
			"Risk Tiers, row {0}: the tier name {1} is already used in an earlier row. Give each tier its own name."
		),
		TierProblemKind.CADENCE_NOT_POSITIVE: _(
			"Risk Tiers, row {0}: Contact Every (Days) for tier {1} must be a whole number of days greater than zero."
		),
		TierProblemKind.RETRY_NOT_POSITIVE: _(
			"Risk Tiers, row {0}: Retry After (Days) for tier {1} cannot be negative. Enter 0 to use the contact cadence."
		),
		TierProblemKind.RETRY_LONGER_THAN_CADENCE: _(
			"Risk Tiers, row {0}: Retry After (Days) for tier {1} is longer than its contact cadence. A missed contact must be retried sooner, not later."
		),
	}[kind]


def band_problem_message(problem: BandProblem) -> str:
	return {
		"missing_min": _(
			"Risk Tiers, row {0}: Risk Score From for tier {1} is empty. Give every tier a band, or clear the bands of all tiers."
		),
		"max_below_min": _("Risk Tiers, row {0}: Risk Score To for tier {1} is below its Risk Score From."),
		"not_from_zero": _(
			"Risk Tiers, row {0}: the lowest band ({1}) must start at 0 so that every score has a tier."
		),
		"two_open": _(
			"Risk Tiers, row {0}: Risk Score To for tier {1} is empty, but another tier is already open-ended. Only the highest band has no upper limit."
		),
		"overlap": _(
			"Risk Tiers, row {0}: the band of tier {1} overlaps the band of {2}. Each score must fall in one band."
		),
		"gap": _(
			"Risk Tiers, row {0}: there is a gap between the band of {2} and the band of {1}. Start {1} one point above where {2} ends."
		),
		"open_end": _(
			"Risk Tiers, row {0}: leave Risk Score To empty for tier {1}, the highest band, so that every score above it has a tier."
		),
		"order": _(
			"Risk Tiers: the bands are not in the order of the tiers. The first (highest-risk) tier must have the highest scores."
		),
	}[problem.kind].format(
		problem.row,
		frappe.bold(frappe.utils.escape_html(problem.tier)),
		frappe.bold(frappe.utils.escape_html(problem.other)),
	)


class CareManagementSettings(Document):
	def validate(self):
		self.validate_links_exist()
		self.validate_risk_tiers()
		self.validate_month_close()
		self.validate_score_bands()
		if self.target_caseload is not None and self.target_caseload < 1:
			frappe.throw(
				_("Target Caseload Size: enter the number of patients a care manager can carry, at least 1.")
			)

	def validate_links_exist(self):
		# Named checks, so the message says which setting to fix rather than a
		# generic link error.
		for fieldname, doctype in (
			("company", "Company"),
			("default_billing_practitioner", "Healthcare Practitioner"),
			("selling_price_list", "Price List"),
			("remittance_deposit_account", "Account"),
		):
			value = self.get(fieldname)
			if value and not frappe.db.exists(doctype, value):
				frappe.throw(
					_("{0}: {1} {2} does not exist. Pick an existing {1} or leave the field empty.").format(
						_(self.meta.get_label(fieldname)),
						_(doctype),  # html-safe: a DocType named above
						frappe.bold(frappe.utils.escape_html(value)),
					),
					frappe.LinkValidationError,
					title=_("Invalid {0}").format(_(self.meta.get_label(fieldname))),
				)
		if self.selling_price_list and not frappe.db.get_value(
			"Price List", self.selling_price_list, "selling"
		):
			frappe.throw(
				_(
					"Price List: {0} is not a selling price list. Pick a price list with Selling checked."
				).format(frappe.bold(frappe.utils.escape_html(self.selling_price_list)))
			)
		self.validate_deposit_account()

	def validate_deposit_account(self):
		if not self.remittance_deposit_account:
			return
		account = frappe.db.get_value(
			"Account", self.remittance_deposit_account, ["company", "is_group", "account_type"], as_dict=True
		)
		if (
			account.is_group
			or account.account_type not in ("Bank", "Cash")
			or (self.company and account.company != self.company)
		):
			frappe.throw(
				_(
					"Remittance Deposit Account: {0} is not a bank or cash ledger of {1}. Pick the bank account "
					"payers pay into (Account Type Bank, not a group)."
				).format(
					frappe.bold(frappe.utils.escape_html(self.remittance_deposit_account)),
					frappe.bold(frappe.utils.escape_html(self.company or _("the company"))),
				),
				title=_("Invalid Remittance Deposit Account"),
			)

	def validate_risk_tiers(self):
		tiers = [RiskTier(row.tier or "", row.cadence_days, row.retry_days) for row in self.risk_tiers]
		problems = find_tier_problems(tiers)
		if problems:
			frappe.throw(
				"<br>".join(
					tier_problem_message(p.kind).format(
						p.row,  # html-safe: a row number
						frappe.bold(frappe.utils.escape_html(p.tier)),
					)
					for p in problems
				),
				title=_("Invalid Risk Tiers"),
			)
		for row in self.risk_tiers:
			row.tier = " ".join(row.tier.split())
		names = [row.tier for row in self.risk_tiers]
		if self.default_risk_tier and self.default_risk_tier not in names:
			frappe.throw(
				_(
					"Default Risk Tier: {0} is not one of the Risk Tiers ({1}). Pick one of them or add it."
				).format(
					frappe.bold(frappe.utils.escape_html(self.default_risk_tier)),
					", ".join(frappe.utils.escape_html(name) for name in names),
				)
			)
		self.validate_removed_tiers_are_unused(names)

	def validate_removed_tiers_are_unused(self, names):
		"""A tier still on patients cannot disappear: their cadence would be lost."""
		before = self.get_doc_before_save()
		if not before:
			return
		removed = {row.tier for row in before.risk_tiers} - set(names)
		if not removed or not frappe.db.has_column("Patient", "care_risk_tier"):
			return
		in_use = frappe.get_all(
			"Patient",
			filters={"care_risk_tier": ("in", list(removed))},
			fields=["care_risk_tier", "count(name) as patients"],
			group_by="care_risk_tier",
		)
		if in_use:
			frappe.throw(
				_(
					"Risk Tiers: {0} cannot be removed while patients are assigned to it. Move them to another tier first."
				).format(
					", ".join(
						_("{0} ({1} patients)").format(
							frappe.bold(frappe.utils.escape_html(r.care_risk_tier)),
							r.patients,  # html-safe: a count
						)
						for r in in_use
					)
				)
			)

	def validate_month_close(self):
		if self.month_close_day is not None and not 0 <= self.month_close_day <= 28:
			frappe.throw(
				_("Close Previous Month On Day must be between 1 and 28, or 0 to close months by hand only.")
			)
		if not self.month_close_chunk_size or self.month_close_chunk_size < 1:
			frappe.throw(_("Patients per Background Job must be at least 1."))

	def validate_score_bands(self):
		bands = []
		for row in self.risk_tiers:
			ends = []
			for fieldname in ("min_score", "max_score"):
				text = str(row.get(fieldname) or "").strip()
				if text and not text.lstrip("-").isdigit():
					frappe.throw(
						_("Risk Tiers, row {0}: {1} for tier {2} must be a whole number, not {3}.").format(
							row.idx,
							_(row.meta.get_label(fieldname)),
							frappe.bold(frappe.utils.escape_html(row.tier)),
							frappe.bold(frappe.utils.escape_html(text)),
						),
						title=_("Invalid Score Bands"),
					)
				row.set(fieldname, text or None)
				ends.append(int(text) if text else None)
			bands.append(Band(row.tier, *ends))
		problems = band_problems(bands)
		if problems:
			frappe.throw(
				"<br>".join(band_problem_message(p) for p in problems), title=_("Invalid Score Bands")
			)

	def on_update(self):
		sync_risk_tier_options([row.tier for row in self.risk_tiers])


def get_risk_tiers() -> list[RiskTier]:
	"""The practice's tiers, highest risk first, as the core understands them."""
	settings = frappe.get_cached_doc("Care Management Settings")
	return [RiskTier(row.tier, row.cadence_days, row.retry_days) for row in settings.risk_tiers]
