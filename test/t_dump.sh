#!/usr/bin/env bash
#
# t_dump.sh -- pg_dump keeps the migration state: a database migrated with
# schema_migrate, dumped with pg_dump and restored into a new database, is at
# the same revisions with the same history and log; sm_check() passes there,
# and further migrations and log rows continue without clashes.  Also with
# the extension installed in a schema of its own.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

sm_test_setup t_dump
mkdir -p "$WORK/sets"
cp -r migrations "$WORK/sets/example"
printf -- '-- +up\nCREATE TABLE later (id int);\n-- +down\nDROP TABLE later;\n' >"$WORK/later.sql"
chmod -R a+rX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c client_min_messages=warning"

run() { # ext-schema
	local s=$1 a=dump_a_$$ b=dump_b_$$ q
	q() { "$PSQL_BIN" -X -q -At -d "$1" -c "$2" 2>&1; }
	for db in $a $b; do "$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null; done
	"$PSQL_BIN" -X -q -d postgres -c "CREATE DATABASE $a" -c "CREATE DATABASE $b" || return 1
	if [ "$s" = public ]; then q "$a" "CREATE EXTENSION schema_migrate" >/dev/null
	else q "$a" "CREATE SCHEMA $s; CREATE EXTENSION schema_migrate SCHEMA $s" >/dev/null; fi
	q "$a" "SELECT $s.sm_upgrade('head', 'example')" >/dev/null
	q "$a" "SELECT $s.sm_downgrade('-1', 'example')" >/dev/null
	q "$a" "SELECT $s.sm_upgrade('head', 'example')" >/dev/null
	"$SM_PGBIN/pg_dump" -d "$a" -f "$WORK/a.sql" || return 1
	"$PSQL_BIN" -X -q -v ON_ERROR_STOP=1 -d "$b" -f "$WORK/a.sql" >/dev/null 2>"$WORK/restore.err" ||
		{ cat "$WORK/restore.err"; return 1; }
	local h="SELECT string_agg(concat_ws(':', revision, applied, applied_at, applied_by), ',') FROM $s.sm_history('example')"
	local l="SELECT string_agg(concat_ws(':', id, revision, operation, success), ',' ORDER BY id) FROM $s.sm_log"
	check "[$s] the restored database is at the same revision" \
		test "$(q "$b" "SELECT * FROM $s.sm_current('example')")" = "$(q "$a" "SELECT * FROM $s.sm_current('example')")"
	check "[$s] ...with the same history, times and roles" test "$(q "$b" "$h")" = "$(q "$a" "$h")"
	check "[$s] ...and the same operations log" test "$(q "$b" "$l")" = "$(q "$a" "$l")"
	check "[$s] sm_check() passes on the restored database (fingerprint rebuilt on restore)" \
		test "$(q "$b" "SELECT $s.sm_check('example')")" = "t"
	check "[$s] ...through the fast path: its fingerprint row is there" \
		test "$(q "$b" "SELECT count(*) FROM $s.sm_fingerprint WHERE set_name = 'example'")" = "1"
	cp "$WORK/later.sql" "$WORK/sets/example/0007_later.sql"
	check "[$s] a new migration applies on the restored database, its log ids continue" \
		test "$(q "$b" "SELECT $s.sm_upgrade('head', 'example')")" = "0007"
	rm -f "$WORK/sets/example/0007_later.sql"
	"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE $a" -c "DROP DATABASE $b"
}
run public
run migrations

echo "t_dump: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
