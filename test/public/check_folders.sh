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

MIRRORS=${SM_PUBLIC_MIRRORS:-/work/.mirror}
NPM=${SM_NPM:-$HOME/.cache/schema_migrate/npm}
DBMATE=${DBMATE:-$(command -v dbmate || echo $NPM/dbmate/node_modules/.bin/dbmate)}
WORK=$(mktemp -d /tmp/sm-public.XXXXXX)
chmod 0755 "$WORK"
trap 'rm -rf -- "$WORK"' EXIT

# Column 9 of folders.tsv ("needs"): Debian packages of server extensions
# a folder creates (e.g. postgresql-15-cron), comma-separated.  They are
# unpacked into the installation pg_config names (apt-get download and
# dpkg -x, so this works for a relocated copy too) before the cluster
# starts; pg_cron also needs shared_preload_libraries and can be created
# in one database only (cron.database_name), so with it both runs use the
# database pub_a, one after the other.
# (WITH (FORCE) below: pg_cron's launcher stays connected to cron.database_name)
needs_all=$(awk -F'\t' '$1 !~ /^#/ && NF >= 9 { print $1 "\t" $9 }' "$ROOT/test/public/folders.tsv" |
	while IFS=$'\t' read -r n needs; do
		if [ $# -eq 0 ] || [[ " $* " == *" $n "* ]]; then echo "$needs"; fi
	done | tr ',' '\n' | sort -u)
install_debian_ext() {
	local pkg=$1 pgc deb
	pgc=$(sm_pg_config)
	mkdir -p "$WORK/deb/$pkg"
	(cd "$WORK/deb" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "# apt-get download $pkg failed" >&2; return 1; }
	deb=$(ls "$WORK/deb/${pkg}"_*.deb | head -n 1)
	dpkg -x "$deb" "$WORK/deb/$pkg" || return 1
	cp -R "$WORK/deb/$pkg"/usr/lib/postgresql/*/lib/. "$("$pgc" --pkglibdir)/" &&
		cp -R "$WORK/deb/$pkg"/usr/share/postgresql/*/extension/. "$("$pgc" --sharedir)/extension/" &&
		echo "# $pkg $(dpkg-deb -f "$deb" Version) unpacked into $("$pgc" --pkglibdir)" >&2
}
for pkg in $needs_all; do install_debian_ext "$pkg"; done
if [[ " $needs_all " == *cron* ]]; then
	[ -n "${PGHOST:-}" ] && echo "# PGHOST is set: the cluster must preload pg_cron with cron.database_name = 'pub_a' itself" >&2
	SM_EXTRA_CONF="${SM_EXTRA_CONF:+$SM_EXTRA_CONF
}shared_preload_libraries = 'pg_cron'
cron.database_name = 'pub_a'"
	export SM_EXTRA_CONF
fi

[ -n "${PGHOST:-}" ] || sm_cluster_start || exit 2
BIN=$("$(sm_pg_config)" --bindir)
PSQL=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
SETS=$WORK/sets
mkdir -p "$SETS"
differences=0

q() { local db=$1; shift; "${PSQL[@]}" -d "$db" "$@"; }
fresh_db() {
	q postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null 2>&1 &&
		q "$1" -c "CREATE SCHEMA sm" -c "CREATE EXTENSION schema_migrate SCHEMA sm" >/dev/null
}
dump() {
	"$BIN/pg_dump" --schema-only --no-owner --no-privileges -d "$1" \
		--exclude-schema=sqitch --exclude-table=public.schema_migrations \
		--exclude-table=public.goose_db_version --exclude-table=public.__diesel_schema_migrations \
		--exclude-table=public.flyway_schema_history --exclude-schema=drizzle \
		--exclude-table=public.databasechangelog --exclude-table=public.databasechangeloglock \
		--exclude-table=public.schema_version \
		--exclude-table='*.pgmigrations*' --exclude-table=public.schemaversion \
		--exclude-schema=graphile_migrate |
		grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' >"$2"
}

# drop_new_roles [SNAPSHOT]: the roles created since roles.before (or SNAPSHOT)
drop_new_roles() {
	q postgres -At -c "SELECT rolname FROM pg_roles" | sort | comm -13 "$WORK/${1:-roles.before}" - |
		while IFS= read -r r; do q postgres -c "DROP ROLE \"$r\"" >/dev/null 2>&1; done
}

# prep KEY: the value of KEY=VALUE among the words of the prepare column
prep() { local w; for w in $prepare; do [ "${w%%=*}" = "$1" ] && echo "${w#*=}"; done; return 0; }

