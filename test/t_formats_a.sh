#!/usr/bin/env bash
#
# test/t_formats_a.sh -- issue 16, part A: sqlx, Prisma Migrate, Atlas,
# tern, node-pg-migrate, Postgrator and Supabase CLI sets.
#
# For each fixture set test/sets/fmt_<tool> (made by test/lib/gen_formats_a.py):
#   database A: sm_upgrade('head'), dump; where the tool has downs,
#               sm_downgrade('base') must give the empty schema again and a
#               second sm_upgrade('head') the same dump;
#   database B: the up scripts applied in the tool's order with psql, one
#               psql run per file, dumped and compared with A.
# The order and the up parts for B are worked out here from the file names
# and markers, independently of the extension.  Then each error set
# test/sets/fmt_bad_<case> must be refused with its SQLSTATE and a message
# naming the file.  Any difference makes the script exit non-zero.
#
# Uses the cluster of the environment when PGHOST is set, else starts one.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"

if [ -z "${PGHOST:-}" ]; then
	sm_cluster_start || exit 2
	own_cluster=1
fi
BIN=$("$(sm_pg_config)" --bindir)
PSQL_CMD=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
PG_DUMP=("$BIN/pg_dump" --schema-only --no-owner --no-privileges)

WORK=$(mktemp -d /tmp/sm-formats-more.XXXXXX)
chmod 0755 "$WORK"
# the cluster started above too (only that one: under run-all.sh the
# cluster is the caller's): this trap replaces the one cluster.sh armed
trap 'rm -rf -- "$WORK"; [ -z "${own_cluster:-}" ] || sm__cleanup' EXIT
if [ -n "${SM_CLUSTER_DIR:-}" ]; then
	SETS=$(sm_readable_copy "$ROOT/test/sets") || exit 2
else
	cp -R "$ROOT/test/sets" "$WORK/sets" && SETS=$WORK/sets
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS"
	chmod -R go+rX "$SETS"
fi

failures=0
fail() { echo "not ok - $*"; failures=$((failures + 1)); }
pass() { echo "ok - $*"; }

psql_db() { local db=$1; shift; "${PSQL_CMD[@]}" -d "$db" "$@"; }

fresh_db() {
	psql_db postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1 &&
		psql_db "$1" -c "CREATE SCHEMA sm" -c "CREATE EXTENSION schema_migrate SCHEMA sm" >/dev/null
}

