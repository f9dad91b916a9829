#!/usr/bin/env bash
#
# test/t_app.sh -- an application installs its own migration set with the
# installed makefile fragment, and bin/sm-new creates migrations.
#
#   1. test/example_app (3-line Makefile + migrations/ made with sm-new) is
#      copied to a temp dir, as a user would clone it; `make check-migrations`,
#      `make install PG_CONFIG=...` installs the set "exampleapp" under the
#      real share directory; DESTDIR stages; bad set names are refused; a file
#      removed from MIGRATIONS disappears from the set on the next install.
#   2. a database: CREATE EXTENSION, sm_upgrade('head', 'exampleapp') with the
#      default schema_migrate.path, sm_current = 0003, the tables are there.
#   3. sm-new: 0001/0002/0003 with the right down_revisions; natural order;
#      a --timestamp folder (and the style followed without the flag); a second
#      head refused, --branch, --merge; an existing file or revision refused.
#      The created files, installed as a set with the fragment, go up to head
#      and down to base on the server.
#   4. `make uninstall` removes the set directory.
#
# Needs the extension installed system-wide (make install), including
# $(pg_config --sharedir)/schema_migrate/schema_migrate_set.mk.  Run as root
# (installs into the share directory; the cluster runs as postgres).  Uses the
# server given by PGHOST/PGPORT, or starts its own on port 55690.  Prints
# "ok" lines; exits non-zero on the first failure.

# shellcheck disable=SC2015  # "A && B || fail": fail runs when either is false

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"

SMNEW=${SM_NEW:-$ROOT/bin/sm-new}
PGC=$(sm_pg_config)
PGBINDIR=$("$PGC" --bindir)
SHARE=$("$PGC" --sharedir)/schema_migrate
FRAGMENT=$SHARE/schema_migrate_set.mk
APPSET=exampleapp
NEWSET=t_app_smnew
TSSET=t_app_smnew_ts
DB=t_app
# the 3-line Makefile calls plain `pg_config`: make it the same one
export PATH="$PGBINDIR:$PATH"

fail() {
	echo "not ok - $*"
	exit 1
}
ok() { echo "ok - $*"; }

TMP=$(mktemp -d /tmp/sm-app-test.XXXXXX) || exit 2
chmod 0755 "$TMP"
app_cleanup() {
	rm -rf -- "$TMP"
	# the sets this test installed (their names are this test's own)
	rm -rf -- "${SHARE:?}/$APPSET" "${SHARE:?}/$NEWSET" "${SHARE:?}/$TSSET"
}
# armed before sm_cluster_start, which chains it into its own EXIT trap
trap app_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -f "$FRAGMENT" ] || fail "$FRAGMENT is missing: run make install"
cmp -s "$FRAGMENT" "$ROOT/mk/schema_migrate_set.mk" ||
	fail "$FRAGMENT differs from mk/schema_migrate_set.mk: run make install"
[ -f "$("$PGC" --sharedir)/extension/schema_migrate.control" ] || fail "extension not installed: run make install"
[ -w "$SHARE" ] || fail "cannot write $SHARE: run as root"
for s in "$APPSET" "$NEWSET" "$TSSET"; do
	[ ! -e "$SHARE/$s" ] || fail "$SHARE/$s exists already (left by another run?)"
done

# ---------------------------------------------------------------- 1. install
APP=$TMP/app
cp -R "$ROOT/test/example_app" "$APP" || fail "copy example_app"
[ "$(grep -c . "$APP/Makefile")" -eq 3 ] || fail "example_app/Makefile is not 3 lines"

make -s -C "$APP" check-migrations >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "make check-migrations"; }
ok "make check-migrations on the example app"

make -C "$APP" install PG_CONFIG="$PGC" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "make install"; }
for f in 0001_create_accounts.sql 0002_add_invoices.sql 0003_add_invoice_status.sql; do
	[ -f "$SHARE/$APPSET/$f" ] || fail "make install did not install $f"
	cmp -s "$SHARE/$APPSET/$f" "$APP/migrations/$f" || fail "$f differs after install"
	[ "$(stat -c %a "$SHARE/$APPSET/$f")" = 644 ] || fail "$f is not mode 644"
done
[ "$(stat -c %a "$SHARE/$APPSET")" = 755 ] || fail "set directory is not mode 755"
[ "$(find "$SHARE/$APPSET" -type f | wc -l)" -eq 3 ] || fail "unexpected files in the set"
ok "make install PG_CONFIG=$PGC installs the set $APPSET into $SHARE/$APPSET"

