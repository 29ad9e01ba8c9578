"""The browser tier's role matrix: one desk user per role the app ships (and
Healthcare's Physician as the supervising practitioner), each holding only that
role, and an invoiced record in the month billing staff work.

Who the users are comes from the roles the app creates (install.APP_ROLES, the
ones with desk access): a role added there gets a user here, and the browser
step opens its workspace with no change.
"""

import frappe

from care_management.setup.install import APP_ROLES
from care_management.tests.factories import make_user

PHYSICIAN = "Physician"
INVOICED_FIRST_NAME = "Browser Invoiced"


def only_role(email: str, role: str) -> str:
	"""``email`` as a desk user whose one role is ``role`` (an earlier run's other roles go)."""
	make_user(email, [])
	user = frappe.get_doc("User", email)
	if sorted(r.role for r in user.roles) != [role]:
		user.set("roles", [])
		user.append("roles", {"role": role})
		user.save(ignore_permissions=True)
		frappe.clear_cache(user=email)
	return email


def desk_roles() -> list[str]:
	"""The app's roles that sign in to the desk, then Healthcare's Physician."""
	return [
		role for role in APP_ROLES if frappe.db.get_value("Role", role, "desk_access") in (1, "1", None)
	] + [PHYSICIAN]


def role_matrix_users(known: dict[str, str]) -> list[dict[str, str]]:
	"""One user per desk role, each holding only it. ``known``: role -> a user the fixture
	already makes for it (the care manager with a caseload, the supervising doctor);
	any other role gets browser.<role>@example.org."""
	users = []
	for role in desk_roles():
		email = known.get(role) or f"browser.{frappe.scrub(role).replace('_', '-')}@example.org"
		users.append({"role": role, "user": only_role(email, role)})
	return users


def log_for_invoicing(practitioner: str, month) -> str | None:
	"""A patient of the browser care manager billed by ``practitioner`` with a 25-minute CCM call
	in ``month``, so the close makes a Ready record for it; None when an earlier run's record of
	that month is already invoiced (it stays as it is: billed exactly once)."""
	from care_management.tests.browser_fixture import one_call_in_the_month

	patient = frappe.db.get_value("Patient", {"first_name": INVOICED_FIRST_NAME})
	if patient and invoiced_record(patient, month):
		return None
	# Another day than the other billing patient's call: a performer's logs may not overlap.
	return one_call_in_the_month(INVOICED_FIRST_NAME, practitioner, month, day=25, minutes=25)[0]


def invoiced_record(patient: str, month) -> str | None:
	rows = frappe.db.sql(
		"""select record.name from `tabCare Billing Record` record
		join `tabCare Billing Line` line on line.parent = record.name
			and line.parenttype = 'Care Billing Record' and ifnull(line.sales_invoice, '') != ''
		where record.patient = %s and record.month = %s limit 1""",
		(patient, month),
	)
	return rows[0][0] if rows else None


def invoice_after_the_close(patient: str | None, month) -> str:
	"""Draft invoices of ``patient``'s closed record (as ERPNext's accountant makes them), so
	the billing report's month shows Sales Invoice and payer links a billing clerk alone may
	not open. Returns the invoiced record."""
	patient = patient or frappe.db.get_value("Patient", {"first_name": INVOICED_FIRST_NAME})
	if patient and not invoiced_record(patient, month):
		from care_management.billing.invoicing import create_invoices

		result = create_invoices(month, submit=0, patient=patient)
		assert result["invoices"], f"the role matrix's record was not invoiced: {result}"
	record = invoiced_record(patient, month)
	assert record, "the role matrix has no invoiced record in the month billing staff work"
	return record
