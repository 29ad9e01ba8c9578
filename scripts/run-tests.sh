#!/usr/bin/env bash
# The one command that runs every test of care_management.
#
#   1. unit tier: pytest over tests/ (the pure core; needs no Frappe).
#   2. integration tier: Frappe's test runner on a real site with erpnext,
#      healthcare and care_management installed, whenever a bench is found.
#
# The bench is $CARE_MANAGEMENT_BENCH (default: ~/frappe-bench) and the site is
# $CARE_MANAGEMENT_TEST_SITE (default: care-management.test); the browser tier's
# demo sign-ins use a site of their own, $CARE_MANAGEMENT_DEMO_SITE (default:
# care-management-demo.test), so the demo's patients never enter the months the
# integration tests close and count. The bench is made
# to run *this* checkout: its apps/care_management becomes a copy of it (a
# symlink or the checkout itself is used as it is), the site is created if it
# is missing (MariaDB root credentials: $CARE_MANAGEMENT_DB_ROOT_USER /
# $CARE_MANAGEMENT_DB_ROOT_PASSWORD, default root / root), the app installed
# and the site migrated. MariaDB and Redis are started when they are not
# running. The bench stays usable afterwards.
#
# Exit status is non-zero when any test fails or a tier cannot run properly.
set -uo pipefail

CHECKOUT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BENCH=${CARE_MANAGEMENT_BENCH:-$HOME/frappe-bench}
SITE=${CARE_MANAGEMENT_TEST_SITE:-care-management.test}
DEMO_SITE=${CARE_MANAGEMENT_DEMO_SITE:-care-management-demo.test}
# Which tiers to run (each sets up what it needs, so any one passes alone).
TIERS=" ${CARE_MANAGEMENT_TIERS:-unit integration browser} "
DB_ROOT_USER=${CARE_MANAGEMENT_DB_ROOT_USER:-root}
DB_ROOT_PASSWORD=${CARE_MANAGEMENT_DB_ROOT_PASSWORD:-root}
ARTIFACTS="$CHECKOUT/test-artifacts"
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/unit.xml "$ARTIFACTS"/integration.xml "$ARTIFACTS"/browser.json "$ARTIFACTS"/browser-demo.json
rm -rf "$ARTIFACTS"/screenshots

say() { printf '\n== %s\n' "$*"; }
fail_setup() {
	echo "integration tier FAILED TO START: $*" >&2
	INTEGRATION_STATUS="could not start: $*"
	INTEGRATION_RC=1
}

# ---------------------------------------------------------------- unit tier
say "unit tier: pytest over tests/ (pure core, no Frappe)"
# Its own virtualenv, refreshed when tests/requirements.txt changes, so a new
# machine needs nothing but python3 and the package index.
pytest_python() {
	local venv="${XDG_CACHE_HOME:-$HOME/.cache}/care_management/pytest-venv"
	local wanted="$CHECKOUT/tests/requirements.txt"
	if [ ! -x "$venv/bin/python" ] || ! cmp -s "$wanted" "$venv/requirements.txt"; then
		python3 -m venv "$venv" >&2 &&
			"$venv/bin/pip" install -q --disable-pip-version-check -r "$wanted" >&2 &&
			cp "$wanted" "$venv/requirements.txt"
	fi
	echo "$venv/bin/python"
}
# linuxforhealth-x12 (the 270/271 checker) needs pydantic 1: a virtualenv of its own.
lfh_x12_python() {
	local venv="${XDG_CACHE_HOME:-$HOME/.cache}/care_management/lfh-x12-venv"
	local wanted="$CHECKOUT/tests/requirements-lfh-x12.txt"
	if [ ! -x "$venv/bin/python" ] || ! cmp -s "$wanted" "$venv/requirements.txt"; then
		python3 -m venv "$venv" >&2 &&
			"$venv/bin/pip" install -q --disable-pip-version-check -r "$wanted" >&2 &&
			cp "$wanted" "$venv/requirements.txt"
	fi
	echo "$venv/bin/python"
}
UNIT_RC=0
if [[ "$TIERS" == *" unit "* ]]; then
	PYTEST_PY=$(pytest_python)
	CARE_LFH_X12_PYTHON=$(lfh_x12_python)
	export CARE_LFH_X12_PYTHON
	(cd "$CHECKOUT" && "$PYTEST_PY" -m pytest tests --junitxml="$ARTIFACTS/unit.xml" -p no:cacheprovider)
	UNIT_RC=$?
