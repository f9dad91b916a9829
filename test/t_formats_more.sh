#!/usr/bin/env bash
#
# test/t_formats_more.sh -- Liquibase formatted SQL, graphile-migrate, Hasura
# and Drizzle Kit sets give the same schema through schema_migrate as through
# the tool's own order; each format's errors are refused naming the file;
# sm_adopt takes over each tool's bookkeeping (written by the real tool
# where it is installed: graphile-migrate and drizzle-orm under $SM_NPM (test/install_peers.sh),
# Liquibase under $SM_NPM/liquibase-npm; default ~/.cache/schema_migrate/npm).
#
# For each fixture set test/sets/fmt_<tool>:
#   database A: sm_upgrade('head'), dump; where downs exist sm_downgrade('base')
#               gives the empty schema and sm_upgrade('head') the same dump;
#   database B: the migrations applied with psql in the tool's order, worked
#               out here from the files (journal, names, changelog), dumped.
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
NPM=${SM_NPM:-${XDG_CACHE_HOME:-$HOME/.cache}/schema_migrate/npm}
ONLY=${SM_FORMATS:-drizzle graphile hasura liquibase}

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
conninfo() { echo "postgres://${PGUSER:-postgres}@localhost:${PGPORT}/$1?host=${PGHOST}"; }

fresh_db() {
	psql_db postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1 &&
		psql_db "$1" -c "CREATE SCHEMA sm" -c "CREATE EXTENSION schema_migrate SCHEMA sm" >/dev/null
}

# the schema without the lines that differ between runs, and without the
# tools' own bookkeeping schemas and tables
dump() {
	"${PG_DUMP[@]}" -N drizzle -N graphile_migrate -N hdb_catalog -T databasechangelog \
		-T databasechangeloglock -d "$1" |
		grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' >"$2"
}

# sm DB SQL [-c SETTING ...]: the settings run before SQL
sm() {
	local db=$1 sql=$2
	psql_db "$db" -At -c "SET schema_migrate.path = '$SETS'" -c "SET client_min_messages = warning" "${@:3}" -c "$sql"
}

compare() {
	if ! diff -u "$2" "$3" >"$WORK/diff"; then
		fail "$1"
		head -n 60 "$WORK/diff"
	else
		pass "$1"
	fi
}

# expect_error DB SET PATTERN WHAT: sm_status on the set fails matching PATTERN
expect_error() {
	local out
	if out=$(sm "$1" "SELECT count(*) FROM sm.sm_history('$2')" 2>&1); then
		fail "$4: set $2 was accepted"
	elif grep -qE -- "$3" <<<"$out"; then
		pass "$4"
	else
		fail "$4: unexpected error"
		echo "$out" | head -n 5
	fi
}

# ---- the tools' own order: one up script per line on stdout ----------------

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

apply_with_psql() {
	local db=$1 tool=$2 dir=$3 f
	while IFS= read -r f; do
		case $tool in
		liquibase) liquibase_up "$f" >"$WORK/up.sql" ;;
		*) cp "$f" "$WORK/up.sql" ;;
		esac
		if ! psql_db "$db" -f "$WORK/up.sql" >"$WORK/psql.out" 2>&1; then
			fail "$tool: psql could not apply $f"
			cat "$WORK/psql.out"
			return 1
		fi
	done < <("order_$tool" "$dir")
}

# up to head, down to base (when downs exist), up again; then psql
roundtrip() {
	local tool=$1 set_name=$2 downs=$3
	fresh_db sm_fm_a || { fail "$tool: could not create database"; return; }
	if ! sm sm_fm_a "CALL sm.sm_migrate('head', '$set_name')" >"$WORK/out" 2>&1; then
		fail "$tool: CALL sm_migrate('head') failed"
		cat "$WORK/out"
		return
	fi
	dump sm_fm_a "$WORK/a1.sql"
	if [ "$downs" = yes ]; then
		if sm sm_fm_a "CALL sm.sm_migrate('base', '$set_name')" >"$WORK/out" 2>&1; then
			dump sm_fm_a "$WORK/a0.sql"
			compare "$tool: sm_downgrade('base') gives the empty schema" "$WORK/empty.sql" "$WORK/a0.sql"
			sm sm_fm_a "CALL sm.sm_migrate('head', '$set_name')" >/dev/null ||
				fail "$tool: second CALL sm_migrate('head') failed"
			dump sm_fm_a "$WORK/a2.sql"
			compare "$tool: up, down, up gives the same schema as up" "$WORK/a1.sql" "$WORK/a2.sql"
		else
			fail "$tool: CALL sm_migrate('base') failed"
			cat "$WORK/out"
		fi
	fi
	[ "$tool" = liquibase ] && return	# compared with the real Liquibase below
	fresh_db sm_fm_b || { fail "$tool: could not create database"; return; }
	apply_with_psql sm_fm_b "$tool" "$SETS/$set_name" || return
	dump sm_fm_b "$WORK/b.sql"
	compare "$tool: schema_migrate and psql in $tool's order give the same schema ($(grep -c '^CREATE' "$WORK/a1.sql") CREATE statements)" \
		"$WORK/a1.sql" "$WORK/b.sql"
}

