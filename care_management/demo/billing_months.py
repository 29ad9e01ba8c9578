"""The demo's billing, as a billing clerk runs it each month: the month closed
for each of the practice's billing practitioners (the site's other practitioners
are left alone), payer and patient invoices created and submitted, a Claim
Export per practitioner with its 837P file, and the payer's 835 posted through
a Remittance Import: claims paid in full, one paid short (sequestration), one
denied. The 835 is written from the exported claims as the payer would
(demo/remittance_file.py)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import frappe
from frappe.utils import add_days, add_months, flt, getdate, today

from care_management.billing.invoicing import create_invoices
from care_management.billing.month_close import close_month
from care_management.demo.loader import DEMO_PAYER
from care_management.demo.remittance_file import remittance_835
from care_management.demo.timing import Phases

INVOICED_PATIENTS = 6
DEPOSIT_ACCOUNT = "Demo Practice Bank"
CLEARINGHOUSE = {
	"clearinghouse_submitter_id": "DEMOSUB",
	"clearinghouse_receiver_id": "DEMORCV",
	"place_of_service": "11",
}


def deposit_account(company: str) -> str:
	"""Settings' account payer payments go to; a bank ledger of the company made when none is set."""
	current = frappe.db.get_single_value("Care Management Settings", "remittance_deposit_account")
	if current:
		return current
	abbr = frappe.get_cached_value("Company", company, "abbr")
	account = f"{DEPOSIT_ACCOUNT} - {abbr}"
	if not frappe.db.exists("Account", account):
		parent = frappe.db.get_value(
			"Account", {"company": company, "account_type": "Bank", "is_group": 1}, "name"
		) or frappe.db.get_value("Account", {"company": company, "root_type": "Asset", "is_group": 1}, "name")
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": DEPOSIT_ACCOUNT,
				"company": company,
				"parent_account": parent,
				"account_type": "Bank",
				"is_group": 0,
			}
		).insert(ignore_permissions=True)
	frappe.db.set_single_value("Care Management Settings", "remittance_deposit_account", account)
	return account


def ready_to_send_claims(company: str) -> None:
	for field, value in CLEARINGHOUSE.items():
		if not frappe.db.get_single_value("Care Management Settings", field):
			frappe.db.set_single_value("Care Management Settings", field, value)
	deposit_account(company)
	frappe.clear_document_cache("Care Management Settings", "Care Management Settings")


def invoiced_patients(month: date, patients: list[str]) -> list[str]:
	"""The patients the clerk has invoiced so far: the TCM patients and the first others
	with a Ready record; the rest stay Ready to bill (the billing workspace's work).
	Bounded, so the load's slowest step (ERPNext invoices, saved and submitted one by
	one, about a second each on a 2-core machine) does not grow with the practice. Six
	patients still give payer invoices of every kind (Part B, Medicare Advantage,
	Medicaid, a Medigap secondary), patient invoices, and enough Part B claims for the
	835 to pay, pay short and deny (test_demo checks it); ten took 20 s of the minute."""
	ready = frappe.db.sql_list(
		"""select distinct r.patient from `tabCare Billing Record` r
		where r.month = %(month)s and r.status = 'Ready' and r.patient in %(patients)s
		order by exists (select 1 from `tabCare Billing Line` l where l.parent = r.name
			and l.code in ('99495', '99496')) desc, r.patient""",
		{"month": month, "patients": patients},
	)
	return ready[:INVOICED_PATIENTS]


def bill_month(
	month: date, practitioners: list[str], patients: list[str], prefix: str, timed: Phases | None = None
) -> dict:
	"""Close, invoice, export and post one month of the demo practice."""
	timed = timed or Phases()
	company = frappe.db.get_single_value("Care Management Settings", "company")
	with timed("month close"):
		for practitioner in practitioners:
			close_month(month, practitioner=practitioner, now=True)
	invoices = 0
	with timed("invoices"):
		for patient in invoiced_patients(month, patients):
			invoices += len(create_invoices(month, submit=1, patient=patient, commit=False)["invoices"])
	exports = []
	with timed("claim exports"):
		for practitioner in practitioners:
			export = frappe.get_doc(
				{
					"doctype": "Claim Export",
					"month": month,
					"company": company,
					"billing_practitioner": practitioner,
				}
			).insert(ignore_permissions=True)
			export.submit()
			exports.append(export)
	with timed("835"):
		remittances = post_remittance(month, company, exports, prefix)
	return {"sales_invoices": invoices, "claim_exports": len(exports), "remittance_imports": remittances}


def post_remittance(month: date, company: str, exports: list, prefix: str) -> int:
	"""The Part B payer's 835 for the month's exported claims: all paid, one short, one denied."""
	payer_id = frappe.db.get_value("Customer", DEMO_PAYER, "payer_id")
	rows = [
		row
		for export in exports
		for row in export.invoices
		if row.status == "Exported"
		and frappe.db.get_value("Sales Invoice", row.sales_invoice, "customer") == DEMO_PAYER
	]
	if not rows:
		return 0
	claims = []
	for n, row in enumerate(rows):
		charge = Decimal(str(row.charge))
		owed = Decimal(
			str(flt(frappe.db.get_value("Sales Invoice", row.sales_invoice, "outstanding_amount")))
		)
		number = f"ICN{row.sales_invoice.replace('-', '')}"[:20]
		if n == 1:
			claims.append({
				"claim_id": row.sales_invoice, "status": "4", "charge": charge, "paid": Decimal(0),
				"adjustments": [("CO", "50", charge)], "payer_claim_number": number,
			})  # fmt: skip
			continue
		paid = (owed * Decimal("0.98")).quantize(Decimal("0.01")) if n == 2 else owed
		adjustments = [("CO", "45", charge - owed)] if charge != owed else []
		if paid != owed:
			adjustments.append(("CO", "253", owed - paid))
		claims.append({
			"claim_id": row.sales_invoice, "charge": charge, "paid": paid, "adjustments": adjustments,
			"payer_claim_number": number,
		})  # fmt: skip
	text = remittance_835(
		claims,
		payer_name=DEMO_PAYER.upper(),
		payer_id=payer_id,
		# The payer's trace number is unique per payment (a second demo of another prefix is another payment).
		trace_number=f"EFT{month.strftime('%Y%m')}{re.sub('[^A-Z0-9]', '', prefix.upper())}",
		payment_date=min(getdate(add_days(add_months(month, 1), 14)), getdate(today())),
		payee_npi=frappe.db.get_value("Company", company, "npi") or "1234567893",
	)
	file_url = (
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"demo-{month.strftime('%Y-%m')}.835",
				"content": text,
				"is_private": 1,
			}
		)
		.insert(ignore_permissions=True)
		.file_url
	)
	remittance = frappe.get_doc(
		{"doctype": "Remittance Import", "company": company, "file": file_url}
	).insert(ignore_permissions=True)
	remittance.submit()
	return 1