make -C "$APP" install PG_CONFIG="$PGC" DESTDIR="$TMP/stage" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "make install DESTDIR"; }
[ -f "$TMP/stage$SHARE/$APPSET/0003_add_invoice_status.sql" ] || fail "DESTDIR not honoured"
[ "$(find "$TMP/stage" -type f | wc -l)" -eq 3 ] || fail "DESTDIR install wrote other files"
ok "DESTDIR stages the set under \$DESTDIR$SHARE/$APPSET"

for bad in ../evil a/b .hidden 'x..y' ''; do
	if make -C "$APP" install PG_CONFIG="$PGC" MIGRATION_SET="$bad" >"$TMP/out" 2>&1; then
		fail "set name '$bad' was accepted"
	fi
	grep -q "invalid migration set name" "$TMP/out" || { cat "$TMP/out"; fail "no clear error for set name '$bad'"; }
done
[ ! -e "$SHARE/../evil" ] && [ ! -e "$SHARE/a" ] && [ ! -e "$SHARE/x..y" ] || fail "a refused set name left a directory"
ok "set names with /, .., a leading dot, or empty are refused and install nothing"

if make -C "$APP" install PG_CONFIG="$PGC" MIGRATIONS= >"$TMP/out" 2>&1; then
	fail "an empty MIGRATIONS was accepted"
fi
[ "$(find "$SHARE/$APPSET" -type f | wc -l)" -eq 3 ] || fail "an empty MIGRATIONS touched the set"
ok "an empty MIGRATIONS is refused and leaves the set alone"

printf '\377\376 -- +up\nSELECT 1;\n' >"$APP/migrations/0004_bad.sql"
if make -s -C "$APP" check-migrations >"$TMP/out" 2>&1; then
	fail "check-migrations accepted a file that is not UTF-8"
fi
grep -q "0004_bad.sql: not valid UTF-8" "$TMP/out" || { cat "$TMP/out"; fail "check-migrations did not name the bad file"; }
rm -f "$APP/migrations/0004_bad.sql"
ok "check-migrations names a file that is not valid UTF-8"

mv "$APP/migrations/0003_add_invoice_status.sql" "$TMP/"
make -C "$APP" install PG_CONFIG="$PGC" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "make install (2)"; }
[ ! -e "$SHARE/$APPSET/0003_add_invoice_status.sql" ] || fail "a file removed from MIGRATIONS stayed in the set"
mv "$TMP/0003_add_invoice_status.sql" "$APP/migrations/"
make -C "$APP" install PG_CONFIG="$PGC" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "make install (3)"; }
[ -f "$SHARE/$APPSET/0003_add_invoice_status.sql" ] || fail "re-install did not bring 0003 back"
ok "a file no longer in MIGRATIONS is removed from the set on install"

# ---------------------------------------------------------------- 2. server
if [ -z "${PGHOST:-}" ]; then
	SM_PGPORT=55690 sm_cluster_start || fail "cluster start"
fi
PSQL_CMD=("$PGBINDIR/psql" -X -q -v ON_ERROR_STOP=1 -At)
q() { "${PSQL_CMD[@]}" -d "$DB" -c "$1"; }
PGOPTIONS="-c client_min_messages=warning" "${PSQL_CMD[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || fail "create database"

q "CREATE EXTENSION schema_migrate" || fail "CREATE EXTENSION"
path=$(q "LOAD 'schema_migrate'; SHOW schema_migrate.path") || fail "SHOW schema_migrate.path"
[ -z "$path" ] || fail "schema_migrate.path is '$path', not the default"
out=$(q "SET schema_migrate.timing = off; SELECT sm_upgrade('head', '$APPSET')" 2>&1) || { echo "$out"; fail "sm_upgrade exampleapp"; }
cur=$(q "SELECT string_agg(c, ',') FROM sm_current('$APPSET') AS c") || fail "sm_current"
[ "$cur" = 0003 ] || fail "sm_current('$APPSET') is '$cur', not 0003"
[ "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 'invoices' AND column_name = 'status'")" = 1 ] ||
	fail "invoices.status missing after upgrade"
q "SELECT sm_check('$APPSET')" >/dev/null || fail "sm_check after upgrade"
ok "CREATE EXTENSION; sm_upgrade('head', '$APPSET') with the default path; sm_current = 0003"

# ---------------------------------------------------------------- 3. sm-new
new() { "$SMNEW" "$@" 2>"$TMP/err"; }
down_of() { sed -n 's/^-- down_revision: //p' "$1"; }

