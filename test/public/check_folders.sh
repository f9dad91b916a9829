#!/usr/bin/env bash
#
# test/public/check_folders.sh -- public projects' migration folders, read by
# schema_migrate and run by each tool's own rules, compared.
#
# For every line of folders.tsv (or only the names given as arguments):
#   1. the folder is taken from the repository at the pinned commit (git
#      archive from a local mirror under $SM_PUBLIC_MIRRORS/<owner>+<name>/repo,
#      or a clone from GitHub when there is none); nothing is committed here;
#   2. database A: CALL sm_migrate('head') on it as a set (step-wise, so that
#      non-transactional migrations run too);
#   3. database B: the tool itself where it is installed (dbmate from npm:
#      $DBMATE; sqitch from Debian; Liquibase from npm: $SM_LIQUIBASE, see
#      liquibase_run), else its files in the tool's order with
#      psql, one run per file, as t_formats.sh does;
#   4. both schemas dumped (without the tools' bookkeeping tables) and compared.
# One line per folder: name, format, migrations read, schema_migrate's
# result, the tool's result, same schema or not.  Exit status 0 always: the
# figures go to the README by hand; SM_PUBLIC_STRICT=1 makes a difference fail.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
ROOT=$(pwd)
. "$ROOT/test/lib/cluster.sh"

[ -n "${PGHOST:-}" ] || sm_cluster_start || exit 2
BIN=$("$(sm_pg_config)" --bindir)
PSQL=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
MIRRORS=${SM_PUBLIC_MIRRORS:-/work/.mirror}
DBMATE=${DBMATE:-$(command -v dbmate || echo ${SM_NPM:-$HOME/.cache/schema_migrate/npm}/dbmate/node_modules/.bin/dbmate)}
WORK=$(mktemp -d /tmp/sm-public.XXXXXX)
chmod 0755 "$WORK"
trap 'rm -rf -- "$WORK"' EXIT
SETS=$WORK/sets
mkdir -p "$SETS"
differences=0

q() { local db=$1; shift; "${PSQL[@]}" -d "$db" "$@"; }
fresh_db() {
	q postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1 &&
		q "$1" -c "CREATE SCHEMA sm" -c "CREATE EXTENSION schema_migrate SCHEMA sm" >/dev/null
}
dump() {
	"$BIN/pg_dump" --schema-only --no-owner --no-privileges -d "$1" \
		--exclude-schema=sqitch --exclude-table=public.schema_migrations \
		--exclude-table=public.goose_db_version --exclude-table=public.__diesel_schema_migrations \
		--exclude-table=public.flyway_schema_history --exclude-schema=drizzle \
		--exclude-table=public.databasechangelog --exclude-table=public.databasechangeloglock \
		--exclude-table=public.schema_version |
		grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' >"$2"
}

drop_new_roles() {
	q postgres -At -c "SELECT rolname FROM pg_roles" | sort | comm -13 "$WORK/roles.before" - |
		while IFS= read -r r; do q postgres -c "DROP ROLE \"$r\"" >/dev/null 2>&1; done
}

# prep KEY: the value of KEY=VALUE among the words of the prepare column
prep() { local w; for w in $prepare; do [ "${w%%=*}" = "$1" ] && echo "${w#*=}"; done; return 0; }

