#!/usr/bin/env bash
#
# test/public/diff_history.sh -- the differ at scale on public projects'
# migration folders (issue 13): for each folder named (default: the ones
# below, all of which run on plain PostgreSQL 15), the schema is built at
# SM_POINTS (12) points spread evenly over its history (CALL sm_migrate(REV)
# one point after the other, so non-transactional migrations run too), and
# at each point P it is dumped and modelled (sm_schema_model()).  Then:
#   - from empty: sm_diff_models(empty, P) applied to an empty database
#     gives P exactly (pg_dump --schema-only, normalised as in
#     test/t_schema_diff_history.sh);
#   - consecutive: sm_diff_models(P-1, P) applied to a database holding P-1
#     (rebuilt from empty by the differ) gives P exactly.
# A point that matches only with check_function_bodies = off is counted apart.
# The folders come from folders.tsv (pinned commits), taken from the local
# mirrors the `fetch` tool makes ($SM_PUBLIC_MIRRORS, /work/.mirror); nothing
# is committed.  A by-hand check, not part of test/run-all.sh.
#
# Figures (PostgreSQL 15, 12 points each; README "What the differ covers"):
#   ente (golang, 124 migrations)          from empty 12/12, consecutive 10/12
#   hatchet_sql (goose, 150)               from empty 11/12, consecutive 11/12
#   lemmy_2025_05 (diesel, 282)            from empty 10/12, consecutive  3/12
#   alfio_r (flyway, 195)                  no point before head can be built:
#     its afterMigrate callbacks (renamed R__) use tables of later versions
# Causes of the rest: CREATE STATISTICS not modelled (Lemmy 11, 12); partition
# indexes created apart and attached keep their own names, the differ leaves
# them to the parent index (hatchet 11); column order where the history
# rebuilt a table or dropped and re-added a column, or a new column's default
# calls a function new in the same step (Lemmy, ente); a smallint -> enum
# retype that needs the history's own USING (Lemmy 7).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
ROOT=$(pwd)
. "$ROOT/test/lib/cluster.sh"
# shellcheck source=test/lib/checks.sh
. "$ROOT/test/lib/checks.sh"

sm_test_setup sm-diffhist
chmod 0755 "$WORK"
# shellcheck source=test/lib/schema_diff.sh
. "$ROOT/test/lib/schema_diff.sh"
MIRRORS=${SM_PUBLIC_MIRRORS:-/work/.mirror}
POINTS=${SM_POINTS:-12}
NAMES=${*:-ente alfio_r hatchet_sql lemmy_2025_05}
SETS=$WORK/sets
mkdir -p "$SETS"
export PGOPTIONS="-c schema_migrate.path=$SETS -c schema_migrate.timing=off -c client_min_messages=warning"

q() { psql_q "$@"; }
fresh_db() {
	q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE template0" >/dev/null &&
		q -d "$1" -c "CREATE EXTENSION schema_migrate" >/dev/null || return 1
	# prepare=diesel-table: the table diesel creates first (Lemmy puts a trigger on it)
	[ "$prepare" != diesel-table ] ||
		q -d "$1" -c "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)"
}
drop_new_roles() {
	q -d postgres -c "SELECT rolname FROM pg_roles" | sort | comm -13 "$WORK/roles.before" - |
		while IFS= read -r r; do q -d postgres -c "DROP ROLE \"$r\"" >/dev/null 2>&1; done
}
fetch_folder() { # name repo commit path
	local git_dir="$MIRRORS/${2/\//+}/repo"
	[ -d "$git_dir" ] || return 1
	mkdir -p "$WORK/x-$1"
	git --git-dir="$git_dir" archive "$3" "$4" | tar -x -C "$WORK/x-$1" || return 1
	rm -rf "$SETS/pub_$1"
	cp -R "$WORK/x-$1/$4" "$SETS/pub_$1"
	# prepare=callbacks-as-repeatable: Flyway's afterMigrate* callbacks renamed R__*
	if [ "$prepare" = callbacks-as-repeatable ]; then
		for f in "$SETS/pub_$1"/after*__*.sql; do
			[ -e "$f" ] && mv "$f" "$SETS/pub_$1/R__${f##*/after*__}"
		done
	fi
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS"
	chmod -R go+rX "$SETS"
}