else
	echo "unit tier not selected (CARE_MANAGEMENT_TIERS)"
fi

# --------------------------------------------------------- integration tier
INTEGRATION_RC=0
INTEGRATION_STATUS=""
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_for_port() {
	local tries=0
	until port_open "$1" "$2"; do
		tries=$((tries + 1))
		[ "$tries" -gt 60 ] && return 1
		sleep 0.5
	done
}
frappe_cli() { (cd "$BENCH/sites" && "$BENCH/env/bin/python" -m frappe.utils.bench_helper frappe "$@"); }
bench_config() {
	# bench_config KEY DEFAULT: value from the site's config, else the common one.
	"$BENCH/env/bin/python" - "$1" "$2" <<-EOF
		import json, os, sys
		key, default = sys.argv[1], sys.argv[2]
		conf = {}
		for path in ("$BENCH/sites/common_site_config.json", "$BENCH/sites/$SITE/site_config.json"):
		    if os.path.exists(path):
		        conf.update(json.load(open(path)))
		print(conf.get(key) or default)
	EOF
}

ensure_mariadb() {
	local host port
	host=$(bench_config db_host 127.0.0.1)
	port=$(bench_config db_port 3306)
	port_open "$host" "$port" && return 0
	echo "MariaDB is not answering on $host:$port; starting it"
	service mariadb start >/dev/null 2>&1 || service mysql start >/dev/null 2>&1 ||
		(command -v mysqld_safe >/dev/null && nohup mysqld_safe --bind-address=127.0.0.1 >/dev/null 2>&1 &)
	wait_for_port "$host" "$port"
}