# a copy of a set under a new name, for error cases and partial runs
scratch_set() {
	rm -rf "${SETS:?}/$2"
	cp -R "$SETS/$1" "$SETS/$2"
	chmod -R go+rX "$SETS/$2"
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS/$2"
	echo "$SETS/$2"
}

# adopt_check TOOL SET DB APPLIED: sm_adopt, then sm_upgrade must apply the
# rest only, giving the schema of database A (a1.sql)
adopt_check() {
	local tool=$1 set_name=$2 db=$3 want=$4 got
	if ! got=$(sm "$db" "SELECT sm.sm_adopt('$tool', '$set_name')" 2>&1); then
		fail "$tool: sm_adopt failed"
		echo "$got"
		return
	fi
	[ "$got" = "$want" ] && pass "$tool: sm_adopt reads the tool's table: now at $got" ||
		fail "$tool: sm_adopt says $got, expected $want"
	got=$(sm "$db" "SELECT count(*) FROM sm.sm_version WHERE set_name = '$set_name'")
	[ "$got" = "$5" ] && pass "$tool: $got revisions recorded by sm_adopt" ||
		fail "$tool: $got revisions recorded, expected $5"
	if ! sm "$db" "CALL sm.sm_migrate('head', '$set_name')" >"$WORK/out" 2>&1; then
		fail "$tool: sm_upgrade after sm_adopt failed (did it re-run an adopted migration?)"
		head -n 5 "$WORK/out"
		return
	fi
	dump "$db" "$WORK/c.sql"
	compare "$tool: the tool's part plus sm_upgrade's rest gives the schema of sm_upgrade alone" \
		"$WORK/a1.sql" "$WORK/c.sql"
}

# ---- Drizzle --------------------------------------------------------------------