N=$TMP/new/migrations
mkdir -p "$TMP/new" && cd "$TMP/new" || fail "cd"
p1=$(new "Create widgets") || { cat "$TMP/err"; fail "sm-new 1"; }
p2=$(new "Add widget colour & size!") || { cat "$TMP/err"; fail "sm-new 2"; }
p3=$(new "third one") || { cat "$TMP/err"; fail "sm-new 3"; }
cd "$ROOT" || fail "cd"
[ "$p1" = ./migrations/0001_create_widgets.sql ] || fail "first path is '$p1'"
[ "$p2" = ./migrations/0002_add_widget_colour_size.sql ] || fail "second path is '$p2'"
[ "$p3" = ./migrations/0003_third_one.sql ] || fail "third path is '$p3'"
[ "$(down_of "$N/0001_create_widgets.sql")" = none ] || fail "0001 down_revision"
[ "$(down_of "$N/0002_add_widget_colour_size.sql")" = 0001 ] || fail "0002 down_revision"
[ "$(down_of "$N/0003_third_one.sql")" = 0002 ] || fail "0003 down_revision"
grep -qx -- '-- message: Add widget colour & size!' "$N/0002_add_widget_colour_size.sql" || fail "message line"
grep -qx -- '-- +up' "$N/0003_third_one.sql" && grep -qx -- '-- +down' "$N/0003_third_one.sql" || fail "markers"
ok "sm-new (default ./migrations): 0001, 0002, 0003 with down_revisions none, 0001, 0002"

# give 0001 real SQL, to see it run and revert on the server
sed -i 's/^-- +up$/-- +up\nCREATE TABLE widgets (id int PRIMARY KEY);/; s/^-- +down$/-- +down\nDROP TABLE widgets;/' \
	"$N/0001_create_widgets.sql"

if new -d "$N" --rev-id 0003 "third one"; then fail "an existing file was overwritten"; fi
grep -q "exists already" "$TMP/err" || fail "no 'exists already' error: $(cat "$TMP/err")"
if new -d "$N" --rev-id 0002 "something else"; then fail "a duplicate revision id was accepted"; fi
grep -q "revision 0002 exists already" "$TMP/err" || fail "no duplicate revision error: $(cat "$TMP/err")"
if new -d "$N" '?!'; then fail "a message without letters was accepted"; fi
ok "sm-new refuses an existing file, an existing revision id, an empty message"

p=$(new -d "$N" --head 0002 "side branch") && fail "a new head on 0002 was created without --branch: $p"
grep -q "not a head" "$TMP/err" || fail "no 'not a head' error: $(cat "$TMP/err")"
p=$(new -d "$N" --head 0002 --branch "side branch") || { cat "$TMP/err"; fail "--head 0002 --branch"; }
[ "$(down_of "$p")" = 0002 ] || fail "branch down_revision"
ok "sm-new --head REV needs --branch to start a second head ($p)"

before=$(find "$N" -type f | wc -l)
p=$(new -d "$N" "on which head") && fail "sm-new with two heads created $p"
grep -q "already has 2 heads (0003, 0004)" "$TMP/err" || fail "no two-heads error: $(cat "$TMP/err")"
[ "$(find "$N" -type f | wc -l)" -eq "$before" ] || fail "a refused sm-new wrote a file"
ok "sm-new refuses to add to a folder with two heads: $(cat "$TMP/err")"

p=$(new -d "$N" --branch "more on the branch") || { cat "$TMP/err"; fail "--branch"; }
[ "$p" = "$N/0005_more_on_the_branch.sql" ] && [ "$(down_of "$p")" = 0004 ] || fail "--branch made $p on $(down_of "$p")"
p=$(new -d "$N" --merge "merge heads") || { cat "$TMP/err"; fail "--merge"; }
[ "$(down_of "$p")" = "0003, 0005" ] || fail "merge down_revision is '$(down_of "$p")'"
p=$(new -d "$N" "after the merge") || { cat "$TMP/err"; fail "after merge"; }
[ "$(down_of "$p")" = 0006 ] || fail "after merge down_revision"
ok "sm-new --branch extends the last head, --merge joins 0003 and 0005, then one head again"

M=$TMP/natural
mkdir -p "$M"
printf -- '-- +up\nSELECT 1;\n' >"$M/2_two.sql"
printf -- '-- +up\nSELECT 1;\n' >"$M/10_ten.sql"
printf -- '-- +up\nSELECT 1;\n' >"$M/9_nine.sql"
p=$(new -d "$M" "next") || { cat "$TMP/err"; fail "natural"; }
[ "$p" = "$M/0011_next.sql" ] && [ "$(down_of "$p")" = 10 ] || fail "natural order: $p on $(down_of "$p")"
ok "sm-new follows natural order (2 < 9 < 10): 0011 on 10"

