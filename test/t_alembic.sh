#!/usr/bin/env bash
#
# t_alembic.sh -- an Alembic project comes over with bin/sm-alembic (issue 14).
# The project is test/alembic/ (9 revisions: a branch, a merge, a branch
# label, a depends_on, an enum type, a batch of op. operations, a data
# migration, an inspector-based "create only missing tables" root and an
# empty merge), run by Debian's Alembic 1.8 and SQLAlchemy 1.4:
# - `sm-alembic import` converts it: the inspector revision is reported and
#   not written (or written as a failing placeholder with --stubs); each file
#   keeps Alembic's ids, graph and rendered SQL less Alembic's bookkeeping;
# - `alembic upgrade head` and sm_upgrade('head') of the converted set (with
#   the reported revision ported by hand) give the same pg_dump --schema-only
#   (less alembic_version and the extension) and the same rows; so do
#   `alembic downgrade base` and sm_downgrade('base');
# - a database Alembic migrated to the middle of the graph: sm_adopt('alembic')
#   then sm_upgrade('head') applies exactly the rest;
# - `sm-alembic models` DDL applied to an empty database gives the schema
#   metadata.create_all() gives;
# - --help, a missing alembic.ini, a broken env.py, import errors: non-zero
#   exit with a clear message, nothing written.
# shellcheck disable=SC2016,SC2034  # the checks are eval'ed strings that read $out and $rc
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

has() { grep -q -- "$2" <<<"$1"; }       # has TEXT PATTERN
hasnt() { ! grep -q -- "$2" <<<"$1"; }

# Debian's Alembic, SQLAlchemy and psycopg2, for Debian's python3 (sm-alembic's
# interpreter): install them when missing, as cluster.sh does for PostgreSQL.
PY=/usr/bin/python3
if ! "$PY" -c 'import alembic, sqlalchemy, psycopg2' 2>/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "not ok - python3-alembic, python3-sqlalchemy, python3-psycopg2 missing (run as root to install)"
		exit 1
	fi
	echo "[t_alembic] installing python3-alembic python3-sqlalchemy python3-psycopg2" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq python3-alembic python3-sqlalchemy python3-psycopg2; } >/dev/null ||
		{ echo "not ok - apt-get install python3-alembic failed"; exit 1; }
fi

sm_test_setup t_alembic
mkdir -p "$WORK/sets"
cp -r test/alembic "$WORK/proj"
rm -rf "$WORK/proj/__pycache__" "$WORK/proj/versions/__pycache__" "$WORK/proj/extra"
SMA=${SM_ALEMBIC:-$ROOT/bin/sm-alembic}
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c client_min_messages=warning"
export PYTHONDONTWRITEBYTECODE=1
DBS=""

q() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1; }
newdb() { "$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" && DBS="$DBS $1"; }
url() { echo "postgresql+psycopg2://${PGUSER:-postgres}@/$1?host=$PGHOST&port=$PGPORT"; }
alembic() { # DB ARGS...: Alembic's own command line on the test project
	local db=$1; shift
	(cd "${PROJ:-$WORK/proj}" && DATABASE_URL=$(url "$db") "$PY" -m alembic "$@")
}
readable() { chmod -R a+rX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK/sets"; return 0; }
# pg_dump --schema-only less each tool's own objects (alembic_version, the extension)
schema_dump() {
	"$SM_PGBIN/pg_dump" --schema-only --no-owner -d "$1" | "$PY" -c '
import re, sys
text = sys.stdin.read()
# \restrict carries a random key; SET default_tablespace/table_access_method
# are session settings pg_dump writes once a table is dumped (alembic_version)
text = re.sub(r"(?m)^(\\(un)?restrict \S+\n|SET default_table(space|_access_method) = .*\n\n)", "", text)
blocks = re.split(r"(?m)^(?=--\n-- Name: )", text)
keep = [b for b in blocks if not re.search(r"^-- Name: .*(alembic_version|schema_migrate)", b, re.M)]
sys.stdout.write("".join(keep))'
}
rows() { q "$1" "SELECT string_agg(format('%s|%s|%s|%s', id, name, email, phone), ';' ORDER BY id) FROM customers"; }
sql_file_section() { # FILE up|down: that section of a native file
	"$PY" -c '
import re, sys
t = open(sys.argv[1]).read()
up, _, down = t.partition("\n-- +down\n")
print((up.partition("\n-- +up\n")[2] if sys.argv[2] == "up" else down), end="")' "$1" "$2"
}

# ---------------------------------------------------------------- the CLI
out=$("$SMA" --help 2>&1); rc=$?
check "sm-alembic --help exits 0 and describes both commands" \
	eval '[ $rc = 0 ] && has "$out" "sm-alembic import \[-c alembic.ini\]" && has "$out" "sm-alembic models MODULE:METADATA"'
out=$("$SMA" import --help 2>&1); rc1=$?
out2=$("$SMA" models --help 2>&1); rc2=$?
check "sm-alembic import --help and models --help exit 0 with the usage" \
	eval '[ $rc1 = 0 ] && [ $rc2 = 0 ] && has "$out" "Exit status" && has "$out2" "create_mock_engine"'
out=$("$SMA" 2>&1); rc=$?
check "no command: usage error (exit 2) naming the commands" eval '[ $rc = 2 ] && has "$out" "name a command: import or models"'
out=$("$SMA" frobnicate 2>&1); rc=$?
check "an unknown command: usage error (exit 2)" eval '[ $rc = 2 ] && has "$out" "invalid choice"'

out=$(cd "$WORK" && "$SMA" import -c nowhere/alembic.ini -d "$WORK/none" 2>&1); rc=$?
check "a missing alembic.ini: exit 1, says so with a hint, writes nothing" \
	eval '[ $rc = 1 ] && has "$out" "sm-alembic: Alembic configuration file \"nowhere/alembic.ini\" not found" && has "$out" "HINT: .*-c" && [ ! -e "$WORK/none" ]'
out=$(cd "$WORK/proj" && "$PY" -S "$SMA" import -d "$WORK/none" 2>&1); rc=$?
check "Alembic not importable (python3 -S): exit 1, names the package to install" \
	eval '[ $rc = 1 ] && has "$out" "alembic is not installed for" && has "$out" "apt-get install python3-alembic" && [ ! -e "$WORK/none" ]'

out=$(cd "$WORK/proj" && "$SMA" import -n nosuch -d "$WORK/none" 2>&1); rc=$?
check "an ini section without script_location (-n nosuch): exit 1, Alembic's reason, the section named" \
	eval '[ $rc = 1 ] && has "$out" "Alembic cannot read the project of alembic.ini: No config file .*alembic.ini. found, or file has no .\[nosuch\]. section" && has "$out" "HINT: Give the \[nosuch\] section of alembic.ini a script_location, or name the section that has it with -n." && [ ! -e "$WORK/none" ]'
if [ -x "$SM_PGBIN/sm-new" ] && [ -z "${SM_ALEMBIC:-}" ]; then
	check "make install puts sm-alembic next to sm-new, as it is in bin/" cmp -s "$SM_PGBIN/sm-alembic" "$SMA"
fi

for kind in raise import syntax revision; do
	rm -rf "$WORK/broken" && cp -r "$WORK/proj" "$WORK/broken"
	case $kind in
	raise) printf '\nraise RuntimeError("env.py is broken on purpose")\n' >>"$WORK/broken/env.py"
		want='env.py failed: RuntimeError: env.py is broken on purpose (env.py line [0-9]*)' ;;
	import) sed -i 's/^from models import Base/from modelz import Base/' "$WORK/broken/env.py"
		want="env.py failed: ModuleNotFoundError: No module named 'modelz' (env.py line 14)" ;;
	syntax) sed -i 's/^def run_migrations_offline():/def run_migrations_offline(:/' "$WORK/broken/env.py"
		want='env.py failed: .*SyntaxError' ;;
	revision) printf '\nimport no_such_helper\n' >>"$WORK/broken/versions/6e3a0c4d8f66_invoices.py"
		want="Alembic cannot read the revisions of alembic.ini: ModuleNotFoundError: No module named 'no_such_helper'" ;;
	esac
	out=$(cd "$WORK/broken" && "$SMA" import -d "$WORK/none" 2>&1); rc=$?
	check "import with a broken project ($kind): exit 1, \"$want\", nothing written" \
		eval '[ $rc = 1 ] && has "$out" "$want" && [ ! -e "$WORK/none" ]'
	[ $rc = 1 ] && has "$out" "$want" || echo "# $out"