drizzle_tests() {
	local s
	roundtrip drizzle fmt_drizzle no
	# the real drizzle-orm migrator applies the journal's first 9 entries
	if [ -d "$NPM/drizzle/node_modules/drizzle-orm" ]; then
		s=$(scratch_set fmt_drizzle fmt_drizzle_part)
		jq '.entries |= .[:9]' "$SETS/fmt_drizzle/meta/_journal.json" >"$s/meta/_journal.json"
		fresh_db sm_fm_c
		cat >"$WORK/drizzle.mjs" <<-'JS'
			import { drizzle } from "drizzle-orm/node-postgres";
			import { migrate } from "drizzle-orm/node-postgres/migrator";
			const db = drizzle(process.argv[2]);
			await migrate(db, { migrationsFolder: process.argv[3] });
			await db.$client.end();
		JS
		cp "$WORK/drizzle.mjs" "$NPM/drizzle/run-migrate.mjs"
		if node "$NPM/drizzle/run-migrate.mjs" "$(conninfo sm_fm_c)" "$s" >"$WORK/out" 2>&1; then
			local n
			n=$(psql_db sm_fm_c -At -c "SELECT count(*) FROM drizzle.__drizzle_migrations")
			[ "$n" = 9 ] && pass "drizzle: drizzle-orm's migrator applied 9 migrations" ||
				fail "drizzle: drizzle-orm's migrator recorded $n migrations"
			n=$(psql_db sm_fm_c -At -c "SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id LIMIT 1")
			[ "$n" = "$(sha256sum <"$s/0000_bright_wolverine.sql" | cut -c1-64)" ] &&
				pass "drizzle: its hash is the SHA-256 of the file" || fail "drizzle: hash $n"
			adopt_check drizzle fmt_drizzle sm_fm_c 0008_lazy_storm 9
		else
			fail "drizzle: drizzle-orm's migrator failed"
			cat "$WORK/out"
		fi
		# and the real tool to head gives what sm_upgrade gives
		fresh_db sm_fm_b
		if node "$NPM/drizzle/run-migrate.mjs" "$(conninfo sm_fm_b)" "$SETS/fmt_drizzle" >"$WORK/out" 2>&1; then
			dump sm_fm_b "$WORK/b.sql"
			compare "drizzle: drizzle-orm's migrator to head gives the schema of sm_upgrade" "$WORK/a1.sql" "$WORK/b.sql"
		else
			fail "drizzle: drizzle-orm's migrator to head failed"
			cat "$WORK/out"
		fi
		rm -f "$NPM/drizzle/run-migrate.mjs"
	else
		echo "# drizzle-orm is not installed under $NPM/drizzle: adoption from the real tool skipped"
	fi
	# errors
	s=$(scratch_set fmt_drizzle fmt_bad_drizzle)
	echo 'CREATE TABLE "stray" ("id" integer);' >"$s/0017_stray_file.sql"
	got=$(sm sm_fm_a "SELECT count(*) FROM sm.sm_history('fmt_bad_drizzle')" 2>&1)
	[ "$(grep -v '^[A-Z]*:' <<<"$got")" = 17 ] &&
		grep -q '^WARNING:  Drizzle migration file "0017_stray_file.sql" is not in the journal "meta/_journal.json": skipped, as drizzle-orm skips it$' <<<"$got" &&
		grep -q 'drizzle-kit generate --custom' <<<"$got" &&
		pass "drizzle: a file missing from the journal is skipped as drizzle-orm skips it, with a WARNING naming it" ||
		fail "drizzle: a file missing from the journal gave: $got"
	fresh_db sm_fm_b
	if sm sm_fm_b "CALL sm.sm_migrate('head', 'fmt_bad_drizzle')" >"$WORK/out" 2>&1 &&
		! psql_db sm_fm_b -At -c "SELECT to_regclass('public.stray') IS NULL" | grep -q f; then
		pass "drizzle: ... and sm_migrate does not run it (no table stray)"
	else
		fail "drizzle: the skipped file: $(cat "$WORK/out")"
	fi
	rm "$s/0017_stray_file.sql" "$s/0003_sharp_havok.sql"
	expect_error sm_fm_a fmt_bad_drizzle 'lists "0003_sharp_havok.sql", which does not exist' \
		"drizzle: a journal entry without its file is refused"
	s=$(scratch_set fmt_drizzle fmt_bad_drizzle)
	sed -i 's/"postgresql"/"sqlite"/' "$s/meta/_journal.json"
	expect_error sm_fm_a fmt_bad_drizzle 'is for dialect "sqlite"' "drizzle: a journal of another dialect is refused"
	rm -rf "$s"
}

# ---- graphile-migrate -------------------------------------------------------------

# graphile-migrate CMD DB MIGRATIONS_FOLDER: the real tool with a .gmrc of its own
gm_run() {
	mkdir -p "$WORK/gm"
	cat >"$WORK/gm/.gmrc" <<-JSON
		{ "connectionString": "$(conninfo "$2")", "migrationsFolder": "$3" }
	JSON
	(cd "$WORK/gm" && "$NPM/graphile-migrate/node_modules/.bin/graphile-migrate" "$1")
}

