"""The browser tier's role matrix (issue 29): a desk user holding one role opens every
workspace of the app the desk shows them, and every link, card link, shortcut, number
card and chart on it, as the desk itself opens them.

What to open is read from the page (the sidebar's workspaces, the widgets drawn), so a
report or doctype added to a workspace is covered with no change here. An item fails on
an error dialog (a red indicator, "Not permitted", "No permission"), an HTTP 403, 417 or
500 answer the page got, a "Not permitted" or "not found" page, a JavaScript error, or a
button shown whose action the role will be refused.
"""

import json
import re

APP = "care_management"
REFUSED_STATUSES = (403, 417, 500)
# A report's button -> the doctype its action creates: the server refuses the action to
# whoever may not create one, so the button must not be shown to them either.
ACTION_BUTTONS = {
	"Close Month": "Care Month Close",
	"Create Invoices": "Sales Invoice",
	"Export Claim Lines": "Claim Export",
}
# Roles that never close, invoice or export claims (README "Roles"), whatever a site's
# permissions have become.
NEVER_SHOWN = {"Care Manager": set(ACTION_BUTTONS), "Physician": set(ACTION_BUTTONS)}

WORKSPACES_OF_THE_APP = """(app) => {
	const app_of = frappe.boot.module_app || {};
	return (frappe.boot.allowed_workspaces || [])
		.filter((w) => app_of[frappe.scrub(w.module || "")] === app)
		.map((w) => ({
			name: w.name,
			route: "/app/" + (w.public ? "" : "private/") + frappe.router.slug(w.title || w.name),
		}));
}"""

# Every widget the workspace drew, in page order, with what the desk opens for it.
WIDGETS_ON_THE_PAGE = """() => {
	const root = frappe.container.page;
	const text = (el, sel) => ((sel ? el.querySelector(sel) : el) || {}).innerText?.trim() || "";
	const items = [];
	root.querySelectorAll(".links-widget-box").forEach((card) => {
		card.querySelectorAll("a.link-item").forEach((a) => items.push({
			kind: "link", card: text(card, ".widget-title"), label: text(a, ".link-text") || text(a),
			href: a.getAttribute("href"), disabled: a.classList.contains("disabled-link"),
		}));
	});
	root.querySelectorAll(".shortcut-widget-box").forEach((w, index) =>
		items.push({kind: "shortcut", label: text(w, ".widget-title"), index}));
	root.querySelectorAll(".number-widget-box").forEach((w, index) =>
		items.push({kind: "number card", label: text(w, ".widget-title"), index}));
	root.querySelectorAll(".dashboard-widget-box").forEach((w, index) =>
		items.push({kind: "chart", label: text(w, ".widget-title"), index}));
	return items;
}"""

# True once the route has stayed the same with no request of the desk's in flight and
# no freeze for 300 ms (a report loads its script, then its filters, then runs).
SETTLED = """() => {
	const now = Date.now();
	const route = window.frappe && frappe.get_route_str ? frappe.get_route_str() : location.href;
	const busy = !window.frappe || !frappe.request || frappe.request.ajax_count
		|| (frappe.dom && frappe.dom.freeze_count) || !frappe.container || !frappe.container.page;
	if (busy || window.__matrix_route !== route || !window.__matrix_quiet) {
		window.__matrix_route = route;
		window.__matrix_quiet = busy ? null : window.__matrix_quiet || now;
		return false;
	}
	return now - window.__matrix_quiet > 300;
}"""

# What the current page says of itself: the desk's message page ("Not permitted",
# "Page ... not found") and the action buttons shown on it.
PAGE_STATE = """(labels) => {
	const root = frappe.container.page;
	const message = root.querySelector(".message-page");
	const shown = (el) => !!el && el.offsetParent !== null && !el.closest(".hide");
	// A dropdown's items count as shown when its toggle is.
	const toggle = (el) => el.closest(".dropdown-menu") && el.closest(".btn-group, .dropdown");
	const buttons = [...root.querySelectorAll(".page-head button, .page-head .dropdown-item")]
		.filter((el) => shown(el) || shown(toggle(el)))
		.map((el) => el.innerText.trim())
		.filter((label) => labels.includes(label));
	return {
		message: message && shown(message) ? message.innerText.trim().replace(/\\s+/g, " ") : "",
		buttons: [...new Set(buttons)],
		route: frappe.get_route_str(),
	};
}"""

# Where a shortcut or number card takes the user: clicked as a user clicks it, with the
# desk's frappe.set_route held for that one click, so the route and its filters are
# noted and opened next without drawing the workspace again for each widget. None when
# the click routes nowhere (a number card with no route).
WHERE_A_CLICK_GOES = """([selector, index]) => {
	const widget = frappe.container.page.querySelectorAll(selector)[index];
	const set_route = frappe.set_route;
	let seen = null;
	frappe.set_route = (...route) => {
		seen = {route, options: frappe.route_options || null};
		frappe.route_options = null;
		return Promise.resolve();
	};
	try {
		widget.click();
	} finally {
		frappe.set_route = set_route;
	}
	return seen;
}"""

FOLLOW = """(seen) => {
	frappe.route_options = seen.options;
	frappe.set_route(...seen.route);
}"""

CLOSE_DIALOGS = """() => {
	document.querySelectorAll(".modal.show").forEach((m) => window.$ && $(m).modal("hide"));
}"""


# The element a user clicks on a shortcut or a number card.
WIDGET_BOXES = {"shortcut": ".shortcut-widget-box", "number card": ".number-widget-box .widget-body"}