done

# ---------------------------------------------------------------- import
SET=$WORK/sets/app
out=$(cd "$WORK/proj" && "$SMA" import -d "$SET" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "import exits 3 when a revision needs a hand" test "$rc" = 3
check "...reports the inspector revision as needing a hand, with the reason" \
	has "$out" "^needs a hand  1f0c2a7d3b10  versions/1f0c2a7d3b10_create_missing_tables.py: upgrade() cannot be rendered offline (it needs a live database connection): .*(versions/1f0c2a7d3b10_create_missing_tables.py line 22)"
check "...and writes nothing for it" eval '! ls "$SET" | grep -q 1f0c2a7d3b10'
check "...reports the empty merge as empty in Alembic too" \
	has "$out" "^empty         8a5c2e6f0b88  merge reporting into main (empty in Alembic too) -> $SET/8a5c2e6f0b88_merge_reporting_into_main.sql"
for r in 2a9e41c05d22 3b7d5e9f1a33 4c1e8a2b6d44 5d2f9b3c7e55 6e3a0c4d8f66 7f4b1d5e9a77 9b6d3f7a1c99; do
	has "$out" "^converted     $r  " || bad "import reports $r converted"
done
check "...the summary counts converted / empty / need a hand / kept" \
	has "$out" "^7 converted, 1 empty in Alembic too, 1 need a hand (not written; --stubs writes a failing placeholder), 0 kept$"
check "...8 files, named revision_message.sql" \
	test "$(ls "$SET" | tr '\n' ' ')" = "2a9e41c05d22_orders_with_a_status_enum.sql 3b7d5e9f1a33_batch_of_column_changes.sql 4c1e8a2b6d44_backfill_customers.sql 5d2f9b3c7e55_reporting_schema.sql 6e3a0c4d8f66_invoices.sql 7f4b1d5e9a77_reporting_view_over_invoices.sql 8a5c2e6f0b88_merge_reporting_into_main.sql 9b6d3f7a1c99_archive_flag_on_orders.sql "
check "the merge keeps both parents as a comma list" \
	grep -qx -- '-- down_revision: 6e3a0c4d8f66, 7f4b1d5e9a77' "$SET/8a5c2e6f0b88_merge_reporting_into_main.sql"
check "the branch label is on the revision that declares it, and only there" \
	eval 'grep -qx -- "-- branch_labels: reporting" "$SET/5d2f9b3c7e55_reporting_schema.sql" && [ "$(grep -l -- "-- branch_labels:" "$SET"/*.sql | wc -l)" = 1 ]'
check "depends_on is kept" grep -qx -- '-- depends_on: 6e3a0c4d8f66' "$SET/7f4b1d5e9a77_reporting_view_over_invoices.sql"
check "the message is the docstring's first paragraph" \
	grep -qx -- '-- message: reporting view over invoices' "$SET/7f4b1d5e9a77_reporting_view_over_invoices.sql"
check "a root's child names it; revision ids are Alembic's" \
	eval 'grep -qx -- "-- revision: 2a9e41c05d22" "$SET/2a9e41c05d22_orders_with_a_status_enum.sql" && grep -qx -- "-- down_revision: 1f0c2a7d3b10" "$SET/2a9e41c05d22_orders_with_a_status_enum.sql"'
check "no file holds Alembic's bookkeeping or BEGIN/COMMIT" \
	eval '! grep -l -i -e alembic_version -e "^BEGIN;" -e "^COMMIT;" "$SET"/*.sql'
check "the enum type is created and dropped" \
	eval 'grep -q "^CREATE TYPE order_status AS ENUM (.new., .paid., .shipped.);" "$SET/2a9e41c05d22_orders_with_a_status_enum.sql" && grep -q "^DROP TYPE order_status;" "$SET/2a9e41c05d22_orders_with_a_status_enum.sql"'
check "the data migration keeps its rows, quoting included" \
	grep -q "('O''Hara', 'ohara@example.com', NULL)" "$SET/4c1e8a2b6d44_backfill_customers.sql"
# byte for byte: Alembic's own command line output, less BEGIN/COMMIT and the version table
alembic_sql() { # ARGS: the --sql output of `alembic upgrade|downgrade RANGE --sql`, less bookkeeping
	alembic none "$@" --sql 2>/dev/null | "$PY" -c '
import re, sys
chunks = re.split(r"(?<=;\n\n)", sys.stdin.read())
own = re.compile(r"^(BEGIN;|COMMIT;|(CREATE TABLE|DROP TABLE|INSERT INTO|UPDATE|DELETE FROM) alembic_version\b)")
sys.stdout.write("".join(c for c in chunks if not own.match(c)))'
}
for spec in "3b7d5e9f1a33 2a9e41c05d22 batch_of_column_changes" "4c1e8a2b6d44 3b7d5e9f1a33 backfill_customers"; do
	set -- $spec
	f=$SET/$1_$3.sql
	check "up of $1 is byte for byte \"alembic upgrade $2:$1 --sql\" less the bookkeeping" \
		test "$(sql_file_section "$f" up)" = "$(printf '\n%s' "$(alembic_sql upgrade "$2:$1")")"
	check "down of $1 is byte for byte \"alembic downgrade $1:$2 --sql\" less the bookkeeping" \
		test "$(sql_file_section "$f" down)" = "$(printf '\n%s' "$(alembic_sql downgrade "$1:$2")")"
done

readable
newdb alm_part
q alm_part "CREATE EXTENSION schema_migrate" >/dev/null
out=$(q alm_part "SELECT sm_upgrade('head', 'app')"); rc=$?
check "without the reported revision, sm_upgrade refuses and names it" \
	eval '[ $rc != 0 ] && has "$out" "1f0c2a7d3b10" && [ "$(q alm_part "SELECT count(*) FROM pg_tables WHERE schemaname = '\''public'\'' AND tablename = '\''orders'\''")" = 0 ]'

