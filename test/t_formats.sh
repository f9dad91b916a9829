#!/usr/bin/env bash
#
# test/t_formats.sh -- sets written for other tools give the same schema
# through schema_migrate as through the tool's own way of running them.
#
# For each fixture set test/sets/fmt_<tool>:
#   database A: sm_upgrade('head'), dump; sm_downgrade('base') must give the
#               empty schema again; sm_upgrade('head') must give the same dump;
#   database B: the same up scripts applied in the tool's order with psql,
#               one psql run per file (as the tools run them), dumped.
# The order for B is worked out here from the file names and sqitch.plan,
# independently of the extension.  Any difference is printed as a diff and
# makes the script exit non-zero.
#
# Uses the cluster of the environment when PGHOST is set, else starts one.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"

if [ -z "${PGHOST:-}" ]; then
	sm_cluster_start || exit 2
fi
BIN=$("$(sm_pg_config)" --bindir)
PSQL_CMD=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
PG_DUMP=("$BIN/pg_dump" --schema-only --no-owner --no-privileges)

WORK=$(mktemp -d /tmp/sm-formats.XXXXXX)
chmod 0755 "$WORK"
trap 'rm -rf -- "$WORK"' EXIT
if [ -n "${SM_CLUSTER_DIR:-}" ]; then
	SETS=$(sm_readable_copy "$ROOT/test/sets") || exit 2
else
	cp -R "$ROOT/test/sets" "$WORK/sets" && SETS=$WORK/sets
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS"
	chmod -R go+rX "$SETS"
fi

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

psql_db() { local db=$1; shift; "${PSQL_CMD[@]}" -d "$db" "$@"; }

# A fresh database with the extension in a schema of its own, so that the
# application's schemas dump the same with and without schema_migrate.
fresh_db() {
	psql_db postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1 &&
		psql_db "$1" -c "CREATE SCHEMA sm" -c "CREATE EXTENSION schema_migrate SCHEMA sm" >/dev/null
}

