"""The real-browser test of the desk: headless Chromium (Debian's) driven by
Playwright against a site served on 127.0.0.1.

    <bench>/env/bin/python scripts/browser_flow.py --base http://127.0.0.1:PORT \
        --fixture '<json from care_management.tests.browser_fixture.prepare>' --shots test-artifacts/screenshots

Each step is a check; a screenshot is saved after it. Prints one line per step
and a closing 'browser: N passed, N failed'; exits non-zero on any failure.

BROWSER_STEPS (optional, while working on a step): comma-separated words; only the
steps whose name contains one of them run. Unset, every step runs.
"""

import argparse
import datetime
import json
import os
import re
import sys
import traceback
import urllib.request
from pathlib import Path

from browser_role_matrix import RoleMatrix
from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
]


def where(error) -> str:
	"""The script line an uncaught page error came from (its stack's first frame)."""
	frames = [
		line.strip()
		for line in (getattr(error, "stack", "") or "").splitlines()
		if line.strip().startswith("at ")
	]
	return frames[0] if frames else "no stack"


# Frappe's workspace chart widget drops its chart object without destroying it when it
# draws again (chart_widget.js refresh/render: `delete this.dashboard_chart`), and the
# old chart's ResizeObserver then redraws into the node the new one replaced:
# frappe-charts' makeChartArea throws "removeChild ... not a child of this node". It is
# in Frappe's bundle, shows the user nothing (the new chart is drawn) and comes and goes
# with timing; only that exact frame (read from the served bundle) is not counted.
FRAPPE_CHARTS_FRAME = re.compile(r"\((http[^()]*/assets/frappe/dist/js/[^()]*\.js):(\d+):(\d+)\)")
_bundle_lines: dict[str, list[str]] = {}


def frappe_charts_redraw_of_a_replaced_chart(base: str, error) -> bool:
	if "removeChild" not in str(error):
		return False
	frame = FRAPPE_CHARTS_FRAME.search(where(error))
	if not frame or not frame.group(1).startswith(base):
		return False
	url, line, column = frame.group(1), int(frame.group(2)), int(frame.group(3))
	if url not in _bundle_lines:
		with urllib.request.urlopen(url, timeout=30) as response:
			_bundle_lines[url] = response.read().decode("utf-8", "replace").splitlines()
	lines = _bundle_lines[url]
	if not 0 < line <= len(lines):
		return False
	source = lines[line - 1]
	return (
		source[column - 1 :].startswith("removeChild(this.svg)")
		and 'key:"makeChartArea"' in source[max(0, column - 200) : column]
	)


class Flow:
	def __init__(self, page, base: str, shots: Path, fixture: dict):
		self.page, self.base, self.shots, self.fixture = page, base, shots, fixture
		self.results: list[tuple[str, bool, str]] = []
		self.errors: list[str] = []
		self.watch(page)

	def app_asset_failed(self, response) -> None:
		"""One of the app's own files (/assets/care_management/…, e.g. the running-timer
		reminder the desk loads on every page) not served: a bench whose assets were never
		built or linked. The desk still loads without it, so only this catches it."""
		if "/assets/care_management/" in response.url and response.status >= 400:
			self.errors.append(f"{response.status} for the app's own asset {response.url}")

	def app_asset_unreachable(self, request) -> None:
		# ERR_ABORTED: the page navigated away while the file was loading, not a missing file.
		if "/assets/care_management/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
			self.errors.append(f"the app's own asset {request.url} failed: {request.failure}")

	def error_dialogs(self) -> list[str]:
		"""Texts of open desk dialogs that report an error ("Not permitted", "No permission", a red indicator)."""
		return self.page.evaluate(
			"""() => [...document.querySelectorAll('.modal.show')]
				.filter((m) => getComputedStyle(m).display !== 'none')
				.filter((m) => m.querySelector('.modal-header .indicator.red, .modal-header .red')
					|| /not permitted|no permission|insufficient permission|traceback|server error/i.test(m.innerText))
				.map((m) => m.innerText.trim().replace(/\\s+/g, ' ').slice(0, 300))"""
		)

	def step(self, number: int, name: str, action) -> None:
		try:
			action()
			if self.errors:
				raise AssertionError(f"JavaScript error or missing app asset on the page: {self.errors[0]}")
			dialogs = self.error_dialogs()
			if dialogs:
				raise AssertionError(f"an error dialog is open: {dialogs[0]}")
			self.results.append((name, True, ""))
		except Exception as error:
			self.results.append((name, False, f"{error}\n{traceback.format_exc(limit=2)}"))
		finally:
			self.errors.clear()
			self.page.screenshot(
				path=str(self.shots / f"{number:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png")
			)

	def login(self, user: str) -> None:
		page = self.page
		# Leave the previous page first: a request it still has in flight (the desk polls)
		# could set the old session's cookie again after the cookies are cleared, and
		# /login would then redirect to the desk instead of showing its form.
		page.goto("about:blank")
		page.context.clear_cookies()
		page.goto(f"{self.base}/login")
		page.fill("#login_email", user)
		page.fill("#login_password", self.fixture["password"])
		page.click(".btn-login")
		page.wait_for_url(re.compile(r".*/app.*"), timeout=30000)

	def page_error(self, page, error) -> None:
		text = f"{error} (on {page.url}; {where(error)})"
		if frappe_charts_redraw_of_a_replaced_chart(self.base, error):
			print(f"note: not counted, Frappe's own chart race (frappe-charts makeChartArea): {text}")
			return
		self.errors.append(text)

	def watch(self, page) -> None:
		"""A page whose JavaScript errors, and failed requests for the app's own assets,
		fail the step (the desk's page, and another such as the phone)."""
		page.on("pageerror", lambda error: self.page_error(page, error))
		page.on("response", self.app_asset_failed)
		page.on("requestfailed", self.app_asset_unreachable)

	def markup_stays_text(self, where: str, scope: str = "body") -> None:
		"""No script of a hostile name ran (the `window.__pwned` marker), and no element came
		of its markup (an <img src=x>) anywhere on the page; `where` names the screen."""
		found = self.page.evaluate(
			"""(scope) => ({
				pwned: window.__pwned || null,
				images: [...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').length,
				in_scope: document.querySelector(scope) ? document.querySelector(scope).innerText : null,
			})""",
			scope,
		)
		assert not found["pwned"], f"{where}: a script in the patient's name ran (window.__pwned is set)"
		assert not found["images"], f"{where}: the patient's name became an <img> element"
		assert found["in_scope"] is not None, f"{where}: nothing at {scope}"

	def wait_idle(self) -> None:
		self.page.wait_for_function(
			"() => !window.frappe || !frappe.request || !frappe.request.ajax_count", timeout=30000
		)


