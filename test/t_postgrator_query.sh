#!/usr/bin/env bash
#
# test/t_postgrator_query.sh -- Postgrator sends each file as one simple
# Query (lib/Client.js runSqlScript), so a file of one statement that a
# transaction block refuses (CREATE INDEX CONCURRENTLY) runs, and the same
# statement beside another fails.  schema_migrate reads such a file as
# non-transactional and the other as transactional, so CALL sm_migrate()
# stops where Postgrator stops, with the same schema; checked against the
# real postgrator-cli when test/install_peers.sh installed it.  (Found by
# filecoin-station/spark-api's 017.do.index-measurements-by-time.sql.)
#
# Uses the cluster of the environment when PGHOST is set, else starts one.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
. "$ROOT/test/lib/cluster.sh"

# the trap first: sm_cluster_start chains its own after it
WORK=$(mktemp -d /tmp/sm-pgr-query.XXXXXX)
chmod 0755 "$WORK"
trap 'rm -rf -- "$WORK"' EXIT
[ -n "${PGHOST:-}" ] || sm_cluster_start || exit 2
BIN=$("$(sm_pg_config)" --bindir)
PSQL_CMD=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
NPM=${SM_NPM:-${XDG_CACHE_HOME:-$HOME/.cache}/schema_migrate/npm}
PGR=$NPM/postgrator-cli/node_modules/.bin/postgrator
mkdir -p "$WORK/sets"
cp -R "$ROOT/test/sets/fmt_postgrator_query" "$WORK/sets/"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$WORK/sets"
chmod -R go+rX "$WORK/sets"

failures=0
fail() { echo "not ok - $*"; failures=$((failures + 1)); }
pass() { echo "ok - $*"; }
psql_db() { local db=$1; shift; "${PSQL_CMD[@]}" -d "$db" "$@"; }
fresh_db() {
	psql_db postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1 &&
		psql_db "$1" -c "CREATE SCHEMA sm" -c "CREATE EXTENSION schema_migrate SCHEMA sm" >/dev/null
}
sm() {
	psql_db "$1" -At -c "SET schema_migrate.path = '$WORK/sets'" -c "SET client_min_messages = warning" -c "$2"
}
dump() {
	"$BIN/pg_dump" --schema-only --no-owner --no-privileges --exclude-schema=sm \
		--exclude-table=public.schemaversion -d "$1" | grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' >"$2"
}

fresh_db sm_pq_a || { echo "not ok - no database"; exit 1; }
got=$(sm sm_pq_a "SELECT string_agg(revision || '=' || transactional, ' ' ORDER BY revision) FROM sm.sm_history('fmt_postgrator_query')" 2>&1)
[ "$got" = "1=true 2=false 3=true" ] &&
	pass "postgrator: a lone CREATE INDEX CONCURRENTLY is non-transactional, beside another statement transactional (1=true 2=false 3=true)" ||
	fail "postgrator: transactional per revision: $got"
# Postgrator runs 001 and 002, then fails at 003; schema_migrate refuses
# 003 before anything runs (its statements are checked first), and
# applies 001 and 002 when asked to go to 2
if sm sm_pq_a "CALL sm.sm_migrate('head', 'fmt_postgrator_query')" >"$WORK/a.out" 2>&1; then
	fail "postgrator: sm_migrate ran 003, which Postgrator refuses"
else
	grep -q 'CREATE INDEX CONCURRENTLY cannot run inside a transaction' "$WORK/a.out" &&
		grep -q 'file 003.do.two-statements.sql, line 3' "$WORK/a.out" &&
		pass "postgrator: 003 is refused as Postgrator fails it (CREATE INDEX CONCURRENTLY in a transaction block), naming file and line" ||
		{ fail "postgrator: 003 failed otherwise"; cat "$WORK/a.out"; }
fi
sm sm_pq_a "CALL sm.sm_migrate('2', 'fmt_postgrator_query')" >"$WORK/a.out" 2>&1 || cat "$WORK/a.out"
got=$(sm sm_pq_a "SELECT string_agg(revision, ' ' ORDER BY revision) FROM sm.sm_history('fmt_postgrator_query') WHERE applied")
[ "$got" = "1 2" ] && pass "postgrator: up to 2, 001 and 002 applied" || fail "postgrator: applied: $got"
got=$(psql_db sm_pq_a -At -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'events_at'::regclass")
[ "$got" = t ] && pass "postgrator: the concurrent index of 002 is valid" || fail "postgrator: events_at valid = $got"
if sm sm_pq_a "CALL sm.sm_migrate('base', 'fmt_postgrator_query')" >"$WORK/a.out" 2>&1 &&
	[ "$(psql_db sm_pq_a -At -c "SELECT count(*) FROM pg_class WHERE relname IN ('events', 'events_at')")" = 0 ]; then
	pass "postgrator: down to base runs 002.undo (DROP INDEX CONCURRENTLY) outside a transaction"
else
	fail "postgrator: down to base"; cat "$WORK/a.out"
fi
sm sm_pq_a "CALL sm.sm_migrate('2', 'fmt_postgrator_query')" >/dev/null 2>&1
dump sm_pq_a "$WORK/a.sql"

if [ -x "$PGR" ]; then
	fresh_db sm_pq_b
	if "$PGR" --no-config -r pg -h "$PGHOST" -o "$PGPORT" -d sm_pq_b -u "${PGUSER:-postgres}" \
		-m "$WORK/sets/fmt_postgrator_query/*" >"$WORK/b.out" 2>&1; then
		fail "postgrator: the real postgrator-cli ran 003"
	else
		got=$(psql_db sm_pq_b -At -c "SELECT string_agg(version::text, ' ' ORDER BY version) FROM schemaversion WHERE version > 0")
		[ "$got" = "1 2" ] && grep -q 'cannot run inside a transaction block' "$WORK/b.out" &&
			pass "postgrator: the real postgrator-cli applies 001 and 002 and fails at 003 the same way" ||
			{ fail "postgrator: the real tool recorded '$got'"; tail -n 5 "$WORK/b.out"; }
		dump sm_pq_b "$WORK/b.sql"
		diff -u "$WORK/b.sql" "$WORK/a.sql" >"$WORK/diff" &&
			pass "postgrator: same schema as the real postgrator-cli ($(grep -c '^CREATE' "$WORK/a.sql") CREATE statements)" ||
			{ fail "postgrator: schemas differ"; head -n 30 "$WORK/diff"; }
	fi
else
	echo "ok - postgrator: # SKIP postgrator-cli is not installed under $NPM (test/install_peers.sh)"
fi

[ $failures -eq 0 ] && echo "t_postgrator_query: all passed" || echo "t_postgrator_query: $failures failure(s)"
[ $failures -eq 0 ]