# --stubs: a placeholder that stops an upgrade and a downgrade until ported
STUB=$WORK/sets/stubs
out=$(cd "$WORK/proj" && "$SMA" import --stubs -d "$STUB" 2>&1); rc=$?
check "import --stubs exits 3 and says the placeholder was written" \
	eval '[ $rc = 3 ] && has "$out" "1 need a hand (placeholder written)" && [ -f "$STUB/1f0c2a7d3b10_create_missing_tables.sql" ]'
readable
newdb alm_stub
q alm_stub "CREATE EXTENSION schema_migrate" >/dev/null
out=$("$PSQL_BIN" -X -q -At -d alm_stub -v VERBOSITY=verbose -c "SELECT sm_upgrade('head', 'stubs')" 2>&1)
check "the placeholder stops sm_upgrade with SQLSTATE 55000 and the revision" \
	has "$out" "ERROR:  55000: Alembic revision 1f0c2a7d3b10 was not converted: its upgrade() needs a live database"
check "...its detail gives the reason offline rendering failed" \
	has "$out" "DETAIL:  sm-alembic import could not render it offline: upgrade() cannot be rendered offline"
check "...its hint names the file to port and the line to delete" \
	has "$out" "HINT:  Port the revision by hand: replace the statements of 1f0c2a7d3b10_create_missing_tables.sql with the SQL its upgrade() runs"
check "...and nothing was applied" test "$(q alm_stub "SELECT count(*) FROM sm_version")" = 0
check "the placeholder stops only the direction that needs a hand: its down is Alembic's" \
	test "$(sql_file_section "$STUB/1f0c2a7d3b10_create_missing_tables.sql" down)" = "$(printf '\n%s' "$(alembic_sql downgrade 1f0c2a7d3b10:base)")"

