"""No message, comment or desk HTML of the app writes a user-supplied value unescaped
(escaping_checks.py holds the rules), and the check does catch one that does."""

from pathlib import Path

import pytest
from escaping_checks import APP, app_findings, javascript_findings, python_findings


def test_no_message_or_desk_html_of_the_app_writes_an_unescaped_value():
	assert [str(f) for f in app_findings()] == []


BAD_PYTHON = [
	'frappe.throw(_("{0} is not in the caseload.").format(frappe.bold(self.patient_name)))',
	"frappe.bold(doc.customer_name or doc.name)",
	'frappe.msgprint(_("Enrolled {0}").format(self.patient_name))',
	'frappe.throw(f"{doc.patient_name} is not valid")',
	'plan.add_comment("Info", _("Goal: {0}").format(row.goal))',
	'frappe.throw(_("Link: {0}").format(frappe.get_desk_link("Care Plan", other.name)))',
	'frappe.throw(_("{0}").format(", ".join(frappe.bold(n) for n in names)))',
	'frappe.throw(_("Status {0}").format(_(doc.status)))',
]
GOOD_PYTHON = [
	'frappe.throw(_("{0} is not in the caseload.").format(frappe.bold(frappe.utils.escape_html(self.patient_name))))',
	"frappe.bold(escape_html(doc.customer_name or doc.name))",
	'frappe.throw(_("Row {0}: {1}").format(row.idx, formatdate(self.start_date)))',
	'frappe.throw(_("Link: {0}").format(desk_link("Care Plan", other.name)))',
	'frappe.throw(_("At most {0}").format(MAX_READINGS))',
	'frappe.bold(_("an invoice"))',
	'frappe.throw(_("{0}").format(_(doc.meta.get_label("patient"))))',
	'frappe.throw(_("{0} rows").format(count))  # html-safe: a count',
	'frappe.throw(_("{0}").format(frappe.utils.escape_html(f"{row.a}: {row.b}")))',
]


@pytest.mark.parametrize("line", BAD_PYTHON)
def test_an_unescaped_value_in_python_is_reported(line):
	assert python_findings(line) != []


@pytest.mark.parametrize("line", GOOD_PYTHON)
def test_an_escaped_or_constant_value_in_python_passes(line):
	assert python_findings(line) == []


BAD_JAVASCRIPT = [
	"wrapper.html(`<b>${frm.doc.patient_name}</b>`);",
	"wrapper.html(frm.doc.patient_name);",
	'frappe.msgprint(__("Hello {0}", [frm.doc.patient_name]));',
	'frappe.show_alert({ message: __("Timer for {0}", [info.patient_name || info.patient]) });',
	"const row = `<li>${r.patient} (${r.program})</li>`;",
	'frm.add_custom_button(__("Accept {0}", [frm.doc.suggested_risk_tier]), () => 1);',
	'const x = `<a>${ok ? frm.doc.patient_name : ""}</a>`;',
]
GOOD_JAVASCRIPT = [
	"wrapper.html(`<b>${frappe.utils.escape_html(frm.doc.patient_name)}</b>`);",
	'wrapper.html(`<span class="${running ? "green" : "gray"}">${__("Start Timer")}</span>`);',
	'frappe.msgprint(__("Hello {0}", [frappe.utils.escape_html(frm.doc.patient_name)]));',
	'frappe.msgprint(__("{0} rows", [rows.length]));',
	'const row = `<li>${esc(r.patient)} <a href="/app/x/${encodeURIComponent(r.name)}">${value}</a></li>`;',
	"const note = `${frm.doc.patient_name} called`;  // not markup: a field value for a Data field",
	'frappe.new_doc("Patient Appointment", { notes: __("Follow-up from {0}", [frm.doc.name]) });',
	'const x = `<p>${blocks.join("")}</p>`; // html-safe: each block escapes its text',
]


@pytest.mark.parametrize("line", BAD_JAVASCRIPT)
def test_an_unescaped_value_in_javascript_is_reported(line):
	assert javascript_findings(line) != []


@pytest.mark.parametrize("line", GOOD_JAVASCRIPT)
def test_an_escaped_or_constant_value_in_javascript_passes(line):
	assert javascript_findings(line) == []


def undo(path: str, escaped: str, raw: str) -> str:
	source = (APP.parent / path).read_text()
	assert escaped in source
	return source.replace(escaped, raw, 1)


def test_removing_the_escape_from_a_real_refusal_is_caught():
	path = "care_management/care_management/doctype/outreach_log/outreach_log.py"
	source = undo(
		path,
		"frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient))",
		"frappe.bold(self.patient_name or self.patient)",
	)
	assert [f.code for f in python_findings(source, path)] == ["self.patient_name or self.patient"]


def test_removing_the_escape_from_the_timer_reminder_is_caught():
	path = "care_management/public/js/running_timer.js"
	source = undo(path, "esc(info.patient_name || info.patient)", "info.patient_name || info.patient")
	assert [f.code for f in javascript_findings(source, path)] == ["info.patient_name || info.patient"]


def test_the_check_reads_every_desk_script_and_controller():
	from escaping_checks import app_javascript_files, app_python_files

	names = {Path(p).name for p in app_python_files() + app_javascript_files()}
	assert {
		"outreach_log.py",
		"outreach_timer.py",
		"care_plan.py",
		"running_timer.js",
		"outreach_log.js",
	} <= names
	assert not any("/domain/" in str(p) or "/tests/" in str(p) for p in app_python_files())
