#!/usr/bin/env bash
#
# bench/peers.sh -- the other migration tools on the same migrations, in the
# cluster bench/run started: Alembic and sqitch (Debian packages), dbmate and
# node-pg-migrate (npm, in test/install_peers.sh's cache directory), each
# timed against raw `psql -1 -f` of the same SQL measured in this run.
#
# bench/run calls it with PEERS=1 (or PEERS=install) after its own figures;
# by hand, with any running cluster:
#
#   PGHOST=/path/to/socket PGPORT=5432 N=100 bash bench/peers.sh OUTDIR
#
# It writes OUTDIR/peers.md (the table) and OUTDIR/*.json (hyperfine).
#
# Environment:
#   PGHOST PGPORT PGUSER  the cluster (required: PGHOST, PGPORT)
#   PGBIN       the server's bin directory (default: pg_config --bindir)
#   N           migrations (default 500); each creates a table with an index,
#               as bench/run's set does, and drops it going down
#   RUNS        hyperfine runs for apply and downgrade (default 5)
#   NOOP_RUNS   hyperfine runs for the no-op (default 15)
#   TOOLS       which to run (default "psql1 alembic sqitch dbmate npgm")
#   PEERS       install = apt-get the Debian packages (python3-alembic,
#               python3-psycopg2, sqitch, libdbd-pg-perl) and run
#               test/install_peers.sh for the npm ones when they are missing;
#               otherwise a missing tool is skipped, and the table says so
#   SM_NPM      the npm cache root (default ${XDG_CACHE_HOME:-~/.cache}/schema_migrate/npm)

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTDIR=${1:?usage: bench/peers.sh OUTDIR}
: "${PGHOST:?PGHOST must name the cluster}" "${PGPORT:?PGPORT must name the cluster}"
export PGHOST PGPORT PGUSER=${PGUSER:-postgres}
unset PGDATABASE
PGBIN=${PGBIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
PSQLBIN=$PGBIN/psql
PSQL="$PSQLBIN -X -q -v ON_ERROR_STOP=1"
N=${N:-500} RUNS=${RUNS:-5} NOOP_RUNS=${NOOP_RUNS:-15}
TOOLS=${TOOLS:-psql1 alembic sqitch dbmate npgm}
NPM=${SM_NPM:-${XDG_CACHE_HOME:-$HOME/.cache}/schema_migrate/npm}
PY=/usr/bin/python3 # Debian's, where python3-alembic installs
DB=peers
G=$OUTDIR/gen

log() { printf '[%s] peers: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
mkdir -p "$OUTDIR" "$G" || exit 1
command -v hyperfine >/dev/null || { log "hyperfine is needed (apt-get install hyperfine)"; exit 1; }

########################################################################
# the tools: installed, or installed now (PEERS=install), or skipped
########################################################################
have_alembic() { "$PY" -c 'import alembic, sqlalchemy, psycopg2' 2>/dev/null; }
have_sqitch() { command -v sqitch >/dev/null && perl -MDBD::Pg -e 1 2>/dev/null; }
DBMATE=$NPM/dbmate/node_modules/.bin/dbmate
NPGM=$NPM/node-pg-migrate/node_modules/.bin/node-pg-migrate
if [ "${PEERS:-}" = install ]; then
	if ! have_alembic || ! have_sqitch; then
		log "installing python3-alembic python3-psycopg2 sqitch libdbd-pg-perl"
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			python3-alembic python3-sqlalchemy python3-psycopg2 sqitch libdbd-pg-perl; } >/dev/null 2>&1 ||
			log "apt-get could not install them"
	fi
	if [ ! -x "$DBMATE" ] || [ ! -x "$NPGM" ]; then
		SM_NPM=$NPM bash "$HERE/../test/install_peers.sh" >/dev/null
	fi
fi
skipped=()
usable() {
	case $1 in
	psql1) return 0 ;;
	alembic) have_alembic && return 0 ;;
	sqitch) have_sqitch && return 0 ;;
	dbmate) [ -x "$DBMATE" ] && return 0 ;;
	npgm) command -v node >/dev/null && [ -x "$NPGM" ] && return 0 ;;
	esac
	skipped+=("$1")
	return 1
}

########################################################################
# the same N migrations, written for each tool
########################################################################
"$PY" - "$G" "$N" "$PSQLBIN" <<'PY'
import datetime, os, sys
G, N, psql = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
ups = [f"CREATE TABLE t_{i} (\n    id bigserial PRIMARY KEY,\n    name text NOT NULL,\n"
       f"    qty integer NOT NULL DEFAULT 0,\n    created_at timestamptz NOT NULL DEFAULT now()\n);\n"
       f"CREATE INDEX t_{i}_name_idx ON t_{i} (name);\n" for i in range(1, N + 1)]