# SQL with a line the native parser would read as a directive or marker
cp -r "$WORK/proj" "$WORK/proj3"
sed -i 's|op.execute("DROP VIEW reporting.invoice_totals")|op.execute("-- message: gone\\nDROP VIEW reporting.invoice_totals")|' \
	"$WORK/proj3/versions/7f4b1d5e9a77_reporting_invoice_view.py"
cp test/alembic/extra/b1d8f3e5c7bb_reads_data.py test/alembic/extra/c2e9a4f6d8cc_analyze_when_live.py "$WORK/proj3/versions/"
out=$(cd "$WORK/proj3" && "$SMA" import -d "$WORK/proj3/out" 2>&1); rc=$?
check "a revision that reads rows through op.get_bind() and branches on them needs a hand" \
	eval 'has "$out" "^needs a hand  b1d8f3e5c7bb  versions/b1d8f3e5c7bb_reads_data.py: upgrade() reads the database through op.get_bind() (SELECT id FROM customers WHERE phone = '"'unknown'"'), and offline its code sees no rows" && [ ! -e "$WORK/proj3/out/b1d8f3e5c7bb_normalise_unknown_phones.sql" ]'
check "an upgrade() that is not pass but renders no statement offline needs a hand" \
	has "$out" "^needs a hand  c2e9a4f6d8cc  versions/c2e9a4f6d8cc_analyze_when_live.py: upgrade() is not empty but rendered no statement offline (it must depend on the live database)$"
check "...and the summary counts them all" has "$out" "^6 converted, 1 empty in Alembic too, 4 need a hand"
check "SQL with a line that reads as a directive: the revision needs a hand, with the line" \
	eval '[ $rc = 3 ] && has "$out" "^needs a hand  7f4b1d5e9a77  versions/7f4b1d5e9a77_reporting_invoice_view.py: downgrade() renders a line schema_migrate would read as a directive: \"-- message: gone\"" && [ ! -e "$WORK/proj3/out/7f4b1d5e9a77_reporting_view_over_invoices.sql" ]'

# the revision ported by hand (what its upgrade() runs on an empty database)
cat >"$SET/1f0c2a7d3b10_create_missing_tables.sql" <<'EOF'
-- revision: 1f0c2a7d3b10
-- down_revision: none
-- message: create missing tables (ported by hand: the tables do not exist yet)

-- +up
CREATE TABLE customers (
    id SERIAL NOT NULL,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(200),
    PRIMARY KEY (id)
);

-- +down
DROP TABLE customers;
EOF
sum_before=$(sha256sum <"$SET/1f0c2a7d3b10_create_missing_tables.sql")
sum_others=$(cat "$SET"/[2-9]*.sql | sha256sum)
out=$(cd "$WORK/proj" && "$SMA" import -d "$SET" 2>&1); rc=$?
check "import again: exit 0, the ported file is kept, not replaced" \
	eval '[ $rc = 0 ] && has "$out" "^kept          1f0c2a7d3b10  create missing tables (1f0c2a7d3b10_create_missing_tables.sql, not written by sm-alembic)" && has "$out" "^7 converted, 1 empty in Alembic too, 0 need a hand, 1 kept$"'
check "...byte for byte, and the converted files come out the same" \
	eval '[ "$(sha256sum <"$SET/1f0c2a7d3b10_create_missing_tables.sql")" = "$sum_before" ] && [ "$(cat "$SET"/[2-9]*.sql | sha256sum)" = "$sum_others" ] && [ "$(ls "$SET" | wc -l)" = 9 ]'
readable

# ---------------------------------------------------------------- same schema both ways
newdb alm_a
newdb alm_b
out=$(alembic alm_a upgrade head 2>&1) || { bad "alembic upgrade head: $out"; }
q alm_b "CREATE EXTENSION schema_migrate" >/dev/null
out=$(q alm_b "SELECT sm_upgrade('head', 'app')")
check "sm_upgrade('head') of the converted set reaches Alembic's head" test "$out" = 9b6d3f7a1c99
check "alembic_version says the same head" test "$(q alm_a "SELECT version_num FROM alembic_version")" = 9b6d3f7a1c99
schema_dump alm_a >"$WORK/a.dump"
schema_dump alm_b >"$WORK/b.dump"
check "the dumps are not trivial (enum, view, partial index, reporting schema)" \
	eval 'grep -q "CREATE TYPE public.order_status AS ENUM" "$WORK/a.dump" && grep -q "CREATE VIEW reporting.invoice_totals" "$WORK/a.dump" && grep -q "WHERE (NOT archived)" "$WORK/a.dump" && ! grep -q alembic_version "$WORK/a.dump"'