ensure_redis() {
	local key url hostport host port conf
	for key in redis_cache redis_queue; do
		url=$(bench_config "$key" "")
		[ -n "$url" ] || continue
		hostport=${url#redis://}
		hostport=${hostport%%/*}
		host=${hostport%%:*}
		port=${hostport##*:}
		port_open "$host" "$port" && continue
		echo "Redis ($key) is not answering on $host:$port; starting it"
		conf="$BENCH/config/${key}.conf"
		if [ -f "$conf" ]; then
			redis-server "$conf" --daemonize yes >/dev/null
		else
			redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save "" --appendonly no >/dev/null
		fi
		wait_for_port "$host" "$port" || return 1
	done
}

# Make the bench run the code of this checkout.
sync_app_into_bench() {
	local app_dir="$BENCH/apps/care_management"
	if [ "$(realpath -m "$app_dir")" = "$CHECKOUT" ]; then
		return 0
	fi
	if [ -L "$app_dir" ]; then
		rm "$app_dir"
	elif [ -d "$app_dir" ] && [ ! -f "$app_dir/.copied-by-run-tests" ]; then
		echo "$app_dir is a checkout of its own; refusing to overwrite it." >&2
		echo "Run this command from that checkout, or move it away." >&2
		return 1
	fi
	mkdir -p "$app_dir"
	rsync -a --delete --exclude .git --exclude test-artifacts --exclude __pycache__ \
		--exclude .copied-by-run-tests --exclude .installed-pyproject "$CHECKOUT/" "$app_dir/" || return 1
	touch "$app_dir/.copied-by-run-tests"
}

# The desk loads the app's plain public files (app_include_js) from
# sites/assets/care_management, a link that `bench build` makes; a bench whose
# app was copied in without a build has none, and the desk would miss them.
link_app_assets() {
	[ -d "$BENCH/sites/assets" ] || return 0
	local link="$BENCH/sites/assets/care_management" target="$BENCH/apps/care_management/care_management/public"
	[ -L "$link" ] || [ ! -e "$link" ] || return 0 # files a production build copied there
	[ "$(readlink "$link" 2>/dev/null)" = "$target" ] || ln -sfn "$target" "$link"
}

install_app_package() {
	local app_dir="$BENCH/apps/care_management" stamp
	stamp="$app_dir/.installed-pyproject"
	# The stamp alone is not trusted: a package of the test extra removed from the
	# bench's env since (by hand, or by another app's install) is installed again.
	if ! cmp -s "$app_dir/pyproject.toml" "$stamp" ||
		! "$BENCH/env/bin/python" -c "import care_management" 2>/dev/null ||
		! "$BENCH/env/bin/python" - "$app_dir/pyproject.toml" <<'PY' 2>/dev/null; then
import importlib.metadata, re, sys, tomllib
extra = tomllib.load(open(sys.argv[1], "rb"))["project"]["optional-dependencies"]["test"]
for requirement in extra:
	importlib.metadata.version(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0])
PY
		"$BENCH/env/bin/pip" install -q -e "$app_dir[test]" || return 1
		cp "$app_dir/pyproject.toml" "$stamp"
	fi
	# Upstream packages of a fresh bench (razorpay, pycountry) still import
	# pkg_resources, which setuptools 81 removed; the bench's env needs an older one.
	if ! "$BENCH/env/bin/python" -c "import pkg_resources" 2>/dev/null; then
		"$BENCH/env/bin/pip" install -q "setuptools<81" || return 1
	fi
	if ! grep -qx care_management "$BENCH/sites/apps.txt"; then
		# bench writes apps.txt without a final newline; appending blindly would glue two names.
		[ -z "$(tail -c 1 "$BENCH/sites/apps.txt")" ] || echo >>"$BENCH/sites/apps.txt"
		echo care_management >>"$BENCH/sites/apps.txt"
	fi
}

prepare_site() {
	# prepare_site SITE: create it if missing, install the app, migrate it to this checkout.
	local site=$1 logs="$ARTIFACTS/$1"
	mkdir -p "$logs"
	if [ ! -f "$BENCH/sites/$site/site_config.json" ]; then
		# The usual way: every app at site creation, ERPNext's setup wizard after
		# (before_tests runs it), so the tests prove that install order.
		echo "Creating site $site with erpnext, healthcare and care_management"
		frappe_cli new-site "$site" --db-root-username "$DB_ROOT_USER" --db-root-password "$DB_ROOT_PASSWORD" \
			--admin-password admin --install-app erpnext --install-app healthcare --install-app care_management \
			>"$logs/new-site.log" 2>&1 || { tail -n 30 "$logs/new-site.log"; return 1; }
	fi
	frappe_cli --site "$site" set-config allow_tests true >/dev/null || return 1
	if ! frappe_cli --site "$site" list-apps 2>/dev/null | grep -q '^care_management'; then
		echo "Installing care_management on $site"
		frappe_cli --site "$site" install-app care_management >"$logs/install-app.log" 2>&1 ||
			{ tail -n 30 "$logs/install-app.log"; return 1; }
	fi
	echo "Migrating $site to this checkout"
	frappe_cli --site "$site" migrate >"$logs/migrate.log" 2>&1 ||
		{ tr '\r' '\n' <"$logs/migrate.log" | tail -n 30; return 1; }
}

say "integration tier: Frappe's test runner on site $SITE of bench $BENCH"
if [ ! -x "$BENCH/env/bin/python" ] || [ ! -d "$BENCH/apps/frappe" ] || [ ! -d "$BENCH/sites" ]; then
	INTEGRATION_STATUS="SKIPPED: no bench at $BENCH (set CARE_MANAGEMENT_BENCH to a bench with erpnext and healthcare)"
	echo "integration tier $INTEGRATION_STATUS"
else
	for app in erpnext healthcare; do
		[ -d "$BENCH/apps/$app" ] || fail_setup "the bench has no $app app (bench get-app $app)"
	done
	if [ -z "$INTEGRATION_STATUS" ]; then
		ensure_mariadb || fail_setup "MariaDB could not be started"
	fi
	if [ -z "$INTEGRATION_STATUS" ]; then
		ensure_redis || fail_setup "Redis could not be started"
	fi
	if [ -z "$INTEGRATION_STATUS" ]; then
		sync_app_into_bench && link_app_assets || fail_setup "could not put this checkout into the bench"
	fi
	if [ -z "$INTEGRATION_STATUS" ]; then
		install_app_package || fail_setup "pip could not install the app into the bench"
	fi
	if [ -z "$INTEGRATION_STATUS" ]; then
		prepare_site "$SITE" || fail_setup "the test site could not be prepared (logs in $ARTIFACTS/$SITE)"
	fi
	if [ -z "$INTEGRATION_STATUS" ] && [[ "$TIERS" != *" integration "* ]]; then
		INTEGRATION_SELECTED=no
		echo "integration tests not selected (CARE_MANAGEMENT_TIERS); the site is prepared for the browser tier"
	fi
	if [ -z "$INTEGRATION_STATUS" ] && [ "${INTEGRATION_SELECTED:-yes}" = yes ]; then
		# --skip-test-records: our tests make the records they need; Frappe's
		# generated ones would drag in ERPNext's whole company setup.
		frappe_cli --site "$SITE" run-tests --app care_management --skip-test-records \
			--junit-xml-output "$ARTIFACTS/integration.xml" 2>&1 | tee "$ARTIFACTS/integration.log"
		INTEGRATION_RC=${PIPESTATUS[0]}
		[ -f "$ARTIFACTS/integration.xml" ] || { INTEGRATION_RC=1; INTEGRATION_STATUS="ran, but wrote no report"; }
	fi
fi

# ------------------------------------------------------------- browser tier
# The desk in headless Chromium (Debian's), driven by Playwright, against this
# site served on 127.0.0.1 only. Part of the integration tier; it needs built
# assets (bench build) and is skipped, saying so, without them.
BROWSER_RC=0
BROWSER_STATUS=""
browser_tier() {
	if [ -n "$INTEGRATION_STATUS" ]; then
		BROWSER_STATUS="SKIPPED: the integration tier did not run"
		return
	fi
	if [ ! -f "$BENCH/sites/assets/assets.json" ]; then
		BROWSER_STATUS="SKIPPED: the bench has no built assets (run: bench build)"
		return
	fi
	if [ ! -x /usr/bin/chromium ]; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			echo "Installing Debian's chromium for the browser test"
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >"$ARTIFACTS/apt-chromium.log" 2>&1
		fi
		[ -x /usr/bin/chromium ] || { BROWSER_STATUS="SKIPPED: no /usr/bin/chromium (apt-get install chromium)"; return; }
	fi
	"$BENCH/env/bin/python" -c "import playwright" 2>/dev/null || "$BENCH/env/bin/pip" install -q playwright ||
		{ BROWSER_STATUS="could not install playwright"; BROWSER_RC=1; return; }
	local fixture demo
	fixture=$(frappe_cli --site "$SITE" execute care_management.tests.browser_fixture.prepare 2>"$ARTIFACTS/browser-fixture.log" | tail -n 1)
	[ -n "$fixture" ] || { BROWSER_STATUS="could not prepare its records (see browser-fixture.log)"; BROWSER_RC=1; return; }
	# 25 minutes: besides the flows, the role matrix opens every workspace item once per role.
	serve_and_run "$SITE" 1500 --fixture "$fixture" --shots "$ARTIFACTS/screenshots" --report "$ARTIFACTS/browser.json" ||
		BROWSER_RC=1
	# Each printed demo role signs in: an error dialog, an empty workspace card or chart
	# that should have data, or a 404 for one of the app's own assets fails it (issue 26).
	# The demo lives on a site of its own, loaded once a month (about half a minute) and
	# kept on every other run (tests/browser_demo.py): on the test site its enrolled
	# patients would be closed and invoiced with the months the integration tests count.
	prepare_site "$DEMO_SITE" ||
		{ BROWSER_STATUS="the demo site $DEMO_SITE could not be prepared (logs in $ARTIFACTS/$DEMO_SITE)"; BROWSER_RC=1; return; }
	demo=$(frappe_cli --site "$DEMO_SITE" execute care_management.tests.browser_demo.prepare 2>"$ARTIFACTS/browser-demo.log" | tail -n 1)
	[ -n "$demo" ] || { BROWSER_STATUS="could not load the demo (see browser-demo.log)"; BROWSER_RC=1; return; }
	serve_and_run "$DEMO_SITE" 600 --demo-sign-ins "$demo" --shots "$ARTIFACTS/screenshots/demo" \
		--report "$ARTIFACTS/browser-demo.json" || BROWSER_RC=1
}
serve_and_run() {
	# serve_and_run SITE SECONDS ARGS...: browser_flow.py against SITE served on 127.0.0.1.
	local site=$1 seconds=$2 port server rc
	shift 2
	port=$("$BENCH/env/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
	(cd "$BENCH/sites" && exec "$BENCH/env/bin/python" "$CHECKOUT/scripts/desk_server.py" "$site" "$port") \
		>"$ARTIFACTS/desk-server-$site.log" 2>&1 &
	server=$!
	if wait_for_port 127.0.0.1 "$port"; then
		timeout "$seconds" "$BENCH/env/bin/python" "$CHECKOUT/scripts/browser_flow.py" --base "http://127.0.0.1:$port" "$@"
		rc=$?
	else
		BROWSER_STATUS="the desk server of $site did not start (see desk-server-$site.log)"
		rc=1
	fi
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	return "$rc"
}
if [[ "$TIERS" != *" browser "* ]]; then
	BROWSER_STATUS="not selected (CARE_MANAGEMENT_TIERS)"
elif [ -x "$BENCH/env/bin/python" ]; then
	say "browser tier: the desk in headless Chromium"
	browser_tier
	[ -n "$BROWSER_STATUS" ] && echo "browser tier $BROWSER_STATUS"
else
	BROWSER_STATUS="SKIPPED: no bench"
fi

# ------------------------------------------------------------------ summary
say "summary"
python3 - "$ARTIFACTS" "$UNIT_RC" "$INTEGRATION_RC" "$INTEGRATION_STATUS" "$BROWSER_RC" "$BROWSER_STATUS" <<'EOF'
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

artifacts, unit_rc, integration_rc, integration_status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
browser_rc, browser_status = int(sys.argv[5]), sys.argv[6]


def counts(path: Path):
	if not path.exists() or path.stat().st_size == 0:
		return None
	try:
		root = ET.parse(path).getroot()
	except ET.ParseError:
		return None
	suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
	tests = failed = skipped = 0
	for suite in suites:
		tests += int(suite.get("tests", 0))
		failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
		skipped += int(suite.get("skipped", 0))
	return tests - failed - skipped, failed, skipped


total_passed = total_failed = 0
for name, rc, status in (
	("unit (pytest, pure core)", unit_rc, ""),
	("integration (Frappe test runner, real site)", integration_rc, integration_status),
):
	result = counts(Path(artifacts) / ("unit.xml" if name.startswith("unit") else "integration.xml"))
	if result is None:
		failed = 1 if rc else 0
		print(f"{name}: {status or 'no report'}" + (" -> counted as a failure" if failed else ""))
		total_failed += failed
		continue
	passed, failed, skipped = result
	if rc and not failed:
		failed = 1  # the runner failed outside any test (import error, setup)
	print(f"{name}: {passed} passed, {failed} failed, {skipped} skipped" + (f" ({status})" if status else ""))
	total_passed += passed
	total_failed += failed
browser = Path(artifacts) / "browser.json"
demo = Path(artifacts) / "browser-demo.json"
name = "browser (headless Chromium, real desk; the demo's sign-ins)"
if browser.exists():
	results = [json.loads(path.read_text()) for path in (browser, demo) if path.exists()]
	passed = sum(result["passed"] for result in results)
	failed = sum(result["failed"] for result in results) or (1 if browser_rc else 0)
	print(f"{name}: {passed} passed, {failed} failed")
	total_passed += passed
	total_failed += failed
else:
	failed = 1 if browser_rc else 0
	print(f"{name}: {browser_status or 'no report'}" + (" -> counted as a failure" if failed else ""))
	total_failed += failed
print(f"total: {total_passed} passed, {total_failed} failed")
sys.exit(1 if total_failed else 0)
EOF