# without the lines that differ between any two runs (\restrict keys)
dump() { "${PG_DUMP[@]}" -d "$1" | grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' >"$2"; }

sm() {
	local db=$1 sql=$2
	psql_db "$db" -At -c "SET schema_migrate.path = '$SETS'" -c "SET client_min_messages = warning" -c "$sql"
}

have_downgrade() {
	[ "$(psql_db "$1" -At -c "SELECT count(*) FROM pg_proc WHERE proname = 'sm_downgrade'")" != 0 ]
}

# ---- the tools' own order: one up script per line on stdout ----------------

# "-- migrate:up" .. "-- migrate:down" of a dbmate file; same for goose
up_block() {
	awk -v start="$2" -v stop="$3" '
		tolower($0) ~ start { on = 1; next }
		tolower($0) ~ stop { on = 0 }
		on { print }' "$1"
}

order_golang() { ls "$1" | grep '\.up\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }
# dbmate sorts file names as strings (pkg/dbmate/db.go: sort.Slice by FileName)
order_dbmate() { ls "$1" | grep '\.sql$' | LC_ALL=C sort | sed "s|^|$1/|"; }
order_goose() { ls "$1" | grep '\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }
order_flyway() {
	ls "$1" | grep '^V.*__.*\.sql$' |
		awk '{ v = substr($0, 2, index($0, "__") - 2); gsub("_", ".", v); print v "\t" $0 }' |
		sort -V -k1,1 | cut -f2 | sed "s|^|$1/|"
}
order_diesel() {
	for d in "$1"/*/; do
		d=${d%/}
		[ -f "$d/up.sql" ] || continue
		v=$(basename "$d"); v=${v%%_*}; v=${v//-/}
		printf '%s\t%s\n' "$v" "$d/up.sql"
	done | LC_ALL=C sort -k1,1 | cut -f2	# diesel: MigrationVersion derives Ord on the string
}
order_sqitch() {
	# a reworked change: its earlier instances use name@TAG.sql, TAG being
	# the first tag after that instance; the last one uses name.sql
	awk -v dir="$1" '
		/^[[:space:]]*(#|%|$)/ { next }
		/^@/ { for (i = last_tagged + 1; i <= n; i++) tag[i] = substr($1, 2); last_tagged = n; next }
		{ n++; name[n] = $1 }
		END { for (i = 1; i <= n; i++) {
			b = name[i]
			for (j = i + 1; j <= n; j++) if (name[j] == name[i]) b = name[i] "@" tag[i]
			print dir "/deploy/" b ".sql" } }' "$1/sqitch.plan"
}

apply_with_psql() {
	local db=$1 tool=$2 dir=$3 f
	while IFS= read -r f; do
		case $tool in
		dbmate) up_block "$f" '^-- *migrate:up' '^-- *migrate:down' >"$WORK/up.sql" ;;
		goose) up_block "$f" '^-- *\+goose +up' '^-- *\+goose +down' >"$WORK/up.sql" ;;
		*) cp "$f" "$WORK/up.sql" ;;
		esac
		if ! psql_db "$db" -f "$WORK/up.sql" >"$WORK/psql.out" 2>&1; then
			fail "$tool: psql could not apply $f"
			cat "$WORK/psql.out"
			return 1
		fi
	done < <("order_$tool" "$dir")
}

compare() {
	if ! diff -u "$2" "$3" >"$WORK/diff"; then
		fail "$1"
		head -n 60 "$WORK/diff"
	fi
}

# ---- the formats --------------------------------------------------------------

fresh_db sm_fmt_empty && dump sm_fmt_empty "$WORK/empty.sql"
for tool in golang flyway dbmate goose diesel sqitch; do
	set_name=fmt_$tool
	echo "--- $tool"
	fresh_db sm_fmt_a || { fail "$tool: could not create database"; continue; }
	if ! sm sm_fmt_a "SELECT sm.sm_upgrade('head', '$set_name')" >/dev/null; then
		fail "$tool: sm_upgrade('head') failed"
		continue
	fi
	dump sm_fmt_a "$WORK/a1.sql"
	if have_downgrade sm_fmt_a; then
		if sm sm_fmt_a "SELECT sm.sm_downgrade('base', '$set_name')" >/dev/null; then
			dump sm_fmt_a "$WORK/a0.sql"
			compare "$tool: schema after sm_downgrade('base') differs from an empty database" \
				"$WORK/empty.sql" "$WORK/a0.sql"
			sm sm_fmt_a "SELECT sm.sm_upgrade('head', '$set_name')" >/dev/null ||
				fail "$tool: second sm_upgrade('head') failed"
			dump sm_fmt_a "$WORK/a2.sql"
			compare "$tool: up, down, up differs from up" "$WORK/a1.sql" "$WORK/a2.sql"
		else
			fail "$tool: sm_downgrade('base') failed"
		fi
	else
		echo "sm_downgrade() is not in this build: down and up again skipped"
	fi

	fresh_db sm_fmt_b || { fail "$tool: could not create database"; continue; }
	apply_with_psql sm_fmt_b "$tool" "$ROOT/test/sets/$set_name" || continue
	dump sm_fmt_b "$WORK/b.sql"
	compare "$tool: schema_migrate and psql give different schemas" "$WORK/a1.sql" "$WORK/b.sql"
	echo "$tool: $(grep -c '^CREATE' "$WORK/a1.sql") CREATE statements compared"
done
psql_db postgres -c "DROP DATABASE IF EXISTS sm_fmt_a" -c "DROP DATABASE IF EXISTS sm_fmt_b" \
	-c "DROP DATABASE IF EXISTS sm_fmt_empty" >/dev/null 2>&1

if [ "$failures" -ne 0 ]; then
	echo "t_formats: $failures failure(s)"
	exit 1
fi
echo "t_formats: all formats agree"