check "alembic upgrade head and sm_upgrade('head') give identical pg_dump --schema-only" \
	diff -u "$WORK/a.dump" "$WORK/b.dump"
check "...and the same rows from the data migration" \
	eval '[ "$(rows alm_a)" = "$(rows alm_b)" ] && [ "$(rows alm_b)" = "1|Ada|ada@example.com|unknown;2|Bob|bob@example.com|+1 555 0100;3|O'\''Hara|ohara@example.com|unknown" ]'
cp "$WORK/a.dump" "$WORK/head.dump"

out=$(alembic alm_a downgrade base 2>&1) || bad "alembic downgrade base: $out"
out=$(q alm_b "SELECT sm_downgrade('base', 'app')")
check "sm_downgrade('base') reaches base" test "$(q alm_b "SELECT count(*) FROM sm_current('app')")" = 0
schema_dump alm_a >"$WORK/a.dump"
schema_dump alm_b >"$WORK/b.dump"
check "alembic downgrade base and sm_downgrade('base') give identical pg_dump --schema-only" \
	diff -u "$WORK/a.dump" "$WORK/b.dump"
check "...with every table, type and schema gone" \
	eval '! grep -q -e "CREATE TABLE" -e "CREATE TYPE" -e "CREATE SCHEMA" "$WORK/b.dump"'

# ---------------------------------------------------------------- adoption mid-graph
adopt() { # DB ALEMBIC_TARGET EXPECTED_ADOPTED EXPECTED_REST: Alembic to the target, then adopt and upgrade
	local db=$1 target=$2 adopted=$3 want=$4 out versions
	newdb "$db"
	out=$(alembic "$db" upgrade "$target" 2>&1) || { bad "alembic upgrade $target: $out"; return; }
	versions=$(q "$db" "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")
	q "$db" "CREATE EXTENSION schema_migrate" >/dev/null
	out=$(q "$db" "SELECT sm_adopt('alembic', 'app')")
	check "[$target] sm_adopt('alembic') takes over at alembic_version ($versions), no stamping: now at $out" \
		test "$(q "$db" "SELECT string_agg(revision, ',' ORDER BY revision) FROM sm_version WHERE set_name = 'app'")" = "$adopted"
	out=$(q "$db" "SELECT sm_upgrade('head', 'app')")
	check "[$target] sm_upgrade('head') then reaches the head" test "$out" = 9b6d3f7a1c99
	out=$(q "$db" "SELECT string_agg(revision, ',' ORDER BY revision) FROM sm_log WHERE operation = 'upgrade' AND success")
	check "[$target] ...applying exactly the rest ($want)" test "$out" = "$want"
	schema_dump "$db" >"$WORK/$db.dump"
	check "[$target] ...and the schema is the one alembic upgrade head gives" diff -u "$WORK/head.dump" "$WORK/$db.dump"
}
R1=1f0c2a7d3b10,2a9e41c05d22,3b7d5e9f1a33
adopt alm_mid1 7f4b1d5e9a77 $R1,4c1e8a2b6d44,5d2f9b3c7e55,6e3a0c4d8f66,7f4b1d5e9a77 8a5c2e6f0b88,9b6d3f7a1c99
adopt alm_mid2 3b7d5e9f1a33 $R1 4c1e8a2b6d44,5d2f9b3c7e55,6e3a0c4d8f66,7f4b1d5e9a77,8a5c2e6f0b88,9b6d3f7a1c99
adopt alm_mid3 5d2f9b3c7e55 $R1,4c1e8a2b6d44,5d2f9b3c7e55 6e3a0c4d8f66,7f4b1d5e9a77,8a5c2e6f0b88,9b6d3f7a1c99

