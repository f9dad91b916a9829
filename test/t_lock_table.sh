#!/usr/bin/env bash
#
# t_lock_table.sh -- a set big enough to fill the lock table in one
# transaction: SELECT sm_upgrade() fails cleanly with a hint that names
# max_locks_per_transaction and step-wise mode, leaves nothing behind, and
# CALL sm_migrate() applies the same set.  Runs its own small cluster
# (max_locks_per_transaction = 10, max_connections = 20) so that 400
# migrations are enough.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

# a private cluster, whatever PGHOST says
unset PGHOST PGPORT SM_CLUSTER_DIR SM_PGDATA
SM_PGPORT=55710 sm_cluster_start || { echo "could not start a cluster"; exit 1; }
cat >>"$SM_PGDATA/postgresql.conf" <<CONF
max_locks_per_transaction = 10
max_connections = 20
CONF
sm_cluster_restart fast || { echo "could not restart"; exit 1; }
PSQL_BIN=$SM_PGBIN/psql

SETS=$SM_CLUSTER_DIR/sets
mkdir -p "$SETS/big"
for i in $(seq 1 400); do
	printf -- '-- +up\nCREATE TABLE big_%d (id int PRIMARY KEY, v text);\nCREATE INDEX big_%d_v ON big_%d (v);\n-- +down\nDROP TABLE big_%d;\n' \
		"$i" "$i" "$i" "$i" >"$SETS/big/$(printf %04d "$i")_big$i.sql"
done
chown -R postgres "$SETS"
export PGOPTIONS="-c schema_migrate.path=$SETS -c schema_migrate.timing=off -c client_min_messages=warning"
q() { "$PSQL_BIN" -X -q -At -d postgres -c "$1" 2>&1; }
q "CREATE EXTENSION schema_migrate" >/dev/null

out=$(q "SELECT sm_upgrade('head', 'big')")
check "one transaction for 400 migrations fills the lock table: out of shared memory" \
	grep -q "out of shared memory" <<<"$out"
check "...with a hint naming max_locks_per_transaction and step-wise mode" \
	grep -q "max_locks_per_transaction.*CALL sm_migrate()" <<<"$out"
check "...and nothing is left behind" \
	test "$(q "SELECT count(*) FROM sm_version")$(q "SELECT count(*) FROM pg_class WHERE relname LIKE 'big\_%'")" = "00"
"$PSQL_BIN" -X -q -d postgres -c "CALL sm_migrate('head', 'big')" >/dev/null 2>&1
check "CALL sm_migrate applies the same set, releasing its locks after each migration" \
	test "$(q "SELECT * FROM sm_current('big')")" = "0400"
"$PSQL_BIN" -X -q -d postgres -c "CALL sm_migrate('base', 'big')" >/dev/null 2>&1
check "...and reverts it" test "$(q "SELECT count(*) FROM pg_class WHERE relname LIKE 'big\_%'")" = "0"

echo "t_lock_table: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
