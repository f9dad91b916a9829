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

# all five (fmt_flyway fmt_golang fmt_goose fmt_dbmate fmt_diesel) take ~4 min on 2 cores
SETS=${SM_HISTORY_SETS:-fmt_flyway fmt_diesel}
FAILS=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }

WORK=
# shellcheck disable=SC2317
cleanup_work() { [ -z "$WORK" ] || rm -rf -- "$WORK"; }
trap cleanup_work EXIT
if [ -z "${PGHOST:-}" ]; then
	sm_cluster_start || { echo "could not start a cluster"; exit 1; }
fi
: "${SM_PGBIN:=$("$(sm_pg_config)" --bindir)}"
PSQL_BIN=$SM_PGBIN/psql
WORK=$(mktemp -d "${SM_CLUSTER_DIR:-/tmp}/t_schema_diff_history.XXXXXX") || exit 1
mkdir -p "$WORK/sets"
for s in $SETS; do cp -r "test/sets/$s" "$WORK/sets/$s"; done
chmod -R a+rwX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c client_min_messages=warning"

psql_q() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
fresh_db() { psql_q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE template0" &&
	psql_q -d "$1" -c "CREATE EXTENSION schema_migrate"; }
dump() { "$SM_PGBIN/pg_dump" --schema-only -d "$1" |
	grep -v -e '^--' -e '^$' -e '^\\restrict ' -e '^\\unrestrict ' >"$2"; }
model() { psql_q -d "$1" -c "SELECT sm_schema_model()" >"$2"; }
diff_script() { # db from to out
	psql_q -d "$1" -o "$4" <<-EOF
	\\set f \`cat '$2'\`
	\\set t \`cat '$3'\`
	SELECT statement FROM sm_diff_models(:'f', :'t') ORDER BY step;
	EOF
}
apply() { psql_q -d "$1" -f "$2" >/dev/null 2>"$2.err"; }

# build db from empty (+ base script) + script, compare with a dump:
# 0 exact, 2 exact only with check_function_bodies = off, 1 not
try_point() { # db base script target_dump
	local cfb
	for cfb in on off; do
		fresh_db "$1" >/dev/null || return 1
		if PGOPTIONS="$PGOPTIONS -c check_function_bodies=$cfb" sh -c '
			[ -z "$2" ] || "$0" -d "$1" -X -q -v ON_ERROR_STOP=1 -f "$2" >/dev/null 2>&1 || exit 1
			"$0" -d "$1" -X -q -v ON_ERROR_STOP=1 -f "$3" >/dev/null 2>"$3.err"' "$PSQL_BIN" "$1" "$2" "$3" &&
			dump "$1" "$3.dump" && cmp -s "$3.dump" "$4"; then
			[ $cfb = on ] && return 0
			return 2
		fi
	done
	cp "$4" "$3.target"
	return 1
}
show_failure() { # script
	head -3 "$1.err" | sed 's/^/    /'
	diff "$1.dump" "$1.target" | head -10 | sed 's/^/    /'
}

total=0 exact_empty=0 exact_step=0 cfb_empty=0 cfb_step=0
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
		diff_script hist_empty "$WORK/$s.0.model" "$WORK/$s.$p.model" "$WORK/e.sql"
		try_point hist_a "" "$WORK/e.sql" "$WORK/$s.$p.dump"
		case $? in
		0) exact_empty=$((exact_empty + 1)) ;;
		2) cfb_empty=$((cfb_empty + 1)); echo "# $s point $p: from empty, only with check_function_bodies = off" ;;
		*) bad "$s point $p: empty -> point does not reproduce it"; show_failure "$WORK/e.sql" ;;
		esac
		# consecutive: from the previous point, rebuilt from empty
		prev=
		if [ "$p" -gt 1 ]; then
			diff_script hist_empty "$WORK/$s.0.model" "$WORK/$s.$((p - 1)).model" "$WORK/prev.sql"
			prev="$WORK/prev.sql"
		fi
		diff_script hist_empty "$WORK/$s.$((p - 1)).model" "$WORK/$s.$p.model" "$WORK/c.sql"
		try_point hist_b "$prev" "$WORK/c.sql" "$WORK/$s.$p.dump"
		case $? in
		0) exact_step=$((exact_step + 1)) ;;
		2) cfb_step=$((cfb_step + 1)); echo "# $s point $p: from point $((p - 1)), only with check_function_bodies = off" ;;
		*) bad "$s point $p: point $((p - 1)) -> $p does not reproduce it"; show_failure "$WORK/c.sql" ;;
		esac
	done
	ok "$s: $n points walked"
done
for db in hist_src hist_empty hist_a hist_b; do psql_q -d postgres -c "DROP DATABASE IF EXISTS $db"; done
echo "# points: $total; reproduced exactly from empty: $exact_empty (+$cfb_empty only with check_function_bodies = off);" \
	"from the previous point: $exact_step (+$cfb_step only with check_function_bodies = off)"
[ "$FAILS" -eq 0 ]