# ---------------------------------------------------------------- autocommit_block
# a revision after the head with op.get_context().autocommit_block(): Alembic
# commits around it; the converted file is "-- transactional: false"
cp -r "$WORK/proj" "$WORK/proj2"
cp test/alembic/extra/a0c7e2d4b6aa_refunded_status.py "$WORK/proj2/versions/"
SET2=$WORK/sets/app2
mkdir -p "$SET2" && cp "$SET/1f0c2a7d3b10_create_missing_tables.sql" "$SET2/"
out=$(cd "$WORK/proj2" && "$SMA" import -d "$SET2" 2>&1); rc=$?
F2=$SET2/a0c7e2d4b6aa_refunded_status_invoice_date_index.sql
check "an autocommit_block() revision converts (exit 0) as \"-- transactional: false\"" \
	eval '[ $rc = 0 ] && has "$out" "^converted     a0c7e2d4b6aa" && grep -qx -- "-- transactional: false" "$F2"'
check "...without Alembic's COMMIT/BEGIN around the block, the statements kept" \
	eval '! grep -q -e "^COMMIT;" -e "^BEGIN;" "$F2" && grep -q "^CREATE INDEX CONCURRENTLY ix_invoices_issued_on ON invoices (issued_on);" "$F2"'
check "...and only that revision is non-transactional" test "$(grep -l -- "-- transactional:" "$SET2"/*.sql | wc -l)" = 1
readable
newdb alm_ac_a
newdb alm_ac_b
PROJ=$WORK/proj2
out=$(alembic alm_ac_a upgrade head 2>&1) || bad "alembic upgrade head (autocommit): $out"
q alm_ac_b "CREATE EXTENSION schema_migrate" >/dev/null
out=$(q alm_ac_b "SELECT sm_upgrade('head', 'app2')"); rc=$?
check "sm_upgrade refuses the non-transactional revision before running anything" \
	eval '[ $rc != 0 ] && has "$out" "a0c7e2d4b6aa" && [ "$(q alm_ac_b "SELECT count(*) FROM sm_version")" = 0 ]'
out=$(q alm_ac_b "CALL sm_migrate('head', 'app2')" 2>&1); rc=$?
check "CALL sm_migrate('head') applies it" \
	eval '[ $rc = 0 ] && [ "$(q alm_ac_b "SELECT * FROM sm_current('"'app2'"')")" = a0c7e2d4b6aa ]' || echo "# $out"
schema_dump alm_ac_a >"$WORK/a.dump"
schema_dump alm_ac_b >"$WORK/b.dump"
check "...with the schema alembic upgrade head gives (new enum value, valid index)" \
	eval 'diff -u "$WORK/a.dump" "$WORK/b.dump" && grep -q "refunded" "$WORK/b.dump" && grep -q "ix_invoices_issued_on" "$WORK/b.dump"'
out=$(alembic alm_ac_a downgrade -1 2>&1) || bad "alembic downgrade -1 (autocommit): $out"
out=$(q alm_ac_b "CALL sm_migrate('9b6d3f7a1c99', 'app2')" 2>&1) || bad "CALL sm_migrate down: $out"
schema_dump alm_ac_a >"$WORK/a.dump"
schema_dump alm_ac_b >"$WORK/b.dump"
check "...and back down one, the same schema as alembic downgrade -1" \
	eval 'diff -u "$WORK/a.dump" "$WORK/b.dump" && ! grep -q "ix_invoices_issued_on" "$WORK/b.dump"'
PROJ=

