#!/usr/bin/env bash
# Faults under load, against a running production stack that runs its own MariaDB and
# Redis (scripts/isolated-sites.sh, then production-stack.sh with STACK_REDIS=own and
# STACK_MARIADB_DATADIR): NEVER point it at a shared MariaDB or Redis, it restarts them.
#
#   bash scripts/fault-test.sh
#
# With care managers working (the load test's locustfile, no clerk), it
#   1. starts a close of $FAULT_KILL_MONTH and kill -9s the RQ worker running one of its chunks;
#   2. starts a close of $FAULT_DB_MONTH and restarts MariaDB while its chunks run;
#   3. starts a close of $FAULT_REDIS_MONTH and restarts both Redis servers while it runs;
# then, as a clerk would, closes each month again until the close is accepted and
# Completed (a killed close is given up as Failed within minutes: close_guard.py), and
#   4. starts Create Invoices of $FAULT_KILL_MONTH (a Care Job Run, job id
#      care-job-create_invoices-<month>, or FAULT_INVOICE_JOB), kill -9s the RQ worker and its
#      work horse once the run has committed $FAULT_INVOICE_KILL_AT patients, waits for the run to
#      end Failed with the reason (the 5-minute sweep, job_runs.fail_stopped_runs), presses
#      Run Again and waits for it to complete what was left;
#   (FAULT_ONLY_KILL=1: step 1 and its re-close only)
# and checks: the stack serves, every interrupted close ended Failed (with its reason) or
# Completed, the killed invoice run ended Failed and its Run Again Completed (or Partly
# failed: patients it could not bill, each with its reason), every log the care managers saw
# accepted exists exactly once, nothing is billed twice (no billing line on two invoices).
# Supervisord starts again whatever died; nothing else is done by hand. Prints what it did
# and found; exits 1 when a check fails.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BENCH=${CARE_MANAGEMENT_BENCH:-$HOME/frappe-bench}
SITES=${STACK_SITES:-$BENCH/sites}
SITE=${CARE_MANAGEMENT_TEST_SITE:-care-management.test}
PORT=${STACK_PORT:-8010}
URL="http://127.0.0.1:$PORT"
VENV=${LOAD_VENV:-$HOME/.cache/care_management/load-venv}
OUT=${FAULT_OUT:-$BENCH/logs/care-management-fault/$(date -u +%Y%m%dT%H%M%SZ)}
WAIT=${FAULT_WAIT_SECONDS:-1200}
month_ago() { date -u -d "$(date -u +%Y-%m-01) -$1 month" +%Y-%m-01; }
KILL_MONTH=${FAULT_KILL_MONTH:-$(month_ago 2)}
DB_MONTH=${FAULT_DB_MONTH:-$(month_ago 3)}
REDIS_MONTH=${FAULT_REDIS_MONTH:-$(month_ago 1)}
STACK="$HERE/production-stack.sh"
PY="$BENCH/env/bin/python"
mkdir -p "$OUT"
JAR="$OUT/clerk.cookies"
FAILED=0

say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
common_conf() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]) or "")' "$SITES/common_site_config.json" "$1"; }
QUEUE_URL=$(common_conf redis_queue)
[ -n "${STACK_MARIADB_DATADIR:-}" ] && [ "${STACK_REDIS:-bench}" = own ] || {
	echo "refusing: run the stack with its own MariaDB (STACK_MARIADB_DATADIR) and Redis (STACK_REDIS=own)" >&2
	exit 2
}
"$STACK" status >/dev/null || { echo "the stack is not running" >&2; exit 2; }

