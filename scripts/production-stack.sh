#!/usr/bin/env bash
# The process set a practice deploys, on this machine's loopback, for load and
# fault tests:  bash scripts/production-stack.sh start|stop|status|restart
#
#   web        gunicorn frappe.app:application, $STACK_WEB_WORKERS workers (default the
#              sites' gunicorn_workers, as bench setup production), Frappe's
#              production request timeout (120 s), on 127.0.0.1:$STACK_PORT
#   worker-*   two RQ workers (bench worker), as bench setup production: one on short,default,
#              one on long,default,short ($STACK_RQ_WORKERS in all, split between the two)
#   schedule   the scheduler (bench schedule)
#   socketio   Frappe's realtime server, kept on 127.0.0.1 (scripts/loopback-listen.cjs)
#
# They run under supervisord (from PyPI, installed into the bench's env when
# missing), as `bench setup production` runs them, so a process that dies is
# started again. Its control socket is a Unix socket; nothing listens beyond
# loopback. Logs of every process: $STACK_LOGS (default $BENCH/logs/care-management-stack/).
#
# By default this is a practice's plain bench: sites in $BENCH/sites, MariaDB
# and Redis as that bench's common_site_config.json names them (Redis started
# from the bench's own configs when it is not answering). For a stack that must
# not touch anyone else's queue or database (a shared test machine), point it
# at a sites folder of its own (scripts/isolated-sites.sh makes one):
#
#   STACK_SITES      the sites folder (default $BENCH/sites); its common_site_config.json
#                    names Redis (redis_cache, redis_queue) and MariaDB (db_host, db_port)
#   STACK_REDIS=own  run redis-server for those two ports under this supervisord
#                    (no persistence), instead of the bench's
#   STACK_MARIADB_DATADIR  run a mariadbd of this data folder on db_port under this
#                    supervisord (made by isolated-sites.sh), instead of the system's
#   STACK_NAME       names the config and log folders, so two stacks can coexist
#   STACK_PYTHONPATH put before the apps (e.g. a worktree of care_management)
#
# The bench is $CARE_MANAGEMENT_BENCH (default ~/frappe-bench). Requests name
# their site in the Host or X-Frappe-Site-Name header (status uses
# $CARE_MANAGEMENT_TEST_SITE, default care-management.test).
set -euo pipefail

