#!/usr/bin/env bash
#
# t_safety.sh -- the sessions a migration would wait for (issue 15): a second
# session idle in a transaction that wrote to a big table is named by
# sm_blockers() and sm_lint() (pid, lock modes, state, idle time), and the
# gate prints it before sm_upgrade runs into its lock timeout.  A session
# holding only a lock that does not conflict is not named.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

HOLDER=
cleanup_more() { [ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null; }
sm_test_setup t_safety
mkdir -p "$WORK/sets"
cp -r test/sets/lint_gate "$WORK/sets/"
chmod -R a+rX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
DB=safety_$$
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c schema_migrate.safety_min_bytes=64kB"
q() { "$PSQL_BIN" -X -q -At -d "$DB" -c "$1" 2>&1; }

"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q "CREATE EXTENSION schema_migrate" >/dev/null
q "SELECT sm_upgrade('0001', 'lint_gate')" >/dev/null
q "INSERT INTO gated SELECT g, g FROM generate_series(1, 5000) g" >/dev/null

check "nobody holds a lock: sm_blockers() is empty" \
	test "$(q "SELECT count(*) FROM sm_blockers('head', 'lint_gate')")" = 0

# a reader: ACCESS SHARE does not conflict with CREATE INDEX's SHARE lock
mkfifo "$WORK/in"
"$PSQL_BIN" -X -q -d "$DB" <"$WORK/in" >"$WORK/holder.out" 2>&1 &
HOLDER=$!
exec 3>"$WORK/in"
echo "BEGIN; SELECT count(*) FROM gated; SELECT 'ready-1';" >&3
for _ in $(seq 50); do grep -q ready-1 "$WORK/holder.out" && break; sleep 0.1; done
check "a reader in an open transaction does not block CREATE INDEX" \
	test "$(q "SELECT count(*) FROM sm_blockers('head', 'lint_gate')")" = 0

# a writer: ROW EXCLUSIVE conflicts with SHARE
echo "INSERT INTO gated VALUES (0, 0); SELECT 'ready-2';" >&3
for _ in $(seq 50); do grep -q ready-2 "$WORK/holder.out" && break; sleep 0.1; done
sleep 1.2
PID=$(q "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'")
ROW=$(q "SELECT concat_ws('|', revision, line, relation, needs, pid, holds, state, idle_in_transaction_s >= 1, transaction_s >= idle_in_transaction_s, query) FROM sm_blockers('head', 'lint_gate')")
check "sm_blockers() names the writer idle in transaction: revision, line, relation, modes, pid, state, durations, query" \
	test "$ROW" = "0002|2|public.gated|ShareLock|$PID|RowExclusiveLock|idle in transaction|t|t|SELECT 'ready-2';"
LINT=$(q "SELECT concat_ws('|', revision, file, line, statement, severity, relation, relation_bytes = pg_table_size('gated'), relation_rows IS NULL, message ~ ('^pid $PID holds RowExclusiveLock on public.gated \\(idle in transaction for [0-9]+ s\\): this statement needs ShareLock'), hint) FROM sm_lint('head', 'lint_gate') WHERE rule = 'blocked_by_session'")
check "sm_lint() reports it as blocked_by_session, with the table's size" \
	test "$LINT" = "0002|0002_index.sql|2|SELECT 'ready-2';|error|public.gated|t|t|t|Let it finish, or end it with SELECT pg_terminate_backend($PID); schema_migrate.lock_timeout bounds the wait."

OUT=$(PGOPTIONS="$PGOPTIONS -c schema_migrate.lock_timeout=100 -c schema_migrate.lock_retries=0 -c schema_migrate.timing=off" \
	"$PSQL_BIN" -X -q -d "$DB" -c "SELECT sm_upgrade('head', 'lint_gate')" 2>&1)
check "the gate names the blocker before the upgrade waits" \
	grep -q "NOTICE:  migration 0002 line 2 needs ShareLock on public.gated, and pid $PID holds RowExclusiveLock on it (idle in transaction for" <<<"$OUT"
check "...and the upgrade then runs into its lock timeout" grep -q "could not get a lock" <<<"$OUT"
check "...so nothing ran" test "$(q "SELECT * FROM sm_current('lint_gate')")" = 0001

echo "ROLLBACK;" >&3
exec 3>&-
wait "$HOLDER" 2>/dev/null
HOLDER=
check "after the writer ends, nobody blocks" \
	test "$(q "SELECT count(*) FROM sm_blockers('head', 'lint_gate')")" = 0

"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
if [ "$FAILS" -gt 0 ]; then echo "$FAILS failed"; exit 1; fi
echo "all passed"
