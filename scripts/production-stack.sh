#!/usr/bin/env bash
# The process set a practice deploys, on this machine's loopback, for load and
# fault tests:  bash scripts/production-stack.sh start|stop|status|restart
#
#   web        gunicorn frappe.app:application, $STACK_WEB_WORKERS workers, Frappe's
#              production request timeout (120 s), on 127.0.0.1:$STACK_PORT
#   worker-N   two RQ workers (bench worker) on the short, default and long queues
#   schedule   the scheduler (bench schedule)
#   socketio   Frappe's realtime server, kept on 127.0.0.1 (scripts/loopback-listen.cjs)
#
# They run under supervisord (from PyPI, installed into the bench's env when
# missing), as `bench setup production` runs them, so a process that dies is
# started again. Its control socket is a Unix socket; nothing listens beyond
# loopback. MariaDB and Redis are the bench's (Redis started from the bench's
# own configs when it is not answering). Logs: $BENCH/logs/care-management-stack/.
#
# The bench is $CARE_MANAGEMENT_BENCH (default ~/frappe-bench). Requests name
# their site in the Host or X-Frappe-Site-Name header (status uses
# $CARE_MANAGEMENT_TEST_SITE, default care-management.test).
set -euo pipefail

BENCH=${CARE_MANAGEMENT_BENCH:-$HOME/frappe-bench}
SITE=${CARE_MANAGEMENT_TEST_SITE:-care-management.test}
PORT=${STACK_PORT:-8010}
WEB_WORKERS=${STACK_WEB_WORKERS:-3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
DIR="$BENCH/config/care-management-stack"
LOGS="$BENCH/logs/care-management-stack"
CONF="$DIR/supervisord.conf"
SOCK="$DIR/supervisor.sock"

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

ensure_supervisor() {
	"$BENCH/env/bin/python" -c "import supervisor" 2>/dev/null || "$BENCH/env/bin/pip" install -q "supervisor>=4.2,<5"
}

ensure_redis() {
	local conf port
	for conf in "$BENCH"/config/redis_cache.conf "$BENCH"/config/redis_queue.conf; do
		[ -f "$conf" ] || continue
		port=$(awk '$1 == "port" {print $2}' "$conf")
		port_open 127.0.0.1 "$port" || redis-server "$conf" --daemonize yes >/dev/null
	done
}

write_config() {
	mkdir -p "$DIR" "$LOGS"
	local frappe="$BENCH/env/bin/python -m frappe.utils.bench_helper frappe"
	cat >"$CONF" <<-CONF
		; Written by care_management's scripts/production-stack.sh; rewritten on every start.
		[unix_http_server]
		file=$SOCK
		chmod=0700

		[supervisord]
		logfile=$LOGS/supervisord.log
		pidfile=$DIR/supervisord.pid
		childlogdir=$LOGS

		[rpcinterface:supervisor]
		supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

		[supervisorctl]
		serverurl=unix://$SOCK

		[program:web]
		command=$BENCH/env/bin/gunicorn -b 127.0.0.1:$PORT -w $WEB_WORKERS -t 120 --graceful-timeout 30 --max-requests 5000 --max-requests-jitter 500 frappe.app:application --preload
		directory=$BENCH/sites
		autorestart=true
		stopwaitsecs=40
		killasgroup=true
		stdout_logfile=$LOGS/web.log
		stderr_logfile=$LOGS/web.error.log

		[program:worker]
		command=$frappe worker --queue short,default,long
		process_name=%(program_name)s-%(process_num)d
		numprocs=2
		directory=$BENCH/sites
		autorestart=true
		stopwaitsecs=60
		killasgroup=true
		stdout_logfile=$LOGS/worker.log
		stderr_logfile=$LOGS/worker.error.log

		[program:schedule]
		command=$frappe schedule
		directory=$BENCH/sites
		autorestart=true
		stdout_logfile=$LOGS/schedule.log
		stderr_logfile=$LOGS/schedule.error.log

		[program:socketio]
		command=node -r $HERE/loopback-listen.cjs $BENCH/apps/frappe/socketio.js
		directory=$BENCH
		autorestart=true
		stdout_logfile=$LOGS/socketio.log
		stderr_logfile=$LOGS/socketio.error.log
	CONF
}

ctl() { "$BENCH/env/bin/supervisorctl" -c "$CONF" "$@"; }

running() { [ -S "$SOCK" ] && ctl pid >/dev/null 2>&1; }

start() {
	ensure_supervisor
	ensure_redis
	if running; then
		echo "the stack is running already"
		return 0
	fi
	write_config
	(cd "$BENCH" && "$BENCH/env/bin/supervisord" -c "$CONF")
	local tries=0
	until port_open 127.0.0.1 "$PORT"; do
		tries=$((tries + 1))
		[ "$tries" -gt 120 ] && { echo "gunicorn did not start; see $LOGS/web.error.log" >&2; return 1; }
		sleep 0.5
	done
	status
}

stop() {
	running || { echo "the stack is not running"; return 0; }
	ctl shutdown >/dev/null
	echo "stopped"
}

status() {
	running || { echo "the stack is not running"; return 3; }
	ctl status || true
	printf 'web: GET /api/method/ping as %s -> ' "$SITE"
	curl -s -m 10 -H "Host: $SITE" "http://127.0.0.1:$PORT/api/method/ping" || echo "no answer"
	echo
	echo "logs: $LOGS"
}

case "${1:-}" in
	start) start ;;
	stop) stop ;;
	restart) stop; start ;;
	status) status ;;
	*) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
