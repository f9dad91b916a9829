# shellcheck shell=bash
#
# test/lib/formats.sh -- what the scripts that hold schema_migrate against
# other migration tools share (t_formats.sh, t_formats_a.sh,
# t_formats_more.sh, t_adopt_more.sh): a work directory with a copy of
# test/sets the server can read, a fresh database with the extension in a
# schema of its own, the schema dumped without what differs between runs,
# "ok - " / "not ok - " lines, and each tool's own order and up part, to run
# a set with psql the way the tool would.
#
# Source it after test/lib/cluster.sh, with ROOT set, then:
#
#   fmt_setup TAG DB       start a cluster unless PGHOST is set; sets BIN,
#                          PSQL_CMD, NPM (test/install_peers.sh's root), WORK
#                          (/tmp/sm-TAG.XXXXXX, removed at exit), SETS (the
#                          readable copy of test/sets) and DB, the prefix of
#                          the script's databases (DB, DB_a, DB_b, ...)
#   fmt_finish NAME MSG    drop those databases; print MSG, or the failure
#                          count and exit 1
#   fresh_db NAME          (re)create a database with schema_migrate in "sm"
#   sm DB SQL [ARG...]     psql on the fixture sets; ARGs (-c SETTING ...) run before SQL
#   dump DB FILE           the schema, without the tools' bookkeeping
#   compare WHAT A B       ok when the two dumps are the same, else the diff
#   order_TOOL DIR         the set's files in TOOL's order, one path a line
#   up_part TOOL FILE      the part of FILE that TOOL runs going up
#   apply_with_psql DB TOOL DIR
#                          one psql run per file, in TOOL's order
#   roundtrip TOOL SET DOWNS [UP [DOWN]]
#                          up, (down, up), and the same schema as psql gives

failures=0
fail() { echo "not ok - $*"; failures=$((failures + 1)); }
pass() { echo "ok - $*"; }