site_run() {
	(cd "$SITES" && PYTHONPATH=${STACK_PYTHONPATH:-} "$PY" -m frappe.utils.bench_helper frappe --site "$SITE" "$@")
}
api() { # method, curl data args...
	local method=$1
	shift
	curl -s -m 150 -b "$JAR" -c "$JAR" -H "Host: $SITE" -X POST "$URL/api/method/$method" "$@"
}
field() { "$PY" -c 'import json, sys
try:
	d = json.load(sys.stdin)
except Exception:
	print(""); sys.exit()
for k in sys.argv[1:]:
	d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$@"; }
close_status() { # name -> status|chunks_done/chunks_total|error
	curl -s -m 30 -b "$JAR" -H "Host: $SITE" "$URL/api/resource/Care%20Month%20Close/$1" |
		"$PY" -c 'import json, sys
try:
	d = json.load(sys.stdin)["data"]
	error = " ".join((d.get("error") or "").split())[:300]
	chunks = ",".join(c["status"] for c in sorted(d.get("chunks") or [], key=lambda c: c["idx"]))
	print("%s|%s/%s|%s|%s" % (d["status"], d["chunks_done"], d["chunks_total"], error, chunks))
except Exception:
	print("?||")'
}
start_close() { # month -> close name, or "" with the refusal printed
	local answer
	answer=$(api care_management.billing.month_close.close_month -d "month=$1")
	local name
	name=$(echo "$answer" | field message)
	if [ -z "$name" ]; then
		echo "$answer" | "$PY" -c 'import json, sys, re, html
try:
	d = json.load(sys.stdin)
	m = json.loads(d.get("_server_messages", "[]"))
	print(" ".join(re.sub("<[^>]+>", "", json.loads(x).get("message", "")) for x in m)[:300] or d.get("exc_type"))
except Exception:
	print("no answer")' >&2
	fi
	echo "$name"
}
# The pid of a stack RQ worker now running a job whose id contains $1 (empty when none).
worker_running() {
	# A worker that outlived a Redis restart is no longer in RQ's list of workers, though it
	# still works; then the job is found in the started registry and its worker is the
	# stack's worker process that has a work horse.
	"$PY" -c 'import subprocess, sys
from redis import Redis
from rq import Queue, Worker
from rq.registry import StartedJobRegistry
redis = Redis.from_url(sys.argv[1])
for worker in Worker.all(connection=redis):
	job = worker.get_current_job_id() or ""
	if sys.argv[2] in job:
		print(worker.pid, job)
		sys.exit()
for queue in Queue.all(connection=redis):
	for job in StartedJobRegistry(queue=queue).get_job_ids():
		if sys.argv[2] in job:
			for pid in sys.argv[3:]:
				if subprocess.run(["pgrep", "-P", pid], capture_output=True).stdout.strip():
					print(pid, job)
					sys.exit()' "$QUEUE_URL" "$1" $("$STACK" ctl status 2>/dev/null | awk '/^worker/ {print $4}' | tr -d ,)
}
serves() { # the stack answers a signed-in request that reads the database
	[ "$(curl -s -m 10 -b "$JAR" -H "Host: $SITE" "$URL/api/method/frappe.auth.get_logged_user" | field message)" = "$(cat "$OUT/clerk")" ]
}
wait_serving() {
	local since=$SECONDS
	until serves; do
		[ $((SECONDS - since)) -gt 300 ] && { say "  NOT serving after 300 s"; FAILED=1; return 1; }
		sleep 1
	done
	say "  serving again after $((SECONDS - since)) s"
}
sign_in() {
	curl -s -m 60 -c "$JAR" -H "Host: $SITE" -X POST "$URL/api/method/login" \
		--data-urlencode "usr=$(cat "$OUT/clerk")" --data-urlencode "pwd=$(field password <"$OUT/manifest.json")" >/dev/null
}

say "fault test on $SITE at $URL; output in $OUT"
say "preparing the load test's users"
site_run execute care_management.demo.load_test.prepare --kwargs "{'path': '$OUT/manifest.json'}" >"$OUT/prepare.log" 2>&1 ||
	{ tail -5 "$OUT/prepare.log"; exit 2; }
field clerk <"$OUT/manifest.json" >"$OUT/clerk"
sign_in

say "load: ${FAULT_LOAD_USERS:-20} care-manager sessions and 2 portal patients, no clerk (locust in the background)"
: >"$OUT/accepted.jsonl"
LOAD_MANIFEST="$OUT/manifest.json" LOAD_ACCEPTED="$OUT/accepted.jsonl" LOAD_SITE="$SITE" LOAD_CLERK=0 \
	LOAD_RUN="f$(date -u +%H%M%S)" "$VENV/bin/locust" -f "$HERE/load/locustfile.py" --headless \
	--host "$URL" -u $((${FAULT_LOAD_USERS:-20} + 2)) -r 5 -t 60m --only-summary --loglevel WARNING \
	--csv "$OUT/locust" >"$OUT/locust.txt" 2>&1 &
LOCUST=$!
sleep 30

declare -A CLOSES
# --- 1. kill -9 a worker in the middle of a close ------------------------------------
say "1. close $KILL_MONTH, then kill -9 the RQ worker that runs one of its chunks"
CLOSES[$KILL_MONTH]=$(start_close "$KILL_MONTH")
say "  started ${CLOSES[$KILL_MONTH]:-nothing}"
# A chunk may commit between the look and the kill; then the next chunk is the target.
for try in 1 2 3; do
	victim=""
	for _ in $(seq 240); do
		victim=$(worker_running "care-month-close-${CLOSES[$KILL_MONTH]}")
		[ -n "$victim" ] && break
		sleep 0.2
	done
	[ -n "$victim" ] || break
	pid=${victim%% *}
	job=${victim#* }
	sleep "${FAULT_KILL_AFTER:-0}"  # a chunk whose records are unchanged commits within a second
	# RQ runs the job in a work horse forked into a session of its own (setsid): killing the
	# worker's process group alone leaves the horse to finish the chunk. A crash takes both.
	horse=$(pgrep -P "$pid" | tr '\n' ' ')
	say "  kill -9 worker $pid and its work horse ${horse:-(none)}while it ran $job"
	kill -9 "$pid" $horse
	IFS='|' read -r status progress reason chunks <<<"$(close_status "${CLOSES[$KILL_MONTH]}")"
	say "  close now: $status $progress, chunks $chunks"
	idx=${job##*-}
	[ "$(echo "$chunks" | cut -d, -f"$idx")" != Done ] && { say "  chunk $idx was killed before it committed"; break; }
	say "  chunk $idx had committed before the kill"
	case "$chunks" in *Queued*) say "  killing the next one" ;; *) break ;; esac
done
if [ -z "$victim" ]; then
	say "  no worker ran a chunk of the close; close: $(close_status "${CLOSES[$KILL_MONTH]}")"
	FAILED=1
fi

if [ -n "${FAULT_ONLY_KILL:-}" ]; then
	DB_MONTH="" REDIS_MONTH=""
else
# --- 2. restart MariaDB in the middle of a close ---------------------------------------
say "2. close $DB_MONTH, then restart MariaDB (the stack's own) while its chunks run"
CLOSES[$DB_MONTH]=$(start_close "$DB_MONTH")
say "  started ${CLOSES[$DB_MONTH]:-nothing}"
for _ in $(seq 240); do
	[ -n "$(worker_running "care-month-close-${CLOSES[$DB_MONTH]}")" ] && break
	sleep 0.5
done
sleep 2
"$STACK" ctl restart mariadb | sed 's/^/  /'
wait_serving
say "  close now: $(close_status "${CLOSES[$DB_MONTH]}")"

# --- 3. restart Redis in the middle of a close -----------------------------------------
say "3. close $REDIS_MONTH, then restart both Redis servers (the stack's own; queued jobs are lost)"
CLOSES[$REDIS_MONTH]=$(start_close "$REDIS_MONTH")
say "  started ${CLOSES[$REDIS_MONTH]:-nothing}"
sleep 2
"$STACK" ctl restart redis-queue redis-cache | sed 's/^/  /'
sign_in  # the session lived in the Redis cache too; Frappe finds it in the database again
wait_serving
say "  close now: $(close_status "${CLOSES[$REDIS_MONTH]}")"

fi  # FAULT_ONLY_KILL

# --- each month closed again, as a clerk would, until Completed -------------------------
say "waiting for each interrupted close to end, closing its month again until one completes (up to $WAIT s)"
for month in "$KILL_MONTH" $DB_MONTH $REDIS_MONTH; do
	first=${CLOSES[$month]:-}
	[ -n "$first" ] || continue
	current=$first
	since=$SECONDS
	while true; do
		IFS='|' read -r status progress reason chunks <<<"$(close_status "$current")"
		if [ "$status" = Completed ]; then
			break
		fi
		if [ "$status" = Failed ] || [ "$current" = "$first" ]; then
			again=$(start_close "$month" 2>>"$OUT/refusals.txt")
			if [ -n "$again" ]; then
				say "  $month: closed again as $again"
				current=$again
				continue
			fi
		fi
		if [ $((SECONDS - since)) -gt "$WAIT" ]; then
			say "  $month: gave up after $WAIT s: $current is $status ($progress, chunks $chunks) $reason"
			FAILED=1
			break
		fi
		sleep 20
	done
	IFS='|' read -r status progress reason chunks <<<"$(close_status "$first")"
	say "  $month: interrupted close $first ended $status ($progress, chunks $chunks)${reason:+: $reason}"
	[ "$current" != "$first" ] && say "  $month: close $current $(close_status "$current" | cut -d'|' -f1-2)"
	case "$status" in Completed | Failed) ;; *) FAILED=1 ;; esac
