"""At most one Care Billing Record per month, patient, program and billing
practitioner: a unique key in the database, so no timing of closes can make two.

The practitioner is stored as "" rather than NULL when there is none (a TCM
without a default practitioner), because a unique key treats NULLs as distinct.

A site that already holds duplicates (made before the key existed) gets them
removed where nothing was invoiced; duplicates on invoices are kept, listed in
an Error Log for billing staff, and the key is added only once none remain.
"""

from __future__ import annotations

import frappe
from frappe import _

RECORD = "Care Billing Record"
KEY_FIELDS = ["month", "patient", "program", "billing_practitioner"]
CONSTRAINT = "unique_billing_key"
COVERED_INDEX = "month_patient_program_index"


def key_exists() -> bool:
	return bool(
		frappe.db.sql(
			"""select 1 from information_schema.table_constraints
			where table_schema = database() and table_name = %s and constraint_name = %s""",
			("tab" + RECORD, CONSTRAINT),
		)
	)


def duplicate_groups() -> list[frappe._dict]:
	return frappe.db.sql(
		"""select month, patient, program, billing_practitioner, count(*) as records
		from `tabCare Billing Record`
		group by month, patient, program, billing_practitioner having count(*) > 1""",
		as_dict=True,
	)


def remove_uninvoiced_duplicates() -> list[frappe._dict]:
	"""Keep, of each key, every record that is invoiced or on an invoice, else the
	newest one; delete the rest (with their lines). Returns the groups that still
	have more than one record because several of them were invoiced."""
	frappe.db.sql(
		"update `tabCare Billing Record` set billing_practitioner = '' where billing_practitioner is null"
	)
	left = []
	for group in duplicate_groups():
		rows = frappe.db.sql(
			"""select r.name, r.invoiced or exists(
					select 1 from `tabCare Billing Line` l
					join `tabSales Invoice Item` i on i.reference_dt = 'Care Billing Line' and i.reference_dn = l.name
					where l.parent = r.name and i.docstatus < 2) as on_invoice
			from `tabCare Billing Record` r
			where r.month = %(month)s and r.patient = %(patient)s and r.program = %(program)s
				and r.billing_practitioner = %(billing_practitioner)s
			order by r.modified desc, r.name""",
			group,
			as_dict=True,
		)
		keep = [row.name for row in rows if row.on_invoice] or [rows[0].name]
		drop = [row.name for row in rows if row.name not in keep]
		if drop:
			frappe.db.delete("Care Billing Line", {"parent": ("in", drop), "parenttype": RECORD})
			frappe.db.delete(RECORD, {"name": ("in", drop)})
		if len(keep) > 1:
			left.append(frappe._dict(group, records=keep))
	return left


def ensure_billing_key() -> bool:
	"""Add the unique key when the data allows it; report why not otherwise."""
	if key_exists():
		drop_index_the_key_covers()
		return True
	left = remove_uninvoiced_duplicates()
	if left:
		frappe.log_error(
			title=_("Care Billing Records invoiced twice: unique key not added"),
			message=_(
				"These patients have more than one invoiced Care Billing Record for one month, program and "
				"billing practitioner. Cancel the duplicate Sales Invoices (and credit the payer where a claim "
				"was paid), delete the spare records, then run bench migrate to add the key.\n\n{0}"
			).format(
				"\n".join(
					f"{g.month} {g.patient} {g.program} {g.billing_practitioner or '-'}: {', '.join(g.records)}"
					for g in left
				)
			),
		)
		return False
	frappe.db.add_unique(RECORD, KEY_FIELDS, constraint_name=CONSTRAINT)
	drop_index_the_key_covers()
	return True


def drop_index_the_key_covers() -> None:
	"""The older (month, patient, program) index: the key's leading columns do its
	work, and every close writes both, so it only costs."""
	if frappe.db.sql("show index from `tabCare Billing Record` where Key_name = %s", COVERED_INDEX):
		frappe.db.sql_ddl(f"alter table `tabCare Billing Record` drop index `{COVERED_INDEX}`")
