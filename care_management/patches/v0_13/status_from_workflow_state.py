"""Care plans and referrals whose Status disagrees with what their Workflow
State means are listed in the Error Log and then given the state's meaning.

Until v0.13 a client could save a Status its state did not mean (say a Draft
plan saved as Active through the REST API), and the month close, the worklist,
FHIR and the portal read the Status, so such a row may have been billed. The
list (one Error Log entry for the site) is what billing staff check against
the Care Billing Records of the months since each row was last modified;
correcting the rows does not re-close those months. A row whose state has no
meaning in the workflow is listed but left as it is (the admin gives the state
a meaning, then saves the row). Idempotent: a second run finds nothing and
logs nothing. Set-based: one query per doctype to list, one to correct."""

import frappe
from frappe.model.workflow import get_workflow_name

from care_management.workflow_meaning import MEANING_FIELD, STATE_FIELD

ERROR_LOG_TITLE = "Care Plan and Referral Status corrected from Workflow State"


def execute():
	found = {doctype: disagreeing_rows(doctype) for doctype in MEANING_FIELD}
	if not any(found.values()):
		return
	frappe.log_error(title=ERROR_LOG_TITLE, message=report(found))
	for doctype, rows in found.items():
		if rows:
			correct(doctype)


def disagreeing_rows(doctype: str) -> list[dict]:
	workflow = get_workflow_name(doctype)
	if not workflow:
		return []
	field = MEANING_FIELD[doctype]
	return frappe.db.sql(
		f"""
		select d.name, d.patient, d.{STATE_FIELD} as state, d.{field} as status, s.update_value as meaning,
			d.modified
		from `tab{doctype}` d
		left join `tabWorkflow Document State` s
			on s.parenttype = 'Workflow' and s.parent = %(workflow)s and s.state = d.{STATE_FIELD}
			and s.update_field = %(field)s
		where ifnull(d.{STATE_FIELD}, '') != '' and not (d.{field} <=> s.update_value)
		order by d.modified
		""",
		{"workflow": workflow, "field": field},
		as_dict=True,
	)


def correct(doctype: str) -> None:
	"""The state's meaning, without touching `modified`: the row's last real edit
	stays what the list above dates the possibly billed months by."""
	field = MEANING_FIELD[doctype]
	frappe.db.sql(
		f"""
		update `tab{doctype}` d
		join `tabWorkflow Document State` s
			on s.parenttype = 'Workflow' and s.parent = %(workflow)s and s.state = d.{STATE_FIELD}
			and s.update_field = %(field)s
		set d.{field} = s.update_value
		where ifnull(s.update_value, '') != '' and not (d.{field} <=> s.update_value)
		""",
		{"workflow": get_workflow_name(doctype), "field": field},
	)


def report(found: dict[str, list[dict]]) -> str:
	lines = [
		"These rows had a Status their Workflow State does not mean, saved without the workflow's",
		"actions. The month close, the worklist, FHIR and the portal read the Status, so they may",
		"have been billed or shown as they stood: check the Care Billing Records of each patient",
		"for the months since the row was last modified. The Status is now the state's meaning.",
		"",
	]
	for doctype, rows in found.items():
		for row in rows:
			after = row.meaning or "not corrected: the state has no meaning in the workflow"
			line = (
				f"{doctype} {row.name} (patient {row.patient}, last modified {row.modified}):"
				f" Workflow State {row.state}, Status {row.status} -> {after}"
			)
			if doctype == "Care Plan" and row.status == "Closed" and row.meaning and row.meaning != "Closed":
				line += " (the patient may now have two current plans: close one through the workflow)"
			lines.append(line)
	return "\n".join(lines)
