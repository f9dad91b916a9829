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
# A point that matches only with check_function_bodies = off is counted apart,
# and so is a consecutive point that matches only when the diff is made with
# schema_migrate.diff_keep_column_order = on (columns ADD COLUMN cannot put
# in place dropped and added again).
# The folders come from folders.tsv (pinned commits), taken from the local
# mirrors the `fetch` tool makes ($SM_PUBLIC_MIRRORS, /work/.mirror); nothing
# is committed.  A by-hand check, not part of test/run-all.sh.
#
# Figures (PostgreSQL 15, 12 points each or every migration of a shorter
# history; README "What the differ covers"), consecutive as "exact + exact
# only with diff_keep_column_order = on":
#   ente (golang, 124 migrations)          from empty 12/12, consecutive 11+1/12
#   hatchet_sql (goose, 150)               from empty 12/12, consecutive 12/12
#   lemmy_2025_05 (diesel, 282)            from empty 12/12, consecutive  4+7/12
#   cratesio (diesel, 285)                 from empty 12/12, consecutive 11+1/12
#   diesel_own (diesel, 23)                from empty 12/12, consecutive 12/12
#   permify (goose, 9)                     from empty  9/9,  consecutive  8+1/9
#   openfga (goose, 6)                     from empty  6/6,  consecutive  6/6
#   alfio_r (flyway, 195)                  no point before head can be built:
#     its afterMigrate callbacks (renamed R__) use tables of later versions
# All: 75 points, from empty 75/75, consecutive 64 + 10 = 74/75.  The "+"
# points differ in column order only (the history dropped and re-added
# columns, or rebuilt a table).  The one left: Lemmy point 7 retypes a
# smallint column to an enum with a USING of its own (numbers to labels);
# the differ's USING col::enum fails, and the step says "needs a
# hand-written USING".  Before issue 13's second round: 36 points, from
# empty 33, consecutive 24 (CREATE STATISTICS not modelled, partition indexes
# attached under their own names, new columns waiting for a new function).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
ROOT=$(pwd)
. "$ROOT/test/lib/cluster.sh"

[ -n "${PGHOST:-}" ] || sm_cluster_start || exit 2
BIN=$("$(sm_pg_config)" --bindir)
MIRRORS=${SM_PUBLIC_MIRRORS:-/work/.mirror}
POINTS=${SM_POINTS:-12}
NAMES=${*:-ente alfio_r hatchet_sql lemmy_2025_05 cratesio diesel_own permify openfga}
WORK=$(mktemp -d /tmp/sm-diffhist.XXXXXX)
chmod 0755 "$WORK"
trap 'rm -rf -- "$WORK"' EXIT
SETS=$WORK/sets
mkdir -p "$SETS"
export PGOPTIONS="-c schema_migrate.path=$SETS -c schema_migrate.timing=off -c client_min_messages=warning"

q() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
fresh_db() {
	q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE template0" >/dev/null &&
		q -d "$1" -c "CREATE EXTENSION schema_migrate" >/dev/null || return 1
	# prepare=diesel-table: the table diesel creates first (Lemmy puts a trigger on it)
	[ "$prepare" != diesel-table ] ||
		q -d "$1" -c "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)"
}
dump() { "$BIN/pg_dump" --schema-only -d "$1" |
	grep -v -e '^--' -e '^$' -e '^\\restrict ' -e '^\\unrestrict ' >"$2"; }