# fetch NAME REPO COMMIT PATH: the folder into $SETS/pub_NAME
fetch() {
	local name=$1 repo=$2 commit=$3 path=$4 git_dir="$MIRRORS/${2/\//+}/repo"
	if [ ! -d "$git_dir" ]; then
		git_dir=$WORK/clone-$name
		git clone -q --bare --filter=blob:none "https://github.com/$repo" "$git_dir" || return 1
	fi
	mkdir -p "$WORK/x-$name"
	git --git-dir="$git_dir" archive "$commit" "$path" | tar -x -C "$WORK/x-$name" || return 1
	rm -rf "$SETS/pub_$name" "$SETS/tool_$name"
	cp -R "$WORK/x-$name/$path" "$SETS/pub_$name"
	cp -R "$WORK/x-$name/$path" "$SETS/tool_$name"
	# prepare=callbacks-as-repeatable: schema_migrate's copy has Flyway's
	# afterMigrate* callbacks renamed R__*, the documented way out
	if [ "$prepare" = callbacks-as-repeatable ]; then
		for f in "$SETS/pub_$name"/after*__*.sql; do
			[ -e "$f" ] && mv "$f" "$SETS/pub_$name/R__${f##*/after*__}"
		done
	fi
	# prepare=journal-only: schema_migrate's copy loses the .sql files
	# meta/_journal.json does not list (drizzle-orm ignores them; the reader
	# refuses them as forgotten files)
	if [ "$prepare" = journal-only ]; then
		for f in "$SETS/pub_$name"/*.sql; do
			t=$(basename "$f" .sql)
			jq -e --arg t "$t" 'any(.entries[]; .tag == $t)' "$SETS/pub_$name/meta/_journal.json" >/dev/null || rm -f "$f"
		done
	fi
	# prepare=master=FILE: a Liquibase master changelog kept below the set's
	# top (its include paths are relative to the search path, the set's
	# top): schema_migrate's copy has it at the top, where the reader looks
	m=$(prep master)
	case $m in */*) cp "$SETS/pub_$name/$m" "$SETS/pub_$name/" ;; esac
	# prepare=contexts=A,B: the Liquibase contexts the project deploys with,
	# as a liquibase.properties in both copies (the real Liquibase reads it
	# from the directory it runs in, schema_migrate from the set's top)
	if [ -n "$(prep contexts)" ]; then
		for d in "$SETS/pub_$name" "$SETS/tool_$name"; do
			printf 'contexts: %s\n' "$(prep contexts)" >"$d/liquibase.properties"
		done
	fi
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS"
	chmod -R go+rX "$SETS"
}

