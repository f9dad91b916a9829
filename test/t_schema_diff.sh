#!/usr/bin/env bash
#
# t_schema_diff.sh -- the differ against a real server: for every pair
# test/schema_changes/NN_name/{a,b}.sql, the up script sm_diff_models(A, B)
# applied to A gives B, the down script sm_diff_models(B, A) applied to B
# gives A (identical pg_dump --schema-only), and the diff between each result
# and its target is then empty.  SM_CASES='NN*' runs a subset.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

sm_test_setup t_schema_diff
chmod a+rwx "$WORK"
export PGOPTIONS="-c client_min_messages=warning"

# shellcheck source=test/lib/schema_diff.sh
. test/lib/schema_diff.sh
psql_q -d postgres -c "DO \$\$ BEGIN CREATE ROLE sm_test_reader; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" || exit 1

# a fresh database with schema_migrate and the given schema file loaded
# (copied from a template that has the extension: much faster than CREATE EXTENSION each time)
psql_q -d postgres -c "DROP DATABASE IF EXISTS sdiff_tpl" -c "CREATE DATABASE sdiff_tpl TEMPLATE template0" &&
	psql_q -d sdiff_tpl -c "CREATE EXTENSION schema_migrate" || exit 1
fresh_db() { # db file
	psql_q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE sdiff_tpl STRATEGY file_copy" || return 1
	[ -s "$2" ] || return 0
	psql_q -d "$1" -f "$2" >/dev/null
}

# apply a script statement by statement (no single transaction: an enum's
# new value must be committed before it is used)
apply() { # db script
	psql_q -d "$1" -f "$2" >/dev/null 2>"$2.err" || { sed 's/^/    /' "$2.err" | head -5; return 1; }
}

one_way() { # case label from_db to_db from_dump to_dump
	local c=$1 w=$2 from=$3 to=$4 td=$6
	local d="$WORK/$c.$w"
	# a case's own settings for the differ (test/schema_changes/NN/pgoptions)
	local opts=
	[ -f "test/schema_changes/$c/pgoptions" ] && opts=$(cat "test/schema_changes/$c/pgoptions")
	model "$from" "$d.from.model" && model "$to" "$d.to.model" || { bad "$c: $w: reading the models"; return; }
	PGOPTIONS="$PGOPTIONS $opts" diff_script "$from" "$d.from.model" "$d.to.model" "$d.sql" || { bad "$c: $w: sm_diff_models failed"; return; }
	if ! [ -s "$d.sql" ]; then bad "$c: $w: the diff is empty"; return; fi
	if ! apply "$from" "$d.sql"; then bad "$c: $w: the script does not apply"; sed 's/^/    | /' "$d.sql" | head -40; return; fi
	dump "$from" "$d.after"
	if ! cmp -s "$d.after" "$td"; then
		bad "$c: $w: the result differs from the target"
		diff "$d.after" "$td" | head -20 | sed 's/^/    /'
		sed 's/^/    | /' "$d.sql" | head -40
		return
	fi
	model "$from" "$d.after.model"
	PGOPTIONS="$PGOPTIONS $opts" diff_script "$from" "$d.after.model" "$d.to.model" "$d.again.sql"
	if [ -s "$d.again.sql" ]; then
		bad "$c: $w: after the script, the diff is not empty"
		sed 's/^/    | /' "$d.again.sql" | head -10
		return
	fi
	ok "$c: $w ($(grep -c ';$' "$d.sql") statements)"
}

n=0
for dir in test/schema_changes/${SM_CASES:-[0-9]*}/; do
	c=$(basename "$dir")
	[ -f "$dir/a.sql" ] || continue
	n=$((n + 1))
	if ! fresh_db sdiff_a "$dir/a.sql" || ! fresh_db sdiff_b "$dir/b.sql"; then
		bad "$c: loading a.sql or b.sql"; continue
	fi
	dump sdiff_a "$WORK/$c.a.dump"
	dump sdiff_b "$WORK/$c.b.dump"
	if cmp -s "$WORK/$c.a.dump" "$WORK/$c.b.dump"; then bad "$c: a.sql and b.sql give the same schema"; continue; fi
	one_way "$c" up sdiff_a sdiff_b "$WORK/$c.a.dump" "$WORK/$c.b.dump"
	# down: B untouched so far, A loaded afresh (the up step changed it)
	fresh_db sdiff_a "$dir/a.sql" || { bad "$c: reloading a.sql"; continue; }
	one_way "$c" down sdiff_b sdiff_a "$WORK/$c.b.dump" "$WORK/$c.a.dump"
done
# every column of sm_diff_models, on the hinted rename (41): known values
if [ -z "${SM_CASES:-}" ]; then
	fresh_db sdiff_a test/schema_changes/41_rename_table_hinted/a.sql &&
		fresh_db sdiff_b test/schema_changes/41_rename_table_hinted/b.sql &&
		model sdiff_a "$WORK/r.a" && model sdiff_b "$WORK/r.b"
	got=$(psql_q -d sdiff_a <<-EOF
	\set f \`cat '$WORK/r.a'\`
	\set t \`cat '$WORK/r.b'\`
	SELECT step || '|' || statement || '|' || object_type || '|' || object_name || '|' || hazards::text
	FROM sm_diff_models(:'f', :'t') WHERE step IN (2, 3) ORDER BY step;
	EOF
	)
	want='2|ALTER TABLE public.customer RENAME TO client;|table|public.client|{"access exclusive lock"}
3|ALTER TABLE public.client ADD CONSTRAINT client_pkey PRIMARY KEY (id);|table constraint|client_pkey on public.client|{"access exclusive lock","builds index"}'
	if [ "$got" = "$want" ]; then ok "sm_diff_models columns: step, statement, object_type, object_name, hazards"
	else bad "sm_diff_models columns"; echo "$got" | sed 's/^/    /'; fi
	# a damaged model is refused with the file-format SQLSTATE
	err=$(psql_q -d sdiff_a -c "SELECT * FROM sm_diff_models('SMMODEL 1', 'x')" 2>&1)
	case $err in *"malformed schema model"*) ok "a damaged model is refused: $err" ;; *) bad "damaged model: $err" ;; esac
	err=$(psql_q -d sdiff_a -c "SELECT * FROM sm_diff_models(NULL, 'x')" 2>&1)
	case $err in *"from_model must not be null"*) ok "a NULL model is refused" ;; *) bad "NULL model: $err" ;; esac
	# the model leaves out schema_migrate and the members of other extensions
	psql_q -d sdiff_a -c "CREATE EXTENSION citext" >/dev/null
	model sdiff_a "$WORK/r.c"
	if grep -q 'sm_version\|sm_upgrade\|citext_eq' "$WORK/r.c"; then bad "the model holds extension members"
	elif ! grep -q 'extension citext' "$WORK/r.c"; then bad "the model lacks the extension citext"
	else ok "the model holds extension citext, not its members nor schema_migrate's objects"; fi
fi
psql_q -d postgres -c "DROP DATABASE IF EXISTS sdiff_a" -c "DROP DATABASE IF EXISTS sdiff_b" -c "DROP DATABASE IF EXISTS sdiff_tpl" >/dev/null
echo "# $n schema changes, $FAILS failures"
[ "$FAILS" -eq 0 ]
