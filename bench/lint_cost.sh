#!/usr/bin/env bash
#
# lint_cost.sh -- what sm_lint costs next to applying what it lints (issue 15:
# at most 20%).  N (default 500) pending migrations, each changing one of 50
# tables that already exist and hold rows (ADD COLUMN, CREATE INDEX, a type
# change, a NOT VALID foreign key: the rules' work, with a size lookup per
# table), linted with sm_lint('head') and applied with sm_upgrade('head') in
# a transaction rolled back afterwards, alternately, ROUNDS times; medians.
# The apply is timed with the gate off and with it on (warn, the default),
# so the gate's own cost shows too.
#
#   bench/lint_cost.sh            N=500 ROUNDS=5
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh

N=${N:-500}
ROUNDS=${ROUNDS:-5}
if [ -z "${PGHOST:-}" ]; then
	sm_cluster_start || { echo "could not start a cluster"; exit 1; }
fi
: "${SM_PGBIN:=$("$(sm_pg_config)" --bindir)}"
PSQL_BIN=$SM_PGBIN/psql
WORK=$(mktemp -d "${SM_CLUSTER_DIR:-/tmp}/lint_cost.XXXXXX") || exit 1
trap 'rm -rf -- "$WORK"' EXIT
S=$WORK/sets/lc
mkdir -p "$S"
{
	echo "-- +up"
	for t in $(seq 0 49); do
		echo "CREATE TABLE t$t (id bigint PRIMARY KEY, a int, b varchar(10), ref bigint);"
		echo "INSERT INTO t$t SELECT g, g, 'x', g FROM generate_series(1, 1000) g;"
	done
} >"$S/0000_base.sql"
for i in $(seq 1 "$N"); do
	t=$((i % 50))
	case $((i % 4)) in
		0) sql="ALTER TABLE t$t ADD COLUMN c$i int DEFAULT 0;" ;;
		1) sql="CREATE INDEX t${t}_i$i ON t$t (a);" ;;
		2) sql="ALTER TABLE t$t ALTER COLUMN b TYPE varchar($((10 + i)));" ;;
		3) sql="ALTER TABLE t$t ADD CONSTRAINT t${t}_fk$i FOREIGN KEY (ref) REFERENCES t$(((t + 1) % 50)) (id) NOT VALID;" ;;
	esac
	printf -- '-- +up\n%s\n' "$sql" >"$S/$(printf %04d "$i")_m$i.sql"
done
chmod -R a+rX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
DB=lint_cost_$$
"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c schema_migrate.set=lc -c client_min_messages=warning -c schema_migrate.timing=off"
"$PSQL_BIN" -X -q -d "$DB" -c "CREATE EXTENSION schema_migrate" -c "SELECT sm_upgrade('0000')" -c "ANALYZE" >/dev/null || exit 1

# one session: the set is read once (cache), then each round lints and applies
ms() { grep -o 'Time: [0-9.]*' | awk '{print $2}'; }
OUT=$("$PSQL_BIN" -X -q -d "$DB" <<SQL 2>&1
SELECT count(*) FROM sm_history();
\timing on
$(for _ in $(seq "$ROUNDS"); do
	echo "SELECT count(*) AS lint FROM sm_lint('head');"
	echo "BEGIN; SET LOCAL schema_migrate.safety = off; SELECT sm_upgrade('head') AS apply_off; ROLLBACK;"
	echo "BEGIN; SELECT sm_upgrade('head') AS apply_warn; ROLLBACK;"
done)
SQL
)
echo "$OUT" | grep -q ERROR && { echo "$OUT" | grep ERROR; exit 1; }
# lines of "Time:" come in groups: lint, BEGIN, SET, apply, ROLLBACK, BEGIN, apply, ROLLBACK
mapfile -t T < <(echo "$OUT" | ms)
lint=() off=() warn=()
for ((r = 0; r < ROUNDS; r++)); do
	b=$((r * 8))
	lint+=("${T[b]}"); off+=("${T[b + 3]}"); warn+=("${T[b + 6]}")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
L=$(median "${lint[@]}"); A=$(median "${off[@]}"); W=$(median "${warn[@]}")
FINDINGS=$("$PSQL_BIN" -X -q -At -d "$DB" -c "SELECT count(*) FROM sm_lint('head')")
"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
echo "N=$N pending migrations on 50 existing tables, $ROUNDS rounds, medians; $FINDINGS findings"
echo "rounds: lint ${lint[*]} ms; apply (gate off) ${off[*]} ms; apply (gate on, warn) ${warn[*]} ms"
awk -v l="$L" -v a="$A" -v w="$W" 'BEGIN {
	printf "| sm_lint(head) | apply, gate off | apply, gate on | lint / apply | gate overhead |\n|---:|---:|---:|---:|---:|\n"
	printf "| %.0f ms | %.0f ms | %.0f ms | %.1f%% | %.1f%% |\n", l, a, w, 100 * l / a, 100 * (w - a) / a }'