# ---- the tools' own order, for the psql runs (see t_formats.sh) ----
up_block() {
	awk -v start="$2" -v stop="$3" '
		tolower($0) ~ start { on = 1; next }
		tolower($0) ~ stop { on = 0 }
		on { print }' "$1"
}
order_golang() { ls "$1" | grep '\.up\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }
order_goose() { ls "$1" | grep -E '^[0-9]+_.*\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }
# Flyway: versioned, then repeatable, then the afterMigrate callbacks (by name)
order_flyway() {
	ls "$1" | grep '^V.*__.*\.sql$' |
		awk '{ v = substr($0, 2, index($0, "__") - 2); gsub("_", ".", v); print v "\t" $0 }' |
		sort -V -k1,1 | cut -f2 | sed "s|^|$1/|"
	ls "$1" | grep '^R__.*\.sql$' | LC_ALL=C sort | sed "s|^|$1/|"
	ls "$1" | grep -E '^after(Versioned|MigrateApplied|Migrate)(__.*)?\.sql$' | LC_ALL=C sort | sed "s|^|$1/|"
}
order_diesel() {
	for d in "$1"/*/; do
		d=${d%/}
		[ -f "$d/up.sql" ] || continue
		v=$(basename "$d"); v=${v%%_*}; v=${v//-/}
		printf '%s\t%s\n' "$v" "$d/up.sql"
	done | LC_ALL=C sort -k1,1 | cut -f2
}

# issue 16 part B (as in t_formats_more.sh): Drizzle by its journal,
# graphile-migrate's committed/ by name, Hasura by version
order_drizzle() { jq -r '.entries | sort_by(.idx) | .[].tag' "$1/meta/_journal.json" | sed "s|^|$1/|; s|$|.sql|"; }
order_graphile() { ls "$1/committed" | grep -E '^[0-9]+(-[-_a-zA-Z0-9]*)?\.sql$' | sort | sed "s|^|$1/committed/|"; }
order_hasura() {
	local d=$1
	[ -n "$(ls -d "$d"/[0-9]*_*/ 2>/dev/null)" ] || d=$(ls -d "$d"/*/ | head -n 1)
	for m in "${d%/}"/[0-9]*_*/; do
		m=${m%/}
		[ -s "$m/up.sql" ] && printf '%s\t%s\n' "$(basename "$m" | cut -d_ -f1)" "$m/up.sql"
	done | sort -k1,1n | cut -f2
}

# tern: <n>_<name>.sql by number; the up is what precedes the
# "---- create above / drop below ----" line (see tool_run)
order_tern() { ls "$1" | grep -E '^[0-9]+_.+\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }

# Supabase CLI: migrations/ by name, then seed.sql (the folder is supabase/
# itself or the project holding it)
order_supabase() {
	local d=$1
	[ -d "$d/migrations" ] || d=$d/supabase
	ls "$d/migrations" | grep -E '^[0-9]+_.*\.sql$' | LC_ALL=C sort | sed "s|^|$d/migrations/|"
	[ -f "$d/seed.sql" ] && echo "$d/seed.sql"
}

# Liquibase: the real Liquibase 4.28 from npm (test/install_peers.sh); it
# talks JDBC over TCP, so our own cluster gets a loopback listener.  Its
# master changelog: prepare master=FILE, else the one at the top of the set.
LIQUIBASE=${SM_LIQUIBASE:-${SM_NPM:-$HOME/.cache/schema_migrate/npm}/liquibase-npm/node_modules/liquibase/dist/liquibase/liquibase}
liquibase_run() {
	local db=$1 dir=$2 out=$3 master
	master=$(prep master)
	[ -x "$LIQUIBASE" ] && command -v java >/dev/null || { echo "no Liquibase here" >"$out"; return 2; }
	if [ "$(q postgres -At -c "SHOW listen_addresses")" != 127.0.0.1 ]; then
		[ -n "${SM_PGDATA:-}" ] || { echo "no TCP listener" >"$out"; return 2; }
		q postgres -c "ALTER SYSTEM SET listen_addresses = '127.0.0.1'" >/dev/null && sm_cluster_restart >/dev/null 2>&1
	fi
	[ -n "$master" ] || master=$(cd "$dir" && grep -l databaseChangeLog -- *.xml *.yaml *.yml 2>/dev/null | head -n 1)
	(cd "$dir" && "$LIQUIBASE" --url="jdbc:postgresql://127.0.0.1:$PGPORT/$db" --username="${PGUSER:-postgres}" \
		--password=unused --changelog-file="$master" --search-path=. --show-banner=false \
		--log-level=severe update) >"$out" 2>&1
}

# tool_run DB FORMAT DIR: prints "ok" or the first error line
tool_run() {
	local db=$1 tool=$2 dir=$3 f one=-1 out=$WORK/tool.out
	case $tool in
	dbmate)
		if [ -x "$DBMATE" ]; then
			DATABASE_URL="postgres://${PGUSER:-postgres}@localhost/$db?socket=$PGHOST&port=$PGPORT&sslmode=disable" \
				"$DBMATE" --no-dump-schema -d "$dir" up >"$out" 2>&1 &&
				{ echo "ok (dbmate $("$DBMATE" --version | awk '{print $3}'))"; return; }
			echo "dbmate: $(grep -m1 -i error "$out")"; return
		fi ;;
	sqitch)
		if command -v sqitch >/dev/null; then
			(cd "$dir" && sqitch deploy --client "$BIN/psql" "db:pg:$db") >"$out" 2>&1 &&
				{ echo "ok (sqitch $(sqitch --version | awk '{print $3}'))"; return; }
			echo "sqitch: $(grep -m1 -iv '^ *+\|^Deploying\|^Adding' "$out")"; return
		fi ;;
	liquibase)
		liquibase_run "$db" "$dir" "$out"
		case $? in
		0) echo "ok (Liquibase $("$LIQUIBASE" --version 2>/dev/null | grep -m1 -o 'Liquibase Version: [0-9.]*' | awk '{print $3}'), $(q "$db" -At -c "SELECT count(*) FROM databasechangelog") changesets)" ;;
		2) echo "skipped: $(cat "$out")" ;;
		*) [ -n "${SM_PUBLIC_DIFFS:-}" ] && cat "$out" >&2; echo "liquibase: $({ grep -m1 '^Caused by' "$out" || grep -m1 -i error "$out"; } | cut -c1-200) after $(q "$db" -At -c "SELECT count(*) FROM databasechangelog" 2>/dev/null) changesets" ;;
		esac
		return ;;
	esac
	while IFS= read -r f; do
		if [ -n "$upto" ]; then
			# Hasura's (and diesel's) version is the migration's folder
			case $f in */up.sql) v=$(basename "$(dirname "$f")") ;; *) v=$(basename "$f") ;; esac
			v=${v%%_*}
			[ "$v" -gt "$upto" ] 2>/dev/null && continue
		fi
		case $tool in
		goose) up_block "$f" '^-- *\+goose +up' '^-- *\+goose +down' >"$WORK/up.sql"; one=-1 ;;
		golang) cp "$f" "$WORK/up.sql"; one= ;;
		tern) awk '/^---- create above \/ drop below ----$/ { exit } { print }' "$f" >"$WORK/up.sql"; one=-1
			grep -q '^---- tern: disable-tx ----$' "$WORK/up.sql" && one= ;;
		*) cp "$f" "$WORK/up.sql"; one=-1 ;;
		esac
		grep -qi concurrently "$WORK/up.sql" && one=
		grep -qi "+goose no transaction" "$f" && one=
		if ! q "$db" ${one:+-1} -f "$WORK/up.sql" >"$out" 2>&1; then
			echo "psql: $(basename "$(dirname "$f")")/$(basename "$f"): $(grep -m1 ERROR "$out")"
			return
		fi
	done < <("order_$tool" "$dir")
	echo "ok (psql in $tool's order)"
}

