#!/usr/bin/env bash
#
# t_roundtrip.sh -- up, down, up again gives the same schema; the offline
# script gives the same schema and state as the online upgrade.
#
# For the bundled example set and a generated 50-revision set (tables,
# indexes, views, functions, types, sequences, triggers):
#   A: sm_upgrade('head') -> dump1; sm_downgrade('base') -> nothing of the set
#      is left; sm_upgrade('head') -> dump2; dump1 = dump2.
#   B: psql -1 -f "$(sm_upgrade_sql('head'))" -> dump3 = dump1, and
#      sm_current() equal on A and B.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh

fail() {
	echo "t_roundtrip: FAIL: $*"
	exit 1
}

WORK=
# shellcheck disable=SC2317
cleanup_work() { [ -z "$WORK" ] || rm -rf -- "$WORK"; }
trap cleanup_work EXIT

if [ -z "${PGHOST:-}" ]; then
	sm_cluster_start || fail "could not start a cluster"
fi
: "${SM_PGBIN:=$("$(sm_pg_config)" --bindir)}"
: "${PSQL:=$SM_PGBIN/psql -X -v ON_ERROR_STOP=1}"

WORK=$(mktemp -d "${SM_CLUSTER_DIR:-/tmp}/t_rt.XXXXXX") || fail "mktemp"
mkdir -p "$WORK/sets/gen50" "$WORK/out"

# --- a generated 50-revision set with a mix of object kinds ---
gen() {
	local i=$1 f
	f=$(printf '%s/sets/gen50/%04d_step_%d.sql' "$WORK" "$i" "$i")
	{
		printf -- '-- message: generated step %d\n\n-- +up\n' "$i"
		case $((i % 5)) in
		0) printf 'CREATE TABLE g_%d (id bigint PRIMARY KEY, v text NOT NULL DEFAULT '"'"'x'"'"');\nCREATE INDEX g_%d_v ON g_%d (v);\n' "$i" "$i" "$i"
		   printf -- '-- +down\nDROP TABLE g_%d;\n' "$i" ;;
		1) printf 'CREATE TYPE g_mood_%d AS ENUM ('"'"'sad'"'"', '"'"'ok'"'"');\nCREATE SEQUENCE g_seq_%d START 100;\n' "$i" "$i"
		   printf -- '-- +down\nDROP SEQUENCE g_seq_%d;\nDROP TYPE g_mood_%d;\n' "$i" "$i" ;;
		2) printf 'CREATE FUNCTION g_fn_%d(a int) RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN a + %d; -- semicolon; inside\nEND;\n$$;\n' "$i" "$i"
		   printf -- '-- +down\nDROP FUNCTION g_fn_%d(int);\n' "$i" ;;
		3) printf 'CREATE TABLE g_%d (id int PRIMARY KEY, note text);\nCREATE VIEW g_view_%d AS SELECT id, upper(note) AS note FROM g_%d;\n' "$i" "$i" "$i"
		   printf -- '-- +down\nDROP VIEW g_view_%d;\nDROP TABLE g_%d;\n' "$i" "$i" ;;
		4) printf 'CREATE TABLE g_%d (id int);\nCREATE FUNCTION g_trg_%d() RETURNS trigger LANGUAGE plpgsql AS $t$ BEGIN RETURN NEW; END $t$;\nCREATE TRIGGER g_trg_%d BEFORE INSERT ON g_%d FOR EACH ROW EXECUTE FUNCTION g_trg_%d();\nCOMMENT ON TABLE g_%d IS '"'"'it''s step %d'"'"';\n' "$i" "$i" "$i" "$i" "$i" "$i" "$i"
		   printf -- '-- +down\nDROP TABLE g_%d;\nDROP FUNCTION g_trg_%d();\n' "$i" "$i" ;;
		esac
	} >"$f"
}
for ((i = 1; i <= 50; i++)); do gen "$i"; done
cp -r migrations "$WORK/sets/example"
chmod -R a+rX "$WORK"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$WORK"

# The set's objects only: the extension's own tables are left out.
dump() {
	"$SM_PGBIN/pg_dump" --schema-only --no-owner -d "$1" \
		--exclude-table=sm_version --exclude-table=sm_log --exclude-table=sm_log_id_seq |
		grep -v -E '^(--|SET |SELECT pg_catalog.set_config|\\(un)?restrict )' | grep -v '^$'
}

# Relations, functions and types not belonging to the extension.
leftovers() {
	$PSQL -At -d "$1" -c "
	  SELECT count(*) FROM pg_class c
	   WHERE c.relnamespace = 'public'::regnamespace
	     AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
	     AND c.relname NOT LIKE 'sm\_%'
	  UNION ALL
	  SELECT count(*) FROM pg_proc p
	   WHERE p.pronamespace = 'public'::regnamespace
	     AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
	  UNION ALL
	  SELECT count(*) FROM pg_type t
	   WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = 'e'" | paste -sd' '
}

q() { $PSQL -q -At -d "$1" -c "SET schema_migrate.path = '$WORK/sets'; SET schema_migrate.timing = off; $2"; }

