#!/usr/bin/env bash
# A sites folder of its own for scripts/production-stack.sh on a machine other
# people share: its own Redis ports and, optionally, its own MariaDB with a copy
# of one site's database, so the stack's RQ workers never take anyone else's
# jobs and a MariaDB restart (scripts/fault-test.sh) stops nobody else's tests.
#
#   bash scripts/isolated-sites.sh <site>
#
# Makes (again each time; the copied database is replaced):
#   $ISOLATED_SITES (default $BENCH/sites-isolated)/
#     common_site_config.json   the bench's, with redis_cache/redis_queue on
#                               127.0.0.1:$ISOLATED_REDIS_CACHE_PORT/$ISOLATED_REDIS_QUEUE_PORT,
#                               socketio_port $ISOLATED_SOCKETIO_PORT and, with a
#                               MariaDB of its own, db_port $ISOLATED_DB_PORT
#     apps.txt apps.json assets links to the bench's
#     <site>                    a folder with a copy of the site's site_config.json and links to its
#                               files, logs and locks (the scheduler skips a site that is a link)
#   With ISOLATED_MARIADB_DATADIR set (e.g. /var/lib/care-management/isolated-mariadb):
#     a MariaDB data folder made by mariadb-install-db (root password "root" by default,
#     $ISOLATED_DB_ROOT_PASSWORD), holding a copy of the site's database and its user.
#
# Then:  STACK_SITES=<that folder> STACK_REDIS=own STACK_MARIADB_DATADIR=<data folder> \
#        bash scripts/production-stack.sh start
set -euo pipefail

SITE=${1:?usage: isolated-sites.sh <site>}
BENCH=${CARE_MANAGEMENT_BENCH:-$HOME/frappe-bench}
OUT=${ISOLATED_SITES:-$BENCH/sites-isolated}
CACHE_PORT=${ISOLATED_REDIS_CACHE_PORT:-13100}
QUEUE_PORT=${ISOLATED_REDIS_QUEUE_PORT:-11100}
SOCKETIO_PORT=${ISOLATED_SOCKETIO_PORT:-9100}
DB_PORT=${ISOLATED_DB_PORT:-3310}
DATADIR=${ISOLATED_MARIADB_DATADIR:-}
ROOT_PASSWORD=${ISOLATED_DB_ROOT_PASSWORD:-root}
SOURCE_ROOT_PASSWORD=${SOURCE_DB_ROOT_PASSWORD:-root}
PY="$BENCH/env/bin/python"

[ -d "$BENCH/sites/$SITE" ] || { echo "no site $SITE in $BENCH/sites" >&2; exit 2; }
mkdir -p "$OUT"
for shared in apps.txt apps.json assets; do
	ln -sfn "$BENCH/sites/$shared" "$OUT/$shared"
done
# The site a real folder, not a link: Frappe's scheduler (get_sites) skips a site folder that is a
# symbolic link, and the stack's scheduler would then run nothing. Its config is copied; its files,
# logs and locks are the bench site's (links).
[ -L "$OUT/$SITE" ] && rm "$OUT/$SITE"
mkdir -p "$OUT/$SITE"
cp "$BENCH/sites/$SITE/site_config.json" "$OUT/$SITE/site_config.json"
for entry in "$BENCH/sites/$SITE"/*; do
	[ "$(basename "$entry")" = site_config.json ] || ln -sfn "$entry" "$OUT/$SITE/$(basename "$entry")"
done

"$PY" - "$BENCH/sites/common_site_config.json" "$OUT/common_site_config.json" <<PY
import json, sys
conf = json.load(open(sys.argv[1]))
conf.update(
	redis_cache="redis://127.0.0.1:$CACHE_PORT",
	redis_queue="redis://127.0.0.1:$QUEUE_PORT",
	redis_socketio="redis://127.0.0.1:$CACHE_PORT",
	socketio_port=$SOCKETIO_PORT,
	live_reload=False,
)
if "$DATADIR":
	conf.update(db_host="127.0.0.1", db_port=$DB_PORT)
json.dump(conf, open(sys.argv[2], "w"), indent=1)
PY
echo "sites folder: $OUT (Redis $CACHE_PORT/$QUEUE_PORT, socket.io $SOCKETIO_PORT)"

[ -n "$DATADIR" ] || exit 0

site_conf() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$BENCH/sites/$SITE/site_config.json" "$1"; }
DB_NAME=$(site_conf db_name)
DB_PASSWORD=$(site_conf db_password)
SOURCE_HOST=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("db_host") or "127.0.0.1")' "$BENCH/sites/common_site_config.json")

if [ ! -d "$DATADIR/mysql" ]; then
	mkdir -p "$DATADIR"
	chown mysql:mysql "$DATADIR"
	mariadb-install-db --no-defaults --datadir="$DATADIR" --user=mysql --auth-root-authentication-method=normal >/dev/null
fi

# A MariaDB of this folder for as long as the copy takes; production-stack.sh runs it after.
/usr/sbin/mariadbd --no-defaults --datadir="$DATADIR" --socket="$DATADIR/mysqld.sock" \
	--pid-file="$DATADIR/mysqld.pid" --bind-address=127.0.0.1 --port="$DB_PORT" --user=mysql \
	--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
	--skip-character-set-client-handshake --innodb-flush-log-at-trx-commit=2 \
	>"$DATADIR/copy.log" 2>&1 &
MARIADB_PID=$!
trap 'kill "$MARIADB_PID" 2>/dev/null; wait "$MARIADB_PID" 2>/dev/null || true' EXIT
for _ in $(seq 120); do
	mariadb-admin --socket="$DATADIR/mysqld.sock" -uroot ping >/dev/null 2>&1 && break
	mariadb-admin --socket="$DATADIR/mysqld.sock" -uroot -p"$ROOT_PASSWORD" ping >/dev/null 2>&1 && break
	sleep 0.5
done
mysql_root() {
	mariadb --socket="$DATADIR/mysqld.sock" -uroot -p"$ROOT_PASSWORD" "$@" 2>/dev/null ||
		mariadb --socket="$DATADIR/mysqld.sock" -uroot "$@"
}
mysql_root <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$ROOT_PASSWORD';
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '$ROOT_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
DROP DATABASE IF EXISTS \`$DB_NAME\`;
CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_NAME'@'%' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_NAME'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_NAME'@'%';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_NAME'@'localhost';
FLUSH PRIVILEGES;
SQL
echo "copying $SITE's database $DB_NAME from $SOURCE_HOST into $DATADIR (port $DB_PORT) ..."
mariadb-dump -h "$SOURCE_HOST" -uroot -p"$SOURCE_ROOT_PASSWORD" --single-transaction --quick \
	--routines "$DB_NAME" | mariadb --socket="$DATADIR/mysqld.sock" -uroot -p"$ROOT_PASSWORD" "$DB_NAME"
echo "copied: $(mariadb --socket="$DATADIR/mysqld.sock" -uroot -p"$ROOT_PASSWORD" -N -e \
	"select count(*) from information_schema.tables where table_schema = '$DB_NAME'") tables"
mariadb-admin --socket="$DATADIR/mysqld.sock" -uroot -p"$ROOT_PASSWORD" shutdown
wait "$MARIADB_PID" 2>/dev/null || true
trap - EXIT