downs = [f"DROP TABLE t_{i};\n" for i in range(1, N + 1)]
w(f"{G}/sql/all_up.sql", "".join(ups))
w(f"{G}/sql/all_down.sql", "".join(reversed(downs)))
base = datetime.datetime(2024, 1, 1)
plan = ["%syntax-version=1.0.0", "%project=peers", ""]
for i, (up, down) in enumerate(zip(ups, downs), 1):
    ts = base + datetime.timedelta(minutes=i)
    prev = repr(f"{i - 1:05d}") if i > 1 else "None"
    w(f"{G}/alembic/versions/{i:05d}_m{i}.py",
      f'"""migration {i}"""\nfrom alembic import op\n\nrevision = "{i:05d}"\ndown_revision = {prev}\n'
      f"branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.execute({up!r})\n\n\n"
      f"def downgrade():\n    op.execute({down!r})\n")
    plan.append(f"m{i:05d} {ts:%Y-%m-%dT%H:%M:%SZ} Bench <bench@example.invalid> # migration {i}")
    w(f"{G}/sqitch/deploy/m{i:05d}.sql", up)
    w(f"{G}/sqitch/revert/m{i:05d}.sql", down)
    w(f"{G}/dbmate/{ts:%Y%m%d%H%M%S}_m{i}.sql", f"-- migrate:up\n{up}\n-- migrate:down\n{down}")
    w(f"{G}/npgm/{int(ts.timestamp() * 1000)}_m{i}.sql", f"-- Up Migration\n{up}\n-- Down Migration\n{down}")
w(f"{G}/sqitch/sqitch.plan", "\n".join(plan) + "\n")
w(f"{G}/sqitch/sqitch.conf",
  f"[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n"
  f"[engine \"pg\"]\n\ttarget = db:pg:peers\n\tclient = {psql}\n"
  "[user]\n\tname = Bench\n\temail = bench@example.invalid\n")
PY
[ $? = 0 ] || { log "could not write the migrations"; exit 1; }
if have_alembic && [[ " $TOOLS " == *" alembic "* ]]; then
	# the stock environment of `alembic init` (generic template: one transaction)
	(cd "$G/alembic" && mv versions versions.gen && "$PY" -m alembic init env >/dev/null &&
		rmdir env/versions && mv versions.gen env/versions &&
		sed -i -e "s|^script_location = .*|script_location = %(here)s/env|" \
			-e "s|^sqlalchemy.url = .*|sqlalchemy.url = postgresql+psycopg2://$PGUSER@/$DB?host=$PGHOST\&port=$PGPORT|" alembic.ini) ||
		{ log "alembic init failed"; echo "alembic init failed" >"$OUTDIR/alembic_apply.failed"; TOOLS=${TOOLS//alembic/}; }
fi
chmod -R a+rX "$OUTDIR"

########################################################################
# measuring
########################################################################
RECREATE="$PSQL -d postgres -c 'DROP DATABASE IF EXISTS $DB' -c 'CREATE DATABASE $DB'"
from_template() { echo "$PSQL -d postgres -c 'DROP DATABASE IF EXISTS $DB' -c 'CREATE DATABASE $DB TEMPLATE $1'"; }
q() { PGOPTIONS="-c client_min_messages=warning" $PSQL -At "$@"; }

# hf NAME RUNS PREPARE COMMAND -> OUTDIR/NAME.json
hf() {
	local name=$1 runs=$2 prep=$3 cmd=$4 args=()
	[ -n "$prep" ] && args+=(--prepare "$prep")
	log "  $name: $cmd"
	if ! hyperfine --style basic --runs "$runs" --warmup 1 "${args[@]}" --export-json "$OUTDIR/$name.json" \
		--command-name "$name" "$cmd" >>"$OUTDIR/hyperfine.log" 2>&1; then
		rm -f "$OUTDIR/$name.json"
		{ [ -z "$prep" ] || sh -c "$prep"; sh -c "$cmd"; } >"$OUTDIR/$name.failed" 2>&1
		log "  !! $name failed: $(grep -m1 -i error "$OUTDIR/$name.failed")"
		return 1
	fi
}
tables() { q -d $DB -c "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '^t_[0-9]+\$'"; }
state_is() { # want tool
	local got
	got=$(tables)
	[ "$got" = "$1" ] && return 0
	log "  !! $2: $got tables, expected $1"
	echo "$got tables, expected $1" >"$OUTDIR/$2.failed"
	return 1
}

# bench_tool KEY APPLY NOOP DOWN (NOOP empty: the tool has no no-op)
bench_tool() {
	local key=$1 apply=$2 noop=$3 down=$4
	log "== $key (N=$N)"
	hf "${key}_apply" "$RUNS" "$RECREATE" "$apply" && state_is "$N" "${key}_apply" || return 0
	if [ -n "$noop" ]; then
		hf "${key}_noop" "$NOOP_RUNS" "" "$noop" && state_is "$N" "${key}_noop" || return 0
	fi
	q -d postgres -c "DROP DATABASE IF EXISTS peers_tpl" -c "CREATE DATABASE peers_tpl TEMPLATE $DB"
	hf "${key}_down" "$RUNS" "$(from_template peers_tpl)" "$down" && state_is 0 "${key}_down"
	q -d postgres -c "DROP DATABASE IF EXISTS peers_tpl"
}

DBMATE_URL="postgres://$PGUSER@:$PGPORT/$DB?socket=$PGHOST&sslmode=disable"
for tool in $TOOLS; do
	usable "$tool" || continue
	case $tool in
	psql1)
		bench_tool psql1 "$PSQL -d $DB -1 -f $G/sql/all_up.sql" "" "$PSQL -d $DB -1 -f $G/sql/all_down.sql"
		hf select1_noop "$NOOP_RUNS" "" "$PSQLBIN -X -At -d postgres -c 'select 1'"
		;;
	alembic)
		A="$PY -m alembic -c $G/alembic/alembic.ini"
		bench_tool alembic "$A upgrade head" "$A upgrade head" "$A downgrade base"
		;;
	sqitch)
		S="sqitch --chdir $G/sqitch"
		bench_tool sqitch "$S deploy" "$S deploy" "$S revert -y"
		;;
	dbmate)
		D="$DBMATE --no-dump-schema --url '$DBMATE_URL' --migrations-dir $G/dbmate"
		# dbmate rolls back one migration per call
		bench_tool dbmate "$D migrate" "$D migrate" "for i in \$(seq $N); do $D rollback >/dev/null || exit 1; done"
		;;
	npgm)
		M="DATABASE_URL='postgres://$PGUSER@localhost/$DB?host=$PGHOST&port=$PGPORT' $NPGM -m $G/npgm --no-check-order"
		bench_tool npgm "$M up" "$M up" "$M down $N"
		;;
	*) log "unknown tool $tool" ;;
	esac
