"""What the PHI access audit needs outside the app's own doctypes.

- Healthcare's Patient records every opening of its form in Frappe's View Log
  while the app is installed (*Track Views*, a Property Setter: Healthcare ships
  the doctype without it). An admin's own setting of it in Customize Form is
  left as it is, and uninstalling removes only the setter made here.
- Indexes on Frappe's Access Log and View Log for what the PHI Access report
  reads by: a period, a user, a document. Frappe indexes only ``modified`` (and
  View Log's ``reference_name``); without them the report reads every entry
  ever written. Uninstall drops them again.

Idempotent; run by install and by the patch ``v0_13.phi_access_audit``."""

import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

TRACKED_HEALTHCARE_DOCTYPES = ("Patient",)

LOG_INDEXES = {
	"Access Log": [("creation",), ("user", "creation"), ("reference_document",)],
	"View Log": [("viewed_by", "creation")],
}


def index_name(columns: tuple[str, ...]) -> str:
	# The name frappe.db.add_index gives an index it makes.
	return "_".join(columns) + "_index"


def own_setter_filters(doctype: str) -> dict:
	return {"doc_type": doctype, "property": "track_views", "doctype_or_field": "DocType"}


def track_healthcare_views() -> None:
	for doctype in TRACKED_HEALTHCARE_DOCTYPES:
		existing = frappe.db.get_value(
			"Property Setter", own_setter_filters(doctype), ["name", "is_system_generated"], as_dict=True
		)
		if existing and not existing.is_system_generated:
			continue  # set by an admin in Customize Form: theirs to keep
		if existing:
			frappe.db.set_value("Property Setter", existing.name, "value", "1")
		else:
			make_property_setter(doctype, None, "track_views", 1, "Check", for_doctype=True)
		frappe.clear_cache(doctype=doctype)


def untrack_healthcare_views() -> None:
	for doctype in TRACKED_HEALTHCARE_DOCTYPES:
		frappe.db.delete("Property Setter", {**own_setter_filters(doctype), "is_system_generated": 1})
		frappe.clear_cache(doctype=doctype)


def add_log_indexes() -> None:
	for doctype, indexes in LOG_INDEXES.items():
		for columns in indexes:
			frappe.db.add_index(doctype, list(columns), index_name(columns))


def drop_log_indexes() -> None:
	for doctype, indexes in LOG_INDEXES.items():
		for columns in indexes:
			if frappe.db.has_index(f"tab{doctype}", index_name(columns)):
				frappe.db.sql_ddl(f"alter table `tab{doctype}` drop index `{index_name(columns)}`")


def set_up_phi_access_audit() -> None:
	track_healthcare_views()
	add_log_indexes()


def remove_phi_access_audit() -> None:
	untrack_healthcare_views()
	drop_log_indexes()
