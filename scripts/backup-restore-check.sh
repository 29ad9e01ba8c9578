#!/usr/bin/env bash
# Backup and restore, checked: `bench backup --with-files` of a site, restored into a
# new site, must give the same care-management data (row counts, billing records and
# invoiced amounts per month) and the same attached files (consent forms, claim files;
# compared by SHA-256). The new site is dropped afterwards unless BACKUP_KEEP=1.
#
#   bash scripts/backup-restore-check.sh <site> [<new site>]
#
# The site's encryption_key goes with the backup (site_config.json is not in it): the
# restored site is given the same key, or its stored passwords could not be read.
# Sites folder: STACK_SITES (default the bench's); MariaDB root password: DB_ROOT_PASSWORD (root).
set -euo pipefail

SITE=${1:?usage: backup-restore-check.sh <site> [<new site>]}
NEW=${2:-restore-check.$SITE}
BENCH=${CARE_MANAGEMENT_BENCH:-$HOME/frappe-bench}
SITES=${STACK_SITES:-$BENCH/sites}
ROOT_PASSWORD=${DB_ROOT_PASSWORD:-root}
OUT=${BACKUP_OUT:-$BENCH/logs/care-management-backup/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT/backup"

say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
site_run() {
	local site=$1
	shift
	(cd "$SITES" && PYTHONPATH=${STACK_PYTHONPATH:-} "$BENCH/env/bin/python" -m frappe.utils.bench_helper frappe --site "$site" "$@")
}
[ ! -e "$SITES/$NEW" ] || { echo "$NEW exists already in $SITES; name another new site" >&2; exit 2; }

say "attachments on $SITE: $(site_run "$SITE" execute care_management.demo.backup_check.ensure_attachments)"
say "snapshot of $SITE: $(site_run "$SITE" execute care_management.demo.backup_check.snapshot --kwargs "{'path': '$OUT/before.json'}")"
since=$SECONDS
site_run "$SITE" backup --with-files --backup-path "$OUT/backup" >"$OUT/backup.log" 2>&1
say "bench backup --with-files: $((SECONDS - since)) s; $(ls "$OUT/backup" | tr '\n' ' ')"
du -sh "$OUT/backup"/* | sed 's/^/  /'

since=$SECONDS
# As a practice restores onto a new server: an empty site first, then the backup into it.
(cd "$SITES" && PYTHONPATH=${STACK_PYTHONPATH:-} "$BENCH/env/bin/python" -m frappe.utils.bench_helper frappe new-site "$NEW" \
	--db-root-username root --db-root-password "$ROOT_PASSWORD" --admin-password "restore-check" \
	>"$OUT/new-site.log" 2>&1) || { tail -20 "$OUT/new-site.log"; exit 1; }
site_run "$NEW" restore "$(ls "$OUT"/backup/*-database.sql.gz)" \
	--with-public-files "$(ls "$OUT"/backup/*-files.tar | grep -v -- -private-files.tar)" \
	--with-private-files "$(ls "$OUT"/backup/*-private-files.tar)" \
	--db-root-username root --db-root-password "$ROOT_PASSWORD" --admin-password "restore-check" --force \
	>"$OUT/restore.log" 2>&1 || { tail -20 "$OUT/restore.log"; exit 1; }
say "restored into $NEW: $((SECONDS - since)) s"
key=$("$BENCH/env/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["encryption_key"])' "$SITES/$SITE/site_config.json")
site_run "$NEW" set-config encryption_key "$key" >/dev/null

say "snapshot of $NEW: $(site_run "$NEW" execute care_management.demo.backup_check.snapshot --kwargs "{'path': '$OUT/after.json'}")"
status=0
if diff -u "$OUT/before.json" "$OUT/after.json" >"$OUT/diff.txt"; then
	say "SAME: counts, billing per month, invoiced per month and attached files"
else
	say "DIFFERENT (first lines of $OUT/diff.txt):"
	head -40 "$OUT/diff.txt"
	status=1
fi
"$BENCH/env/bin/python" - "$OUT/before.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
invoiced = {row["month"]: row for row in data["invoiced_by_month"]}
print("  month       records  ready  total_amount  minutes  invoices  invoiced")
for row in data["billing_by_month"]:
	inv = invoiced.get(row["month"], {})
	print(f"  {row['month']}  {row['records']:>7}  {int(row['ready'] or 0):>5}  {row['total_amount'] or 0:>12}  {row['minutes'] or 0:>7}  {inv.get('invoices', 0):>8}  {inv.get('invoiced', 0)}")
print(f"  files: {len(data['files'])}, rows counted in {len(data['counts'])} doctypes")
PY

if [ "${BACKUP_KEEP:-0}" != 1 ]; then
	(cd "$SITES" && "$BENCH/env/bin/python" -m frappe.utils.bench_helper frappe drop-site "$NEW" \
		--db-root-username root --db-root-password "$ROOT_PASSWORD" --no-backup --force >/dev/null)
	say "dropped $NEW"
fi
say "output: $OUT"
exit "$status"
