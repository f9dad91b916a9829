#!/usr/bin/env bash
#
# t_scratch_space.sh -- where and how scratch databases load, which decides
# how fast sm_diff and sm_check_schema are:
#   - schema_migrate.scratch_tablespace puts the scratch database in that
#     tablespace (the schema loaded there sees it), its errors name the
#     setting (unknown tablespace, no CREATE on it, a name too long), and
#     only a superuser may set it;
#   - a schema file runs in batches of transactions, except after SET LOCAL,
#     whose setting must last to the end of the file;
#   - sm_check_schema loads its two scratch databases side by side (both
#     exist at once, the call takes one load's time, not two) and leaves
#     neither behind; sm_drift reads this database while its scratch
#     database loads.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

sm_test_setup t_scratch_space
SET=$WORK/sets/app
mkdir -p "$SET/schema"
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c schema_migrate.set=app -c client_min_messages=warning -c schema_migrate.timing=off"

DB=scratch_space_$$
q() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -d "${QDB:-$DB}" -c "$1" 2>&1; }
scratch_dbs() { QDB=postgres q "SELECT count(*) FROM pg_database WHERE datname LIKE 'sm\_scratch\_%' AND datname <> 'sm_scratch_0000000000000000'"; }
"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q "CREATE EXTENSION schema_migrate" >/dev/null

# the desired schema names a table after the tablespace it was loaded in
WHERE_AM_I="DO \$\$ BEGIN EXECUTE format('CREATE TABLE %I (id int)', (SELECT t.spcname FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = current_database())); END \$\$;"
where() { q "$1 SELECT string_agg(object_name, ',') FROM sm_diff(desired => \$w\$$WHERE_AM_I\$w\$)"; }

# ---------- schema_migrate.scratch_tablespace ----------
expect "by default the scratch database is in the default tablespace" "public.pg_default" "$(where "")"
"$PSQL_BIN" -X -q -d "$DB" -c "SET allow_in_place_tablespaces = on" -c "CREATE TABLESPACE sm_scratch_ts LOCATION ''" >/dev/null
expect "schema_migrate.scratch_tablespace puts it in that tablespace" "public.sm_scratch_ts" \
	"$(where "SET schema_migrate.scratch_tablespace = sm_scratch_ts;")"
expect "...and drops it there: the tablespace is empty again" "0" \
	"$(q "SELECT count(*) FROM pg_database WHERE dattablespace = (SELECT oid FROM pg_tablespace WHERE spcname = 'sm_scratch_ts')")"
out=$("$PSQL_BIN" -X -q -At -d "$DB" -c '\set VERBOSITY verbose' -c "SET schema_migrate.scratch_tablespace = nosuch" \
	-c "SELECT count(*) FROM sm_diff(desired => 'CREATE TABLE t (id int)')" 2>&1)
check "an unknown tablespace: 42704" contains '42704' "$out"
check "...naming the setting" contains 'schema_migrate.scratch_tablespace names it' "$out"
check "...with the way out" contains 'RESET schema_migrate.scratch_tablespace' "$out"
# a role with CREATEDB, in a database of its own (its grants are not this one's schema)
RDB=${DB}_r
"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $RDB" -c "CREATE DATABASE $RDB" >/dev/null
QDB=$RDB q "CREATE EXTENSION schema_migrate; CREATE ROLE sm_space_dev LOGIN CREATEDB; SELECT sm_grant_migrator('sm_space_dev')" >/dev/null
QDB=$RDB q "ALTER ROLE sm_space_dev SET schema_migrate.scratch_tablespace = sm_scratch_ts" >/dev/null
dev() { PGOPTIONS="-c client_min_messages=warning" "$PSQL_BIN" -X -q -At -U sm_space_dev -d "$RDB" "$@" 2>&1; }
out=$(dev -c '\set VERBOSITY verbose' -c "SELECT count(*) FROM sm_diff(desired => 'CREATE TABLE t (id int)')")
check "a role without CREATE on the tablespace: 42501" contains '42501' "$out"
check "...with the GRANT that fixes it" contains 'GRANT CREATE ON TABLESPACE sm_scratch_ts TO sm_space_dev' "$out"
QDB=$RDB q "GRANT CREATE ON TABLESPACE sm_scratch_ts TO sm_space_dev" >/dev/null
expect "...and with it, the role's scratch database is in the tablespace" "public.sm_scratch_ts" \
	"$(dev -c "SELECT string_agg(object_name, ',') FROM sm_diff(desired => \$w\$$WHERE_AM_I\$w\$) WHERE object_type = 'table'")"
