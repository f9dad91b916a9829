#!/usr/bin/env bash
#
# test/t_adopt_more.sh -- sm_adopt takes over from sqlx, Prisma Migrate,
# Atlas, tern, node-pg-migrate, Postgrator and the Supabase CLI (issue 16,
# part A).
#
# For each tool the first 8 migrations of its fixture set (test/sets/fmt_*)
# are applied the tool's way and its bookkeeping written as the tool writes
# it: node-pg-migrate and Postgrator are the real tools (npm packages; found
# on PATH or under $SM_NPM_PREFIX/<tool>, default ~/.cache/schema_migrate/npm (test/install_peers.sh); the case is
# skipped, and says so, when the tool is not installed); for the others the
# files go in with psql and the table is created with the tool's own DDL
# and rows (from the tools' sources).  Then sm_adopt must record exactly
# those 8, sm_upgrade('head') must apply only the rest, and the schema must
# equal that of a database schema_migrate migrated alone (the tool's table
# left out).  A failed or partial run recorded by sqlx, Prisma or Atlas must
# be refused with the tool's way out, writing nothing.
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
export PGHOST PGPORT
BIN=$("$(sm_pg_config)" --bindir)
PSQL_CMD=("$BIN/psql" -X -q -v ON_ERROR_STOP=1)
NPM_PREFIX=${SM_NPM_PREFIX:-${SM_NPM:-${XDG_CACHE_HOME:-$HOME/.cache}/schema_migrate/npm}}

WORK=$(mktemp -d /tmp/sm-adopt-more.XXXXXX)
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
sm() {
	psql_db "$1" -At -c "SET schema_migrate.path = '$SETS'" -c "SET client_min_messages = warning" -c "$2"
}
# the application's schemas only: not the tools' tables, not schema_migrate's
dump() {
	"$BIN/pg_dump" --schema-only --no-owner --no-privileges --exclude-schema=sm \
		--exclude-schema=atlas_schema_revisions --exclude-schema=supabase_migrations \
		-T public.pgmigrations -T public.pgmigrations_id_seq -T public.schemaversion -T public._sqlx_migrations \
		-T public._prisma_migrations -T public.schema_version -d "$1" |
		grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' >"$2"
}
tool_bin() {
	if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
	local b=$NPM_PREFIX/$2/node_modules/.bin/$1
	[ -x "$b" ] && echo "$b"
}

# The first n files of a set in the tool's order, one per line.
first_files() {
	case $1 in
	sqlx) ls "$SETS/fmt_sqlx" | grep '\.up\.sql$' | sort -t_ -k1,1n ;;
	prisma) ls "$SETS/fmt_prisma" | grep -v '\.' | sed 's|$|/migration.sql|' ;;
	atlas) ls "$SETS/fmt_atlas" | grep '\.sql$' | LC_ALL=C sort ;;
	tern) ls "$SETS/fmt_tern" | grep -E '^[0-9]+_.+\.sql$' | LC_ALL=C sort ;;
	supabase) ls "$SETS/fmt_supabase/supabase/migrations" | grep -E '^[0-9]+_.*\.sql$' | LC_ALL=C sort |
		sed 's|^|supabase/migrations/|' ;;
	esac | head -n "$2"
}

# Apply the up part of the first 8 files with psql (tern: above its marker).
apply_first8() {
	local tool=$1 db=$2 f
	while IFS= read -r f; do
		python3 -c 'import sys; sys.stdout.write(open(sys.argv[1]).read().split("---- create above / drop below ----", 1)[0])' \
			"$SETS/fmt_$tool/$f" >"$WORK/up.sql"
		psql_db "$db" -f "$WORK/up.sql" >/dev/null || return 1
	done < <(first_files "$tool" 8)
}