BENCH=${CARE_MANAGEMENT_BENCH:-$HOME/frappe-bench}
SITE=${CARE_MANAGEMENT_TEST_SITE:-care-management.test}
SITES=${STACK_SITES:-$BENCH/sites}
NAME=${STACK_NAME:-care-management-stack}
PORT=${STACK_PORT:-8010}
WEB_WORKERS=${STACK_WEB_WORKERS:-}
RQ_WORKERS=${STACK_RQ_WORKERS:-2}
REDIS_MODE=${STACK_REDIS:-bench}
MARIADB_DATADIR=${STACK_MARIADB_DATADIR:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
DIR="$BENCH/config/$NAME"
LOGS=${STACK_LOGS:-$BENCH/logs/$NAME}
CONF="$DIR/supervisord.conf"
SOCK="$DIR/supervisor.sock"

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# A value of the sites folder's common_site_config.json ("" when absent).
common_conf() {
	"$BENCH/env/bin/python" -c 'import json, sys
print(json.load(open(sys.argv[1])).get(sys.argv[2]) or "")' "$SITES/common_site_config.json" "$1"
}

url_port() { echo "${1##*:}" | tr -d /; }

ensure_supervisor() {
	"$BENCH/env/bin/python" -c "import supervisor" 2>/dev/null || "$BENCH/env/bin/pip" install -q "supervisor>=4.2,<5"
}

# The bench's Redis, started from its own configs when it is not answering.
ensure_bench_redis() {
	local conf port
	for conf in "$BENCH"/config/redis_cache.conf "$BENCH"/config/redis_queue.conf; do
		[ -f "$conf" ] || continue
		port=$(awk '$1 == "port" {print $2}' "$conf")
		port_open 127.0.0.1 "$port" || redis-server "$conf" --daemonize yes >/dev/null
	done
}

program() {
	# name, command, directory, extra lines
	cat <<-CONF

		[program:$1]
		command=$2
		directory=$3
		autorestart=true
		killasgroup=true
		stopasgroup=true
		stdout_logfile=$LOGS/$1.log
		stderr_logfile=$LOGS/$1.error.log
	CONF
	[ -z "${4:-}" ] || printf '%s\n' "$4"
}

write_config() {
	mkdir -p "$DIR" "$LOGS"
	local frappe="$BENCH/env/bin/python -m frappe.utils.bench_helper frappe"
	local redis_cache redis_queue socketio_port db_port
	redis_cache=$(common_conf redis_cache)
	redis_queue=$(common_conf redis_queue)
	socketio_port=$(common_conf socketio_port)
	db_port=$(common_conf db_port)
	# As `bench setup production` does: the bench's gunicorn_workers (bench init sets 2 x cores + 1).
	WEB_WORKERS=${WEB_WORKERS:-$(common_conf gunicorn_workers)}
	WEB_WORKERS=${WEB_WORKERS:-3}
	{
		cat <<-CONF
			; Written by care_management's scripts/production-stack.sh; rewritten on every start.
			[unix_http_server]
			file=$SOCK
			chmod=0700

			[supervisord]
			logfile=$LOGS/supervisord.log
			pidfile=$DIR/supervisord.pid
			childlogdir=$LOGS
			environment=SITES_PATH="$SITES",FRAPPE_REDIS_CACHE="$redis_cache",FRAPPE_REDIS_QUEUE="$redis_queue",FRAPPE_SOCKETIO_PORT="${socketio_port:-9000}",PYTHONPATH="${STACK_PYTHONPATH:-}"

			[rpcinterface:supervisor]
			supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

			[supervisorctl]
			serverurl=unix://$SOCK
		CONF
		if [ "$REDIS_MODE" = own ]; then
			local kind url
			for kind in cache queue; do
				[ "$kind" = cache ] && url=$redis_cache || url=$redis_queue
				program "redis-$kind" \
					"redis-server --bind 127.0.0.1 --port $(url_port "$url") --save \"\" --appendonly no --protected-mode yes --dir $DIR" \
					"$DIR" "priority=10"
			done
		fi
		if [ -n "$MARIADB_DATADIR" ]; then
			program mariadb \
				"/usr/sbin/mariadbd --no-defaults --datadir=$MARIADB_DATADIR --socket=$MARIADB_DATADIR/mysqld.sock --pid-file=$MARIADB_DATADIR/mysqld.pid --bind-address=127.0.0.1 --port=${db_port:-3307} --user=mysql --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --skip-character-set-client-handshake --innodb-buffer-pool-size=512M --innodb-flush-log-at-trx-commit=2 --max-connections=500" \
				"$MARIADB_DATADIR" "priority=10
stopwaitsecs=120
stopasgroup=false
killasgroup=false"
		fi
		program web \
			"$BENCH/env/bin/gunicorn -b 127.0.0.1:$PORT -w $WEB_WORKERS -t 120 --graceful-timeout 30 --max-requests 5000 --max-requests-jitter 500 frappe.app:application --preload" \
			"$SITES" "priority=20
stopwaitsecs=40"
		# As bench setup production: a worker for short work first, one for long work (the
		# month close's chunks) first; each takes the others' queues when its own is empty.
		program worker-short "$frappe worker --queue short,default" "$SITES" "process_name=%(program_name)s-%(process_num)d
numprocs=$(((RQ_WORKERS + 1) / 2))
priority=20
stopwaitsecs=60"
		program worker-long "$frappe worker --queue long,default,short" "$SITES" "process_name=%(program_name)s-%(process_num)d
numprocs=$((RQ_WORKERS / 2 > 0 ? RQ_WORKERS / 2 : 1))
priority=20
stopwaitsecs=120"
		program schedule "$frappe schedule" "$SITES" "priority=20"
		program socketio "node -r $HERE/loopback-listen.cjs $BENCH/apps/frappe/socketio.js" "$BENCH" "priority=20"
	} >"$CONF"
}

ctl() { "$BENCH/env/bin/supervisorctl" -c "$CONF" "$@"; }

running() { [ -S "$SOCK" ] && ctl pid >/dev/null 2>&1; }

start() {
	ensure_supervisor
	[ "$REDIS_MODE" = own ] || ensure_bench_redis
	if running; then
		echo "the stack is running already"
		return 0
	fi
	write_config
	(cd "$SITES" && "$BENCH/env/bin/supervisord" -c "$CONF")
	local tries=0
	until port_open 127.0.0.1 "$PORT"; do
		tries=$((tries + 1))
		[ "$tries" -gt 240 ] && { echo "gunicorn did not start; see $LOGS/web.error.log" >&2; return 1; }
		sleep 0.5
	done
	status
}

stop() {
	running || { echo "the stack is not running"; return 0; }
	ctl shutdown >/dev/null
	# supervisord returns before its children have ended; wait for it to go.
	local pid tries=0
	pid=$(cat "$DIR/supervisord.pid" 2>/dev/null || true)
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 240 ]; do
		tries=$((tries + 1))
		sleep 0.5
	done
	echo "stopped"
}

status() {
	running || { echo "the stack is not running"; return 3; }
	ctl status || true
	printf 'web: GET /api/method/ping as %s -> ' "$SITE"
	curl -s -m 10 -H "Host: $SITE" "http://127.0.0.1:$PORT/api/method/ping" || echo "no answer"
	echo
	echo "sites: $SITES"
	echo "logs: $LOGS"
}

case "${1:-}" in
	start) start ;;
	stop) stop ;;
	restart) stop; start ;;
	status) status ;;
	ctl) shift; ctl "$@" ;;
	*) echo "usage: $0 start|stop|status|restart|ctl <supervisorctl arguments>" >&2; exit 2 ;;
esac