T=$TMP/ts
t1=$(new -d "$T" --timestamp "first") || { cat "$TMP/err"; fail "timestamp 1"; }
t2=$(new -d "$T" "second") || { cat "$TMP/err"; fail "timestamp 2"; }
t3=$(new -d "$T" "third") || { cat "$TMP/err"; fail "timestamp 3"; }
r1=$(basename "$t1"); r1=${r1%%_*}
r2=$(basename "$t2"); r2=${r2%%_*}
r3=$(basename "$t3"); r3=${r3%%_*}
for r in "$r1" "$r2" "$r3"; do
	[[ $r =~ ^20[0-9]{12}$ ]] || fail "not a timestamp revision: $r"
done
[ "$r1" -lt "$r2" ] && [ "$r2" -lt "$r3" ] || fail "timestamps not increasing: $r1 $r2 $r3"
now=$(date -u +%Y%m%d%H%M%S)
[ $((now - r1)) -ge 0 ] && [ $((now - r1)) -lt 100 ] || fail "first timestamp $r1 is not now ($now)"
[ "$(down_of "$t1")" = none ] && [ "$(down_of "$t2")" = "$r1" ] && [ "$(down_of "$t3")" = "$r2" ] ||
	fail "timestamp down_revisions"
ok "sm-new --timestamp: $r1, then the folder's style without the flag: $r2, $r3"

# the created files on the server, installed with the fragment alone (make -f)
make -f "$FRAGMENT" install PG_CONFIG="$PGC" MIGRATION_SET="$NEWSET" MIGRATIONS="$(echo "$N"/*.sql)" \
	>"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "install $NEWSET"; }
make -f "$FRAGMENT" install PG_CONFIG="$PGC" MIGRATION_SET="$TSSET" MIGRATIONS="$(echo "$T"/*.sql)" \
	>"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "install $TSSET"; }
out=$(q "SET schema_migrate.timing = off; SELECT sm_upgrade('head', '$NEWSET')" 2>&1) || { echo "$out"; fail "sm_upgrade $NEWSET"; }
[ "$(q "SELECT string_agg(c, ',') FROM sm_current('$NEWSET') AS c")" = 0007 ] || fail "$NEWSET not at 0007"
[ "$(q "SELECT count(*) FROM sm_history('$NEWSET') WHERE applied")" = 7 ] || fail "$NEWSET: not 7 applied"
[ "$(q "SELECT to_regclass('widgets') IS NOT NULL")" = t ] || fail "widgets not created"
out=$(q "SET schema_migrate.timing = off; SELECT sm_downgrade('base', '$NEWSET')" 2>&1) || { echo "$out"; fail "sm_downgrade $NEWSET"; }
[ -z "$(q "SELECT string_agg(c, ',') FROM sm_current('$NEWSET') AS c")" ] || fail "$NEWSET not at base"
[ "$(q "SELECT to_regclass('widgets') IS NULL")" = t ] || fail "widgets not dropped"
out=$(q "SET schema_migrate.timing = off; SELECT sm_upgrade('head', '$TSSET')" 2>&1) || { echo "$out"; fail "sm_upgrade $TSSET"; }
[ "$(q "SELECT string_agg(c, ',') FROM sm_current('$TSSET') AS c")" = "$r3" ] || fail "$TSSET not at $r3"
ok "the server accepts sm-new's files: $NEWSET (branch + merge) up to 0007 and down to base, $TSSET up to $r3"

# ---------------------------------------------------------------- 4. uninstall
make -C "$APP" uninstall PG_CONFIG="$PGC" >"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "make uninstall"; }
[ ! -e "$SHARE/$APPSET" ] || fail "make uninstall left $SHARE/$APPSET"
[ -f "$FRAGMENT" ] && [ -d "$SHARE" ] || fail "make uninstall removed more than the set"
make -f "$FRAGMENT" uninstall PG_CONFIG="$PGC" MIGRATION_SET="$NEWSET" >/dev/null 2>&1 || fail "uninstall $NEWSET"
make -f "$FRAGMENT" uninstall PG_CONFIG="$PGC" MIGRATION_SET="$TSSET" >/dev/null 2>&1 || fail "uninstall $TSSET"
[ ! -e "$SHARE/$NEWSET" ] && [ ! -e "$SHARE/$TSSET" ] || fail "uninstall left a set"
ok "make uninstall removes $SHARE/$APPSET (and nothing else)"

"${PSQL_CMD[@]}" -d postgres -c "DROP DATABASE $DB" >/dev/null || fail "drop database"
echo "ok - all app/sm-new checks passed"