# The tool's bookkeeping for the first 8 files, as the tool writes it.
bookkeeping() {
	local tool=$1 bad=${2:-}
	python3 - "$tool" "$SETS/fmt_$tool" "$bad" <<PY
import hashlib, sys, uuid
tool, d, bad = sys.argv[1], sys.argv[2], sys.argv[3]
files = """$(first_files "$tool" 8)""".split("\n")
raw = lambda f: open(d + "/" + f, "rb").read()
q = lambda s: "'" + s.replace("'", "''") + "'"
out = []
if tool == "sqlx":   # sqlx-postgres migrate.rs: ensure_migrations_table, apply
    out.append("""CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);""")
    for i, f in enumerate(files):
        v, rest = f.split("_", 1)
        ok = "FALSE" if bad and i == 7 else "TRUE"
        out.append("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)"
                   " VALUES (%s, %s, %s, '\\\\x%s', 1234567);" % (int(v), q(rest[:-7].replace("_", " ")), ok,
                                                                  hashlib.sha384(raw(f)).hexdigest()))
elif tool == "prisma":   # prisma-engines sql-schema-connector: the migrations table
    out.append("""CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);""")
    for i, f in enumerate(files):
        name = f.split("/")[0]
        fin = "NULL" if bad and i == 7 else "now()"
        out.append("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)"
                   " VALUES (%s, %s, %s, %s, now() - interval '%d s', 1);" % (q(str(uuid.uuid4())), q(hashlib.sha256(raw(f)).hexdigest()), fin, q(name), 100 - i))
    # a run of the 9th that failed and was marked rolled back (migrate resolve --rolled-back)
    ninth = sorted(x for x in __import__("os").listdir(d) if "." not in x)[8]
    out.append("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)"
               " VALUES (%s, 'x', NULL, %s, 'ERROR: boom', now(), now() - interval '50 s', 0);" % (q(str(uuid.uuid4())), q(ninth)))
elif tool == "atlas":   # atlas sql/migrate/ent/schema/revision.go, in its own schema
    out.append("""CREATE SCHEMA "atlas_schema_revisions";
CREATE TABLE "atlas_schema_revisions"."atlas_schema_revisions" ("version" character varying NOT NULL, "description" character varying NOT NULL, "type" bigint NOT NULL DEFAULT 2, "applied" bigint NOT NULL DEFAULT 0, "total" bigint NOT NULL DEFAULT 0, "executed_at" timestamptz NOT NULL, "execution_time" bigint NOT NULL, "error" text NULL, "error_stmt" text NULL, "hash" character varying NOT NULL, "partial_hashes" jsonb NULL, "operator_version" character varying NOT NULL, PRIMARY KEY ("version"));""")
    out.append("INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES ('.atlas_cloud_identifier', '8a3b0e4c-0000-4000-8000-000000000000', 0, 0, 0, now(), 0, NULL, NULL, '', NULL, 'Atlas CLI v0.30.0');")
    for i, f in enumerate(files):
        v, rest = f.split("_", 1)
        applied, err = (1, q("pq: relation does not exist")) if bad and i == 7 else (1 if i != 5 else 2, "NULL")
        total = 1 if i != 5 else 2
        out.append("INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES (%s, %s, 2, %d, %d, now(), 1000, %s, NULL, 'h1:x', NULL, 'Atlas CLI v0.30.0');"
                   % (q(v), q(rest[:-4]), applied, total, err))
elif tool == "tern":   # tern migrate.go: ensureSchemaVersionTableExists, then update
    out.append("create table if not exists public.schema_version(version int4 not null);")
    out.append("insert into public.schema_version(version) select 0 where 0=(select count(*) from public.schema_version);")
    out.append("update public.schema_version set version=8;")
elif tool == "supabase":   # supabase cli pkg/migration/history.go
    out.append("CREATE SCHEMA IF NOT EXISTS supabase_migrations;")
    out.append("CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);")
    out.append("ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];")
    out.append("ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;")
    for f in files:
        b = f.split("/")[-1]
        v, rest = b.split("_", 1)
        out.append("INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES (%s, %s, ARRAY[%s]);"
                   % (q(v), q(rest[:-4]), q(raw(f).decode())))
    # db push --include-seed: the seed ran, recorded with its SHA-256 (pkg/migration/seed.go)
    out.append("CREATE TABLE IF NOT EXISTS supabase_migrations.seed_files (path text NOT NULL PRIMARY KEY, hash text NOT NULL);")
    out.append("INSERT INTO supabase_migrations.seed_files (path, hash) VALUES ('supabase/seed.sql', %s);"
               % q(hashlib.sha256(raw("supabase/seed.sql")).hexdigest()))
print("\n".join(out))
PY
}