done

# --- 4. kill -9 the worker in the middle of a Create Invoices run, then Run Again -------
run_status() { # Care Job Run name -> status|done/total|failed|reason
	curl -s -m 30 -b "$JAR" -H "Host: $SITE" "$URL/api/resource/Care%20Job%20Run/$1" |
		"$PY" -c 'import json, sys
try:
	d = json.load(sys.stdin)["data"]
	reason = " ".join((d.get("reason") or "").split())[:300]
	print("%s|%s/%s|%s|%s" % (d["status"], d["done"], d["total"], d["failed"], reason))
except Exception:
	print("?||")'
}
wait_run_end() { # run, seconds -> waits while it is Queued or Running
	local since=$SECONDS
	while [ $((SECONDS - since)) -lt "$2" ]; do
		case "$(run_status "$1" | cut -d'|' -f1)" in Queued | Running | "?") sleep 10 ;; *) return 0 ;; esac
	done
	return 1
}
invoice_fault() {
	local job=${FAULT_INVOICE_JOB:-care-job-create_invoices-$KILL_MONTH}
	say "4. Create Invoices of $KILL_MONTH in the background, then kill -9 its RQ worker and work horse mid-run"
	local run
	run=$(api care_management.billing.invoicing.start_create_invoices -d "month=$KILL_MONTH" -d "submit=1" |
		tee "$OUT/invoice-start.json" | field message run)
	[ -n "$run" ] || { say "  not started: $(cut -c1-300 "$OUT/invoice-start.json")"; FAILED=1; return; }
	say "  started Care Job Run $run"
	local victim="" status progress failed reason
	for _ in $(seq 1200); do  # up to 4 minutes for it to commit its first patients
		IFS='|' read -r status progress failed reason <<<"$(run_status "$run")"
		case "$status" in Completed | "Partly failed" | Failed) break ;; esac
		if [ "${progress%%/*}" -ge "${FAULT_INVOICE_KILL_AT:-3}" ] 2>/dev/null; then
			victim=$(worker_running "$job")
			[ -n "$victim" ] && break
		fi
		sleep 0.2
	done
	if [ -z "$victim" ]; then
		say "  no worker was running it mid-way (run: $status $progress)"
		FAILED=1
		return
	fi
	local pid=${victim%% *}
	local horse
	horse=$(pgrep -P "$pid" | tr '\n' ' ')
	say "  kill -9 worker $pid and its work horse ${horse:-(none)}while it ran ${victim#* } ($progress patients done)"
	kill -9 "$pid" $horse
	local killed=$SECONDS
	# Its job stays "started" in RQ; the sweep (every 5 minutes) gives the run up once the
	# job's heartbeat is 3 minutes old: at most ~8 minutes.
	wait_run_end "$run" "${FAULT_RUN_WAIT:-720}"
	IFS='|' read -r status progress failed reason <<<"$(run_status "$run")"
	say "  after $((SECONDS - killed)) s the run is $status ($progress done, $failed failed)${reason:+: $reason}"
	if [ "$status" != Failed ]; then
		say "  the killed run did not end Failed"
		FAILED=1
		[ "$status" = Completed ] || [ "$status" = "Partly failed" ] || return
	else
		case "$reason" in *"worker stopped"*) ;; *) say "  its reason does not say the worker stopped"; FAILED=1 ;; esac
		api care_management.job_runs.run_again -d "name=$run" >"$OUT/invoice-again.json"
		say "  Run Again: $(field message <"$OUT/invoice-again.json")"
		wait_run_end "$run" "$WAIT" || { say "  Run Again still running after $WAIT s"; FAILED=1; }
		IFS='|' read -r status progress failed reason <<<"$(run_status "$run")"
		say "  Run Again ended $status ($progress done, $failed failed)${reason:+: $reason}"
		case "$status" in Completed | "Partly failed") ;; *) FAILED=1 ;; esac
	fi
}
[ -n "${FAULT_ONLY_KILL:-}" ] || invoice_fault