graphile_tests() {
	local s n
	roundtrip graphile fmt_graphile no
	got=$(sm sm_fm_a "SELECT revision || ' ' || message FROM sm.sm_history('fmt_graphile') WHERE revision IN ('000004', '000008') ORDER BY 1" 2>&1)
	[ "$got" = $'000004 \n000008 concurrent index' ] &&
		pass "graphile-migrate: messages come from --! Message (none for 000004)" || fail "graphile-migrate: history says $got"
	got=$(sm sm_fm_a "SELECT transactional FROM sm.sm_history('fmt_graphile') WHERE revision = '000008'" 2>&1)
	[ "$got" = f ] && pass "graphile-migrate: --! no-transaction makes 000008 non-transactional" ||
		fail "graphile-migrate: 000008 transactional = $got"
	if [ -x "$NPM/graphile-migrate/node_modules/.bin/graphile-migrate" ]; then
		# the real tool runs the first 8 committed migrations
		s=$(scratch_set fmt_graphile fmt_graphile_part)
		rm "$s"/committed/00000[9]*.sql "$s"/committed/0000[1-9][0-9]*.sql
		fresh_db sm_fm_c
		if gm_run migrate sm_fm_c "$s" >"$WORK/out" 2>&1; then
			n=$(psql_db sm_fm_c -At -c "SELECT count(*) || ' ' || max(filename) FROM graphile_migrate.migrations")
			[ "$n" = "8 000008.sql" ] && pass "graphile-migrate: the real tool ran 8 migrations" ||
				fail "graphile-migrate: the real tool recorded $n"
			adopt_check graphile-migrate fmt_graphile sm_fm_c 000008 8
		else
			fail "graphile-migrate: the real tool failed"
			cat "$WORK/out"
		fi
		fresh_db sm_fm_b
		if gm_run migrate sm_fm_b "$SETS/fmt_graphile" >"$WORK/out" 2>&1; then
			dump sm_fm_b "$WORK/b.sql"
			compare "graphile-migrate: the real tool to head gives the schema of sm_upgrade" "$WORK/a1.sql" "$WORK/b.sql"
		else
			fail "graphile-migrate: the real tool to head failed"
			cat "$WORK/out"
		fi
	else
		echo "# graphile-migrate is not installed under $NPM/graphile-migrate: adoption from the real tool skipped"
	fi
	# errors
	s=$(scratch_set fmt_graphile fmt_bad_graphile)
	rm "$s/committed/000005-current-user-id-function.sql"
	expect_error sm_fm_a fmt_bad_graphile "000006-row-level-security.sql.*expected previous hash" \
		"graphile-migrate: a broken hash chain is refused naming the file"
	s=$(scratch_set fmt_graphile fmt_bad_graphile)
	sed -i 's/char_length(title) < 200/char_length(title) < 300/' "$s/committed/000007-projects.sql"
	expect_error sm_fm_a fmt_bad_graphile "hash for graphile-migrate migration \"committed/000007-projects.sql\" does not match" \
		"graphile-migrate: an edited committed file is refused"
	sed -i '3a --! AllowInvalidHash' "$s/committed/000007-projects.sql"
	got=$(sm sm_fm_a "SELECT count(*) FROM sm.sm_history('fmt_bad_graphile')" 2>&1)
	[ "$got" = 17 ] && pass "graphile-migrate: --! AllowInvalidHash lets an edited file through" ||
		fail "graphile-migrate: with AllowInvalidHash: $got"
	s=$(scratch_set fmt_graphile fmt_bad_graphile)
	printf -- '--! Previous: -\n--! Hash: sha1:0\n--! AllowInvalidHash\n\ncreate schema s;\n\ngrant usage on schema s to :DATABASE_VISITOR;\n' \
		>"$s/committed/000001-create-schema-app.sql"
	rm "$s"/committed/00000[2-9]*.sql "$s"/committed/0000[1-9][0-9]*.sql
	expect_error sm_fm_a fmt_bad_graphile 'placeholder ":DATABASE_VISITOR" in file "committed/000001-create-schema-app.sql", line 7, has no value' \
		"graphile-migrate: a placeholder with no value is refused naming it, its file and its line"
	printf -- '--! Previous: -\n--! Hash: sha1:0\ncreate schema s;\n' >"$s/committed/000001-create-schema-app.sql"
	expect_error sm_fm_a fmt_bad_graphile 'there should be two newlines after the headers' \
		"graphile-migrate: headers not followed by an empty line are refused"
	rm -rf "$s"
	graphile_placeholder_tests
}