# Adopt, check 8 recorded, upgrade, check only the rest ran, compare.
adopt_and_finish() {
	local tool=$1 adopt_name=$2 set_name=$3 db=$4 total got
	got=$(sm "$db" "SELECT sm.sm_adopt('$adopt_name', '$set_name')" 2>&1) ||
		{ fail "$tool: sm_adopt failed: $got"; return; }
	n=$(sm "$db" "SELECT count(*) FILTER (WHERE applied) || '/' || count(*) FROM sm.sm_history('$set_name')")
	[ "${n%/*}" = 8 ] && pass "$tool: sm_adopt recorded 8 of ${n#*/} migrations, now at $got" ||
		fail "$tool: sm_adopt recorded $n (want 8 applied), returned $got"
	logged=$(sm "$db" "SELECT count(*) FROM sm.sm_log WHERE operation = 'adopt'" 2>/dev/null || echo '?')
	total=${n#*/}
	if sm "$db" "SELECT sm.sm_upgrade('head', '$set_name')" >"$WORK/up.out" 2>&1 ||
		sm "$db" "CALL sm.sm_migrate('head', '$set_name')" >"$WORK/up.out" 2>&1; then
		ran=$(sm "$db" "SELECT count(*) FROM sm.sm_log WHERE operation NOT IN ('adopt', 'repeatable') AND set_name = '$set_name'" 2>/dev/null)
		want=$((total - 8))
		# the Supabase seed is recorded as run by sm_adopt, not run again
		[ "$tool" = supabase ] && want=$((total - 9))
		[ "$ran" = "$want" ] && pass "$tool: the upgrade ran only the $ran migrations the tool had not" ||
			fail "$tool: the upgrade logged $ran steps, want $want (adopt logged $logged)"
		if [ "$tool" = supabase ]; then
			r=$(sm "$db" "SELECT count(*) FROM app.orgs")
			[ "$r" = 0 ] && pass "supabase: the seed recorded in seed_files did not run again" ||
				fail "supabase: app.orgs has $r rows after adopt + upgrade, want 0 (seed ran again)"
		fi
	else
		fail "$tool: upgrade after sm_adopt failed"; cat "$WORK/up.out"; return
	fi
	fresh_db sm_adm_ref
	sm sm_adm_ref "CALL sm.sm_migrate('head', '$set_name')" >/dev/null 2>&1
	dump "$db" "$WORK/a.sql"
	dump sm_adm_ref "$WORK/ref.sql"
	if diff -u "$WORK/ref.sql" "$WORK/a.sql" >"$WORK/diff"; then
		pass "$tool: tool + sm_adopt + sm_upgrade gives the schema of schema_migrate alone ($(grep -c '^CREATE' "$WORK/a.sql") CREATE statements)"
	else
		fail "$tool: schemas differ"; head -n 40 "$WORK/diff"
	fi
}

# "name version" from the package.json beside the tool's node_modules/.bin
pkg_version() {
	local pj
	pj=$(dirname "$(readlink -f "$1")")/../../$2/package.json
	[ -f "$pj" ] || pj=$(dirname "$1")/../$2/package.json
	node -p "const p = require('$pj'); p.name + ' ' + p.version" 2>/dev/null || echo "$2"
}

# ---- the real tools --------------------------------------------------------

NPM_BIN=$(tool_bin node-pg-migrate node-pg-migrate)
if [ -n "$NPM_BIN" ]; then
	fresh_db sm_adm
	if DATABASE_URL="postgres://$(id -un 2>/dev/null | sed 's/^root$/postgres/')@localhost/sm_adm?host=$PGHOST&port=$PGPORT" \
		"$NPM_BIN" up 8 -m "$SETS/fmt_npm" --no-check-order >"$WORK/tool.out" 2>&1; then
		pass "node-pg-migrate: the real tool ($(pkg_version "$NPM_BIN" node-pg-migrate)) applied 8 migrations"
		adopt_and_finish node-pg-migrate node-pg-migrate fmt_npm sm_adm
	else
		fail "node-pg-migrate: the real tool failed"; tail -n 20 "$WORK/tool.out"
	fi
else
	echo "ok - node-pg-migrate: # SKIP the tool is not installed (npm install --prefix $NPM_PREFIX/node-pg-migrate node-pg-migrate pg)"
fi

PGR_BIN=$(tool_bin postgrator postgrator-cli)
if [ -n "$PGR_BIN" ]; then
	fresh_db sm_adm
	if "$PGR_BIN" --to 8 --no-config -r pg -h "$PGHOST" -o "$PGPORT" -d sm_adm \
		-u "$(psql_db postgres -Atc 'SELECT current_user')" -m "$SETS/fmt_postgrator/*" >"$WORK/tool.out" 2>&1; then
		pass "postgrator: the real tool ($(pkg_version "$PGR_BIN" postgrator-cli), $(pkg_version "$PGR_BIN" postgrator)) applied 8 migrations"
		adopt_and_finish postgrator postgrator fmt_postgrator sm_adm
	else
		fail "postgrator: the real tool failed"; tail -n 20 "$WORK/tool.out"
	fi
else
	echo "ok - postgrator: # SKIP the tool is not installed (npm install --prefix $NPM_PREFIX/postgrator-cli postgrator-cli pg)"
fi

# ---- the tools that do not install here: their tables as they write them ----

for tool in sqlx prisma atlas tern supabase; do
	fresh_db sm_adm
	apply_first8 "$tool" sm_adm || { fail "$tool: psql could not apply the first 8 files"; continue; }
	bookkeeping "$tool" | psql_db sm_adm >/dev/null || { fail "$tool: bookkeeping"; continue; }
	adopt_and_finish "$tool" "$tool" "fmt_$tool" sm_adm
done

# ---- failed runs are refused with the tool's way out, nothing written --------
while IFS='|' read -r tool word hint; do
	fresh_db sm_adm
	apply_first8 "$tool" sm_adm >/dev/null 2>&1
	bookkeeping "$tool" bad | psql_db sm_adm >/dev/null
	out=$(psql_db sm_adm -At -v VERBOSITY=verbose -c "SET schema_migrate.path = '$SETS'" \
		-c "SELECT sm.sm_adopt('$tool', 'fmt_$tool')" 2>&1)
	rows=$(sm sm_adm "SELECT count(*) FROM sm.sm_version")
	if grep -q "ERROR:  55000:" <<<"$out" && grep -qF "$word" <<<"$out" && grep -qF -- "$hint" <<<"$out" && [ "$rows" = 0 ]; then
		pass "$tool: a failed run is refused (\"$word\"; hint \"$hint\"), nothing written"
	else
		fail "$tool: failed run: want 55000, \"$word\", \"$hint\" and no rows ($rows), got:"; echo "$out" | head -n 6
	fi
done <<'EOF_CASES'
sqlx|as partially applied|fix and remove row from `_sqlx_migrations` table
prisma|as failed|prisma migrate resolve --rolled-back
atlas|as partially applied|atlas migrate apply
EOF_CASES

psql_db postgres -c "DROP DATABASE IF EXISTS sm_adm" -c "DROP DATABASE IF EXISTS sm_adm_ref" >/dev/null 2>&1
if [ "$failures" -ne 0 ]; then
	echo "t_adopt_more: $failures failure(s)"
	exit 1
fi
echo "t_adopt_more: every tool's bookkeeping taken over"