printf 'name\tformat\tread\tschema_migrate\ttool\tsame schema\n'
while IFS=$'\t' read -r name format repo commit path license _ prepare; do
	prepare=${prepare:-}
	case $name in '#'* | '') continue ;; esac
	if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
	if ! fetch "$name" "$repo" "$commit" "$path"; then
		printf '%s\t%s\t-\tcould not fetch %s@%s\t-\t-\n' "$name" "$format" "$repo" "$commit"
		continue
	fi
	set=pub_$name
	q postgres -At -c "SELECT rolname FROM pg_roles" | sort >"$WORK/roles.before"
	fresh_db pub_a && fresh_db pub_b || { echo "$name: no database"; continue; }
	# prepare=diesel-table: the table diesel itself creates first, which some
	# folders' migrations use (Lemmy puts a trigger on it)
	if [ "$prepare" = diesel-table ]; then
		for db in pub_a pub_b; do
			q $db -c "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)" >/dev/null
		done
	fi
	# prepare=supabase-prelude: the roles and schemas the Supabase platform
	# gives (test/lib/supabase_prelude.sql), in both databases
	if [ "$prepare" = supabase-prelude ]; then
		for db in pub_a pub_b; do
			q $db -f "$ROOT/test/lib/supabase_prelude.sql" >/dev/null
		done
	fi
	setpath="SET schema_migrate.path = '$SETS'; SET schema_migrate.timing = off; SET client_min_messages = warning;"
	n=$(q pub_a -At -c "$setpath" -c "SELECT count(*) FROM sm.sm_history('$set')" 2>"$WORK/a.err") ||
		n="error: $(grep -m1 ERROR "$WORK/a.err")"
	# prepare=upto=REV: both sides stop at version REV (e.g. before a Go migration)
	target=head upto=
	case $prepare in upto=*) upto=${prepare#upto=}; target=$upto ;; esac
	if q pub_a -c "$setpath" -c "CALL sm.sm_migrate('$target', '$set')" >"$WORK/a.out" 2>&1; then
		a="ok ($(q pub_a -At -c "$setpath" -c "SELECT count(*) FROM sm.sm_history('$set') WHERE applied") applied)"
	else
		a="$(grep -m1 ERROR "$WORK/a.out") [$(grep -m1 CONTEXT "$WORK/a.out" | sed 's/.*file //')] after $(q pub_a -At -c "$setpath" -c "SELECT count(*) FROM sm.sm_history('$set') WHERE applied" 2>/dev/null) applied"
	fi
	# roles are the cluster's: what A created goes before B runs (and after)
	dump pub_a "$WORK/a.sql"
	q postgres -c "DROP DATABASE pub_a" >/dev/null
	drop_new_roles
	b=$(tool_run pub_b "$format" "$SETS/tool_$name")
	dump pub_b "$WORK/b.sql"
	q postgres -c "DROP DATABASE pub_b" >/dev/null
	drop_new_roles
	if diff -q "$WORK/a.sql" "$WORK/b.sql" >/dev/null; then
		same=yes
	else
		same="no ($(diff "$WORK/a.sql" "$WORK/b.sql" | grep -c '^[<>]') lines differ)"
		differences=$((differences + 1))
		[ -n "${SM_PUBLIC_DIFFS:-}" ] && diff "$WORK/a.sql" "$WORK/b.sql" | head -40 >&2
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$format" "$n" "$a" "$b" "$same"
done <"$ROOT/test/public/folders.tsv"
[ "${SM_PUBLIC_STRICT:-0}" = 1 ] && [ $differences -gt 0 ] && exit 1
exit 0
