#!/usr/bin/env bash
# The load test, headless, against a running production stack (scripts/production-stack.sh)
# on a demo practice (bench --site <site> care-management demo --patients 2000 --care-managers 10):
#
#   bash scripts/load-test.sh                      # 50 care-manager sessions for 5 minutes
#   LOAD_STEP_USERS=10,20,30,40,50,60 bash scripts/load-test.sh   # step load, LOAD_STEP_SECONDS each
#
# Prints p50/p95/p99 and errors per request type, the targets (0 errors and p95 < 500 ms
# for the worklist and for submitting a log), then checks the data: every log the
# test saw accepted exists exactly once, nothing is billed twice, no 5xx.
# Exits 1 when the data check fails (not when a timing target is missed).
#
# Locust (the `load` extra of pyproject.toml) is installed into a venv of its own,
# $LOAD_VENV, since its gevent/Werkzeug/requests pins differ from Frappe's.
# Uses the stack's settings: STACK_SITES, STACK_PORT, STACK_PYTHONPATH, CARE_MANAGEMENT_TEST_SITE.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BENCH=${CARE_MANAGEMENT_BENCH:-$HOME/frappe-bench}
SITES=${STACK_SITES:-$BENCH/sites}
SITE=${CARE_MANAGEMENT_TEST_SITE:-care-management.test}
PORT=${STACK_PORT:-8010}
USERS=${LOAD_USERS:-50}
DURATION=${LOAD_DURATION:-5m}
VENV=${LOAD_VENV:-$HOME/.cache/care_management/load-venv}
OUT=${LOAD_OUT:-$BENCH/logs/care-management-load/$(date -u +%Y%m%dT%H%M%SZ)}
LOCUST_VERSION=$(sed -n 's/.*"locust==\([0-9.]*\)".*/\1/p' "$HERE/../pyproject.toml")

if [ ! -x "$VENV/bin/locust" ] || ! "$VENV/bin/locust" --version | grep -q "$LOCUST_VERSION"; then
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install -q "locust==$LOCUST_VERSION"
fi

site_run() {
	(cd "$SITES" && PYTHONPATH=${STACK_PYTHONPATH:-} "$BENCH/env/bin/python" -m frappe.utils.bench_helper frappe --site "$SITE" "$@")
}

mkdir -p "$OUT"
export LOAD_MANIFEST="$OUT/manifest.json" LOAD_ACCEPTED="$OUT/accepted.jsonl" LOAD_SITE="$SITE"
export LOAD_RUN=${LOAD_RUN:-$(date -u +%H%M%S)}
: >"$LOAD_ACCEPTED"
echo "preparing users on $SITE ..."
site_run execute care_management.demo.load_test.prepare --kwargs "{'path': '$LOAD_MANIFEST'}"

echo "running locust $LOCUST_VERSION: $USERS users for $DURATION against 127.0.0.1:$PORT (${LOAD_STEP_USERS:+steps $LOAD_STEP_USERS}) ..."
args=(-f "$HERE/load/locustfile.py" --headless --host "http://127.0.0.1:$PORT" --only-summary
	--csv "$OUT/locust" --stop-timeout 30 --loglevel WARNING)
if [ -z "${LOAD_STEP_USERS:-}" ]; then
	# Care-manager sessions plus the clerk and two portal patients.
	args+=(-u $((USERS + ${LOAD_CLERK:-1} + 2)) -r "${LOAD_SPAWN_RATE:-5}" -t "$DURATION")
fi
"$VENV/bin/locust" "${args[@]}" 2>&1 | tee "$OUT/locust.txt" || true

echo
echo "checking the data ..."
site_run execute care_management.demo.load_test.check --kwargs "{'accepted': '$LOAD_ACCEPTED'}" >"$OUT/check.json" || true
cat "$OUT/check.json"
server_errors=$(sed -n 's/^5xx responses: \([0-9]*\)$/\1/p' "$OUT/locust.txt")
status=0
if grep -q '"ok": true' "$OUT/check.json"; then
	echo "data check: passed (every accepted log exactly once, nothing billed twice)"
else
	echo "data check: FAILED (see $OUT/check.json)"
	status=1
fi
if [ "${server_errors:-0}" = 0 ]; then
	echo "no 5xx: passed"
else
	echo "no 5xx: FAILED ($server_errors; see the errors above and the stack's web.error.log)"
	status=1
fi
echo "output: $OUT"
exit "$status"