all_total=0 all_empty=0 all_step=0 all_cfb=0
for name in $NAMES; do
	line=$(awk -F'\t' -v n="$name" '$1 == n' "$ROOT/test/public/folders.tsv")
	[ -n "$line" ] || { echo "# $name: not in folders.tsv"; continue; }
	IFS=$'\t' read -r _ format repo commit path _ _ prepare <<<"$line"
	prepare=${prepare:-}
	upto=
	case $prepare in upto=*) upto=${prepare#upto=} ;; esac
	fetch_folder "$name" "$repo" "$commit" "$path" || { echo "# $name: no mirror of $repo (use the fetch tool)"; continue; }
	set=pub_$name
	q -d postgres -c "SELECT rolname FROM pg_roles" | sort >"$WORK/roles.before"
	fresh_db hist_src || { echo "# $name: no database"; continue; }
	fresh_db hist_empty
	model hist_empty "$WORK/0.model"
	dump hist_empty "$WORK/0.dump"
	# the revisions in order, up to prepare=upto=REV when given
	q -d hist_src -c "SELECT revision FROM sm_history('$set')" >"$WORK/revs"
	if [ -n "$upto" ]; then
		awk -v u="$upto" '{ print } $0 == u { exit }' "$WORK/revs" >"$WORK/revs.u" && mv "$WORK/revs.u" "$WORK/revs"
	fi
	nrev=$(wc -l <"$WORK/revs")
	# POINTS points spread evenly, the last one the head
	mapfile -t picks < <(awk -v n="$nrev" -v k="$POINTS" 'BEGIN { for (i = 1; i <= k; i++) { r = int(n * i / k + 0.5); if (r < 1) r = 1; if (r != last) print r; last = r } }')
	p=0
	for idx in "${picks[@]}"; do
		rev=$(sed -n "${idx}p" "$WORK/revs")
		if ! q -d hist_src -c "CALL sm_migrate('$rev', '$set')" >"$WORK/m.out" 2>&1; then
			echo "# $name: sm_migrate('$rev') failed: $(grep -m1 ERROR "$WORK/m.out")"
			break
		fi
		p=$((p + 1))
		echo "$idx $rev" >"$WORK/$p.rev"
		model hist_src "$WORK/$p.model"
		dump hist_src "$WORK/$p.dump"
	done
	echo "# $name ($format, $nrev migrations): $p points"
	total=0 exact_empty=0 exact_step=0 cfb_empty=0 cfb_step=0
	for ((i = 1; i <= p; i++)); do
		total=$((total + 1))
		read -r idx rev <"$WORK/$i.rev"
		diff_point "$WORK/" "$i" "$name point $i ($idx, $rev)"
	done
	cfb=$((cfb_empty + cfb_step))
	printf '%s\t%s\tmigrations %d\tpoints %d\tfrom empty exact %d\tconsecutive exact %d\tcfb-off only %d\n' \
		"$name" "$format" "$nrev" "$total" "$exact_empty" "$exact_step" "$cfb"
	all_total=$((all_total + total)) all_empty=$((all_empty + exact_empty))
	all_step=$((all_step + exact_step)) all_cfb=$((all_cfb + cfb))
	for db in hist_src hist_empty hist_a hist_b; do q -d postgres -c "DROP DATABASE IF EXISTS $db"; done
	drop_new_roles
	rm -f "$WORK"/*.model "$WORK"/*.dump "$WORK"/*.rev
done
echo "# all: points $all_total; from empty exact $all_empty/$all_total; consecutive exact $all_step/$all_total; only with check_function_bodies = off $all_cfb"
exit 0