fmt_setup() {
	# the work directory's trap first: sm_cluster_start chains its own to it
	WORK=$(mktemp -d "/tmp/sm-$1.XXXXXX") || exit 2
	chmod 0755 "$WORK"
	trap 'rm -rf -- "$WORK"' EXIT
	DB=$2
	if [ -z "${PGHOST:-}" ]; then
		sm_cluster_start || exit 2
	fi
	BIN=$("$(sm_pg_config)" --bindir)
	PSQL_CMD=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
	# shellcheck disable=SC2034 # for the scripts
	NPM=${SM_NPM:-${XDG_CACHE_HOME:-$HOME/.cache}/schema_migrate/npm}
	if [ -n "${SM_CLUSTER_DIR:-}" ]; then
		SETS=$(sm_readable_copy "$ROOT/test/sets") || exit 2
	else
		cp -R "$ROOT/test/sets" "$WORK/sets" && SETS=$WORK/sets
		[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS"
		chmod -R go+rX "$SETS"
	fi
}

fmt_finish() {
	local db
	for db in $(psql_db postgres -At -c "SELECT datname FROM pg_database WHERE datname = '$DB' OR datname LIKE '${DB}\\_%'"); do
		psql_db postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	done
	if [ "$failures" -ne 0 ]; then
		echo "$1: $failures failure(s)"
		exit 1
	fi
	echo "$1: $2"
}

psql_db() { local db=$1; shift; "${PSQL_CMD[@]}" -d "$db" "$@"; }

# The extension in a schema of its own, so that the application's schemas
# dump the same with and without schema_migrate.
fresh_db() {
	psql_db postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1 &&
		psql_db "$1" -c "CREATE SCHEMA sm" -c "CREATE EXTENSION schema_migrate SCHEMA sm" >/dev/null
}

sm() {
	local db=$1 sql=$2
	psql_db "$db" -At -c "SET schema_migrate.path = '$SETS'" -c "SET client_min_messages = warning" "${@:3}" -c "$sql"
}

# The schema without the lines that differ between any two runs (\restrict
# keys) and without every tool's bookkeeping: those tables are not the
# application's, and only the tool itself writes them.
dump() {
	"$BIN/pg_dump" --schema-only --no-owner --no-privileges -d "$1" \
		-N drizzle -N graphile_migrate -N hdb_catalog -N atlas_schema_revisions -N supabase_migrations \
		-T databasechangelog -T databasechangeloglock -T public.pgmigrations -T public.pgmigrations_id_seq \
		-T public.schemaversion -T public._sqlx_migrations -T public._prisma_migrations -T public.schema_version |
		grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' >"$2"
}

compare() {
	if ! diff -u "$2" "$3" >"$WORK/diff"; then
		fail "$1"
		head -n 60 "$WORK/diff"
		return 1
	fi
	pass "$1"
}

# ---- each tool's own order: one path a line ------------------------------------
# (worked out here from the file names and the tools' own lists, independently
# of the extension; the sources each follows are named where it is not obvious)

order_golang() { ls "$1" | grep '\.up\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }
# dbmate sorts file names as strings (pkg/dbmate/db.go: sort.Slice by FileName)
order_dbmate() { ls "$1" | grep '\.sql$' | LC_ALL=C sort | sed "s|^|$1/|"; }
order_goose() { ls "$1" | grep -E '^[0-9]+_.*\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }
# Flyway: versioned by version, then repeatable, then the afterMigrate callbacks (by name)
order_flyway() {
	ls "$1" | grep '^V.*__.*\.sql$' |
		awk '{ v = substr($0, 2, index($0, "__") - 2); gsub("_", ".", v); print v "\t" $0 }' |
		sort -V -k1,1 | cut -f2 | sed "s|^|$1/|"
	ls "$1" | grep '^R__.*\.sql$' | LC_ALL=C sort | sed "s|^|$1/|"
	ls "$1" | grep -E '^after(Versioned|MigrateApplied|Migrate)(__.*)?\.sql$' | LC_ALL=C sort | sed "s|^|$1/|"
}
# diesel: MigrationVersion derives Ord on the string
order_diesel() {
	local d v
	for d in "$1"/*/; do
		d=${d%/}
		[ -f "$d/up.sql" ] || continue
		v=$(basename "$d"); v=${v%%_*}; v=${v//-/}
		printf '%s\t%s\n' "$v" "$d/up.sql"
	done | LC_ALL=C sort -k1,1 | cut -f2
}
# sqitch.plan: a reworked change's earlier instances use name@TAG.sql, TAG
# being the first tag after that instance; the last one uses name.sql
order_sqitch() {
	awk -v dir="$1" '
		/^[[:space:]]*(#|%|$)/ { next }
		/^@/ { for (i = last_tagged + 1; i <= n; i++) tag[i] = substr($1, 2); last_tagged = n; next }
		{ n++; name[n] = $1 }
		END { for (i = 1; i <= n; i++) {
			b = name[i]
			for (j = i + 1; j <= n; j++) if (name[j] == name[i]) b = name[i] "@" tag[i]
			print dir "/deploy/" b ".sql" } }' "$1/sqitch.plan"
}
order_sqlx() { ls "$1" | grep -E '^[0-9]+_.*\.sql$' | grep -v '\.down\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }
order_prisma() { ls "$1" | LC_ALL=C sort | while read -r d; do [ -d "$1/$d" ] && printf '%s/%s/migration.sql\n' "$1" "$d"; done; }
order_atlas() { ls "$1" | grep '\.sql$' | LC_ALL=C sort | sed "s|^|$1/|"; }
order_tern() { ls "$1" | grep -E '^[0-9]+_.+\.sql$' | sort -t_ -k1,1n | sed "s|^|$1/|"; }
# node-pg-migrate: by the number before "_", then by name
order_npm() { ls "$1" | grep '\.sql$' | awk -F_ '{ print $1 "\t" $0 }' | sort -k1,1n -k2,2 | cut -f2 | sed "s|^|$1/|"; }
order_postgrator() { ls "$1" | grep -E '^[0-9]+\.do\..*\.sql$' | sort -t. -k1,1n | sed "s|^|$1/|"; }
# Supabase CLI: migrations/ by name, then seed.sql (DIR is supabase/ itself
# or the project holding it)
order_supabase() {
	local d=$1
	[ -d "$d/migrations" ] || d=$d/supabase
	ls "$d/migrations" | grep -E '^[0-9]+_.*\.sql$' | LC_ALL=C sort | sed "s|^|$d/migrations/|"
	[ -f "$d/seed.sql" ] && echo "$d/seed.sql"
}
order_drizzle() { jq -r '.entries | sort_by(.idx) | .[].tag' "$1/meta/_journal.json" | sed "s|^|$1/|; s|$|.sql|"; }
order_graphile() { ls "$1/committed" | grep -E '^[0-9]+(-[-_a-zA-Z0-9]*)?\.sql$' | sort | sed "s|^|$1/committed/|"; }
# Hasura: the migration directories of the set or of its one database folder, by version
order_hasura() {
	local d=$1 m
	[ -n "$(ls -d "$d"/[0-9]*_*/ 2>/dev/null)" ] || d=$(ls -d "$d"/*/ | head -n 1)
	for m in "${d%/}"/[0-9]*_*/; do
		m=${m%/}
		[ -s "$m/up.sql" ] && printf '%s\t%s\n' "$(basename "$m" | cut -d_ -f1)" "$m/up.sql"
	done | sort -k1,1n | cut -f2
}

# ---- the up part of a file, as the tool takes it ---------------------------------

# the lines between a line matching START and one matching STOP (dbmate, goose)
up_block() {
	awk -v start="$2" -v stop="$3" '
		tolower($0) ~ start { on = 1; next }
		tolower($0) ~ stop { on = 0 }
		on { print }' "$1"
}

up_part() {
	case $1 in
	dbmate) up_block "$2" '^-- *migrate:up' '^-- *migrate:down' ;;
	goose) up_block "$2" '^-- *\+goose +up' '^-- *\+goose +down' ;;
	tern | npm)
		# python3: the tools' own string rules (tern's marker is a plain
		# string; node-pg-migrate's a case-insensitive regular expression)
		python3 - "$1" "$2" <<'PY'
