#!/usr/bin/env bash
#
# t_autogenerate.sh -- autogenerate, the schema check and drift end to end,
# and the scratch databases they run on:
#   - sm_diff rows (every column) for SQL text and for the set's schema/;
#   - edit schema/, sm-new --autogenerate, the file parses, sm_check_schema()
#     is true, a database behind head refuses, sm_upgrade, nothing to change;
#   - sm_drift: a hand-added column, a dropped index, an edited function body;
#     nothing on an untouched database;
#   - scratch databases: errors name the schema file and line; a caller killed
#     with SIGKILL during a diff leaves a database the next call drops, while a
#     user's database with a scratch-like name survives; no CREATEDB -> the
#     error; no free background worker slot -> the error.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

sm_test_setup t_autogenerate
SET=$WORK/sets/app
mkdir -p "$SET/schema"
cat >"$SET/0001_init.sql" <<'EOF'
-- message: init
-- +up
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
CREATE INDEX accounts_name ON accounts (name);
CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;
-- +down
DROP FUNCTION answer();
DROP TABLE accounts;
EOF
cat >"$SET/schema/01_tables.sql" <<'EOF'
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
CREATE INDEX accounts_name ON accounts (name);
EOF
cat >"$SET/schema/02_functions.sql" <<'EOF'
CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;
EOF
fix_perms() { chmod -R a+rwX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"; return 0; }
fix_perms
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c schema_migrate.set=app -c client_min_messages=warning -c schema_migrate.timing=off"

DB=autogen_$$
q() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -d "${QDB:-$DB}" -c "$1" 2>&1; }
scratch_dbs() { QDB=postgres q "SELECT count(*) FROM pg_database WHERE datname LIKE 'sm\_scratch\_%' AND datname <> 'sm_scratch_0000000000000000'"; }
"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q "CREATE EXTENSION schema_migrate" >/dev/null
q "CALL sm_migrate('head')" >/dev/null

# ---------- the set reader leaves schema/ alone ----------
expect "schema/ is not read as migrations" "0001" "$(q "SELECT string_agg(revision, ',') FROM sm_history()")"

# ---------- sm_diff ----------
expect "sm_diff: nothing between the database and its schema/" "0" "$(q "SELECT count(*) FROM sm_diff()")"
out=$(q "SELECT step, statement, object_type, object_name, hazards FROM sm_diff(desired => '
  CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, email text);
  CREATE INDEX accounts_name ON accounts (name);
  CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS \$\$ SELECT 42 \$\$;')")
expect "sm_diff(desired): one row, every column" \
	'1|ALTER TABLE public.accounts ADD COLUMN email text;|column|public.accounts.email|{"access exclusive lock"}' "$out"