# ---------------------------------------------------------------- models
SCHEMA=$WORK/sets/app/schema
mkdir -p "$SCHEMA"
printf -- '-- Written by sm-alembic models from models:Base.metadata: edit the models, not this file.\n\nCREATE TABLE gone (id int);\n' >"$SCHEMA/004_gone.sql"
printf -- 'CREATE VIEW mine AS SELECT 1;\n' >"$SCHEMA/900_mine.sql"
out=$(cd "$WORK/proj" && "$SMA" models models:Base.metadata -d "$SCHEMA" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "models exits 0 and writes the schema, one file per table in dependency order" \
	eval '[ $rc = 0 ] && [ "$(ls "$SCHEMA" | tr "\n" " ")" = "000_schemas.sql 001_types.sql 002_customers.sql 003_reporting_daily_totals.sql 004_orders.sql 005_invoices.sql 900_mine.sql " ]'
check "...removes a file it wrote before for a table no longer in the models, keeps the others" \
	eval 'has "$out" "^removed $SCHEMA/004_gone.sql" && ! [ -e "$SCHEMA/004_gone.sql" ] && [ -f "$SCHEMA/900_mine.sql" ] && ! grep -q gone "$SCHEMA"/00*.sql'
rm -f "$SCHEMA/900_mine.sql"
check "...the enum type in the types file, a table's indexes after it in its file" \
	eval 'grep -qx "CREATE TYPE order_status AS ENUM (.new., .paid., .shipped.);" "$SCHEMA/001_types.sql" && awk "/CREATE TABLE orders/{c=NR} /CREATE INDEX ix_orders_customer_id/{i=NR} END{exit !(c && c<i)}" "$SCHEMA/004_orders.sql"'
check "...the schema the models use is created first" grep -qx 'CREATE SCHEMA reporting;' "$SCHEMA/000_schemas.sql"
check "the set with its schema/ folder still loads" test "$(q alm_b "SELECT count(*) FROM sm_history('app')")" = 9
newdb alm_models
newdb alm_create_all
for f in "$SCHEMA"/*.sql; do
	"$PSQL_BIN" -X -q -v ON_ERROR_STOP=1 -d alm_models -f "$f" >/dev/null 2>"$WORK/models.err" || { bad "applying $f: $(cat "$WORK/models.err")"; }
done
(cd "$WORK/proj" && "$PY" -c '
import sys, sqlalchemy as sa, models
engine = sa.create_engine(sys.argv[1])
with engine.begin() as c:
    c.execute(sa.text("CREATE SCHEMA reporting"))   # create_all() creates no schema
models.Base.metadata.create_all(engine)' "$(url alm_create_all)") || bad "metadata.create_all() failed"
schema_dump alm_models >"$WORK/m.dump"
schema_dump alm_create_all >"$WORK/c.dump"
check "sm-alembic models DDL gives the schema metadata.create_all() gives" diff -u "$WORK/c.dump" "$WORK/m.dump"
check "...which is not trivial (4 tables, the enum, the partial index, the check)" \
	eval '[ "$(grep -c "^CREATE TABLE" "$WORK/m.dump")" = 4 ] && grep -q "CREATE TYPE public.order_status" "$WORK/m.dump" && grep -q "WHERE (NOT archived)" "$WORK/m.dump" && grep -q "ck_orders_amount_positive CHECK" "$WORK/m.dump"'

out=$(cd "$WORK" && "$SMA" models models:Base.metadata -p proj -d "$WORK/schema_p" 2>&1); rc=$?
check "models -p DIR imports the module from DIR, and gives the same files" \
	eval '[ $rc = 0 ] && diff -r "$SCHEMA" "$WORK/schema_p"'

for spec in "nosuchmodule:Base|cannot import nosuchmodule: ModuleNotFoundError: No module named 'nosuchmodule'" \
	"models:Nope|models has no attribute Nope" "models|\"models\" is not MODULE:METADATA" \
	"models:order_status|models:order_status is a Enum, not a SQLAlchemy MetaData" \
	"broken_models:Base|cannot import broken_models: ImportError: cannot import name 'Nothing' from 'sqlalchemy'"; do
	target=${spec%%|*} want=${spec#*|}
	printf 'from sqlalchemy import Nothing\n' >"$WORK/proj/broken_models.py"
	out=$(cd "$WORK/proj" && "$SMA" models "$target" -d "$WORK/none" 2>&1); rc=$?
	check "models $target: exit 1, \"$want\", nothing written" eval '[ $rc = 1 ] && has "$out" "sm-alembic: $want" && [ ! -e "$WORK/none" ]'
	[ $rc = 1 ] && has "$out" "sm-alembic: $want" || echo "# $out"
done

for db in $DBS; do "$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null; done
echo "t_alembic: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