def slug(text: str) -> str:
	return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class RoleMatrix:
	"""Opens, as one role, everything the app's workspaces show; one row per item in ``rows``."""

	def __init__(self, flow):
		self.flow, self.page = flow, flow.page
		self.rows: list[dict] = []
		self.refused: list[str] = []
		self.page.on("response", self.seen)

	def seen(self, response) -> None:
		if response.status in REFUSED_STATUSES and response.url.startswith(self.flow.base):
			path = response.url[len(self.flow.base) :].split("?")[0]
			self.refused.append(f"HTTP {response.status} from {response.request.method} {path}")

	def check(self, number: int, role: str, user: str) -> None:
		"""The step: raises listing every item that failed for ``role``."""
		page, flow = self.page, self.flow
		flow.login(user)
		self.settle()
		# The desk's landing page may be another app's workspace: what counts starts here.
		self.refused.clear()
		flow.errors.clear()
		self.page.evaluate(CLOSE_DIALOGS)
		workspaces = page.evaluate(WORKSPACES_OF_THE_APP, APP)
		assert workspaces, f"{role} alone is shown no workspace of the app"
		for workspace in workspaces:
			self.go(workspace["route"])
			self.record(role, user, workspace["name"], "workspace", workspace["name"], self.problems(role))
			page.screenshot(
				path=str(
					flow.shots / f"{number:02d}a-role-matrix-{slug(role)}-{slug(workspace['name'])}.png"
				),
				full_page=True,
			)
			items = page.evaluate(WIDGETS_ON_THE_PAGE)
			assert items, f"{role} alone: the {workspace['name']} workspace shows nothing"
			for item in items:
				if item["kind"] in WIDGET_BOXES:
					item["goes"] = page.evaluate(
						WHERE_A_CLICK_GOES, [WIDGET_BOXES[item["kind"]], item["index"]]
					)
			# Charts first: they are opened where they are drawn, on the page just loaded.
			for item in sorted(items, key=lambda item: item["kind"] != "chart"):
				problem = self.open(workspace, item, role)
				self.record(role, user, workspace["name"], item["kind"], item["label"], problem, item)
		failed = [row for row in self.rows if row["role"] == role and not row["ok"]]
		if failed:
			page.screenshot(path=str(flow.shots / f"{number:02d}b-role-matrix-{slug(role)}-last-failure.png"))
			raise AssertionError(
				f"{role} alone: {len(failed)} of {sum(1 for r in self.rows if r['role'] == role)} items fail:\n"
				+ "\n".join(
					f"  {r['workspace']} › {r['kind']} {r['label']!r} ({r['route']}): {r['problem']}"
					for r in failed
				)
			)

	def record(self, role, user, workspace, kind, label, problem, item=None) -> None:
		self.rows.append(
			{
				"role": role,
				"user": user,
				"workspace": workspace,
				"kind": kind,
				"label": label,
				"route": (item or {}).get("opened") or (item or {}).get("href") or "",
				"ok": not problem,
				"problem": problem,
			}
		)

	# ------------------------------------------------------------- opening
	def open(self, workspace: dict, item: dict, role: str) -> str:
		page = self.page
		try:
			if item["kind"] == "link":
				if item["disabled"]:
					return "shown as a disabled link (its dependencies are missing for this role)"
				self.go(item["href"])
			elif item["kind"] == "chart":
				# A chart is opened where it is drawn: its data came back and it drew.
				body = page.locator(f"{self.root} .dashboard-widget-box").nth(item["index"])
				body.locator(".chart-container, .chart-empty-state, .frappe-chart, svg").first.wait_for(
					timeout=30000
				)
			elif item["goes"]:  # shortcut or number card: where its click goes
				page.evaluate(FOLLOW, item["goes"])
				self.settle()
			else:  # routes nowhere: its value, drawn on the workspace (checked there), is all it shows
				item["opened"] = workspace["route"]
				return ""
			item["opened"] = page.evaluate("() => decodeURIComponent(location.pathname + location.search)")
			if item.get("goes") and item["goes"]["options"]:
				item["opened"] += " " + json.dumps(item["goes"]["options"], sort_keys=True)
			return self.problems(role)
		except Exception as error:  # a page that never settles, a widget not drawn
			return f"{type(error).__name__}: {str(error).splitlines()[0]}" + (
				f"; {self.problems(role)}" if self.refused or self.flow.errors else ""
			)

	@property
	def root(self) -> str:
		return "#page-Workspaces"

	def go(self, route: str) -> None:
		"""To ``route`` inside the running desk, as its links do (no reload)."""
		self.page.evaluate("(route) => frappe.router.push_state(route)", route)
		self.settle()

	def settle(self) -> None:
		self.page.evaluate("() => { window.__matrix_quiet = null; }")
		self.page.wait_for_function(SETTLED, timeout=60000, polling=100)

	def problems(self, role: str) -> str:
		"""What went wrong since the last call ('' when nothing); dialogs are closed after."""
		found = list(dict.fromkeys(self.refused))
		found += [f"JavaScript error: {error}" for error in self.flow.errors]
		found += [f"error dialog: {text}" for text in self.flow.error_dialogs()]
		state = self.page.evaluate(PAGE_STATE, list(ACTION_BUTTONS))
		if state["message"]:
			found.append(f"page says: {state['message']}")
		for label in state["buttons"]:
			refused = label in NEVER_SHOWN.get(role, ()) or not self.page.evaluate(
				"(doctype) => frappe.model.can_create(doctype)", ACTION_BUTTONS[label]
			)
			if refused:
				found.append(f"shows the {label!r} button, whose action {role} is refused")
		self.refused.clear()
		self.flow.errors.clear()
		self.page.evaluate(CLOSE_DIALOGS)
		# Closed before the next item opens, so what it shows is its own.
		self.page.wait_for_function("() => !document.querySelector('.modal.show')", timeout=10000)
		return "; ".join(found)