say "stopping the load"
kill -TERM "$LOCUST" 2>/dev/null  # SIGINT is ignored by a background job of a script
wait "$LOCUST" 2>/dev/null
grep -E "^(request|submit log|worklist|open|timer|portal|sign in|close|create|5xx)" "$OUT/locust.txt" | sed 's/^/  /'

say "stack:"
"$STACK" ctl status | sed 's/^/  /'
LOGS=${STACK_LOGS:-$BENCH/logs/${STACK_NAME:-care-management-stack}}
grep -E "exited: |entered RUNNING" "$LOGS/supervisord.log" | tail -n 12 | sed 's/^/  supervisord: /'
serves && say "  serves: yes" || { say "  serves: NO"; FAILED=1; }

say "checking the data"
site_run execute care_management.demo.load_test.check --kwargs "{'accepted': '$OUT/accepted.jsonl'}" >"$OUT/check.json" 2>&1
cat "$OUT/check.json"
grep -q '"ok": true' "$OUT/check.json" || FAILED=1
[ -s "$OUT/refusals.txt" ] && say "re-closes refused while an interrupted close still held its month: $(wc -l <"$OUT/refusals.txt") (first: $(head -1 "$OUT/refusals.txt"))"
if [ "$FAILED" = 0 ]; then say "RESULT: passed"; else say "RESULT: FAILED"; fi
exit "$FAILED"