def run(base: str, fixture: dict, shots: Path) -> tuple[list[tuple[str, bool, str]], list[dict]]:
	shots.mkdir(parents=True, exist_ok=True)
	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
		page = browser.new_page(viewport={"width": 1440, "height": 900})
		page.set_default_timeout(30000)
		flow = Flow(page, base, shots, fixture)
		matrix = RoleMatrix(flow)
		patient = fixture["patient"]
		# The patient's own phone: a separate browser context (its own cookies) at 390x844.
		phone_context = browser.new_context(
			viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
		)
		phone = phone_context.new_page()
		phone.set_default_timeout(30000)
		flow.watch(phone)
		spanish_note = "Caminé 20 minutos casi todos los días, pero me canso en la subida"

		def workspace():
			flow.login(fixture["care_manager"])
			page.goto(f"{base}/app/care-management")
			expect(page.get_by_text("Caseload Worklist").first).to_be_visible(timeout=30000)
			# Seven number cards and three charts, each only once its data has come back.
			expect(page.locator(".number-widget-box")).to_have_count(7, timeout=30000)
			expect(page.locator(".dashboard-widget-box")).to_have_count(3, timeout=30000)
			expect(page.locator(".number-widget-box").filter(has_text="Due Today")).to_be_visible()
			page.wait_for_timeout(2500)  # let the cards and charts draw before the screenshot

		def worklist_before():
			page.goto(f"{base}/app/query-report/Caseload Worklist")
			expect(page.locator(".dt-scrollable").get_by_text(patient).first).to_be_visible(timeout=30000)

		def start_timer():
			page.goto(f"{base}/app/outreach-log/new")
			page.wait_for_selector(".outreach-timer", timeout=30000)
			page.evaluate(f"() => cur_frm.set_value('patient', {json.dumps(patient)})")
			flow.wait_idle()
			page.click("button[data-action=start]")
			page.wait_for_url(re.compile(r".*/app/outreach-log/(?!new).+"), timeout=30000)
			expect(page.locator(".outreach-timer .indicator-pill.green")).to_be_visible(timeout=30000)

		def timer_survives_reload():
			page.wait_for_timeout(1200)
			page.reload()
			expect(page.locator(".outreach-timer .indicator-pill.green")).to_be_visible(timeout=30000)
			first = page.inner_text(".timer-display")
			page.wait_for_timeout(1500)
			assert page.inner_text(".timer-display") != first, "the timer is not counting after a reload"

		def stop_and_submit():
			page.click("button[data-action=stop]")
			expect(page.locator("button[data-action=start]")).to_be_visible(timeout=30000)
			page.evaluate(
				"() => { cur_frm.set_value('interactive', 1); cur_frm.set_value('symptoms_reviewed', 1); }"
			)
			flow.wait_idle()
			page.keyboard.press("Control+s")
			flow.wait_idle()
			page.evaluate("() => { cur_frm.savesubmit(); }")  # returns before the confirmation
			page.get_by_role("button", name="Yes").click(timeout=15000)
			page.wait_for_function("() => cur_frm && cur_frm.doc.docstatus === 1", timeout=30000)
			expect(page.get_by_role("button", name="Cancel")).to_be_visible()

		def worklist_after():
			page.goto(f"{base}/app/query-report/Caseload Worklist")
			row = page.locator(".dt-row").filter(has_text=patient).first
			expect(row).to_be_visible(timeout=30000)
			page.wait_for_timeout(800)
			assert "CCM: 1" in row.inner_text() or "CCM" in row.inner_text(), row.inner_text()
			assert (
				page.evaluate(
					f"""() => frappe.query_report.data.find(r => r.patient === {json.dumps(patient)}).days_overdue"""
				)
				== 0
			)

		def care_plan_print():
			page.goto(f"{base}/app/care-plan/{fixture['care_plan']}")
			page.wait_for_function(
				f"() => window.cur_frm && cur_frm.doc.name === {json.dumps(fixture['care_plan'])} && !cur_frm.is_dirty()",
				timeout=30000,
			)
			assert "market" in page.evaluate("() => cur_frm.doc.what_matters_most"), "the plan did not load"
			page.goto(
				f"{base}/printview?doctype=Care%20Plan&name={fixture['care_plan']}&format=Care%20Plan%20for%20Patients"
			)
			# The patient reads in Spanish: the patient copy is printed in the plan's language.
			expect(page.get_by_text("Mi plan de cuidado").first).to_be_visible(timeout=30000)
			expect(page.get_by_text(re.compile("911")).first).to_be_visible()

		def billing_report():
			flow.login(fixture["billing"])
			page.goto(f"{base}/app/query-report/Care Management Billing")
			expect(page.get_by_role("button", name="Close Month")).to_be_visible(timeout=30000)
			# It opens on last month, the one a clerk closes.
			today = datetime.date.today()
			last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
			shown = page.evaluate("() => frappe.query_report.get_filter_value('month')")
			assert shown == last_month.isoformat(), f"the report opened on {shown}, not {last_month}"
			page.wait_for_timeout(1500)

		def patient_self_screens():
			# A patient has no account: a fresh browser context, no cookies, just the link.
			page.context.clear_cookies()
			link = fixture["screening_link"].split("/patient-screening", 1)[1]
			page.goto(f"{base}/patient-screening{link}")
			expect(page.locator(".patient-screening-questions fieldset")).to_have_count(10, timeout=30000)
			answers = {
				0: "I have a place to live today, but I am worried about losing it in the future",
				1: "None of the above", 2: "Never true", 3: "Never true", 4: "Yes", 5: "No",
				6: "Never", 7: "Never", 8: "Never", 9: "Never",
			}  # fmt: skip
			# The link opens in the patient's language (Spanish here); the answers are the same ones.
			shown = fixture.get("screening_answers") or []
			for index, answer in answers.items():
				label = shown[index].get(answer, answer) if index < len(shown) else answer
				page.locator(".patient-screening-questions fieldset").nth(index).get_by_label(
					label, exact=True
				).check()
			page.locator("button.submit-btn").first.click()
			expect(page.locator(".success-page")).to_be_visible(timeout=30000)
			# The link was single-use: nothing invites a second response.
			expect(page.get_by_text("Submit another response")).to_be_hidden()

		def care_manager_submits_the_draft():
			flow.login(fixture["care_manager"])
			name = page.evaluate(
				"""(invitation) => frappe.db.get_value("Screening Invitation", invitation, "needs_screening")
					.then(r => r.message.needs_screening)""",
				fixture["screening_invitation"],
			)
			assert name, "the patient's answers did not land as a screening"
			page.goto(f"{base}/app/needs-screening/{name}")
			page.wait_for_function(
				f"() => window.cur_frm && cur_frm.doc.name === {json.dumps(name)} && !cur_frm.is_dirty()",
				timeout=30000,
			)
			assert page.evaluate("() => [cur_frm.doc.docstatus, cur_frm.doc.method]") == [
				0,
				"Patient Self-Completed",
			]
			page.evaluate("() => { cur_frm.savesubmit(); }")
			page.get_by_role("button", name="Yes").click(timeout=15000)
			page.wait_for_function("() => cur_frm && cur_frm.doc.docstatus === 1", timeout=30000)
			needs = page.evaluate(
				"""(plan) => frappe.db.get_doc("Care Plan", plan).then(d => d.needs.map(n => n.need_category).sort())""",
				fixture["care_plan"],
			)
			assert needs == ["Housing", "Transportation"], needs

		def admin_adds_a_workflow_state():
			# As Administrator, in the Workflow form: a state with its meaning, saved;
			# then the same without a meaning, refused; the workflow is left as shipped.
			flow.login(fixture["admin"])
			page.goto(f"{base}/app/workflow/Care Plan Approval")
			page.wait_for_function(
				"() => window.cur_frm && cur_frm.doc.name === 'Care Plan Approval' && !cur_frm.is_dirty()",
				timeout=30000,
			)
			state = json.dumps(fixture["agreement_state"])
			page.evaluate(
				f"""() => {{
					cur_frm.add_child("states", {{state: {state}, doc_status: "0",
						allow_edit: "Care Manager", update_field: "status",
						update_value: "Pending Practitioner Review"}});
					cur_frm.refresh_field("states");
					cur_frm.save();
				}}"""
			)
			page.wait_for_function(
				f"() => !cur_frm.is_dirty() && cur_frm.doc.states.some(s => s.state === {state})",
				timeout=30000,
			)
			page.locator("[data-fieldname='states']").scroll_into_view_if_needed()
			page.wait_for_timeout(800)
			page.screenshot(path=str(shots / "11a-workflow-state-added.png"))
			# Without a meaning the save is refused, naming where to set it. (The
			# form's save() promise does not settle on a refusal: not awaited.)
			page.evaluate(
				f"""() => {{
					const row = cur_frm.doc.states.find(s => s.state === {state});
					row.update_field = ""; row.update_value = "";
					cur_frm.dirty();
					cur_frm.save();
				}}"""
			)
			dialog = page.locator(".modal.show .msgprint").first
			expect(dialog).to_contain_text("Update Field", timeout=30000)
			page.screenshot(path=str(shots / "11b-workflow-state-without-meaning-refused.png"))
			page.locator(".modal.show").filter(has=page.locator(".msgprint")).locator(
				".btn-modal-close"
			).first.click()
			expect(page.locator(".modal.show .msgprint")).to_have_count(0, timeout=15000)
			page.evaluate(
				f"""() => {{
					cur_frm.doc.states = cur_frm.doc.states.filter(s => s.state !== {state});
					cur_frm.dirty();
					cur_frm.save();
				}}"""
			)
			page.wait_for_function(
				f"() => !cur_frm.is_dirty() && !cur_frm.doc.states.some(s => s.state === {state})",
				timeout=30000,
			)
			flow.errors.clear()

		def patient_reads_the_plan_on_a_phone():
			phone.goto(f"{base}/login")
			phone.fill("#login_email", fixture["patient_user"])
			phone.fill("#login_password", fixture["password"])
			phone.click(".btn-login")
			phone.wait_for_url(lambda url: "/login" not in url, timeout=30000)
			phone.goto(f"{base}/my-care-plan")
			expect(phone.get_by_role("heading", name="Mi plan de cuidado")).to_be_visible(timeout=30000)
			expect(phone.get_by_text("Walking to the market with my grandson")).to_be_visible()
			expect(phone.get_by_text("Llame al 911 de inmediato si")).to_be_visible()
			expect(phone.locator(".mcp-goal").first).to_be_visible()
			# A goal the Heart Failure template wrote, in the patient's Spanish.
			expect(phone.get_by_text("Pesarme cada mañana y actuar si hay cambios").first).to_be_visible()
			# Phone first: nothing wider than the screen.
			width = phone.evaluate("() => document.documentElement.scrollWidth")
			assert width <= 390, f"the page is {width}px wide on a 390px phone"
			phone.wait_for_timeout(500)

		def patient_posts_a_goal_update_in_spanish():
			goal = phone.locator(".mcp-goal").first
			goal.get_by_text("Cuéntenos cómo le va").click()
			goal.get_by_text("Voy bien", exact=True).click()
			goal.locator("textarea").fill(spanish_note)
			goal.get_by_role("button", name="Enviar a mi equipo de cuidado").click()
			expect(goal.locator(".mcp-status")).to_contain_text("Enviado", timeout=30000)
			goal.scroll_into_view_if_needed()

		def care_manager_accepts_the_update():
			flow.login(fixture["care_manager"])
			page.goto(f"{base}/app/query-report/Caseload Worklist")
			pill = page.locator(".dt-row").filter(has_text=patient).locator(".patient-update").first
			expect(pill).to_be_visible(timeout=30000)
			page.screenshot(path=str(shots / "14a-worklist-shows-the-patient-update.png"))
			pill.click()
			row = page.locator(".list-row-container .list-row").first
			expect(row).to_be_visible(timeout=30000)
			row.locator("a.ellipsis").first.click()
			page.wait_for_function(
				"() => window.cur_frm && cur_frm.doctype === 'Patient Care Plan Update' && !cur_frm.is_new()",
				timeout=30000,
			)
			assert page.evaluate("() => cur_frm.doc.note") == spanish_note
			page.get_by_role("button", name="Accept onto the Goal").click()
			page.locator(".modal.show .btn-primary").filter(has_text="Accept onto the Goal").click()
			page.wait_for_function("() => cur_frm.doc.status === 'Accepted'", timeout=30000)
			progress = page.evaluate(
				"""(plan) => frappe.db.get_doc("Care Plan", plan).then(
					(d) => d.goals.map((g) => g.patient_progress).filter(Boolean))""",
				fixture["care_plan"],
			)
			assert progress == ["On Track"], progress

		def patient_sees_the_accepted_progress():
			phone.goto(f"{base}/my-care-plan")
			goal = phone.locator(".mcp-goal").first
			expect(goal).to_contain_text("Último avance", timeout=30000)
			expect(goal).to_contain_text("Voy bien")
			expect(goal).to_contain_text(spanish_note)
			phone.evaluate("() => window.scrollTo(0, 0)")
			phone.wait_for_timeout(500)

		def quality_measures():
			flow.login(fixture["care_manager"])
			page.goto(f"{base}/app/query-report/Care Quality Measures")
			drill = page.locator(".care-quality-drill").filter(has_text="Controlling High Blood Pressure")
			expect(drill).to_be_visible(timeout=30000)
			assert page.evaluate("() => frappe.query_report.data.length") == 4
			# A care manager's own caseload only: the filter is theirs and cannot be changed.
			assert (
				page.evaluate("() => frappe.query_report.get_filter_value('care_manager')")
				== fixture["care_manager"]
			)
			page.wait_for_timeout(800)
			page.screenshot(path=str(shots / "16a-quality-measures.png"))
			drill.click()
			page.wait_for_function(
				"() => frappe.query_report.get_filter_value('measure') === 'Controlling High Blood Pressure'",
				timeout=30000,
			)
			# The patient list: its Window filter shows, and the rows (if the fixture's
			# patient is in the measure at all) are patients, not measures.
			expect(page.locator(".page-form select[data-fieldname='window']")).to_be_visible(timeout=30000)
			flow.wait_idle()
			page.wait_for_timeout(800)
			assert page.evaluate(
				"""() => !frappe.query_report.data.length
					|| frappe.query_report.columns.some((c) => c.fieldname === 'in_numerator')"""
			), "the report still shows the measures"
			page.get_by_role("button", name="All Measures").click()
			expect(page.locator(".care-quality-drill").first).to_be_visible(timeout=30000)

		def billing_enters_the_payer_claim_number():
			flow.login(fixture["billing"])
			page.goto(f"{base}/app/claim-export/{fixture['claim_export']}")
			cell = page.locator(
				".frappe-control[data-fieldname='invoices'] .grid-body .grid-row[data-idx='1'] "
				"[data-fieldname='payer_claim_number']"
			).first
			expect(cell).to_be_visible(timeout=30000)
			cell.click()
			field = page.locator(
				".frappe-control[data-fieldname='invoices'] .grid-row[data-idx='1'] "
				"input[data-fieldname='payer_claim_number']"
			)
			expect(field).to_be_visible(timeout=30000)
			field.fill("26330000555501")
			page.keyboard.press("Tab")  # past the last cell: an editable grid would add a row here
			page.wait_for_timeout(500)
			assert page.evaluate("() => cur_frm.doc.invoices.length") == 1
			expect(page.locator(".frappe-control[data-fieldname='invoices'] .grid-add-row")).to_be_hidden()
			flow.wait_idle()
			page.keyboard.press("Control+s")  # "Update" on a submitted document
			page.wait_for_function("() => !cur_frm.is_dirty()", timeout=30000)
			flow.wait_idle()
			stored = page.evaluate(
				"""(name) => frappe.db.get_doc("Claim Export", name).then(
					(d) => d.invoices.map((r) => r.payer_claim_number))""",
				fixture["claim_export"],
			)
			assert stored == ["26330000555501"], stored

		def billing_posts_a_remittance():
			flow.login(fixture["billing"])
			page.goto(f"{base}/app/remittance-import/{fixture['remittance_import']}")
			claims = page.locator(".frappe-control[data-fieldname='claims']")
			expect(claims).to_contain_text("BROWSER-NOT-OURS", timeout=30000)
			expect(claims).to_contain_text("Not Matched")
			flow.wait_idle()
			# Submit starts a background run (job_runs.py) and answers with a link to it; the desk
			# server has no RQ worker and does the run in the request (desk_server.py).
			page.locator(".page-actions .primary-action").click()
			page.get_by_role("button", name="Yes").click(timeout=15000)
			expect(page.locator(".modal.show .msgprint")).to_contain_text("Care Job Run", timeout=60000)
			page.keyboard.press("Escape")
			page.wait_for_function("() => cur_frm && cur_frm.doc.docstatus === 1", timeout=60000)
			expect(page.get_by_role("button", name="Payment Entry")).to_be_visible(timeout=30000)
			entry = page.evaluate("() => cur_frm.doc.payments[0].payment_entry")
			assert entry, "no Payment Entry on the posted payment"
			posted = page.evaluate(
				"""(name) => frappe.db.get_value("Payment Entry", name, ["docstatus", "paid_amount",
					"unallocated_amount"]).then((r) => r.message)""",
				entry,
			)
			assert (posted["docstatus"], posted["paid_amount"], posted["unallocated_amount"]) == (
				1,
				10,
				10,
			), posted
			page.wait_for_timeout(500)

		def billing_reads_a_rejected_claims_reason():
			# Issue 27: the payer's 277CA rejects the exported claim; billing staff record it and
			# open the rejected claim's reason and what to fix.
			flow.login(fixture["billing"])
			page.goto(f"{base}/app/claim-acknowledgment-import/{fixture['acknowledgment_import']}")
			claims = page.locator(".frappe-control[data-fieldname='claims']")
			expect(claims).to_contain_text("ACC-SINV-BROWSER-0001", timeout=30000)
			expect(claims).to_contain_text("Rejected")
			flow.wait_idle()
			page.evaluate("() => { cur_frm.savesubmit(); }")  # returns before the confirmation
			page.get_by_role("button", name="Yes").click(timeout=15000)
			page.wait_for_function("() => cur_frm && cur_frm.doc.docstatus === 1", timeout=60000)
			flow.wait_idle()
			page.locator(
				".frappe-control[data-fieldname='claims'] .grid-row[data-idx='1'] .btn-open-row"
			).click()
			row = page.locator(".grid-row-open")
			expect(row).to_contain_text("contract/member number", timeout=30000)
			expect(row).to_contain_text("Patient Coverage")  # what to fix
			expect(row).to_contain_text("<img src=x")  # the payer's message as letters
			flow.markup_stays_text("the rejected claim's row", ".grid-row-open")
			page.keyboard.press("Escape")
			page.goto(f"{base}/app/query-report/Claim Follow-up")
			listed = page.locator(".dt-scrollable .dt-row").filter(has_text="ACC-SINV-BROWSER-0001").first
			expect(listed).to_be_visible(timeout=30000)
			expect(listed).to_contain_text("Patient Coverage")
			page.wait_for_timeout(500)

		def hostile_names_stay_text():
			# Issue 31: a patient named `<img src=x onerror="window.__pwned=1"> {{ 7*7 }}` in the
			# care manager's caseload. Every screen shows the name as typed, as text.
			hostile = fixture["hostile_patient"]
			shown = "{{ 7*7 }}"  # what the eye sees of the name, outside any markup
			flow.login(fixture["care_manager"])
			page.goto(f"{base}/app/query-report/Caseload Worklist")
			row = page.locator(".dt-scrollable .dt-row").filter(has_text=shown).first
			expect(row).to_be_visible(timeout=30000)
			expect(row).to_contain_text("<img src=x")  # the tag as letters, not an image
			flow.markup_stays_text("the worklist", ".dt-scrollable")
			page.screenshot(path=str(shots / "19a-hostile-name-on-the-worklist.png"))
			# The patient's care plan (titled with the name).
			page.goto(f"{base}/app/care-plan/{fixture['hostile_care_plan']}")
			page.wait_for_function(
				f"() => window.cur_frm && cur_frm.doc.name === {json.dumps(fixture['hostile_care_plan'])}",
				timeout=30000,
			)
			flow.wait_idle()
			expect(page.locator(".page-head .title-text").first).to_contain_text(shown, timeout=30000)
			flow.markup_stays_text("the care plan", ".page-head")
			page.screenshot(path=str(shots / "19b-hostile-name-care-plan.png"))
			# An outreach log for them linked to another patient's plan: refused, naming them.
			page.goto(f"{base}/app/outreach-log/new")
			page.wait_for_selector(".outreach-timer", timeout=30000)
			page.evaluate(f"() => cur_frm.set_value('patient', {json.dumps(hostile)})")
			flow.wait_idle()
			page.evaluate(
				f"""() => cur_frm.set_value({{care_plan: {json.dumps(fixture["care_plan"])},
					activity_type: "Phone Call", start: frappe.datetime.add_days(frappe.datetime.now_datetime(), -1)}})"""
			)
			flow.wait_idle()
			page.evaluate("() => { cur_frm.save(); }")  # its promise does not settle on a refusal
			refusal = page.locator(".modal.show").filter(has=page.locator(".msgprint")).first
			expect(refusal).to_contain_text("belongs to another patient", timeout=30000)
			expect(refusal.locator(".msgprint")).to_contain_text(shown)
			expect(refusal.locator(".msgprint")).to_contain_text("<img src=")
			assert refusal.locator(".msgprint img").count() == 0, "the refusal shows the name as an image"
			flow.markup_stays_text("the outreach log refusal", ".modal.show .msgprint")
			page.screenshot(path=str(shots / "19c-hostile-name-in-a-refusal.png"))
			refusal.locator(".btn-modal-close").first.click()
			expect(page.locator(".modal.show .msgprint")).to_have_count(0, timeout=15000)
			# A timer on them: the desk's running-timer reminder on the next load names them.
			page.evaluate(
				f"() => cur_frm.set_value({{care_plan: {json.dumps(fixture['hostile_care_plan'])}, start: null}})"
			)
			flow.wait_idle()
			page.click("button[data-action=start]")
			page.wait_for_url(re.compile(r".*/app/outreach-log/(?!new).+"), timeout=30000)
			expect(page.locator(".outreach-timer .indicator-pill.green")).to_be_visible(timeout=30000)
			running = page.evaluate("() => cur_frm.doc.name")
			page.goto(f"{base}/app/care-management")
			reminder = page.locator(".alert-message").filter(has_text="Your timer is running").first
			expect(reminder).to_be_visible(timeout=30000)
			expect(reminder).to_contain_text(shown)
			expect(reminder).to_contain_text("<img src=")
			flow.markup_stays_text("the running-timer reminder", "#alert-container")
			page.wait_for_timeout(800)  # the reminder slides in
			page.screenshot(path=str(shots / "19d-hostile-name-in-the-timer-reminder.png"))
			# A second timer while theirs runs: refused, naming them.
			page.evaluate(
				f"""() => {{ frappe.call({{
					method: "care_management.care_management.doctype.outreach_log.outreach_timer.start_timer",
					args: {{patient: {json.dumps(patient)}}},
				}}).catch(() => null); }}"""
			)
			refusal = page.locator(".modal.show").filter(has=page.locator(".msgprint")).first
			expect(refusal).to_contain_text("already running", timeout=30000)
			expect(refusal.locator(".msgprint")).to_contain_text(shown)
			assert refusal.locator(".msgprint img").count() == 0, "the refusal shows the name as an image"
			flow.markup_stays_text("the second-timer refusal", ".modal.show .msgprint")
			page.screenshot(path=str(shots / "19e-hostile-name-in-the-timer-refusal.png"))
			refusal.locator(".btn-modal-close").first.click()
			expect(page.locator(".modal.show .msgprint")).to_have_count(0, timeout=15000)
			# No timer left running for the care manager (the next run's fixture removes the draft).
			page.evaluate(
				"""(name) => frappe.xcall(
					"care_management.care_management.doctype.outreach_log.outreach_timer.stop_timer", {name})""",
				running,
			)

		adjustment = {}

		def adjust(kind: str) -> None:
			"""On the open Care Billing Record: Adjust → kind, which opens a new adjustment of it."""
			page.get_by_role("button", name="Adjust").click()
			page.locator(".dropdown-menu.show .dropdown-item").filter(
				has_text=re.compile(f"^\\s*{kind}\\s*$")
			).first.click()
			page.wait_for_function(
				f"""() => window.cur_frm && cur_frm.doctype === 'Care Billing Adjustment' && cur_frm.is_new()
					&& cur_frm.doc.kind === {json.dumps(kind)}
					&& cur_frm.doc.record === {json.dumps(fixture["billing_record"])}""",
				timeout=30000,
			)

		def workflow_action(action: str) -> None:
			page.get_by_role("button", name="Actions").click()
			page.locator(".dropdown-menu.show .dropdown-item").filter(
				has_text=re.compile(f"^\\s*{action}\\s*$")
			).first.click()
			confirm = page.locator(".modal.show").get_by_role("button", name="Yes")
			page.wait_for_timeout(500)
			if confirm.count():
				confirm.first.click()

		def save_the_adjustment() -> None:
			flow.wait_idle()
			page.keyboard.press("Control+s")
			page.wait_for_function("() => !cur_frm.is_new() && !cur_frm.is_dirty()", timeout=30000)
			flow.wait_idle()

		def open_the_record() -> None:
			page.goto(f"{base}/app/care-billing-record/{fixture['billing_record']}")
			page.wait_for_function(
				f"() => window.cur_frm && cur_frm.doc.name === {json.dumps(fixture['billing_record'])}",
				timeout=30000,
			)
			flow.wait_idle()

		def billing_holds_and_proposes_a_code():
			# Issue 33: what billing staff decide is an adjustment with a reason, never an edit.
			flow.login(fixture["billing"])
			open_the_record()
			assert page.evaluate("() => cur_frm.doc.status") == "Ready"
			adjust("Hold")
			page.locator("textarea[data-fieldname='reason']").fill(
				"The payer asked for the consent form first"
			)
			save_the_adjustment()
			workflow_action("Apply")
			page.wait_for_function("() => cur_frm.doc.docstatus === 1 && cur_frm.doc.status === 'Approved'")
			open_the_record()
			assert page.evaluate("() => cur_frm.doc.held") == 1, "the record is not held"
			expect(
				page.get_by_text("Held from invoicing")
				.or_(page.locator(".form-headline .indicator.red"))
				.first
			).to_be_visible()
			page.screenshot(path=str(shots / "20a-billing-record-held.png"))
			adjust("Add Code")
			page.evaluate(
				f"""() => cur_frm.set_value({{code: "99439", units: 1,
					outreach_log: {json.dumps(fixture["billing_log"])}}})"""
			)
			page.locator("textarea[data-fieldname='reason']").fill(
				"22 more minutes of care coordination, documented in the log"
			)
			save_the_adjustment()
			assert page.evaluate("() => cur_frm.doc.needs_approval") == 1, "adding a code needs no approval"
			workflow_action("Send for Approval")
			page.wait_for_function("() => cur_frm.doc.status === 'Pending Approval'", timeout=30000)
			expect(
				page.get_by_text(
					"the record's billing practitioner or a Care Management Supervisor approves it"
				).first
			).to_be_visible()
			adjustment["name"] = page.evaluate("() => cur_frm.doc.name")

		def the_practitioner_approves_it():
			assert adjustment, "no adjustment was proposed"
			flow.login(fixture["doctor"])
			page.goto(f"{base}/app/care-billing-adjustment/{adjustment['name']}")
			page.wait_for_function(
				f"() => window.cur_frm && cur_frm.doc.name === {json.dumps(adjustment['name'])}",
				timeout=30000,
			)
			flow.wait_idle()
			workflow_action("Approve")
			page.wait_for_function(
				"() => cur_frm.doc.status === 'Approved' && cur_frm.doc.docstatus === 1", timeout=30000
			)
			assert page.evaluate("() => cur_frm.doc.approved_by") == fixture["doctor"]
			expect(
				page.get_by_text("In effect: applied on top of the Month Close's lines").first
			).to_be_visible()

		def discharge_tops_the_worklist():
			# Issue 28: the hospital's ADT feed reported the discharge; the care manager's
			# worklist puts the patient first, with the date the TCM contact is due by.
			discharged = fixture["discharged_patient"]
			flow.login(fixture["care_manager"])
			page.goto(f"{base}/app/query-report/Caseload Worklist")
			expect(
				page.locator(".dt-scrollable").get_by_text(fixture["discharged_patient_name"]).first
			).to_be_visible(timeout=30000)
			flow.wait_idle()
			first = page.evaluate("() => frappe.query_report.data[0]")
			assert first["patient"] == discharged, (
				f"the worklist starts with {first['patient']}, not {discharged}"
			)
			assert first["tcm_contact_by"] == fixture["tcm_contact_by"], first["tcm_contact_by"]
			# What the care manager sees: the first row, its TCM Contact By cell in the desk's date format.
			expect(page.locator(".dt-header").get_by_text("TCM Contact By").first).to_be_visible()
			shown_date = page.evaluate(
				"(date) => frappe.datetime.str_to_user(date)", fixture["tcm_contact_by"]
			)
			row = page.locator(".dt-scrollable .dt-row").first
			expect(row).to_contain_text(fixture["discharged_patient_name"])
			expect(row).to_contain_text(shown_date)
			page.wait_for_timeout(800)

		steps = [
			("care manager opens the workspace", workspace),
			("worklist shows the patient", worklist_before),
			("start the timer on the patient", start_timer),
			("the timer survives a reload", timer_survives_reload),
			("stop the timer and submit the log", stop_and_submit),
			("the worklist shows the new minutes", worklist_after),
			("open the care plan and print it", care_plan_print),
			("billing staff open the billing report", billing_report),
			("a patient answers the screening from the emailed link", patient_self_screens),
			("the care manager submits the draft; needs reach the plan", care_manager_submits_the_draft),
			("an admin adds a workflow state in the desk", admin_adds_a_workflow_state),
			("a patient reads their plan on a phone, in Spanish", patient_reads_the_plan_on_a_phone, phone),
			("the patient posts a goal update in Spanish", patient_posts_a_goal_update_in_spanish, phone),
			("the care manager sees it on the worklist and accepts it", care_manager_accepts_the_update),
			("the patient sees the accepted progress", patient_sees_the_accepted_progress, phone),
			("a care manager opens the quality measures and a measure's patients", quality_measures),
			(
				"billing staff enter the payer's claim number on a sent claim",
				billing_enters_the_payer_claim_number,
			),
			("billing staff post a payer's 835 remittance", billing_posts_a_remittance),
			(
				"billing staff record a 277CA and read the rejected claim's reason",
				billing_reads_a_rejected_claims_reason,
			),
			("a patient named with markup stays text in the desk", hostile_names_stay_text),
			("billing staff hold a record and propose adding a code", billing_holds_and_proposes_a_code),
			("the billing practitioner approves the added code", the_practitioner_approves_it),
			("a discharge from the hospital's ADT feed tops the worklist", discharge_tops_the_worklist),
		]
		# Issue 29: each role alone opens everything the app's workspaces show it.
		for row in fixture.get("role_matrix", []):
			number = len(steps) + 1
			steps.append(
				(
					f"role matrix: {row['role']} alone opens every workspace item",
					lambda number=number, row=row: matrix.check(number, row["role"], row["user"]),
				)
			)
		chosen = [word.strip() for word in os.environ.get("BROWSER_STEPS", "").split(",") if word.strip()]
		for number, (name, action, *on) in enumerate(steps, start=1):
			if chosen and not any(word in name for word in chosen):
				continue
			flow.page = on[0] if on else page  # whose screen the step's screenshot shows
			flow.step(number, name, action)
		browser.close()
		return flow.results, matrix.rows


