# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_months, escape_html, getdate, today

from care_management.domain.hsds import coordinate_problem, degrees_text, position

VERIFIED_RECENTLY_MONTHS = 12


def postal_codes(text: str | None) -> list[str]:
	return [code for code in re.split(r"[\s,;]+", text or "") if code]


class CommunityResource(Document):
	def validate(self):
		if self.last_verified_on and getdate(self.last_verified_on) > getdate(today()):
			frappe.throw(_("Last Verified On cannot be in the future."))
		if self.last_verified_on and not self.last_verified_by:
			self.last_verified_by = frappe.session.user
		self.service_area_postal_codes = "\n".join(postal_codes(self.service_area_postal_codes))
		self.validate_coordinates()
		seen = set()
		for row in self.needs:
			if row.need_category in seen:
				frappe.throw(
					_("Needs Served, row {0}: {1} is listed twice.").format(
						row.idx, frappe.bold(frappe.utils.escape_html(_(row.need_category)))
					)
				)
			seen.add(row.need_category)

	def validate_coordinates(self):
		"""Both coordinates in degrees, or neither: empty means not known (0,0 is no
		position, only the old default of an empty one, so it is cleared)."""
		refusals = {
			"latitude": _(
				"Latitude: {0} is not a latitude in degrees. Enter a number from -90 to 90, or leave it empty."
			),
			"longitude": _(
				"Longitude: {0} is not a longitude in degrees. Enter a number from -180 to 180, or leave it empty."
			),
		}
		for axis, refusal in refusals.items():
			value = self.get(axis)
			if isinstance(value, str):
				value = value.strip()
			if value in (None, ""):
				self.set(axis, None)
				continue
			if coordinate_problem(axis, value):
				frappe.throw(
					refusal.format(frappe.bold(escape_html(str(value)))), title=_("Invalid Coordinates")
				)
			self.set(axis, degrees_text(value))
		if bool(self.latitude) != bool(self.longitude):
			frappe.throw(
				_("Enter both Latitude and Longitude, or leave both empty: half a position is no position."),
				title=_("Invalid Coordinates"),
			)
		if self.latitude and not position(self.latitude, self.longitude):
			self.latitude = self.longitude = None


def patient_postal_code(patient: str) -> str | None:
	"""The postal code of the patient's primary (or latest) address."""
	rows = frappe.db.sql(
		"""select a.pincode from `tabAddress` a
		join `tabDynamic Link` l on l.parent = a.name and l.parenttype = 'Address'
		where l.link_doctype = 'Patient' and l.link_name = %s and ifnull(a.pincode, '') != ''
		order by a.is_primary_address desc, a.modified desc limit 1""",
		patient,
	)
	return rows[0][0] if rows else None


@frappe.whitelist()
def find_resources(
	need_category: str, patient: str | None = None, postal_code: str | None = None, limit: int = 20
):
	"""Active resources for a need that serve the patient's postal code (or
	everywhere), the recently verified first. One query."""
	if patient:
		frappe.has_permission("Patient", "read", doc=patient, throw=True)
		postal_code = postal_code or patient_postal_code(patient)
	return frappe.db.sql(
		"""
		select r.name, r.resource_name, r.organization_name, r.phone, r.postal_code, r.last_verified_on,
			(r.last_verified_on >= %(recent)s) as recently_verified,
			(%(postal)s != '' and find_in_set(%(postal)s, replace(r.service_area_postal_codes, '\n', ','))) as serves_postal_code
		from `tabCommunity Resource` r
		join `tabCommunity Resource Need` n on n.parent = r.name and n.parenttype = 'Community Resource'
		where n.need_category = %(need)s and r.status = 'active'
			and (ifnull(r.service_area_postal_codes, '') = '' and ifnull(r.service_area_counties, '') = ''
				or (%(postal)s != '' and find_in_set(%(postal)s, replace(r.service_area_postal_codes, '\n', ','))))
		order by serves_postal_code desc, recently_verified desc, r.last_verified_on desc, r.resource_name
		limit %(limit)s
		""",
		{
			"need": need_category,
			"postal": postal_code or "",
			"recent": add_months(getdate(today()), -VERIFIED_RECENTLY_MONTHS),
			"limit": int(limit),
		},
		as_dict=True,
	)