roundtrip() {
	local set=$1 a=rt_a_$$ b=rt_b_$$
	for db in $a $b; do
		$PSQL -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || return 1
		$PSQL -q -d postgres -c "CREATE DATABASE $db" || return 1
		$PSQL -q -d "$db" -c "CREATE EXTENSION schema_migrate" || return 1
	done

	q "$a" "SET client_min_messages = warning; SELECT sm_upgrade('head', '$set')" >/dev/null || { echo "upgrade failed"; return 1; }
	dump "$a" >"$WORK/out/$set.1" || return 1
	q "$a" "SET client_min_messages = warning; SELECT sm_downgrade('base', '$set')" >/dev/null || { echo "downgrade failed"; return 1; }
	[ "$(leftovers "$a")" = "0 0 0" ] || { echo "objects left after downgrade to base: $(leftovers "$a")"; return 1; }
	[ -z "$(q "$a" "SELECT * FROM sm_current('$set')")" ] || { echo "not at base after downgrade"; return 1; }
	q "$a" "SET client_min_messages = warning; SELECT sm_upgrade('head', '$set')" >/dev/null || { echo "second upgrade failed"; return 1; }
	dump "$a" >"$WORK/out/$set.2" || return 1
	diff -u "$WORK/out/$set.1" "$WORK/out/$set.2" || { echo "schema differs after down and up"; return 1; }
	[ "$(wc -l <"$WORK/out/$set.1")" -gt 20 ] || { echo "dump suspiciously small"; return 1; }

	# offline: the script, run with psql -1 -f, gives the same schema and state
	q "$b" "SELECT sm_upgrade_sql('head', '$set')" >"$WORK/out/$set.sql" || return 1
	$PSQL -q -1 -f "$WORK/out/$set.sql" -d "$b" >/dev/null || { echo "offline script failed"; return 1; }
	dump "$b" >"$WORK/out/$set.3" || return 1
	diff -u "$WORK/out/$set.1" "$WORK/out/$set.3" || { echo "offline script gives another schema"; return 1; }
	[ "$(q "$a" "SELECT * FROM sm_current('$set')")" = "$(q "$b" "SELECT * FROM sm_current('$set')")" ] ||
		{ echo "sm_current differs between online and offline"; return 1; }
	[ "$(q "$b" "SELECT count(*) FROM sm_version WHERE set_name = '$set'")" = \
	  "$(q "$a" "SELECT count(*) FROM sm_version WHERE set_name = '$set'")" ] ||
		{ echo "version rows differ between online and offline"; return 1; }
	# and the offline script cannot run twice: the version rows collide
	if $PSQL -q -1 -f "$WORK/out/$set.sql" -d "$b" >/dev/null 2>&1; then
		echo "offline script ran twice"; return 1
	fi

	$PSQL -q -d postgres -c "DROP DATABASE $a" -c "DROP DATABASE $b"
}

# Two branches applied in opposite orders, then the merge: the same schema
# and the same state.  (The fixture graph: 0002 branches into billing 0003-0004
# and search 0005-0006, 0006 depends on 0003, 0007 merges, 0008 follows.)
branch_orders() {
	local a=br_a_$$ b=br_b_$$
	cp -r test/sets/branches "$WORK/sets/branches"
	chmod -R a+rX "$WORK/sets/branches"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK/sets/branches"
	for db in $a $b; do
		$PSQL -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null
		$PSQL -q -d postgres -c "CREATE DATABASE $db" || return 1
		$PSQL -q -d "$db" -c "CREATE EXTENSION schema_migrate" || return 1
	done
	q "$a" "SET client_min_messages = warning; SELECT sm_upgrade('0004', 'branches')" >/dev/null &&
		q "$a" "SET client_min_messages = warning; SELECT sm_upgrade('0006', 'branches')" >/dev/null &&
		q "$a" "SET client_min_messages = warning; SELECT sm_upgrade('head', 'branches')" >/dev/null || return 1
	q "$b" "SET client_min_messages = warning; SELECT sm_upgrade('0006', 'branches')" >/dev/null &&
		q "$b" "SET client_min_messages = warning; SELECT sm_upgrade('0004', 'branches')" >/dev/null &&
		q "$b" "SET client_min_messages = warning; SELECT sm_upgrade('head', 'branches')" >/dev/null || return 1
	# the order really differed
	[ "$(q "$a" "SELECT string_agg(revision, ',' ORDER BY id) FROM sm_log WHERE set_name = 'branches'")" != \
	  "$(q "$b" "SELECT string_agg(revision, ',' ORDER BY id) FROM sm_log WHERE set_name = 'branches'")" ] ||
		{ echo "both databases applied the branches in the same order"; return 1; }
	dump "$a" >"$WORK/out/br.a"
	dump "$b" >"$WORK/out/br.b"
	diff -u "$WORK/out/br.a" "$WORK/out/br.b" || { echo "schemas differ"; return 1; }
	[ "$(q "$a" "SELECT string_agg(x, ',') FROM sm_current('branches') x")" = \
	  "$(q "$b" "SELECT string_agg(x, ',') FROM sm_current('branches') x")" ] ||
		{ echo "sm_current differs"; return 1; }
	$PSQL -q -d postgres -c "DROP DATABASE $a" -c "DROP DATABASE $b"
}

rc=0
if out=$(branch_orders 2>&1); then
	echo "ok branches: billing-then-search and search-then-billing end in the same schema and state"
else
	echo "FAIL branches: $out"
	rc=1
fi
for set in example gen50; do
	if out=$(roundtrip "$set" 2>&1); then
		echo "ok $set: up/down/up identical, offline script identical"
	else
		echo "FAIL $set: $out"
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "t_roundtrip: ok" || echo "t_roundtrip: FAIL"
exit $rc
