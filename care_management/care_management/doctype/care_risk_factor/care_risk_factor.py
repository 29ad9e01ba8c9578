# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from care_management.domain.risk_scoring import Measure, factor_problems


class CareRiskFactor(Document):
	def validate(self):
		measure = Measure(self.measure)
		problems = factor_problems(
			measure,
			None if self.at_least in (None, "") else float(self.at_least),
			points_as_number(self.points),
			self.months,
		)
		messages = {
			"points_not_positive": _("Points: enter a whole number of points above zero."),
			"threshold_missing": _("Counts When At Least: enter the value from which the factor counts."),
			"threshold_negative": _("Counts When At Least cannot be negative."),
			"months_missing": _("Over The Last (Months): enter how many months back {0} counts.").format(
				_(self.measure)
			),
		}
		if problems:
			frappe.throw("<br>".join(messages[p.kind] for p in problems), title=_("Invalid Risk Factor"))
		if measure is Measure.ED_VISITS and not self.medical_department:
			frappe.throw(
				_("ED Department: choose the Medical Department whose encounters are emergency visits.")
			)
		if measure is Measure.LAST_HBA1C and not (self.lab_test_name or "").strip():
			frappe.throw(_("Lab Result Name Contains: enter the text that names the HbA1c result, e.g. A1c."))


def points_as_number(value) -> float | None:
	"""Points typed as text ("three") reach here as a string through the API."""
	try:
		return float(value)
	except (TypeError, ValueError):
		return None
