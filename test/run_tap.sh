#!/usr/bin/env bash
#
# test/run_tap.sh -- the TAP tests in t/*.pl (PostgreSQL::Test::Cluster)
# against the installed extension, as "make installcheck" runs them for a
# non-root user.  As root, they run as the postgres OS user (initdb refuses
# root) from a copy of t/ in a temporary directory that user owns.
#
# Needs libipc-run-perl (installed here when missing and we are root), and
# PG_CONFIG pointing at the installation the extension is installed into.
# Ends with prove's own summary line ("Result: PASS" / "Result: FAIL").

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
PGXS_DIR=$(dirname "$("$PG_CONFIG" --pgxs)")/../..

if ! perl -MIPC::Run -e 1 2>/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libipc-run-perl >/dev/null ||
			{ apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libipc-run-perl >/dev/null; }
	fi
	perl -MIPC::Run -e 1 2>/dev/null || { echo "not ok - IPC::Run (libipc-run-perl) is missing"; exit 1; }
fi
[ -d "$PGXS_DIR/src/test/perl/PostgreSQL/Test" ] ||
	{ echo "not ok - no PostgreSQL::Test modules under $PGXS_DIR/src/test/perl"; exit 1; }

WORK=$(mktemp -d /tmp/sm-tap.XXXXXX) || exit 1
trap 'rm -rf -- "$WORK"' EXIT
cp -R "$ROOT/t" "$WORK/t"
mkdir -p "$WORK/tmp_check"
as_user=()
if [ "$(id -u)" = 0 ]; then
	chown -R postgres: "$WORK"
	as_user=(runuser -u postgres --)
fi
cd "$WORK" || exit 1
"${as_user[@]}" env TESTDIR="$WORK" PATH="$BINDIR:$PATH" \
	PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
	prove -I "$PGXS_DIR/src/test/perl" ${PROVE_FLAGS:-} t/*.pl
rc=$?
if [ $rc -ne 0 ] && [ -d "$WORK/tmp_check/log" ]; then
	for f in "$WORK"/tmp_check/log/*; do
		echo "----- $(basename "$f") (last 60 lines) -----"
		tail -n 60 "$f"
	done
fi
exit $rc