import re, sys
how, path = sys.argv[1], sys.argv[2]
t = open(path).read()
if how == "tern":
    t = t.split("---- create above / drop below ----", 1)[0]
else:
    u = re.search(r"^\s*--[\s-]*up\s+migration", t, re.I | re.M)
    d = re.search(r"^\s*--[\s-]*down\s+migration", t, re.I | re.M)
    us = u.start() if u else -1
    ds = d.start() if d else -1
    t = t[us:(None if ds < us else ds)] if us >= 0 else t
sys.stdout.write(t)
PY
		;;
	*) cat "$2" ;;
	esac
}

apply_with_psql() {
	local db=$1 tool=$2 dir=$3 f
	while IFS= read -r f; do
		up_part "$tool" "$f" >"$WORK/up.sql"
		if ! psql_db "$db" -f "$WORK/up.sql" >"$WORK/psql.out" 2>&1; then
			fail "$tool: psql could not apply $f"
			cat "$WORK/psql.out"
			return 1
		fi
	done < <("order_$tool" "$dir")
}

# roundtrip TOOL SET DOWNS [UP [DOWN]]: in database ${DB}_a, UP (default: CALL
# sm_migrate to head) dumped to $WORK/a1.sql; with DOWNS = yes, DOWN (default:
# CALL sm_migrate to base) must give the schema of an empty database and UP
# again the same dump.  Then, when order_TOOL exists, the set applied with
# psql in TOOL's order in ${DB}_b must dump the same as a1.sql.  A function
# fmt_prelude DB SET, when the script defines one, runs first in both
# databases.  Returns 1 when UP fails.
roundtrip() {
	local tool=$1 set_name=$2 downs=$3 n
	local up=${4:-"CALL sm.sm_migrate('head', '$2')"} down=${5:-"CALL sm.sm_migrate('base', '$2')"}
	if [ ! -f "$WORK/empty.sql" ]; then
		fresh_db "${DB}_empty" && dump "${DB}_empty" "$WORK/empty.sql"
	fi
	fresh_db "${DB}_a" || { fail "$tool: could not create database"; return 1; }
	! declare -F fmt_prelude >/dev/null || fmt_prelude "${DB}_a" "$set_name"
	n=$(sm "${DB}_a" "SELECT count(*) FROM sm.sm_history('$set_name')" 2>&1)
	echo "# $tool ($set_name): $n migrations"
	if ! sm "${DB}_a" "$up" >"$WORK/out" 2>&1; then
		fail "$tool: $up failed"
		cat "$WORK/out"
		return 1
	fi
	dump "${DB}_a" "$WORK/a1.sql"
	if [ "$downs" = yes ]; then
		if sm "${DB}_a" "$down" >"$WORK/out" 2>&1; then
			dump "${DB}_a" "$WORK/a0.sql"
			compare "$tool: $down gives the empty schema" "$WORK/empty.sql" "$WORK/a0.sql"
			sm "${DB}_a" "$up" >/dev/null || fail "$tool: second $up failed"
			dump "${DB}_a" "$WORK/a2.sql"
			compare "$tool: up, down, up gives the schema of up" "$WORK/a1.sql" "$WORK/a2.sql"
		else
			fail "$tool: $down failed"
			cat "$WORK/out"
		fi
	fi
	declare -F "order_$tool" >/dev/null || return 0
	fresh_db "${DB}_b" || { fail "$tool: could not create database"; return 0; }
	! declare -F fmt_prelude >/dev/null || fmt_prelude "${DB}_b" "$set_name"
	apply_with_psql "${DB}_b" "$tool" "$SETS/$set_name" || return 0
	dump "${DB}_b" "$WORK/b.sql"
	compare "$tool ($set_name, $n migrations): schema_migrate and psql in $tool's order give the same schema ($(grep -c '^CREATE' "$WORK/a1.sql") CREATE statements)" \
		"$WORK/a1.sql" "$WORK/b.sql"
	return 0
}
