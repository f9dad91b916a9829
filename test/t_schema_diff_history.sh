#!/usr/bin/env bash
#
# t_schema_diff_history.sh -- the differ at scale, on whole migration
# histories: every set of SM_HISTORY_SETS is applied one migration at a time
# (sm_upgrade('+1')), and at each point the schema is dumped and modelled.
# Then, for each point P:
#   - from empty: sm_diff_models(empty, P) applied to an empty database
#     gives P exactly (pg_dump --schema-only);
#   - consecutive: sm_diff_models(P-1, P) applied to a database holding P-1
#     (built by the first check) gives P exactly.
# Prints the count of points reproduced and, for the others, the difference.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

# all five (fmt_flyway fmt_golang fmt_goose fmt_dbmate fmt_diesel) take ~4 min on 2 cores
SETS=${SM_HISTORY_SETS:-fmt_flyway fmt_diesel}

sm_test_setup t_schema_diff_history
mkdir -p "$WORK/sets"
for s in $SETS; do cp -r "test/sets/$s" "$WORK/sets/$s"; done
chmod -R a+rwX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c client_min_messages=warning"

# shellcheck source=test/lib/schema_diff.sh
. test/lib/schema_diff.sh
fresh_db() { psql_q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE template0" &&
	psql_q -d "$1" -c "CREATE EXTENSION schema_migrate"; }

total=0
for s in $SETS; do
	fresh_db hist_src || { bad "$s: creating the database"; continue; }
	fresh_db hist_empty
	model hist_empty "$WORK/$s.0.model"
	dump hist_empty "$WORK/$s.0.dump"
	n=0
	# walk the history one migration at a time
	while :; do
		out=$(psql_q -d hist_src -c "SELECT sm_upgrade('+1', '$s')" 2>&1) || break
		n=$((n + 1))
		model hist_src "$WORK/$s.$n.model"
		dump hist_src "$WORK/$s.$n.dump"
		[ "$n" -lt 200 ] || break
	done
	[ "$n" -gt 0 ] || { bad "$s: no migration applied ($out)"; continue; }
	echo "# $s: $n points"
	for ((p = 1; p <= n; p++)); do
		total=$((total + 1))
		diff_point "$WORK/$s." "$p" "$s point $p"
	done
	ok "$s: $n points walked"
done
for db in hist_src hist_empty hist_a hist_b; do psql_q -d postgres -c "DROP DATABASE IF EXISTS $db"; done
echo "# points: $total; reproduced exactly from empty: $exact_empty (+$cfb_empty only with check_function_bodies = off);" \
	"from the previous point: $exact_step (+$cfb_step only with check_function_bodies = off)"
[ "$FAILS" -eq 0 ]