out=$(q "SELECT step, statement, object_type, object_name, hazards FROM sm_diff(desired => '
  CREATE TABLE accounts (id int PRIMARY KEY);
  CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS \$\$ SELECT 42 \$\$;')" | tr '\n' ';')
expect "sm_diff(desired): a dropped column deletes data, steps in order" \
	'1|DROP INDEX public.accounts_name;|index|public.accounts_name|{"access exclusive lock"};2|ALTER TABLE public.accounts DROP COLUMN name;|column|public.accounts.name|{"deletes data","access exclusive lock"};' "$out"
expect "sm_diff ran nothing on this database" "name" \
	"$(q "SELECT string_agg(attname, ',') FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 1")"

# errors of the desired schema name the file and line, with the server's SQLSTATE
out=$(q "SELECT * FROM sm_diff(desired => E'CREATE TABLE a (id int);\n\n-- a comment\nCREATE TABLE b (x int REFERENCES nosuch);')")
check "sm_diff: an error in the desired SQL names its line" contains 'schema file "desired", line 4' "$out"
check "...with the server's own message" contains 'relation "nosuch" does not exist' "$out"
out=$("$PSQL_BIN" -X -q -At -d "$DB" -c '\set VERBOSITY verbose' -c "SELECT * FROM sm_diff(desired => E'CREATE TABLE a (id int);\nCREATE TABL b (x int);')" 2>&1)
check "sm_diff: a syntax error names its line and keeps SQLSTATE 42601" contains '42601' "$out"
check "...line 2" contains 'schema file "desired", line 2' "$out"
# one transaction for the file, but CREATE INDEX CONCURRENTLY on its own and a commit after ADD VALUE
out=$(q "SELECT object_type || ' ' || object_name FROM sm_diff(desired => '
  CREATE TYPE mood AS ENUM (''ok'');
  ALTER TYPE mood ADD VALUE ''great'';
  CREATE TABLE moods (m mood DEFAULT ''great'');
  CREATE INDEX CONCURRENTLY moods_m ON moods (m);') WHERE object_name ~ 'mood' ORDER BY step" | tr '\n' ';')
check "sm_diff: a schema file may use a new enum value and CREATE INDEX CONCURRENTLY" contains 'index public.moods_m;' "$out"
printf 'CREATE TABLE broken (id int);\nSELECT 1/0;\n' >"$SET/schema/03_broken.sql"; fix_perms
out=$(q "SELECT * FROM sm_diff()")
check "sm_diff(): an error in schema/ names the file and line" contains 'schema file "schema/03_broken.sql", line 2' "$out"
rm -f "$SET/schema/03_broken.sql"
expect "no scratch database is left after errors" "0" "$(scratch_dbs)"

# ---------- sm_autogenerate end to end ----------
sed -i 's/name text NOT NULL)/name text NOT NULL, email text)/' "$SET/schema/01_tables.sql"
out=$(q "SELECT sm_check_schema()")
check "sm_check_schema: schema/ ahead of the migrations fails" contains 'the migrations do not produce the declarative schema' "$out"
check "...its detail names the difference" contains 'column public.accounts.email: in the declarative schema, not produced by the migrations' "$out"
check "...its hint says to autogenerate" contains 'sm-new --autogenerate' "$out"

SM_PSQL="$PSQL_BIN" PGDATABASE=$DB bin/sm-new --autogenerate -d "$SET" "add email" >"$WORK/new.out" 2>&1
expect "sm-new --autogenerate writes the next file" "$SET/0002_add_email.sql" "$(cat "$WORK/new.out")"
expect "...with the header, up and down (hazards as comments)" "-- revision: 0002
-- down_revision: 0001
-- message: add email
-- Generated by sm_autogenerate() from the declarative schema: review it before you commit it.

-- +up
-- hazards: access exclusive lock
ALTER TABLE public.accounts ADD COLUMN email text;

-- +down
-- hazards: deletes data, access exclusive lock
ALTER TABLE public.accounts DROP COLUMN email;" "$(cat "$SET/0002_add_email.sql" 2>/dev/null)"
fix_perms
expect "...and the file parses: sm_history lists it" "0001,0002|add email" \
	"$(q "SELECT string_agg(revision, ',' ORDER BY revision), max(message) FILTER (WHERE revision = '0002') FROM sm_history()")"
expect "sm_check_schema() is true once the file is in the set" "t" "$(q "SELECT sm_check_schema()")"
out=$(q "SELECT sm_autogenerate('more')")
check "a database behind head refuses to autogenerate" contains 'the database is not up to date' "$out"
check "...naming where it is and the head" contains 'Set "app" is at 0001; its head is 0002; 1 migration is pending.' "$out"
expect "sm_upgrade applies the generated file" "0002" "$(q "SELECT sm_upgrade('head')")"
expect "...the column is there" "email" "$(q "SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum = 3")"
out=$(q "SET client_min_messages = notice; SELECT sm_autogenerate('again') IS NULL")
check "at head with nothing to change: NULL and a NOTICE" contains 'nothing to change: the database matches the declarative schema of set "app"' "$out"
check "...the value is NULL" contains 't' "$out"
SM_PSQL="$PSQL_BIN" PGDATABASE=$DB bin/sm-new --autogenerate -d "$SET" "again" >"$WORK/new.out" 2>&1
rc=$?
expect "sm-new --autogenerate with nothing to change exits 1 and writes nothing" "1:2" \
	"$rc:$(find "$SET" -maxdepth 1 -name '*.sql' | wc -l)"

# ---------- sm_drift ----------
expect "sm_drift: nothing on an untouched database" "0" "$(q "SELECT count(*) FROM sm_drift()")"
q "ALTER TABLE accounts ADD COLUMN note text; DROP INDEX accounts_name;
   CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS \$\$ SELECT 43 \$\$;" >/dev/null
out=$(q "SELECT object_type, object_name, difference, expected IS NOT NULL, actual IS NOT NULL FROM sm_drift() ORDER BY 1, 2" | tr '\n' ';')
expect "sm_drift finds the hand-added column, the dropped index and the edited function" \
	'column|public.accounts.note|unexpected|f|t;function|public.answer()|changed|t|t;index|public.accounts_name|missing|t|f;' "$out"
expect "...expected and actual texts" \
	'note text|CREATE INDEX accounts_name ON public.accounts USING btree (name)|t|t' \
	"$(q "SELECT (SELECT actual FROM sm_drift() WHERE object_name = 'public.accounts.note'),
	             (SELECT expected FROM sm_drift() WHERE object_type = 'index'),
	             (SELECT expected LIKE '%SELECT 42%' AND actual LIKE '%SELECT 43%' FROM sm_drift() WHERE object_type = 'function'),
	             (SELECT actual IS NULL FROM sm_drift() WHERE object_type = 'index')")"
q "ALTER TABLE accounts DROP COLUMN note; CREATE INDEX accounts_name ON accounts (name);
   CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS \$\$ SELECT 42 \$\$;" >/dev/null
expect "sm_drift: nothing once repaired by hand" "0" "$(q "SELECT count(*) FROM sm_drift()")"

# ---------- privileges ----------
q "DROP ROLE IF EXISTS ag_nocreatedb; CREATE ROLE ag_nocreatedb LOGIN; SELECT sm_grant_migrator('ag_nocreatedb');
   ALTER ROLE ag_nocreatedb SET schema_migrate.path = '$WORK/sets';
   REVOKE USAGE ON SCHEMA public FROM ag_nocreatedb" >/dev/null
# (the extension is in public, where PUBLIC has USAGE: the grant's USAGE would be an ACL difference)
# schema_migrate.path is for superusers: the role has it from ALTER ROLE
user_psql() { PGOPTIONS="-c client_min_messages=warning -c schema_migrate.set=app" "$PSQL_BIN" -X -q -At -d "$DB" -U ag_nocreatedb "$@" 2>&1; }
out=$(user_psql -c "\\set VERBOSITY verbose" -c "SELECT * FROM sm_diff(desired => 'CREATE TABLE x (id int)')" 2>&1)
check "without CREATEDB: permission denied (42501)" contains '42501' "$out"
check "...saying what is needed" contains 'role "ag_nocreatedb", which lacks CREATEDB' "$out"
check "...and how to fix it" contains 'ALTER ROLE ag_nocreatedb CREATEDB' "$out"
q "ALTER ROLE ag_nocreatedb CREATEDB" >/dev/null
expect "with CREATEDB (not superuser) sm_diff works" "1" \
	"$(user_psql -c "SELECT count(*) FROM sm_diff(desired => 'CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, email text); CREATE INDEX accounts_name ON accounts (name); CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS \$\$ SELECT 41 \$\$')")"
expect "...and sm_drift replays the set as that role" "0" \
	"$(user_psql -c "SELECT count(*) FROM sm_drift()")"

# ---------- nobody connects to a scratch database ----------
"$PSQL_BIN" -X -q -At -d "$DB" -c "SELECT count(*) FROM sm_diff(desired => 'SELECT pg_sleep(3)')" >/dev/null 2>&1 &
bg=$!
for _ in $(seq 50); do [ "$(scratch_dbs)" = 1 ] && break; sleep 0.1; done
name=$(QDB=postgres q "SELECT datname FROM pg_database WHERE datname LIKE 'sm\_scratch\_%' AND datname <> 'sm_scratch_0000000000000000'")
expect "a scratch database exists during the call, with connections off" "f|0" \
	"$(QDB=postgres q "SELECT datallowconn, datconnlimit FROM pg_database WHERE datname = '$name'")"
out=$("$PSQL_BIN" -X -q -At -d "$name" -c "SELECT 1" 2>&1)
check "...a superuser cannot connect to it" contains 'is not currently accepting connections' "$out"
wait $bg
expect "...and it is dropped at the end" "0" "$(scratch_dbs)"

# ---------- leftovers of a caller killed with SIGKILL ----------
QDB=postgres q "DROP DATABASE IF EXISTS sm_scratch_0000000000000000" >/dev/null
QDB=postgres q "CREATE DATABASE sm_scratch_0000000000000000 ALLOW_CONNECTIONS false CONNECTION LIMIT 0" >/dev/null
"$PSQL_BIN" -X -q -At -d "$DB" -c "SELECT count(*) FROM sm_diff(desired => 'SELECT pg_sleep(60)')" >/dev/null 2>&1 &
bg=$!
for _ in $(seq 100); do [ "$(scratch_dbs)" = 1 ] && break; sleep 0.1; done
pid=$(QDB=postgres q "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
expect "a diff is running in a scratch database" "1" "$(scratch_dbs)"
[ -n "$pid" ] && kill -9 "$pid"
wait $bg 2>/dev/null
for _ in $(seq 100); do QDB=postgres q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
expect "after SIGKILL of the caller (and the crash restart) its scratch database is left" "1" "$(scratch_dbs)"
expect "the next call drops the leftover" "0|0" \
	"$(q "SELECT count(*) FROM sm_diff()" >/dev/null; scratch_dbs)|$(q "SELECT count(*) FROM sm_diff()")"
expect "...while a user's database with a scratch-like name survives" "1" \
	"$(QDB=postgres q "SELECT count(*) FROM pg_database WHERE datname = 'sm_scratch_0000000000000000'")"
QDB=postgres q "DROP DATABASE sm_scratch_0000000000000000" >/dev/null

# ---------- no free background worker slot ----------
if [ -n "${SM_PGDATA:-}" ] && [ -f "$SM_PGDATA/postgresql.conf" ]; then
	# the logical replication launcher takes the only slot
	QDB=postgres q "ALTER SYSTEM SET max_worker_processes = 1" >/dev/null
	sm_cluster_restart fast
	out=$(q "SELECT * FROM sm_diff(desired => 'CREATE TABLE x (id int)')")
	check "no free background worker slot: the error names max_worker_processes" contains 'max_worker_processes' "$out"
	check "...and says the slots are in use" contains 'background worker slots' "$out"
	QDB=postgres q "ALTER SYSTEM RESET max_worker_processes" >/dev/null
	sm_cluster_restart fast
	expect "...and works again with slots" "0" "$(q "SELECT count(*) FROM sm_diff()")"
else
	echo "ok - # SKIP no free worker slot: not our cluster"
fi

"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS ag_nocreatedb" >/dev/null 2>&1
if [ "$FAILS" -gt 0 ]; then
	echo "t_autogenerate: $FAILS failed"
	exit 1
fi
echo "t_autogenerate: all passed"
