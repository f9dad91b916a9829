#!/usr/bin/env bash
#
# test/t_fleet.sh -- bin/sm-fleet on 50 databases of a private cluster
# (port 55670, own socket directory), one of them made to fail by a table
# that conflicts with migration 0003.
#
# Asserts: exit status 1, the failed database is the first row of the table
# with the error, the other 49 are upgraded and really at head, databases
# without the extension are left out of --all-databases, a second run over a
# file of connection strings at head exits 0, a bad connection string fails,
# and --step (CALL sm_migrate) when the procedure is installed.
#
# Needs the extension installed system-wide (make install). Run as root (the
# cluster runs as the postgres OS user) or as postgres. The cluster is stopped
# and its directory removed at the end, also on failure.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
FLEET=$ROOT/bin/sm-fleet
PG_MAJOR=${SM_PG_MAJOR:-15}
PGBIN=${SM_PGBIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
PORT=55670
NDB=50
BAD=db_17

unset PGOPTIONS PGSERVICE PGPASSWORD PGHOSTADDR PGDATABASE
export PGUSER=postgres PGCONNECT_TIMEOUT=10
export SM_PSQL=$PGBIN/psql

fail() {
	echo "not ok - $*"
	exit 1
}
ok() { echo "ok - $*"; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

TMP=$(mktemp -d /tmp/sm-fleet-test.XXXXXX) || exit 2
chmod 0755 "$TMP"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$TMP"
DATA=$TMP/data
cleanup() {
	local rc=$?
	if [ -f "$DATA/postmaster.pid" ] && [ "${SM_KEEP_CLUSTER:-0}" != 1 ]; then
		as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
	fi
	if [ "$rc" -ne 0 ] && [ -f "$TMP/server.log" ]; then
		echo "----- tail of server.log"
		tail -n 20 "$TMP/server.log"
	fi
	if [ "${SM_KEEP_CLUSTER:-0}" = 1 ]; then echo "# kept $TMP"; else rm -rf -- "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -e "/var/run/postgresql/.s.PGSQL.$PORT" ] || [ -e "/tmp/.s.PGSQL.$PORT" ] ||
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
	fail "port $PORT is in use"
fi

# the set: 5 migrations, each a table with an index
SETS=$TMP/sets
mkdir -p "$SETS/fleet"
for i in 1 2 3 4 5; do
	printf -- '-- +up\nCREATE TABLE f%d (id bigint PRIMARY KEY, v text);\nCREATE INDEX f%d_v ON f%d (v);\n\n-- +down\nDROP TABLE f%d;\n' \
		"$i" "$i" "$i" "$i" >"$SETS/fleet/000${i}_f$i.sql"
done
chmod -R u+rwX,go+rX "$SETS"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS"

as_pg "$PGBIN/initdb" -D "$DATA" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$TMP/initdb.log" 2>&1 ||
	{ cat "$TMP/initdb.log"; fail "initdb"; }
as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# t_fleet.sh
port = $PORT
listen_addresses = ''
unix_socket_directories = '$TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
log_min_messages = warning
schema_migrate.path = '$SETS'
schema_migrate.set = 'fleet'
EOF
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$TMP/server.log" -w -t 60 start >/dev/null || fail "start the cluster"
export PGHOST=$TMP PGPORT=$PORT
ok "cluster on port $PORT"

psql_() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

psql_ -d postgres -c "CREATE DATABASE fleet_tpl" || fail "create template"
psql_ -d fleet_tpl -c "CREATE EXTENSION schema_migrate" || fail "create extension"
psql_ -d postgres -c "ALTER DATABASE fleet_tpl IS_TEMPLATE true" || fail "mark template"
{
	for i in $(seq -w 1 $NDB); do echo "CREATE DATABASE db_$i TEMPLATE fleet_tpl;"; done
	echo "CREATE DATABASE plain_db;" # no extension: left out by --all-databases
} | psql_ -d postgres || fail "create the databases"
psql_ -d "$BAD" -c "CREATE TABLE f3 (x int)" || fail "prepare the failing database"
ok "$NDB databases with the extension, one without, $BAD with a conflicting table f3"

OUT=$TMP/out
"$FLEET" --all-databases -j 4 >"$OUT" 2>"$TMP/progress"
rc=$?
echo "# sm-fleet --all-databases -j 4: exit $rc"
sed 's/^/#   /' "$OUT" | head -n 8
echo "#   ..."
tail -n 3 "$OUT" | sed 's/^/#   /'
[ "$rc" = 1 ] || fail "exit status $rc, expected 1"
ok "exit status 1 with one database failed"

[ "$(grep -c '^sm-fleet: \[' "$TMP/progress")" = "$NDB" ] ||
	fail "expected $NDB progress lines: $(head -n 3 "$TMP/progress")"
ok "one progress line per database ($NDB)"

# header, rule, then rows: the first row is the failed one
sed -n 1p "$OUT" | grep -Eq '^database +\| before +\| after +\| result +\| +time$' || fail "table header: $(sed -n 1p "$OUT")"
first=$(sed -n 3p "$OUT")
echo "$first" | grep -Eq "^$BAD +\| - +\| - +\| FAILED +\| +[0-9.]+ s$" || fail "first row is not the failed database: $first"
ok "the failed database is listed first: $first"
rows=$(awk 'NR > 2 && / \| / { n++ } END { print n }' "$OUT")
[ "$rows" = "$NDB" ] || fail "table has $rows rows, expected $NDB"
[ "$(grep -Ec '^db_[0-9]+ +\| - +\| 0005 +\| upgraded +\|' "$OUT")" = $((NDB - 1)) ] ||
	fail "expected $((NDB - 1)) rows '- -> 0005 upgraded'"
ok "$((NDB - 1)) rows upgraded from - to 0005"
grep -q "plain_db\|fleet_tpl\|postgres " "$OUT" && fail "a database without the extension (or a template) is in the table"
grep -q "without schema_migrate left out" "$OUT" || fail "no note about left-out databases"
ok "databases without the extension and templates are left out"
grep -q "^failed: $BAD: 42P07 " "$OUT" || fail "no error line for $BAD: $(grep '^failed' "$OUT")"
ok "error of the failed database: $(grep "^failed: $BAD" "$OUT")"

# the truth, from each database
bad_heads=0
for i in $(seq -w 1 $NDB); do
	cur=$(psql_ -d "db_$i" -c "SELECT string_agg(r, ',') FROM sm_current() r") || fail "sm_current in db_$i"
	n=$(psql_ -d "db_$i" -c "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '^f[1-5]\$'")
	if [ "db_$i" = "$BAD" ]; then
		[ -z "$cur" ] || fail "$BAD is at '$cur', expected nothing applied"
		[ "$n" = 1 ] || fail "$BAD has $n tables, expected only its own f3 (rolled back)"
	else
		[ "$cur" = 0005 ] && [ "$n" = 5 ] || bad_heads=$((bad_heads + 1))
	fi
done
[ "$bad_heads" = 0 ] || fail "$bad_heads databases are not at head"
ok "$((NDB - 1)) databases at head 0005 with their 5 tables; $BAD unchanged"

# a second run from a file of connection strings: all at head, exit 0
{
	echo "# comment"
	echo "dbname=db_01"
	echo ""
	echo "host=$TMP port=$PORT dbname=db_02"
	echo "postgresql:///db_03?host=$TMP&port=$PORT"
} >"$TMP/list"
"$FLEET" -f "$TMP/list" -j 2 >"$OUT" 2>"$TMP/progress"
rc=$?
[ "$rc" = 0 ] || { cat "$OUT" "$TMP/progress"; fail "run over a file at head: exit $rc"; }
[ "$(grep -c '| 0005 *| 0005 *| unchanged' "$OUT")" = 3 ] || { cat "$OUT"; fail "expected 3 unchanged rows"; }
ok "-f FILE at head: exit 0, 3 rows unchanged"

# a connection string that does not connect, and an explicit --set
"$FLEET" --set fleet -j 3 "dbname=db_04" "dbname=no_such_db" >"$OUT" 2>"$TMP/progress"
rc=$?
[ "$rc" = 1 ] || { cat "$OUT"; fail "bad connection string: exit $rc, expected 1"; }
sed -n 3p "$OUT" | grep -q '^dbname=no_such_db .*| FAILED' || { cat "$OUT"; fail "bad connection not listed first"; }
grep -q '^failed: dbname=no_such_db: .*no_such_db' "$OUT" || { cat "$OUT"; fail "no connection error shown"; }
ok "a database that cannot be reached fails and is listed first"

# fix the failed one and rerun it; --step when sm_migrate is installed
psql_ -d "$BAD" -c "DROP TABLE f3" || fail "drop f3"
if [ "$(psql_ -d "$BAD" -c "SELECT count(*) FROM pg_proc WHERE proname = 'sm_migrate'")" != 0 ]; then
	"$FLEET" --step "dbname=$BAD" >"$OUT" 2>"$TMP/progress" || { cat "$OUT" "$TMP/progress"; fail "--step"; }
	grep -Eq "^dbname=$BAD +\| - +\| 0005 +\| upgraded" "$OUT" || { cat "$OUT"; fail "--step did not upgrade $BAD"; }
	ok "--step (CALL sm_migrate) upgrades $BAD"
else
	"$FLEET" "dbname=$BAD" >"$OUT" 2>"$TMP/progress" || { cat "$OUT" "$TMP/progress"; fail "rerun of $BAD"; }
	grep -Eq "^dbname=$BAD +\| - +\| 0005 +\| upgraded" "$OUT" || { cat "$OUT"; fail "rerun did not upgrade $BAD"; }
	echo "# skip: sm_migrate() is not installed; --step not tested"
	ok "rerun upgrades $BAD once the conflict is gone"
fi

# usage errors
"$FLEET" >/dev/null 2>&1
[ $? = 2 ] || fail "no databases: expected exit 2"
"$FLEET" -j 0 dbname=x >/dev/null 2>&1
[ $? = 2 ] || fail "-j 0: expected exit 2"
ok "usage errors exit 2"

as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null || fail "stop"
echo "ok - t_fleet done in ${SECONDS}s"