def run_demo_sign_ins(base: str, sign_ins: dict, shots: Path) -> list[tuple[str, bool, str]]:
	"""After `care-management demo`: each printed role signs in and sees its screen with
	data: a desk user's workspace (every number card drawn, none empty but those that
	depend on the day, every chart drawn), a portal user's My Care Plan. ``sign_ins`` is
	care_management.demo.sign_ins.browser_sign_ins() (password and users)."""
	shots.mkdir(parents=True, exist_ok=True)
	may_be_zero = {name.lower() for name in sign_ins["may_be_zero"]}
	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
		page = browser.new_page(viewport={"width": 1440, "height": 900})
		page.set_default_timeout(30000)
		flow = Flow(page, base, shots, {"password": sign_ins["password"]})
		missing_assets = []
		page.on(
			"response",
			lambda r: (
				missing_assets.append(r.url)
				if r.status == 404 and "/assets/care_management/" in r.url
				else None
			),
		)

		def desk(user: str):
			def action():
				flow.login(user)
				# The demo's desk users land on the Care Management workspace (User.default_workspace);
				# what is checked is the page they land on, drawn once (leaving a page mid-draw throws
				# in Frappe's scripts).
				page.wait_for_url(re.compile(r".*/app/care-management"), timeout=30000)
				expect(page.locator(".number-widget-box").first).to_be_visible(timeout=30000)
				flow.wait_idle()
				page.wait_for_timeout(2500)  # the cards and charts draw after their data comes back
				cards = page.evaluate(
					"""() => [...document.querySelectorAll('.number-widget-box')].map((card) => ({
						name: (card.querySelector('.widget-title') || card).innerText.trim(),
						value: (card.querySelector('.widget-content .number') || {}).innerText || ''}))"""
				)
				# Titles are shown upper-case by the stylesheet; compared without case.
				empty = [
					c["name"]
					for c in cards
					if c["name"].lower() not in may_be_zero and c["value"].strip() in ("", "0")
				]
				assert not empty, f"empty number cards: {empty}"
				charts = page.evaluate(
					"""() => [...document.querySelectorAll('.dashboard-widget-box')].map((chart) => ({
						name: ((chart.querySelector('.widget-title') || chart).innerText || '').trim().split('\\n')[0],
						empty: /No Data/.test(chart.innerText)}))"""
				)
				no_data = [c["name"] for c in charts if c["empty"]]
				assert not no_data, f"charts with No Data: {no_data}"
				assert not missing_assets, f"404 for the app's own assets: {missing_assets[:3]}"

			return action

		def portal(user: str):
			def action():
				page.goto("about:blank")
				page.context.clear_cookies()
				page.goto(f"{base}/login")
				page.fill("#login_email", user)
				page.fill("#login_password", sign_ins["password"])
				page.click(".btn-login")
				page.wait_for_load_state("networkidle")
				page.goto(f"{base}/my-care-plan")
				expect(page.locator("main, .page-content").first).to_be_visible(timeout=30000)
				text = page.inner_text("body")
				assert "No care plan" not in text and "Not Permitted" not in text, text[:300]

			return action

		for number, (label, user, kind) in enumerate(sign_ins["users"], start=1):
			flow.step(number, f"demo: {label} signs in", desk(user) if kind == "desk" else portal(user))
		browser.close()
		return flow.results


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--base", required=True)
	parser.add_argument("--fixture", help="the browser fixture's JSON (browser_fixture.prepare)")
	parser.add_argument(
		"--demo-sign-ins",
		help="after a demo load: the JSON of care_management.demo.sign_ins.browser_sign_ins",
	)
	parser.add_argument("--shots", required=True)
	parser.add_argument("--report", required=True)
	args = parser.parse_args()
	if args.demo_sign_ins:
		results, matrix = run_demo_sign_ins(args.base, json.loads(args.demo_sign_ins), Path(args.shots)), []
	else:
		results, matrix = run(args.base, json.loads(args.fixture), Path(args.shots))
	for name, ok, detail in results:
		print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f"\n{detail}" if detail else ""))
	passed = sum(1 for _n, ok, _d in results if ok)
	failed = len(results) - passed
	steps = [{"step": name, "ok": ok, "detail": detail} for name, ok, detail in results]
	Path(args.report).write_text(
		json.dumps({"passed": passed, "failed": failed, "steps": steps, "role_matrix": matrix}, indent=1)
	)
	print(f"browser: {passed} passed, {failed} failed")
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
