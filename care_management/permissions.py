"""Row-level access to care-management records (hooks.py wires these).

The role perms in each DocType say *what* a role may do; these hooks say *to
which patients*. The rule itself (who sees all, a caseload, or supervised
plans) lives in care_management.domain.access.
"""

import frappe
from frappe import _
from frappe.permissions import get_valid_perms

from care_management.domain.access import CASELOAD_ROLE, AccessScope, access_scope
from care_management.setup.patient_access import CASELOAD_LIMITED

# Statuses of an enrollment that put its patient in the enrolling care manager's caseload.
CASELOAD_ENROLLMENT_STATUSES = ("Pending Consent", "Active", "Paused")

# doctype -> (patient field, practitioner field or None, performer field or None).
# Every doctype this app adds that holds patient data is listed here and in
# hooks.py. Whoever performed a record (e.g. logged the time) always sees it.
PATIENT_RECORDS = {
	"Care Plan": ("patient", "supervising_practitioner", None),
	"Care Program Enrollment": ("patient", "billing_practitioner", None),
	"Outreach Log": ("patient", None, "performed_by"),
	"Care Billing Record": ("patient", "billing_practitioner", None),
	"Care Billing Adjustment": ("patient", "billing_practitioner", None),
	"Device Reading": ("patient", None, None),
	"Care Transition": ("patient", None, None),
	"Needs Screening": ("patient", None, "screened_by"),
	"Resource Referral": ("patient", None, "referred_by"),
	"Screening Invitation": ("patient", None, "sent_by"),
	"Patient Care Plan Update": ("patient", None, None),
	"Patient Coverage": ("patient", None, None),
	# A message no patient is matched to yet is read only by those who see every patient.
	"ADT Message": ("patient", None, None),
}
# doctype -> the field naming the user a record was escalated to, who may read it
# (not change it): a red flag's ToDo sends the supervising practitioner to the log,
# and the practitioner receives escalations (product.md).
ESCALATED_TO = {"Outreach Log": "escalated_to"}
READ_PTYPES = (None, "read", "select", "print")


def scope_of(user: str) -> AccessScope:
	return access_scope(frappe.get_roles(user))


def caseload_patients_sql(user: str) -> str:
	"""A sub-query of the patient names in ``user``'s caseload."""
	u = frappe.db.escape(user)
	statuses = ", ".join(frappe.db.escape(s) for s in CASELOAD_ENROLLMENT_STATUSES)
	return (
		f"(select `tabPatient`.name from `tabPatient` where `tabPatient`.care_manager = {u}"
		f" union select `tabCare Program Enrollment`.patient from `tabCare Program Enrollment`"
		f" where `tabCare Program Enrollment`.care_manager = {u}"
		f" and `tabCare Program Enrollment`.status in ({statuses}))"
	)


def practitioners_sql(user: str) -> str:
	return f"(select name from `tabHealthcare Practitioner` where user_id = {frappe.db.escape(user)})"


def record_conditions(doctype: str, user: str, scope: AccessScope) -> str:
	patient_field, practitioner_field, performer_field = PATIENT_RECORDS[doctype]
	table = f"`tab{doctype}`"
	ors = [f"{table}.`{performer_field}` = {frappe.db.escape(user)}"] if performer_field else []
	if doctype in ESCALATED_TO:
		ors.append(f"{table}.`{ESCALATED_TO[doctype]}` = {frappe.db.escape(user)}")
	if scope.own_caseload:
		ors.append(f"{table}.`{patient_field}` in {caseload_patients_sql(user)}")
	if scope.as_practitioner and practitioner_field:
		ors.append(f"{table}.`{practitioner_field}` in {practitioners_sql(user)}")
	return "(" + " or ".join(ors) + ")" if ors else "1=0"


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	scope = scope_of(user)
	if scope.all_patients or doctype not in PATIENT_RECORDS:
		return ""
	return record_conditions(doctype, user, scope)