# prepare ...graphile-placeholders=:NAME=ROLE[+:NAME=ROLE...]: the placeholders a
# folder's .gmrc takes from the environment ("!ENV"), each naming a role the
# project's setup creates.  The roles are made (NOLOGIN) before each side
# runs; the values fill the reset files and go to schema_migrate
# (schema_migrate.graphile_placeholders) and to the real tool (.gmrc).
gm_placeholders() { case $prepare in *graphile-placeholders=*) local v=${prepare#*graphile-placeholders=}; echo "${v%%,*}" | tr '+' ' ' ;; esac; }
gm_roles() {
	local p
	for p in $(gm_placeholders); do
		q postgres -c "DO \$\$ BEGIN CREATE ROLE ${p#*=} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
	done
}

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
	# graphile-migrate has no "up to": with prepare ...upto=N both copies
	# lose the committed files after N
	if [ "$format" = graphile ] && [[ $prepare == *upto=* ]]; then
		local u=${prepare##*upto=} c
		u=${u%%,*}
		for c in "$SETS/pub_$name"/committed/*.sql "$SETS/tool_$name"/committed/*.sql; do
			b=$(basename "$c"); b=${b%%[-.]*}
			[ $((10#$b)) -gt $((10#$u)) ] && rm -f "$c"
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
tool_version() { node -p "require('$NPM/$1/node_modules/$1/package.json').version" 2>/dev/null; }

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
	# issue 16: the real node-pg-migrate, postgrator-cli and graphile-migrate
	# (test/install_peers.sh puts them under $NPM)
	node-pg-migrate)
		f=$NPM/node-pg-migrate/node_modules/.bin/node-pg-migrate
		if [ -x "$f" ]; then
			DATABASE_URL="postgres://${PGUSER:-postgres}@localhost/$db?host=$PGHOST&port=$PGPORT" \
				"$f" up -m "$dir" ${npm_schema:+--create-schema --schema "$npm_schema"} >"$out" 2>&1 && { echo "ok (node-pg-migrate $(tool_version node-pg-migrate))"; return; }
			echo "node-pg-migrate: $(grep -m1 -i error "$out")"; return
		fi ;;
	postgrator)
		# files not starting with a digit have no version: Postgrator leaves
		# them out, after importing the .js ones (spark-api's index.js would
		# need its own node_modules)
		f=$NPM/postgrator-cli/node_modules/.bin/postgrator
		if [ -x "$f" ]; then
			"$f" --no-config -r pg -h "$PGHOST" -o "$PGPORT" -d "$db" -u "${PGUSER:-postgres}" -m "$dir/[0-9]*" >"$out" 2>&1 &&
				{ echo "ok (postgrator-cli $(tool_version postgrator-cli))"; return; }
			echo "postgrator: $(grep -m1 -i error "$out")"; return
		fi ;;
	graphile)
		f=$NPM/graphile-migrate/node_modules/.bin/graphile-migrate
		if [ -x "$f" ]; then
			mkdir -p "$WORK/gm"
			local ph="" p
			for p in $(gm_placeholders); do ph="$ph${ph:+, }\"${p%%=*}\": \"${p#*=}\""; done
			gm_roles
			printf '{ "connectionString": "postgres://%s@localhost/%s?host=%s&port=%s", "migrationsFolder": "%s", "placeholders": { %s } }\n' \
				"${PGUSER:-postgres}" "$db" "$PGHOST" "$PGPORT" "$dir" "$ph" >"$WORK/gm/.gmrc"
			(cd "$WORK/gm" && "$f" migrate) >"$out" 2>&1 && { echo "ok (graphile-migrate $(tool_version graphile-migrate))"; return; }
			echo "graphile-migrate: $(grep -m1 -i error "$out")"; return
		fi ;;
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

# the tables, roles and schemas a folder expects in each database
prep_dbs() {
	# prepare=diesel-table: the table diesel itself creates first, which some
	# folders' migrations use (Lemmy puts a trigger on it)
	if [ "$prepare" = diesel-table ]; then
		for db in "$@"; do
			q $db -c "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)" >/dev/null
		done
	fi
	# prepare=graphile-reset=FILE[+FILE...][,...]: the files of the folder, which the
	# folder's .gmrc runs as afterReset actions (graphile-migrate reset
	# makes a database that way), with graphile's two built-in placeholders
	# filled; a CREATE EXTENSION IF NOT EXISTS of an extension this
	# installation lacks is left out (and named)
	case $prepare in graphile-reset=*)
		local files=${prepare#graphile-reset=} f x p fill=()
		files=${files%%,*}
		gm_roles
		for p in $(gm_placeholders); do fill+=(-e "s/${p%%=*}\\b/${p#*=}/g"); done
		for db in "$@"; do
		for f in ${files//+/ }; do
			f=$SETS/tool_$name/$f
			sed -e "s/:DATABASE_NAME\b/$db/g" -e "s/:DATABASE_OWNER\b/${PGUSER:-postgres}/g" "${fill[@]}" "$f" >"$WORK/reset.sql"
			for x in $(grep -ioE '^create extension if not exists [a-z_0-9]+' "$WORK/reset.sql" | awk '{ print $6 }'); do
				[ -f "$("$(sm_pg_config)" --sharedir)/extension/$x.control" ] && continue
				echo "# $name: $(basename "$f") without CREATE EXTENSION $x (not installed)" >&2
				sed -i -E "/^create extension if not exists $x;/Id" "$WORK/reset.sql"
			done
			q $db -f "$WORK/reset.sql" >/dev/null 2>"$WORK/reset.err" ||
				echo "# $name: $(basename "$f"): $(grep -m1 ERROR "$WORK/reset.err")" >&2
		done
		done ;;
	esac
	# prepare=supabase-prelude: the roles and schemas the Supabase platform
	# gives (test/lib/supabase_prelude.sql), in both databases (with
	# ",upto=REV" after it too)
	if [[ ,$prepare, == *,supabase-prelude,* ]]; then
		for db in "$@"; do
			q $db -f "$ROOT/test/lib/supabase_prelude.sql" >/dev/null
		done
	fi
}

printf 'name\tformat\tread\tschema_migrate\ttool\tsame schema\n'
while IFS=$'\t' read -r name format repo commit path license _ prepare needs; do
	prepare=${prepare:-} needs=${needs:-}
	db_b=pub_b
	[[ $needs == *cron* ]] && db_b=pub_a
	case $name in '#'* | '') continue ;; esac
	if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
	if ! fetch "$name" "$repo" "$commit" "$path"; then
		printf '%s\t%s\t-\tcould not fetch %s@%s\t-\t-\n' "$name" "$format" "$repo" "$commit"
		continue
	fi
	set=pub_$name
	q postgres -At -c "SELECT rolname FROM pg_roles" | sort >"$WORK/roles.before"
	fresh_db pub_a && { [ $db_b = pub_a ] || fresh_db pub_b; } || { echo "$name: no database"; continue; }
	prep_dbs pub_a $([ $db_b = pub_a ] || echo pub_b)
	# the roles the preparation made (the Supabase prelude's anon, ...) are
	# pub_b's too: between the runs only those A's migrations made go
	q postgres -At -c "SELECT rolname FROM pg_roles" | sort >"$WORK/roles.prepped"
	setpath="SET schema_migrate.path = '$SETS'; SET schema_migrate.timing = off; SET client_min_messages = warning;"
	ph=$(gm_placeholders | sed 's/ /, /g')
	[ -n "$ph" ] && setpath="$setpath SET schema_migrate.graphile_placeholders = '$ph';"
	# prepare=npm-schema=S: node-pg-migrate --schema S --create-schema, which
	# creates S and runs the migrations with search_path S; the same here
	npm_schema=
	case $prepare in npm-schema=*)
		npm_schema=${prepare#npm-schema=}
		q pub_a -c "CREATE SCHEMA $npm_schema"
		setpath="$setpath SET search_path = $npm_schema;" ;;
	esac
	n=$(q pub_a -At -c "$setpath" -c "SELECT count(*) FROM sm.sm_history('$set')" 2>"$WORK/a.err") ||
		n="error: $(grep -m1 ERROR "$WORK/a.err")"
	# prepare=upto=REV: both sides stop at version REV (e.g. before a Go migration)
	target=head upto=
	case $prepare in *upto=*) upto=${prepare##*upto=}; upto=${upto%%,*}; target=$upto ;; esac
	if q pub_a -c "$setpath" -c "CALL sm.sm_migrate('$target', '$set')" >"$WORK/a.out" 2>&1; then
		a="ok ($(q pub_a -At -c "$setpath" -c "SELECT count(*) FROM sm.sm_history('$set') WHERE applied") applied)"
	else
		a="$(grep -m1 ERROR "$WORK/a.out") [$(grep -m1 CONTEXT "$WORK/a.out" | sed 's/.*file //')] after $(q pub_a -At -c "$setpath" -c "SELECT count(*) FROM sm.sm_history('$set') WHERE applied" 2>/dev/null) applied"
	fi
	# roles are the cluster's: what A created goes before B runs (and after)
	dump pub_a "$WORK/a.sql"
	q postgres -c "DROP DATABASE pub_a WITH (FORCE)" >/dev/null
	if [ $db_b = pub_a ]; then drop_new_roles; else drop_new_roles roles.prepped; fi
	if [ $db_b = pub_a ]; then
		fresh_db pub_a && prep_dbs pub_a
	fi
	b=$(tool_run $db_b "$format" "$SETS/tool_$name")
	dump $db_b "$WORK/b.sql"
	q postgres -c "DROP DATABASE $db_b WITH (FORCE)" >/dev/null
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
