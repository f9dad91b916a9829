#!/usr/bin/env bash
# $PSQL is a command with its options: split on purpose.
# shellcheck disable=SC2086
#
# t_worker.sh -- statements PostgreSQL refuses inside a function (CREATE
# INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, CREATE DATABASE, ...) run as
# top-level statements in a background worker through
# CALL sm_run_toplevel(sql), as the calling role, with its search_path.
#
# Uses the cluster in PGHOST/PGPORT; without PGHOST it starts its own
# throwaway cluster (port 55620, max_worker_processes = 4, so the test of
# exhausted worker slots can run).  The extension must be installed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh

fail() {
	echo "t_worker: FAIL: $*"
	exit 1
}
ok() { echo "ok - $*"; }

DB=sm_worker_$$
PRIVATE=0
BGPIDS=()
# shellcheck disable=SC2317
cleanup_work() {
	local p
	for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ -n "${PSQL:-}" ]; then
		$PSQL -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
		$PSQL -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_made" >/dev/null 2>&1
		$PSQL -q -d postgres -c "DROP ROLE IF EXISTS ${DB}_alice, ${DB}_owner, ${DB}_bob" >/dev/null 2>&1
	fi
}
trap cleanup_work EXIT	# set before sm_cluster_start, which chains it

if [ -z "${PGHOST:-}" ]; then
	export SM_PGPORT=${SM_PGPORT:-55620}
	export SM_EXTRA_CONF="max_worker_processes = 4"
	sm_cluster_start || fail "could not start a cluster"
	PRIVATE=1
fi
: "${SM_PGBIN:=$("$(sm_pg_config)" --bindir)}"
: "${PSQL:=$SM_PGBIN/psql -X -v ON_ERROR_STOP=1}"
PSQL_BIN=$SM_PGBIN/psql
ALICE=${DB}_alice
OWNER=${DB}_owner
BOB=${DB}_bob

q() { $PSQL -qAt -d "$DB" "$@"; }

# Run SQL (as role $1, or - for the default); set STATE to the SQLSTATE of
# the first error, or "ok", and LAST to the whole output.
LAST=
STATE=
run_sql() {
	local role=$1 sql=$2 user=()
	[ "$role" = - ] || user=(-U "$role")
	LAST=$($PSQL_BIN -X -q -d "$DB" "${user[@]}" -v ON_ERROR_STOP=1 \
		-v VERBOSITY=verbose -c "$sql" 2>&1)
	STATE=$(printf '%s\n' "$LAST" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -n 1)
	STATE=${STATE:-ok}
}

expect_state() {
	local want=$1 role=$2 sql=$3 what=$4
	run_sql "$role" "$sql"
	[ "$STATE" = "$want" ] || fail "$what: expected $want, got $STATE; output:
$LAST"
}

workers_running() {
	q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'schema_migrate worker'"
}

