#!/usr/bin/env bash
#
# lint_vs_squawk.sh -- squawk (npm squawk-cli) and sm_lint side by side over
# the real public migration folders the project reads (test/sets/fmt_*, plus
# crates.io's 285 diesel migrations and Permify's goose migrations when their
# git mirrors are given).  Counts per rule; bench/README.md explains where
# they differ and why.
#
#   bench/lint_vs_squawk.sh
#   CRATESIO=/path/to/crates.io.git PERMIFY=/path/to/permify.git bench/lint_vs_squawk.sh
#   SQUAWK=/path/to/squawk (default: ${SM_NPM:-$HOME/.cache/schema_migrate/npm}/squawk/node_modules/.bin/squawk;
#                           npm install --prefix ${SM_NPM:-$HOME/.cache/schema_migrate/npm}/squawk squawk-cli)
#   OUT=/tmp/lvs            keep the table and details.tsv there
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh

SQUAWK=${SQUAWK:-${SM_NPM:-$HOME/.cache/schema_migrate/npm}/squawk/node_modules/.bin/squawk}
[ -x "$SQUAWK" ] || bash test/install_peers.sh --bench >/dev/null
[ -x "$SQUAWK" ] || { echo "squawk not found: npm install --prefix ${SM_NPM:-$HOME/.cache/schema_migrate/npm}/squawk squawk-cli"; exit 1; }
if [ -z "${PGHOST:-}" ]; then
	sm_cluster_start || { echo "could not start a cluster"; exit 1; }
fi
: "${SM_PGBIN:=$("$(sm_pg_config)" --bindir)}"
WORK=${OUT:-$(mktemp -d "${SM_CLUSTER_DIR:-/tmp}/lvs.XXXXXX")}
mkdir -p "$WORK/sets"
SETS=()
for d in test/sets/fmt_*; do
	case $d in *fmt_bad_*) continue ;; esac
	cp -r "$d" "$WORK/sets/"
	SETS+=("$(basename "$d")")
done
# real projects, from git mirrors: the migrations folder of their HEAD
if [ -n "${CRATESIO:-}" ]; then
	mkdir -p "$WORK/sets/cratesio"
	git --git-dir="$CRATESIO" archive HEAD:migrations | tar -x -C "$WORK/sets/cratesio"
	echo "crates.io at $(git --git-dir="$CRATESIO" rev-parse HEAD)" >"$WORK/origins.txt"
	SETS+=(cratesio)
fi
if [ -n "${PERMIFY:-}" ]; then
	mkdir -p "$WORK/sets/permify"
	git --git-dir="$PERMIFY" archive HEAD:internal/storage/postgres/migrations |
		tar -x -C "$WORK/sets/permify"
	echo "permify at $(git --git-dir="$PERMIFY" rev-parse HEAD)" >>"$WORK/origins.txt"
	SETS+=(permify)
fi
chmod -R a+rX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
export PGOPTIONS="-c schema_migrate.path=$WORK/sets"
export PSQL_BIN=$SM_PGBIN/psql SQUAWK WORK
"$SQUAWK" --version
python3 "$ROOT/bench/lint_vs_squawk.py" "${SETS[@]}" | tee "$WORK/table.md"
echo "details: $WORK/details.tsv"