# (the module loaded first: before that, SET makes a placeholder)
out=$(dev -c "SELECT count(*) FROM sm_diff(desired => 'SELECT 1')" -c "SET schema_migrate.scratch_tablespace = ''")
check "only a superuser sets it (PGC_SUSET)" contains 'permission denied to set parameter "schema_migrate.scratch_tablespace"' "$out"
out=$("$PSQL_BIN" -X -q -At -d "$DB" -c "SELECT count(*) FROM sm_diff(desired => 'SELECT 1')" -c "SET schema_migrate.scratch_tablespace = '$(printf 'x%.0s' $(seq 70))'" 2>&1)
check "a name longer than NAMEDATALEN is refused when set" contains 'A tablespace name has at most 63 bytes.' "$out"
"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE $RDB" -c "REVOKE CREATE ON TABLESPACE sm_scratch_ts FROM sm_space_dev" -c "DROP ROLE sm_space_dev" >/dev/null

# ---------- batches, and SET LOCAL ----------
# diff_file FILE QUERY: QUERY with the file's text as :'s'
diff_file() { printf '%s\n' "\\set s \`cat $1\`" "$2" | "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -f - 2>&1; }
# 1,200 statements: the file commits every 500, but after SET LOCAL the rest
# stays in one transaction (a function body checked with the setting off
# would otherwise fail at the table created after the batch boundary)
{
	echo "SET LOCAL check_function_bodies = off;"
	echo "CREATE FUNCTION early() RETURNS bigint LANGUAGE sql AS \$\$ SELECT count(*) FROM late \$\$;"
	for i in $(seq 1100); do echo "COMMENT ON SCHEMA public IS 'pass $i';"; done
	echo "CREATE FUNCTION later() RETURNS bigint LANGUAGE sql AS \$\$ SELECT count(*) FROM late2 \$\$;"
	echo "CREATE TABLE late (id int); CREATE TABLE late2 (id int);"
} >"$WORK/local.sql"
out=$(diff_file "$WORK/local.sql" "SELECT string_agg(object_name, ',' ORDER BY object_name) FROM sm_diff(desired => :'s') WHERE object_type IN ('function', 'table')")
expect "SET LOCAL lasts to the end of a long schema file" "public.early(),public.late,public.late2,public.later()" "$out"
{
	echo "SET check_function_bodies = off;"
	for i in $(seq 1100); do echo "COMMENT ON SCHEMA public IS 'pass $i';"; done
	echo "CREATE FUNCTION later() RETURNS bigint LANGUAGE sql AS \$\$ SELECT count(*) FROM late \$\$;"
	echo "CREATE TABLE late (id int);"
} >"$WORK/session.sql"
out=$(diff_file "$WORK/session.sql" "SELECT string_agg(object_name, ',' ORDER BY object_name) FROM sm_diff(desired => :'s') WHERE object_type IN ('function', 'table')")
expect "a session SET lasts across the batches" "public.late,public.later()" "$out"
{
	for i in $(seq 700); do echo "CREATE TABLE t$i (id int);"; done
	echo "CREATE TABLE broken (id int REFERENCES nosuch);"
} >"$WORK/broken.sql"
out=$(diff_file "$WORK/broken.sql" "SELECT count(*) FROM sm_diff(desired => :'s')")
check "an error after the first batch still names its line" contains 'schema file "desired", line 701' "$out"
expect "...and leaves no scratch database" "0" "$(scratch_dbs)"

# ---------- two scratch databases side by side ----------
cat >"$SET/0001_init.sql" <<'EOF'
-- message: init
-- +up
CREATE TABLE accounts (id int PRIMARY KEY);
SELECT pg_sleep(3);
-- +down
DROP TABLE accounts;
EOF
cat >"$SET/schema/01.sql" <<'EOF'
CREATE TABLE accounts (id int PRIMARY KEY);
SELECT pg_sleep(3);
EOF
chmod -R a+rwX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
: >"$WORK/seen"
( for _ in $(seq 60); do scratch_dbs >>"$WORK/seen"; sleep 0.1; done ) &
poller=$!
t0=$(date +%s%N)
out=$(q "SELECT sm_check_schema()")
t1=$(date +%s%N)
wait "$poller"
expect "sm_check_schema: the migrations give schema/" "t" "$out"
expect "...its two scratch databases existed at the same time" "2" "$(sort -n "$WORK/seen" | tail -1)"
ms=$(((t1 - t0) / 1000000))
if [ "$ms" -lt 5500 ]; then ok "...and loaded side by side: $ms ms for two loads of 3 s each"; else bad "...side by side: $ms ms for two loads of 3 s each (one after the other takes 6 s)"; fi
expect "...and neither is left behind" "0" "$(scratch_dbs)"
q "CALL sm_migrate('head')" >/dev/null
q "ALTER TABLE accounts ADD COLUMN note text" >/dev/null
expect "sm_drift, reading this database while the scratch one loads, finds the hand-added column" \
	"column|public.accounts.note|unexpected" "$(q "SELECT object_type, object_name, difference FROM sm_drift()")"

"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP TABLESPACE IF EXISTS sm_scratch_ts" -c "DROP ROLE IF EXISTS sm_space_dev" >/dev/null 2>&1
echo "# $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