model() { q -d "$1" -c "SELECT sm_schema_model()" >"$2"; }
diff_script() { # db from to out
	q -d "$1" -o "$4" <<-EOF
	\\set f \`cat '$2'\`
	\\set t \`cat '$3'\`
	SELECT statement FROM sm_diff_models(:'f', :'t') ORDER BY step;
	EOF
}
# try_point db base script target_dump: 0 exact, 2 exact only with
# check_function_bodies = off, 1 not
try_point() {
	local cfb
	for cfb in on off; do
		fresh_db "$1" >/dev/null || return 1
		if PGOPTIONS="$PGOPTIONS -c check_function_bodies=$cfb" sh -c '
			[ -z "$2" ] || "$0" -d "$1" -X -q -v ON_ERROR_STOP=1 -f "$2" >/dev/null 2>&1 || exit 1
			"$0" -d "$1" -X -q -v ON_ERROR_STOP=1 -f "$3" >/dev/null 2>"$3.err"' "$BIN/psql" "$1" "$2" "$3" &&
			dump "$1" "$3.dump" && cmp -s "$3.dump" "$4"; then
			[ $cfb = on ] && return 0
			return 2
		fi
	done
	return 1
}
show_failure() { # script target_dump
	head -3 "$1.err" | sed 's/^/    /'
	diff "$1.dump" "$2" | head -12 | sed 's/^/    /'
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

all_total=0 all_empty=0 all_step=0 all_cfb=0 all_keep=0
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
	total=0 exact_empty=0 exact_step=0 cfb=0 keep=0
	for ((i = 1; i <= p; i++)); do
		total=$((total + 1))
		read -r idx rev <"$WORK/$i.rev"
		diff_script hist_empty "$WORK/0.model" "$WORK/$i.model" "$WORK/e.sql"
		try_point hist_a "" "$WORK/e.sql" "$WORK/$i.dump"
		case $? in
		0) exact_empty=$((exact_empty + 1)) ;;
		2) cfb=$((cfb + 1)); echo "# $name point $i ($idx, $rev): from empty, only with check_function_bodies = off" ;;
		*) echo "not ok - $name point $i ($idx, $rev): empty -> point"; show_failure "$WORK/e.sql" "$WORK/$i.dump" ;;
		esac
		prev=
		if [ "$i" -gt 1 ]; then
			diff_script hist_empty "$WORK/0.model" "$WORK/$((i - 1)).model" "$WORK/prev.sql"
			prev="$WORK/prev.sql"
		fi
		diff_script hist_empty "$WORK/$((i - 1)).model" "$WORK/$i.model" "$WORK/c.sql"
		try_point hist_b "$prev" "$WORK/c.sql" "$WORK/$i.dump"
		rc=$?
		if [ $rc = 1 ]; then
			# again with the columns ADD COLUMN cannot place dropped and re-added
			PGOPTIONS="$PGOPTIONS -c schema_migrate.diff_keep_column_order=on" \
				diff_script hist_empty "$WORK/$((i - 1)).model" "$WORK/$i.model" "$WORK/k.sql"
			if try_point hist_b "$prev" "$WORK/k.sql" "$WORK/$i.dump"; then
				keep=$((keep + 1))
				echo "# $name point $i ($idx, $rev): from point $((i - 1)), only with diff_keep_column_order = on"
				continue
			fi
		fi
		case $rc in
		0) exact_step=$((exact_step + 1)) ;;
		2) cfb=$((cfb + 1)); echo "# $name point $i ($idx, $rev): from point $((i - 1)), only with check_function_bodies = off" ;;
		*) echo "not ok - $name point $i ($idx, $rev): point $((i - 1)) -> $i"; show_failure "$WORK/c.sql" "$WORK/$i.dump" ;;
		esac
	done
	printf '%s\t%s\tmigrations %d\tpoints %d\tfrom empty exact %d\tconsecutive exact %d\tcfb-off only %d\tkeep-column-order only %d\n' \
		"$name" "$format" "$nrev" "$total" "$exact_empty" "$exact_step" "$cfb" "$keep"
	all_total=$((all_total + total)) all_empty=$((all_empty + exact_empty))
	all_step=$((all_step + exact_step)) all_cfb=$((all_cfb + cfb)) all_keep=$((all_keep + keep))
	for db in hist_src hist_empty hist_a hist_b; do q -d postgres -c "DROP DATABASE IF EXISTS $db"; done
	drop_new_roles
	rm -f "$WORK"/*.model "$WORK"/*.dump "$WORK"/*.rev
done
echo "# all: points $all_total; from empty exact $all_empty/$all_total; consecutive exact $all_step/$all_total; only with check_function_bodies = off $all_cfb; consecutive only with diff_keep_column_order = on $all_keep"
exit 0
