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
# be refused with the tool's way out, writing nothing.  node-pg-migrate runs
# again told to keep its table elsewhere (--schema, --migrations-schema,
# --migrations-table): sm_adopt must refuse and name the table it finds in
# another schema (or list several), and adopt it through
# schema_migrate.adopt_table.
#
# Uses the cluster of the environment when PGHOST is set, else starts one.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"
# shellcheck source=test/lib/formats.sh
. "$ROOT/test/lib/formats.sh"
fmt_setup adopt-more sm_adm
export PGHOST PGPORT
NPM_PREFIX=${SM_NPM_PREFIX:-$NPM}

tool_bin() {
	if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
	local b=$NPM_PREFIX/$2/node_modules/.bin/$1
	[ -x "$b" ] && echo "$b"
}

# The first n files of a set in the tool's order, relative to the set.
first_files() { "order_$1" "$SETS/fmt_$1" | sed "s|^$SETS/fmt_$1/||" | head -n "$2"; }

# Apply the up part of the first 8 files with psql.
apply_first8() {
	local tool=$1 db=$2 f
	while IFS= read -r f; do
		up_part "$tool" "$SETS/fmt_$tool/$f" >"$WORK/up.sql"
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
	local tool=$1 adopt_name=$2 set_name=$3 db=$4 drop=${5:-} total got
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
	# the tool's own schema, when it was told to keep its table in one
	[ -n "$drop" ] && psql_db "$db" -c "SET client_min_messages = warning" -c "DROP SCHEMA $drop CASCADE" >/dev/null
	dump "$db" "$WORK/a.sql"
	dump sm_adm_ref "$WORK/ref.sql"
	compare "$tool: tool + sm_adopt + sm_upgrade gives the schema of schema_migrate alone ($(grep -c '^CREATE' "$WORK/a.sql") CREATE statements)" \
		"$WORK/ref.sql" "$WORK/a.sql"
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

# node-pg-migrate told where to keep pgmigrations (bin/node-pg-migrate.ts;
# getMigrationTableSchema: --migrations-schema, else the first --schema):
# sm_adopt names the table it finds elsewhere, and adopts it through
# schema_migrate.adopt_table.
npm_elsewhere() {
	local what=$1 table=$2 want_err=$3 drop=$4 out rows
	shift 4
	fresh_db sm_adm
	if ! DATABASE_URL="postgres://$(id -un 2>/dev/null | sed 's/^root$/postgres/')@localhost/sm_adm?host=$PGHOST&port=$PGPORT" \
		"$NPM_BIN" up 8 -m "$SETS/fmt_npm" --no-check-order "$@" >"$WORK/tool.out" 2>&1; then
		fail "node-pg-migrate $what: the real tool failed"; tail -n 20 "$WORK/tool.out"; return
	fi
	rows=$(psql_db sm_adm -At -c "SELECT count(*) FROM $table")
	[ "$rows" = 8 ] && pass "node-pg-migrate $what: the real tool applied 8 migrations, recorded in $table" ||
		fail "node-pg-migrate $what: $table has '$rows' rows, want 8"
	out=$(psql_db sm_adm -At -v VERBOSITY=verbose -c "SET schema_migrate.path = '$SETS'" \
		-c "SELECT sm.sm_adopt('node-pg-migrate', 'fmt_npm')" 2>&1)
	rows=$(sm sm_adm "SELECT count(*) FROM sm.sm_version")
	if grep -q "ERROR:  42P01:" <<<"$out" && grep -qF -- "$want_err" <<<"$out" && [ "$rows" = 0 ]; then
		pass "node-pg-migrate $what: sm_adopt without the setting is refused (\"$want_err\"), nothing written"
	else
		fail "node-pg-migrate $what: want 42P01 and \"$want_err\", no rows ($rows), got:"; echo "$out" | head -n 6
	fi
	PGOPTIONS="-c schema_migrate.adopt_table=$table" \
		adopt_and_finish "node-pg-migrate $what" node-pg-migrate fmt_npm sm_adm "$drop"
}

if [ -n "$NPM_BIN" ]; then
	npm_elsewhere "--schema nodepg" nodepg.pgmigrations \
		"HINT:  Adopt that table with SET schema_migrate.adopt_table = 'nodepg.pgmigrations'." nodepg \
		--schema nodepg --create-schema
	# two tables of that name: both named, none picked
	fresh_db sm_adm
	psql_db sm_adm -c "CREATE SCHEMA nodepg" -c "CREATE TABLE nodepg.pgmigrations (id int)" \
		-c "CREATE SCHEMA other" -c "CREATE TABLE other.pgmigrations (id int)" >/dev/null
	out=$(sm sm_adm "SELECT sm.sm_adopt('node-pg-migrate', 'fmt_npm')" 2>&1)
	grep -qF 'is not on search_path, but 2 schemas have one' <<<"$out" &&
		grep -qF 'The tables are nodepg.pgmigrations, other.pgmigrations.' <<<"$out" &&
		pass "node-pg-migrate: two pgmigrations tables elsewhere are both named, none picked" ||
		{ fail "node-pg-migrate: two tables elsewhere, got:"; echo "$out" | head -n 6; }
	# a setting naming no table
	out=$(sm sm_adm "SELECT sm.sm_adopt('node-pg-migrate', 'fmt_npm')" -c "SET schema_migrate.adopt_table = 'nope.pgmigrations'" 2>&1)
	grep -qF 'table "nope.pgmigrations" named by schema_migrate.adopt_table does not exist' <<<"$out" &&
		pass "node-pg-migrate: schema_migrate.adopt_table naming no table is refused" ||
		{ fail "node-pg-migrate: adopt_table naming no table, got:"; echo "$out" | head -n 6; }
	npm_elsewhere "--migrations-schema meta --migrations-table applied" meta.applied \
		'table "pgmigrations" of node-pg-migrate does not exist' meta \
		--migrations-schema meta --create-migrations-schema --migrations-table applied
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

fmt_finish t_adopt_more "every tool's bookkeeping taken over"