# Wait (up to 10 s) until no schema_migrate worker is left.
no_workers_left() {
	for _ in $(seq 1 100); do
		[ "$(workers_running)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

$PSQL -q -d postgres -c "CREATE DATABASE $DB" || fail "create database"
q <<EOF || fail "set-up"
CREATE EXTENSION schema_migrate;
CREATE EXTENSION amcheck;
CREATE TABLE w_t (id bigserial PRIMARY KEY, v int NOT NULL, pad text);
INSERT INTO w_t (v, pad) SELECT g % 100000, repeat('x', 50) FROM generate_series(1, 300000) g;
CREATE TABLE dup (k int);
INSERT INTO dup VALUES (1), (2), (2), (3);
EOF

# ---------- (a) CREATE INDEX CONCURRENTLY while another session writes ----------
WRITER_SQL=$(mktemp)
for i in $(seq 1 600); do
	echo "INSERT INTO w_t (v, pad) VALUES ($i + 200000, 'w');"
	echo "SELECT pg_sleep(0.01);"
done >"$WRITER_SQL"
before=$(q -c "SELECT count(*) FROM w_t")
$PSQL -q -d "$DB" -f "$WRITER_SQL" >/dev/null 2>&1 &
WRITER=$!
BGPIDS+=("$WRITER")
sleep 0.5
timeout 120 $PSQL -q -d "$DB" \
	-c "CALL sm_run_toplevel('CREATE INDEX CONCURRENTLY w_t_v ON w_t (v)')" ||
	fail "(a) CREATE INDEX CONCURRENTLY through the worker failed"
kill -0 "$WRITER" 2>/dev/null || fail "(a) the writer had stopped before the index was built"
during=$(q -c "SELECT count(*) FROM w_t")
wait "$WRITER"
after=$(q -c "SELECT count(*) FROM w_t")
[ "$during" -gt "$before" ] || fail "(a) no rows were written during the build"
[ "$after" -gt "$during" ] || fail "(a) no rows were written after the build"
valid=$(q -c "SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'w_t_v'::regclass")
[ "$valid" = t ] || fail "(a) index w_t_v is not valid"
q -c "SELECT bt_index_check('w_t_v', true)" >/dev/null ||
	fail "(a) amcheck finds rows missing from w_t_v"
n_idx=$(q -c "SET enable_seqscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM w_t WHERE v >= 0")
[ "$n_idx" = "$after" ] || fail "(a) index scan sees $n_idx rows, table has $after"
ok "(a) CREATE INDEX CONCURRENTLY under concurrent INSERTs: valid, $((after - before)) rows written meanwhile, amcheck heapallindexed passes"

timeout 60 $PSQL -q -d "$DB" -c "CALL sm_run_toplevel('REINDEX INDEX CONCURRENTLY w_t_v')" ||
	fail "(a) REINDEX CONCURRENTLY"
[ "$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'w_t_v'::regclass")" = t ] ||
	fail "(a) index invalid after REINDEX CONCURRENTLY"
timeout 60 $PSQL -q -d "$DB" -c "CALL sm_run_toplevel('DROP INDEX CONCURRENTLY w_t_v')" ||
	fail "(a) DROP INDEX CONCURRENTLY"
[ "$(q -c "SELECT count(*) FROM pg_class WHERE relname = 'w_t_v'")" = 0 ] ||
	fail "(a) w_t_v still exists"
ok "(a) REINDEX INDEX CONCURRENTLY and DROP INDEX CONCURRENTLY"

# ---------- (b) VACUUM, ALTER SYSTEM, CREATE DATABASE ----------
q -c "DELETE FROM w_t WHERE id % 2 = 0" || fail "(b) delete"
$PSQL -q -d "$DB" -c "CALL sm_run_toplevel('VACUUM (ANALYZE) w_t')" || fail "(b) VACUUM"
st=$(q -c "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'w_t'")
# the statistics collector may lag a moment
for _ in 1 2 3 4 5; do [ "$st" = t ] && break; sleep 0.5
	st=$(q -c "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'w_t'"); done
[ "$st" = t ] || fail "(b) pg_stat_user_tables shows no vacuum of w_t"
ok "(b) VACUUM (ANALYZE) ran (pg_stat_user_tables.last_vacuum set)"

$PSQL -q -d "$DB" -c "CALL sm_run_toplevel('ALTER SYSTEM SET work_mem = ''7MB''')" || fail "(b) ALTER SYSTEM"
st=$(q -c "SELECT setting FROM pg_file_settings WHERE name = 'work_mem' AND sourcefile LIKE '%postgresql.auto.conf'")
[ "$st" = 7MB ] || fail "(b) postgresql.auto.conf has work_mem = '$st', not 7MB"
$PSQL -q -d "$DB" -c "CALL sm_run_toplevel('ALTER SYSTEM RESET work_mem')" || fail "(b) ALTER SYSTEM RESET"
st=$(q -c "SELECT count(*) FROM pg_file_settings WHERE name = 'work_mem' AND sourcefile LIKE '%postgresql.auto.conf'")
[ "$st" = 0 ] || fail "(b) ALTER SYSTEM RESET left work_mem in postgresql.auto.conf"
ok "(b) ALTER SYSTEM SET / RESET (seen in pg_file_settings)"

$PSQL -q -d "$DB" -c "CALL sm_run_toplevel('CREATE DATABASE ${DB}_made')" || fail "(b) CREATE DATABASE"
[ "$(q -c "SELECT count(*) FROM pg_database WHERE datname = '${DB}_made'")" = 1 ] ||
	fail "(b) database ${DB}_made missing"
$PSQL -q -d "$DB" -c "CALL sm_run_toplevel('DROP DATABASE ${DB}_made')" || fail "(b) DROP DATABASE"
ok "(b) CREATE DATABASE and DROP DATABASE"

# ---------- (c) failures come back with the worker's SQLSTATE ----------
expect_state 42601 - "CALL sm_run_toplevel('CREATE INDEXX CONCURRENTLY x ON w_t (v)')" "(c) syntax error"
printf '%s\n' "$LAST" | grep -q 'syntax error at or near "INDEXX"' ||
	fail "(c) syntax error message: $LAST"
printf '%s\n' "$LAST" | grep -q '^QUERY:  CREATE INDEXX CONCURRENTLY' ||
	fail "(c) syntax error lacks the statement and position: $LAST"
ok "(c) syntax error -> 42601 with message, statement and position"

expect_state 23505 - "CALL sm_run_toplevel('CREATE UNIQUE INDEX CONCURRENTLY dup_k ON dup (k)')" \
	"(c) unique violation"
printf '%s\n' "$LAST" | grep -q 'DETAIL:  Key (k)=(2) is duplicated' ||
	fail "(c) unique violation lacks its detail: $LAST"
[ "$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'dup_k'::regclass")" = f ] ||
	fail "(c) the failed build did not leave an invalid index dup_k"
ok "(c) CREATE UNIQUE INDEX CONCURRENTLY on duplicates -> 23505 with detail; leaves dup_k invalid (indisvalid = f)"
expect_state 55000 - "CALL sm_run_toplevel('CREATE INDEX CONCURRENTLY IF NOT EXISTS dup_k ON dup (k)')" \
	"(c) IF NOT EXISTS over the invalid index"
grep -q 'index "dup_k" is not valid' <<<"$LAST" || fail "(c) $LAST"
$PSQL -q -d "$DB" -c "CALL sm_run_toplevel('DROP INDEX CONCURRENTLY dup_k')" || fail "(c) drop dup_k"
ok "(c) CREATE INDEX CONCURRENTLY IF NOT EXISTS over the leftover invalid index -> 55000 (index_check_valid)"

expect_state 42P01 - "CALL sm_run_toplevel('VACUUM no_such_table')" "(c) missing table"
expect_state 42601 - "CALL sm_run_toplevel('VACUUM w_t; VACUUM dup')" "(c) two statements"
grep -q 'exactly one statement' <<<"$LAST" || fail "(c) two statements: $LAST"
expect_state 25000 - "CALL sm_run_toplevel('COMMIT')" "(c) transaction control"
expect_state 22012 - "CALL sm_run_toplevel('DO \$\$BEGIN PERFORM 1/0; END\$\$')" "(c) error in DO"
grep -q '^PL/pgSQL function inline_code_block' <<<"$LAST" || fail "(c) the worker's context is lost: $LAST"
ok "(c) missing table 42P01, two statements 42601, COMMIT 25000, 1/0 in DO 22012 with its context"

# lock_timeout of the caller applies in the worker
$PSQL -q -d "$DB" -c "BEGIN; LOCK TABLE dup IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT" >/dev/null 2>&1 &
LOCKER=$!
BGPIDS+=("$LOCKER")
sleep 0.7
PGOPTIONS="-c lock_timeout=300ms" expect_state 55P03 - "CALL sm_run_toplevel('CREATE INDEX CONCURRENTLY dup_k2 ON dup (k)')" \
	"(c) lock timeout"
grep -q 'canceling statement due to lock timeout' <<<"$LAST" || fail "(c) lock timeout: $LAST"
wait "$LOCKER"
$PSQL -q -d "$DB" -c "DROP INDEX IF EXISTS dup_k2" >/dev/null 2>&1
ok "(c) the caller's lock_timeout applies in the worker -> 55P03"

# cancelling the caller terminates the worker
t0=$(date +%s)
PGOPTIONS="-c statement_timeout=1s" expect_state 57014 - "CALL sm_run_toplevel('SELECT pg_sleep(60)')" \
	"(c) statement_timeout of the caller"
[ $(($(date +%s) - t0)) -lt 10 ] || fail "(c) statement_timeout took too long"
no_workers_left || fail "(c) the worker survived the caller's statement_timeout"
ok "(c) caller's statement_timeout -> 57014, worker terminated"

$PSQL -q -d "$DB" -v VERBOSITY=verbose -c "CALL sm_run_toplevel('SELECT pg_sleep(60)')" >"$WRITER_SQL.out" 2>&1 &
CALLER=$!
BGPIDS+=("$CALLER")
for _ in $(seq 1 50); do [ "$(workers_running)" = 1 ] && break; sleep 0.1; done
[ "$(workers_running)" = 1 ] || fail "(c) no worker seen for the CALL to cancel"
q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'CALL sm_run_toplevel(%pg_sleep(60)%' AND backend_type = 'client backend'" >/dev/null
wait "$CALLER"
grep -q '57014' "$WRITER_SQL.out" || fail "(c) pg_cancel_backend: $(cat "$WRITER_SQL.out")"
no_workers_left || fail "(c) the worker survived pg_cancel_backend of the caller"
ok "(c) pg_cancel_backend of the caller -> 57014, worker terminated"

$PSQL -q -d "$DB" -c "CALL sm_run_toplevel('SELECT pg_sleep(60)')" >/dev/null 2>&1 &
CALLER=$!
BGPIDS+=("$CALLER")
for _ in $(seq 1 50); do [ "$(workers_running)" = 1 ] && break; sleep 0.1; done
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'CALL sm_run_toplevel(%pg_sleep(60)%' AND backend_type = 'client backend'" >/dev/null
wait "$CALLER"
no_workers_left || fail "(c) the worker survived pg_terminate_backend of the caller"
ok "(c) pg_terminate_backend of the caller (FATAL) -> worker terminated too"

# ---------- (d) refused inside a transaction block or a function ----------
expect_state 2D000 - "BEGIN; CALL sm_run_toplevel('VACUUM dup'); COMMIT;" "(d) inside BEGIN"
grep -q 'must be called with CALL outside a transaction block' <<<"$LAST" || fail "(d) message: $LAST"
q -c "CREATE FUNCTION f_calls() RETURNS void LANGUAGE plpgsql AS \$\$BEGIN CALL sm_run_toplevel('VACUUM dup'); END\$\$" ||
	fail "(d) create function"
expect_state 2D000 - "SELECT f_calls()" "(d) from a function"
expect_state 2D000 - "SET lock_timeout = '1s'; CALL sm_run_toplevel('VACUUM dup')" "(d) in a multi-statement query string"
ok "(d) CALL inside BEGIN ... COMMIT, in a multi-statement query string and from a function -> 2D000 with a clear message"

# ---------- (e) the worker runs as the calling role, with its search_path ----------
q <<EOF || fail "(e) set-up"
CREATE ROLE $ALICE LOGIN;
CREATE ROLE $BOB LOGIN;
CREATE ROLE $OWNER NOLOGIN;
GRANT $OWNER TO $ALICE;
CREATE SCHEMA alice_s AUTHORIZATION $ALICE;
GRANT USAGE, CREATE ON SCHEMA alice_s TO $OWNER;
GRANT EXECUTE ON PROCEDURE sm_run_toplevel(text) TO $ALICE, $OWNER;
EOF
$PSQL -q -d "$DB" -U "$ALICE" <<EOF || fail "(e) alice's CREATE INDEX CONCURRENTLY"
SET search_path = alice_s, public;
CREATE TABLE a_t (id int);
INSERT INTO a_t SELECT generate_series(1, 1000);
CALL sm_run_toplevel('CREATE INDEX CONCURRENTLY a_t_id ON a_t (id)');
CALL sm_run_toplevel('CREATE TABLE made_by_worker (x int)');
EOF
st=$(q -c "SELECT c.relnamespace::regnamespace || ' ' || c.relowner::regrole || ' ' || i.indisvalid
           FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = 'a_t_id'")
[ "$st" = "alice_s $ALICE true" ] || fail "(e) index a_t_id: '$st'"
st=$(q -c "SELECT relnamespace::regnamespace || ' ' || relowner::regrole FROM pg_class WHERE relname = 'made_by_worker'")
[ "$st" = "alice_s $ALICE" ] || fail "(e) table made by the worker: '$st'"
ok "(e) non-superuser: index alice_s.a_t_id valid, table made_by_worker in alice_s owned by $ALICE (caller's role and search_path)"

expect_state 42501 "$ALICE" "CALL sm_run_toplevel('CREATE INDEX CONCURRENTLY ON public.w_t (pad)')" \
	"(e) index on another role's table"
grep -q 'must be owner of table w_t' <<<"$LAST" || fail "(e) $LAST"
expect_state 42501 "$ALICE" "CALL sm_run_toplevel('ALTER SYSTEM SET work_mem = ''1MB''')" "(e) ALTER SYSTEM as non-superuser"
expect_state 42501 "$BOB" "CALL sm_run_toplevel('VACUUM')" "(e) not granted"
ok "(e) no privilege escalation: index on postgres's table 42501, ALTER SYSTEM 42501, ungranted role 42501"

$PSQL -q -d "$DB" -U "$ALICE" <<EOF || fail "(e) SET ROLE to a NOLOGIN role"
SET ROLE $OWNER;
SET search_path = alice_s;
CALL public.sm_run_toplevel('CREATE TABLE by_owner (x int)');
EOF
st=$(q -c "SELECT relnamespace::regnamespace || ' ' || relowner::regrole FROM pg_class WHERE relname = 'by_owner'")
[ "$st" = "alice_s $OWNER" ] || fail "(e) table made after SET ROLE: '$st'"
ok "(e) after SET ROLE to a NOLOGIN role the worker acts as that role (by_owner owned by $OWNER)"

# ---------- (f) no free worker slot ----------
if [ "$PRIVATE" = 1 ]; then
	# max_worker_processes = 4, the logical replication launcher takes one
	others=$(q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type NOT IN ('client backend', 'autovacuum launcher', 'autovacuum worker', 'background writer', 'checkpointer', 'walwriter', 'archiver', 'startup', 'walsender')")
	for _ in $(seq 1 $((4 - others))); do
		$PSQL -q -d "$DB" -c "CALL sm_run_toplevel('SELECT pg_sleep(5)')" >/dev/null 2>&1 &
		BGPIDS+=("$!")
	done
	for _ in $(seq 1 50); do [ "$(workers_running)" = $((4 - others)) ] && break; sleep 0.1; done
	[ "$(workers_running)" = $((4 - others)) ] || fail "(f) could not fill the worker slots"
	expect_state 53400 - "CALL sm_run_toplevel('VACUUM dup')" "(f) no free slot"
	grep -q 'HINT:  .*max_worker_processes' <<<"$LAST" || fail "(f) no hint: $LAST"
	wait
	ok "(f) all max_worker_processes slots busy -> 53400 with a hint"
else
	echo "ok - (f) skipped: needs the private cluster (max_worker_processes = 4)"
fi

no_workers_left || fail "a schema_migrate worker is still running at the end"
rm -f "$WRITER_SQL" "$WRITER_SQL.out"
echo "t_worker: all passed"