dump() { "${PG_DUMP[@]}" -d "$1" | grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' >"$2"; }

sm() {
	local db=$1 sql=$2
	psql_db "$db" -At -c "SET schema_migrate.path = '$SETS'" -c "SET client_min_messages = warning" -c "$sql"
}

# ---- the tools' own order: "file<TAB>how" per line; how = all|tern|npm ----
order_sqlx() { ls "$1" | grep -E '^[0-9]+_.*\.sql$' | grep -v '\.down\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|; s|$|\tall|"; }
order_prisma() { ls "$1" | LC_ALL=C sort | while read -r d; do [ -d "$1/$d" ] && printf '%s/%s/migration.sql\tall\n' "$1" "$d"; done; }
order_atlas() { ls "$1" | grep '\.sql$' | LC_ALL=C sort | sed "s|^|$1/|; s|$|\tall|"; }
order_tern() { ls "$1" | grep -E '^[0-9]+_.+\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|; s|$|\ttern|"; }
order_npm() {
	ls "$1" | grep '\.sql$' | awk -F_ '{ print $1 "\t" $0 }' | sort -k1,1n -k2,2 | cut -f2 |
		sed "s|^|$1/|; s|$|\tnpm|"
}
order_postgrator() { ls "$1" | grep -E '^[0-9]+\.do\..*\.sql$' | sort -t. -k1,1n | sed "s|^|$1/|; s|$|\tall|"; }
order_supabase() {
	ls "$1/supabase/migrations" | grep -E '^[0-9]+_.*\.sql$' | LC_ALL=C sort |
		sed "s|^|$1/supabase/migrations/|; s|$|\tall|"
	printf '%s\tall\n' "$1/supabase/seed.sql"
}

# the up part as the tool takes it (python3: the tools' own string rules)
up_part() {
	python3 - "$1" "$2" <<'PY'
import re, sys
how, path = sys.argv[1], sys.argv[2]
t = open(path).read()
if how == "tern":
    t = t.split("---- create above / drop below ----", 1)[0]
elif how == "npm":
    u = re.search(r"^\s*--[\s-]*up\s+migration", t, re.I | re.M)
    d = re.search(r"^\s*--[\s-]*down\s+migration", t, re.I | re.M)
    us = u.start() if u else -1
    ds = d.start() if d else -1
    t = t[us:(None if ds < us else ds)] if us >= 0 else t
sys.stdout.write(t)
PY
}

apply_with_psql() {
	local db=$1 tool=$2 dir=$3 f how
	while IFS=$'\t' read -r f how; do
		up_part "$how" "$f" >"$WORK/up.sql"
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
		return 1
	fi
	pass "$1"
}

# ---- the formats --------------------------------------------------------------

fresh_db sm_fmtm_empty && dump sm_fmtm_empty "$WORK/empty.sql"
# tool:downs:how (how: upgrade = sm_upgrade / sm_downgrade; migrate = CALL
# sm_migrate, for sets with a migration that must run outside a transaction)
# SM_FORMATS_PUBLIC="tool=/path/to/folder ..." adds real folders: each is
# copied in as a set, migrated to head with CALL sm_migrate and compared
# with psql in the tool's order; SM_FORMATS_PRELUDE names SQL run first in
# both databases (roles or schemas the folder expects of its platform).
specs="sqlx:down:migrate prisma:up:upgrade atlas:up:migrate tern:down:migrate
npm:down:upgrade postgrator:down:upgrade supabase:up:upgrade"
k=0
for pub in ${SM_FORMATS_PUBLIC:-}; do
	k=$((k + 1))
	rm -rf "$SETS/pub_$k" && cp -R "${pub#*=}" "$SETS/pub_$k" && chmod -R go+rX "$SETS/pub_$k"
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS/pub_$k"
	specs="$specs ${pub%%=*}:up:migrate:pub_$k"
done
prelude() { [ -z "${SM_FORMATS_PRELUDE:-}" ] || [ "${2#pub_}" = "$2" ] || psql_db "$1" -f "$SM_FORMATS_PRELUDE" >/dev/null; }
for spec in $specs; do
	IFS=: read -r tool downs how set_name <<<"$spec"
	set_name=${set_name:-fmt_$tool}
	if [ "$how" = migrate ]; then
		UP="CALL sm.sm_migrate('head', '$set_name')" DOWN="CALL sm.sm_migrate('base', '$set_name')"
	else
		UP="SELECT sm.sm_upgrade('head', '$set_name')" DOWN="SELECT sm.sm_downgrade('base', '$set_name')"
	fi
	fresh_db sm_fmtm_a || { fail "$tool: could not create database"; continue; }
	prelude sm_fmtm_a "$set_name"
	n=$(sm sm_fmtm_a "SELECT count(*) FROM sm.sm_history('$set_name')" 2>&1)
	echo "# $tool ($set_name): $n migrations"
	if ! sm sm_fmtm_a "$UP" >"$WORK/up.out" 2>&1; then
		fail "$tool: $UP failed"
		cat "$WORK/up.out"
		continue
	fi
	dump sm_fmtm_a "$WORK/a1.sql"
	if [ "$downs" = down ]; then
		if sm sm_fmtm_a "$DOWN" >"$WORK/down.out" 2>&1; then
			dump sm_fmtm_a "$WORK/a0.sql"
			compare "$tool: down to base gives the empty schema" "$WORK/empty.sql" "$WORK/a0.sql"
			sm sm_fmtm_a "$UP" >/dev/null || fail "$tool: second $UP failed"
			dump sm_fmtm_a "$WORK/a2.sql"
			compare "$tool: up, down, up gives the schema of up" "$WORK/a1.sql" "$WORK/a2.sql"
		else
			fail "$tool: $DOWN failed"
			cat "$WORK/down.out"
		fi
	fi
	fresh_db sm_fmtm_b || { fail "$tool: could not create database"; continue; }
	prelude sm_fmtm_b "$set_name"
	apply_with_psql sm_fmtm_b "$tool" "$SETS/$set_name" || continue
	dump sm_fmtm_b "$WORK/b.sql"
	compare "$tool ($set_name, $n migrations): schema_migrate and psql in $tool's order give the same schema ($(grep -c '^CREATE' "$WORK/a1.sql") CREATE statements)" \
		"$WORK/a1.sql" "$WORK/b.sql"
done

# Supabase's seed ran after the migrations, once.
fresh_db sm_fmtm_a
sm sm_fmtm_a "SELECT sm.sm_upgrade('head', 'fmt_supabase')" >/dev/null
sm sm_fmtm_a "SELECT sm.sm_upgrade('head', 'fmt_supabase')" >/dev/null
r=$(sm sm_fmtm_a "SELECT count(*) FROM app.orgs")
[ "$r" = 1 ] && pass "supabase: seed.sql ran after the migrations, once for two upgrades" ||
	fail "supabase: seed.sql: app.orgs has '$r' rows, want 1"

# Non-transactional markers: sqlx -- no-transaction, tern disable-tx, Atlas txmode none.
for spec in fmt_sqlx:20240102000116 fmt_tern:17 fmt_atlas:20240102000116 fmt_tern:16; do
	set_name=${spec%%:*} rev=${spec#*:}
	want=false; [ "$rev" = 16 ] && want=true
	got=$(sm sm_fmtm_a "SELECT transactional FROM sm.sm_history('$set_name') WHERE revision = '$rev'")
	[ "$got" = "$([ $want = true ] && echo t || echo f)" ] && pass "$set_name $rev: transactional = $want" ||
		fail "$set_name $rev: transactional is '$got', want $want"
done

# ---- the error cases ------------------------------------------------------------
# set|SQLSTATE|fragment of the message (file named)
while IFS='|' read -r set_name state frag; do
	out=$(psql_db sm_fmtm_a -At -v VERBOSITY=verbose -c "SET schema_migrate.path = '$SETS'" \
		-c "SELECT sm.sm_upgrade('head', '$set_name')" 2>&1)
	if grep -q "ERROR:  $state:" <<<"$out" && grep -qF -- "$frag" <<<"$out"; then
		pass "$set_name refused: $state, \"$frag\""
	else
		fail "$set_name: want $state and \"$frag\", got:"
		echo "$out" | head -n 8
	fi
done <<'EOF_CASES'
fmt_bad_prisma_provider|F0000|migration_lock.toml, `mysql`
fmt_bad_prisma_nosql|F0000|Failed to read migration script at 20240102000000_draft/migration.sql
fmt_bad_atlas_edited|F0000|file "2_b.sql" was edited
fmt_bad_atlas_added|F0000|file "3_c.sql" was added
fmt_bad_atlas_removed|F0000|file "2_b.sql" was removed
fmt_bad_atlas_edited|F0000|atlas migrate hash
fmt_bad_tern_template|F0000|tern template in file "002_shared.sql" line 1
fmt_bad_tern_missing|F0000|Missing migration 2 (before file "003_more.sql")
fmt_bad_npm_js|F0000|node-pg-migrate migration "1704067201000_more.js" is not SQL
fmt_bad_postgrator_js|F0000|Postgrator migration "002.do.more.js" is not SQL
fmt_bad_postgrator_dup|42710|Two migrations found with version 1 and action do
fmt_bad_sqlx_version|F0000|error parsing migration filename "v2_more.sql"
fmt_bad_mixed_tern_dbmate|F0000|migration set mixes formats
EOF_CASES

psql_db postgres -c "DROP DATABASE IF EXISTS sm_fmtm_a" -c "DROP DATABASE IF EXISTS sm_fmtm_b" \
	-c "DROP DATABASE IF EXISTS sm_fmtm_empty" >/dev/null 2>&1

if [ "$failures" -ne 0 ]; then
	echo "t_formats_a: $failures failure(s)"
	exit 1
fi
echo "t_formats_a: all formats agree"
