"""Community Resource's latitude and longitude became text fields that can be
empty. As Float columns they were 0 whenever nobody knew the position, and the
HSDS export sent such resources at latitude 0, longitude 0 (the Gulf of Guinea).
Model sync has turned the columns to text ("39.781700000"); this empties 0,0
where no street address backs the resource, and writes the rest without the
column's trailing zeros (39.7817), as the form now keeps them. A 0,0 beside an
address is left for the team to correct; the export never sends 0,0 either way."""

import frappe


def execute():
	frappe.db.sql(
		"""update `tabCommunity Resource` set latitude = null, longitude = null
		where ifnull(address_1, '') = ''
			and ifnull(latitude, '') regexp '^-?0*[.]?0*$' and ifnull(longitude, '') regexp '^-?0*[.]?0*$'"""
	)
	for axis in ("latitude", "longitude"):
		frappe.db.sql(
			f"""update `tabCommunity Resource`
			set {axis} = trim(trailing '.' from trim(trailing '0' from {axis}))
			where {axis} regexp '^-?[0-9]+[.][0-9]*0$'"""
		)