def has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	scope = scope_of(user)
	if scope.all_patients or doc.doctype not in PATIENT_RECORDS:
		return None
	patient_field, practitioner_field, performer_field = PATIENT_RECORDS[doc.doctype]
	if performer_field and doc.get(performer_field) == user and not doc.is_new():
		return True
	escalated_to = ESCALATED_TO.get(doc.doctype)
	if escalated_to and ptype in READ_PTYPES and doc.get(escalated_to) == user and not doc.is_new():
		return True
	patient = doc.get(patient_field)
	if scope.own_caseload and patient and in_caseload(patient, user):
		# The save that asked may skip asking again (Outreach Log's performer check).
		doc.flags.in_caseload_of = user
		return True
	if scope.as_practitioner and practitioner_field and doc.get(practitioner_field):
		if frappe.db.get_value("Healthcare Practitioner", doc.get(practitioner_field), "user_id") == user:
			return True
	if doc.is_new() and patient and ptype == "create":
		# Say why, rather than Frappe's generic "insufficient permission".
		frappe.throw(
			_(
				"{0}: {1} is not in your caseload. Ask a Care Management Supervisor to assign the patient to you."
			).format(_(doc.meta.get_label(patient_field)), frappe.bold(frappe.utils.escape_html(patient))),
			frappe.PermissionError,
			title=_("Not in Your Caseload"),
		)
	return False


def in_caseload(patient: str, user: str) -> bool:
	"""One round trip: it runs on every save of every patient record."""
	return bool(
		frappe.db.sql(
			"""select exists(select 1 from `tabPatient` where name = %(patient)s and care_manager = %(user)s)
			or exists(select 1 from `tabCare Program Enrollment` where patient = %(patient)s
				and care_manager = %(user)s and status in %(statuses)s)""",
			{"patient": patient, "user": user, "statuses": CASELOAD_ENROLLMENT_STATUSES},
		)[0][0]
	)


# --- Patient and Healthcare's patient records: care managers get access by
# install code (setup/patient_access.py), limited here to their caseload.


def only_care_manager_reads(doctype: str, user: str) -> bool:
	"""True when Care Manager is the user's only role that may read ``doctype``;
	then the caseload limits which rows they see. A nurse or physician who is
	also a care manager keeps the access Healthcare gives them."""
	readers = {perm.role for perm in get_valid_perms(doctype, user) if perm.get("read") or perm.get("select")}
	return readers == {CASELOAD_ROLE}


def only_care_manager_reads_patients(user: str) -> bool:
	return only_care_manager_reads("Patient", user)


def patient_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if user == "Administrator" or not only_care_manager_reads_patients(user):
		return ""
	return f"`tabPatient`.name in {caseload_patients_sql(user)}"


def patient_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if user == "Administrator" or doc.is_new() or not only_care_manager_reads_patients(user):
		return None
	return in_caseload(doc.name, user)


def healthcare_record_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Patient Appointment, Vital Signs, Patient Encounter, Inpatient Record."""
	user = user or frappe.session.user
	if (
		user == "Administrator"
		or doctype not in CASELOAD_LIMITED
		or not only_care_manager_reads(doctype, user)
	):
		return ""
	return f"`tab{doctype}`.`{CASELOAD_LIMITED[doctype]}` in {caseload_patients_sql(user)}"


def healthcare_record_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if (
		user == "Administrator"
		or doc.doctype not in CASELOAD_LIMITED
		or not only_care_manager_reads(doc.doctype, user)
	):
		return None
	patient = doc.get(CASELOAD_LIMITED[doc.doctype])
	if patient and in_caseload(patient, user):
		return True
	if doc.is_new() and ptype == "create" and patient:
		frappe.throw(
			_(
				"{0}: {1} is not in your caseload. Ask a Care Management Supervisor to assign the patient to you."
			).format(_("Patient"), frappe.bold(frappe.utils.escape_html(patient))),
			frappe.PermissionError,
			title=_("Not in Your Caseload"),
		)
	# A new record with no patient yet: the form is being filled in.
	return bool(doc.is_new() and not patient)