done
q -d postgres -c "DROP DATABASE IF EXISTS $DB"

########################################################################
# versions and the table
########################################################################
{
	echo "psql: $($PSQLBIN --version)"
	have_alembic && "$PY" -c 'import alembic, sqlalchemy, psycopg2, sys; print("alembic", alembic.__version__, "| sqlalchemy", sqlalchemy.__version__, "| psycopg2", psycopg2.__version__.split()[0], "| python", sys.version.split()[0])'
	have_sqitch && echo "sqitch $(sqitch --version | awk '{print $NF}') | DBD::Pg $(perl -MDBD::Pg -e 'print $DBD::Pg::VERSION')"
	[ -x "$DBMATE" ] && echo "dbmate $("$DBMATE" --version | awk '{print $NF}')"
	[ -x "$NPGM" ] && echo "node-pg-migrate $(node -p "require('$NPM/node-pg-migrate/node_modules/node-pg-migrate/package.json').version") | node $(node --version)"
} >"$OUTDIR/versions.txt" 2>/dev/null
"$PY" - "$OUTDIR" "$N" "${skipped[*]:-}" <<'PY' | tee "$OUTDIR/peers.md"
import json, os, sys
out, N, skipped = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
def med(name):
    p = os.path.join(out, name + ".json")
    return json.load(open(p))["results"][0]["median"] if os.path.exists(p) else None
def cell(name):
    v = med(name)
    if v is not None:
        return f"{v:.3f}"
    return "FAIL" if os.path.exists(os.path.join(out, name + ".failed")) else "-"
label = {"psql1": "raw `psql -1 -f` (the limit; no-op: `psql -c 'select 1'`)", "alembic": "Alembic (`python3 -m alembic`)",
         "sqitch": "sqitch (pg engine)", "dbmate": "dbmate (one call per rollback)", "npgm": "node-pg-migrate (SQL files)"}
base, s1 = med("psql1_apply"), med("select1_noop")
print(f"\n### Peers, N={N}, the same cluster (medians, seconds)\n")
print("| tool | apply all | apply ratio vs psql -1 | no-op | no-op ratio vs select 1 | downgrade all |")
print("|---|---:|---:|---:|---:|---:|")
for k, l in label.items():
    if k in skipped or not any(os.path.exists(os.path.join(out, f"{k}_{p}.{e}")) for p in ("apply", "noop", "down") for e in ("json", "failed")):
        continue
    a, n = med(k + "_apply"), med(k + "_noop")
    n = s1 if k == "psql1" and n is None else n
    print(f"| {l} | {cell(k + '_apply')} | {f'{a / base:.1f}x' if a and base else '-'} | "
          f"{cell('select1_noop') if k == 'psql1' else cell(k + '_noop')} | {f'{n / s1:.1f}x' if n and s1 else '-'} | {cell(k + '_down')} |")
if skipped:
    print(f"\nNot installed, skipped: {', '.join(skipped)} (PEERS=install installs them).")
v = os.path.join(out, "versions.txt")
if os.path.exists(v):
    print("\n" + open(v).read().strip().replace("\n", "; "))
PY