# placeholders (test/sets/fmt_graphile_ph): the built-in ones from the
# server, the user's from schema_migrate.graphile_placeholders, replaced as
# graphile-migrate replaces them (the real tool gives the same text)
graphile_placeholder_tests() {
	local gp="SET schema_migrate.graphile_placeholders = ':DATABASE_VISITOR=app_visitor'" got me
	local want_t='visitor app_visitor, in_%s, cast 1::INTEGER, to_char HH24:MI'
	me=$(psql_db postgres -At -c "SELECT session_user")
	fresh_db sm_fm_a
	if sm sm_fm_a "CALL sm.sm_migrate('head', 'fmt_graphile_ph')" >"$WORK/out" 2>&1; then
		got=$(psql_db sm_fm_a -At -c "SELECT obj_description('ph.t'::regclass, 'pg_class')")
		[ "$got" = "$(printf "$want_t" sm_fm_a | sed 's/app_visitor/:DATABASE_VISITOR/')" ] &&
			pass "graphile-migrate: without a value, a placeholder in a string literal stays as it is (as graphile-migrate leaves it)" ||
			fail "graphile-migrate: without the setting the comment is: $got"
	else
		fail "graphile-migrate: without the setting, sm_migrate failed"
		cat "$WORK/out"
	fi
	fresh_db sm_fm_a
	if sm sm_fm_a "CALL sm.sm_migrate('head', 'fmt_graphile_ph')" -c "$gp" >"$WORK/out" 2>&1; then
		got=$(psql_db sm_fm_a -At -c "SELECT obj_description('ph'::regnamespace, 'pg_namespace') || ' | ' || obj_description('ph.t'::regclass, 'pg_class')")
		[ "$got" = "database sm_fm_a, owner $me | $(printf "$want_t" sm_fm_a)" ] &&
			pass "graphile-migrate: :DATABASE_NAME is current_database(), :DATABASE_OWNER session_user, :DATABASE_VISITOR the setting's" ||
			fail "graphile-migrate: placeholders filled as: $got"
	else
		fail "graphile-migrate: CALL sm_migrate with placeholders failed"
		cat "$WORK/out"
	fi
	fresh_db sm_fm_a
	if sm sm_fm_a "CALL sm.sm_migrate('head', 'fmt_graphile_ph')" \
		-c "SET schema_migrate.graphile_placeholders = ':DATABASE_OWNER = \"app owner, ltd\", DATABASE_VISITOR=app_visitor'" >"$WORK/out" 2>&1; then
		got=$(psql_db sm_fm_a -At -c "SELECT obj_description('ph'::regnamespace, 'pg_namespace')")
		[ "$got" = "database sm_fm_a, owner app owner, ltd" ] &&
			pass "graphile-migrate: :DATABASE_OWNER in the setting is graphile's databaseOwner (a quoted value keeps its comma)" ||
			fail "graphile-migrate: with databaseOwner given: $got"
	else
		fail "graphile-migrate: CALL sm_migrate with databaseOwner failed"
		cat "$WORK/out"
	fi
	# in SQL code, a placeholder without a value is refused; one backend:
	# the parsed set is not reused once the setting changes
	s=$(scratch_set fmt_graphile_ph fmt_graphile_ph3)
	printf -- '--! Previous: sha1:b8b59bda735d651b14c7af5c20f920cc1f2653ee\n--! Hash: sha1:0\n--! AllowInvalidHash\n\ngrant select on ph.t to :DATABASE_VISITOR;\n' \
		>"$s/committed/000003-grant.sql"
	got=$(psql_db sm_fm_a -At -c "SET schema_migrate.path = '$SETS'" -c "$gp" \
		-c "SELECT count(*) FROM sm.sm_history('fmt_graphile_ph3')" -c "RESET schema_migrate.graphile_placeholders" \
		-c "SELECT count(*) FROM sm.sm_history('fmt_graphile_ph3')" 2>&1)
	grep -q '^3$' <<<"$got" && grep -q 'placeholder ":DATABASE_VISITOR" in file "committed/000003-grant.sql", line 5, has no value' <<<"$got" &&
		pass "graphile-migrate: in SQL code a placeholder without a value is refused naming file and line; a cached set is read again when the setting changes" ||
		fail "graphile-migrate: cache and setting: $got"
	rm -rf "$s"
	for bad in "lower=x" ":DATABASE_NAME=other" ":A=x" ":ROOT" ':ROOT="x'; do
		got=$(psql_db sm_fm_a -At -c "LOAD 'schema_migrate'" -c "SET schema_migrate.graphile_placeholders = '$bad'" 2>&1)
		case $got in
		*'invalid value for parameter "schema_migrate.graphile_placeholders"'*) pass "graphile-migrate: the setting '$bad' is refused" ;;
		*) fail "graphile-migrate: the setting '$bad' gave: $got" ;;
		esac
	done
	if [ -x "$NPM/graphile-migrate/node_modules/.bin/graphile-migrate" ]; then
		fresh_db sm_fm_b
		mkdir -p "$WORK/gm"
		cat >"$WORK/gm/.gmrc" <<-JSON
			{ "connectionString": "$(conninfo sm_fm_b)", "migrationsFolder": "$SETS/fmt_graphile_ph",
			  "placeholders": { ":DATABASE_VISITOR": "app_visitor" } }
		JSON
		if (cd "$WORK/gm" && "$NPM/graphile-migrate/node_modules/.bin/graphile-migrate" migrate) >"$WORK/out" 2>&1; then
			got=$(psql_db sm_fm_b -At -c "SELECT obj_description('ph'::regnamespace, 'pg_namespace') || ' | ' || obj_description('ph.t'::regclass, 'pg_class')")
			[ "$got" = "database sm_fm_b, owner ${PGUSER:-postgres} | $(printf "$want_t" sm_fm_b)" ] &&
				pass "graphile-migrate: the real tool fills the same placeholders the same way" ||
				fail "graphile-migrate: the real tool filled: $got"
		else
			fail "graphile-migrate: the real tool failed on fmt_graphile_ph"
			cat "$WORK/out"
		fi
	fi
}

# ---- Hasura ----------------------------------------------------------------------

hasura_tests() {
	local s f n=0 v
	roundtrip hasura fmt_hasura yes
	# config v2: the migration directories in the set itself
	s=$(scratch_set fmt_hasura fmt_hasura_v2)
	mv "$s"/default/* "$s"/ && rmdir "$s/default"
	fresh_db sm_fm_b
	if sm sm_fm_b "CALL sm.sm_migrate('head', 'fmt_hasura_v2')" >"$WORK/out" 2>&1; then
		dump sm_fm_b "$WORK/b.sql"
		compare "hasura: the config v2 layout gives the same schema" "$WORK/a1.sql" "$WORK/b.sql"
	else
		fail "hasura: the config v2 layout failed"
		cat "$WORK/out"
	fi
	# sm_adopt: the first 6 migrations applied and recorded as the CLI does
	fresh_db sm_fm_c
	psql_db sm_fm_c -c "CREATE SCHEMA hdb_catalog" \
		-c "CREATE TABLE hdb_catalog.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)" >/dev/null
	while IFS= read -r f; do
		n=$((n + 1))
		[ $n -le 6 ] || break
		v=$(basename "$(dirname "$f")" | cut -d_ -f1)
		psql_db sm_fm_c -1 -f "$f" -c "INSERT INTO hdb_catalog.schema_migrations VALUES ($v, false)" >/dev/null ||
			fail "hasura: psql could not apply $f"
	done < <(order_hasura "$SETS/fmt_hasura")
	psql_db sm_fm_c -c "UPDATE hdb_catalog.schema_migrations SET dirty = true WHERE version = $v" >/dev/null
	got=$(sm sm_fm_c "SELECT sm.sm_adopt('hasura', 'fmt_hasura')" 2>&1)
	grep -q "records version $v of set \"fmt_hasura\" as dirty" <<<"$got" && grep -q "hasura migrate apply --skip-execution" <<<"$got" &&
		pass "hasura: a dirty version is refused with the CLI's way out" || { fail "hasura: dirty: $got"; }
	psql_db sm_fm_c -c "UPDATE hdb_catalog.schema_migrations SET dirty = false" >/dev/null
	adopt_check hasura fmt_hasura sm_fm_c "$v" 6
	# errors
	s=$(scratch_set fmt_hasura fmt_bad_hasura)
	f=$(ls -d "$s"/default/*_create_index_todos_user)
	printf -- '- type: run_sql\n  args:\n    sql: CREATE INDEX x ON todos (title)\n' >"$f/up.yaml"
	expect_error sm_fm_a fmt_bad_hasura "Hasura migration \"default/$(basename "$f")/up.yaml\" is YAML, not SQL" \
		"hasura: an up.yaml (config v1) migration is refused naming it"
	rm "$f/up.yaml"
	mkdir -p "$s/other/1712345000000_x" && echo 'SELECT 1;' >"$s/other/1712345000000_x/up.sql"
	expect_error sm_fm_a fmt_bad_hasura 'more than one database folder: "default" and "other"' \
		"hasura: two database folders are refused naming both"
	rm -rf "$s/other"
	mkdir -p "$s/default/20240101120000_diesel_style" && echo 'SELECT 1;' >"$s/default/20240101120000_diesel_style/up.sql"
	mv "$s"/default/* "$s"/ && rmdir "$s/default"
	expect_error sm_fm_a fmt_bad_hasura 'is a Hasura migration and "20240101120000_diesel_style" is a diesel migration' \
		"hasura: a diesel-named directory beside Hasura ones is an error naming both"
	rm -rf "$s"
}

# ---- Liquibase ---------------------------------------------------------------------

LIQUIBASE=${SM_LIQUIBASE:-$NPM/liquibase-npm/node_modules/liquibase/dist/liquibase/liquibase}

# lb DB DIR COMMAND ARGS...: the real Liquibase against database DB over TCP
lb() {
	local db=$1 dir=$2
	shift 2
	(cd "$dir" && "$LIQUIBASE" --url="jdbc:postgresql://127.0.0.1:$PGPORT/$db" --username="${PGUSER:-postgres}" \
		--password=unused --changelog-file=db.changelog-master.xml --search-path=. --show-banner=false \
		--log-level=severe "$@")
}

# the real Liquibase needs TCP: give our own cluster a loopback listener
liquibase_ready() {
	[ -x "$LIQUIBASE" ] && command -v java >/dev/null || return 1
	[ "$(psql_db postgres -At -c "SHOW listen_addresses")" = 127.0.0.1 ] && return 0
	[ -n "${SM_PGDATA:-}" ] || return 1
	psql_db postgres -c "ALTER SYSTEM SET listen_addresses = '127.0.0.1'" >/dev/null && sm_cluster_restart
}

liquibase_tests() {
	local s got
	roundtrip liquibase fmt_liquibase yes
	got=$(sm sm_fm_a "SELECT count(*) FILTER (WHERE NOT transactional) || ' ' || count(*) FROM sm.sm_history('fmt_liquibase')")
	[ "$got" = "1 17" ] && pass "liquibase: 17 changesets (dbms:oracle and ignore:true left out), 1 with runInTransaction:false" ||
		fail "liquibase: history counts $got"
	got=$(sm sm_fm_a "SELECT message FROM sm.sm_history('fmt_liquibase') WHERE revision = '001-accounts.1.alice'")
	[ "$got" = "accounts table" ] && pass "liquibase: --comment gives the message" || fail "liquibase: message $got"
	if liquibase_ready; then
		# the real tool to head gives the same schema, and writes the same MD5SUMs
		fresh_db sm_fm_b
		if lb sm_fm_b "$SETS/fmt_liquibase" update >"$WORK/out" 2>&1; then
			dump sm_fm_b "$WORK/b.sql"
			compare "liquibase: Liquibase update gives the schema of sm_migrate" "$WORK/a1.sql" "$WORK/b.sql"
			got=$(psql_db sm_fm_b -At -c "SELECT count(*) FILTER (WHERE md5sum LIKE '9:%') || ' ' || count(*) FILTER (WHERE exectype = 'MARK_RAN') FROM databasechangelog")
			[ "$got" = "17 1" ] && pass "liquibase: Liquibase records 17 changesets with 9: checksums, orders-2 MARK_RAN" ||
				fail "liquibase: databasechangelog has $got"
			adopt_check liquibase fmt_liquibase sm_fm_b 020-reporting.rep-5.erin 17
		else
			fail "liquibase: Liquibase update failed"
			cat "$WORK/out"
		fi
		# the real tool runs 8 changesets; sm_adopt compares all their MD5SUMs
		fresh_db sm_fm_c
		if lb sm_fm_c "$SETS/fmt_liquibase" update-count --count=8 >"$WORK/out" 2>&1; then
			psql_db sm_fm_c -c "UPDATE databasechangeloglock SET locked = true" >/dev/null
			got=$(sm sm_fm_c "SELECT sm.sm_adopt('liquibase', 'fmt_liquibase')" 2>&1)
			grep -q "liquibase release-locks" <<<"$got" && pass "liquibase: a held DATABASECHANGELOGLOCK is refused with Liquibase's way out" ||
				fail "liquibase: lock: $got"
			psql_db sm_fm_c -c "UPDATE databasechangeloglock SET locked = false" >/dev/null
			s=$(scratch_set fmt_liquibase fmt_liquibase_edit)
			sed -i 's/DEFAULT clock_timestamp()/DEFAULT now()/' "$s/changes/more/010-audit.sql"
			sed -i 's/total_cents >= 0/total_cents > 0/' "$s/changes/002-orders.sql"
			got=$(sm sm_fm_c "SELECT sm.sm_adopt('liquibase', 'fmt_liquibase_edit')" 2>&1)
			grep -q 'orders-1::carol with checksum 9:e3cc9d400407b120e509a51bed4635dc, but file "changes/002-orders.sql"' <<<"$got" &&
				grep -q "liquibase clear-checksums" <<<"$got" &&
				pass "liquibase: an edited changeset is refused at sm_adopt with its MD5SUM" || fail "liquibase: edited: $got"
			rm -rf "$s"
			adopt_check liquibase fmt_liquibase sm_fm_c 002-orders.orders-3.carol 8
		else
			fail "liquibase: Liquibase update-count failed"
			cat "$WORK/out"
		fi
	else
		echo "# Liquibase (java and $LIQUIBASE) is not available: the real tool's runs skipped"
	fi
	# quirks: a plain SQL file in an includeAll directory is changeset raw::includeAll
	s=$(scratch_set fmt_liquibase fmt_liquibase_raw)
	printf 'CREATE TABLE plain_sql (id int);\n' >"$s/changes/more/030-plain.sql"
	got=$(sm sm_fm_a "SELECT revision || ' ' || has_down FROM sm.sm_history('fmt_liquibase_raw') WHERE file = 'changes/more/030-plain.sql'" 2>&1)
	[ "$got" = "030-plain.raw.includeAll false" ] && pass "liquibase: a plain SQL file under includeAll is one changeset raw by includeAll" ||
		fail "liquibase: plain SQL file: $got"
	# errors, each naming the file and line
	lb_error() {
		s=$(scratch_set fmt_liquibase fmt_bad_liquibase)
		printf '%s\n' "$1" >>"$s/changes/more/020-reporting.sql"
		expect_error sm_fm_a fmt_bad_liquibase "$2" "liquibase: $3"
	}
	lb_error $'--changeset erin:rep-6 runAlways:true\nSELECT 1;' \
		'changeset attribute "runAlways" is not supported in Liquibase changelog "changes/more/020-reporting.sql" line 3[0-9]' \
		"runAlways is refused by name"
	lb_error $'--changeset erin:rep-6 failOnError:false\nSELECT 1;' '"failOnError:false" is not supported' "failOnError:false is refused"
	lb_error $'--changeset erin:rep-6 runWith:psql\nSELECT 1;' 'attribute "runWith" is not supported' "runWith is refused by name"
	lb_error $'--changeset erin:rep-6 runOnChang:true\nSELECT 1;' \
		'attribute "runOnChang" looks like a misspelling of "runOnChange"' "a misspelt attribute is refused (Liquibase ignores it)"
	lb_error $'--property name:x value:y' '"--property" is not supported' "properties are refused"
	lb_error $'--changeset erin:rep-6\n--preconditions onFail:CONTINUE\n--precondition-sql-check expectedResult:0 SELECT 0\nSELECT 1;' \
		'onFail value is not supported' "onFail:CONTINUE is refused"
	lb_error $'--changeset erin:rep-6\n--precondition-column-exists table:a column:b\nSELECT 1;' 'unknown precondition' \
		"an unknown precondition is refused"
	lb_error $'--changeset erin:rep-6\n--rollback SELECT 1;' 'changeset without SQL' "a changeset without SQL is refused"
	lb_error $'--changeset erin:rep-5\nSELECT 1;' 'twice|same|duplicate|already' "a duplicate changeset is refused"
	s=$(scratch_set fmt_liquibase fmt_bad_liquibase)
	sed -i 's|</databaseChangeLog>|<changeSet id="x" author="y"><sql>SELECT 1</sql></changeSet></databaseChangeLog>|' "$s/db.changelog-master.xml"
	expect_error sm_fm_a fmt_bad_liquibase 'XML element "changeSet" is not supported' "liquibase: an XML changeset in the master changelog is refused"
	s=$(scratch_set fmt_liquibase fmt_bad_liquibase)
	rm "$s/changes/002-orders.sql"
	expect_error sm_fm_a fmt_bad_liquibase 'changelog "changes/002-orders.sql" does not exist' "liquibase: an include of a missing file is refused naming it"
	rm -rf "$s"
}

fresh_db sm_fm_empty && dump sm_fm_empty "$WORK/empty.sql"
for tool in $ONLY; do
	echo "# --- $tool"
	"${tool}_tests"
done
for db in sm_fm_a sm_fm_b sm_fm_c sm_fm_empty; do
	psql_db postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
done

if [ "$failures" -ne 0 ]; then
	echo "t_formats_more: $failures failure(s)"
	exit 1
fi
echo "t_formats_more: all formats agree"
