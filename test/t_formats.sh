#!/usr/bin/env bash
#
# test/t_formats.sh -- sets written for other tools give the same schema
# through schema_migrate as through the tool's own way of running them.
#
# For each fixture set test/sets/fmt_<tool>:
#   database A: sm_upgrade('head'), dump; sm_downgrade('base') must give the
#               empty schema again; sm_upgrade('head') must give the same dump;
#   database B: the same up scripts applied in the tool's order with psql,
#               one psql run per file (as the tools run them), dumped.
# The order for B is worked out from the file names and sqitch.plan,
# independently of the extension (test/lib/formats.sh).  Any difference is printed as a diff and
# makes the script exit non-zero.
#
# Uses the cluster of the environment when PGHOST is set, else starts one.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"
# shellcheck source=test/lib/formats.sh
. "$ROOT/test/lib/formats.sh"
fmt_setup formats sm_fmt

for tool in golang flyway dbmate goose diesel sqitch; do
	roundtrip "$tool" "fmt_$tool" yes "SELECT sm.sm_upgrade('head', 'fmt_$tool')" "SELECT sm.sm_downgrade('base', 'fmt_$tool')"
done
fmt_finish t_formats "all formats agree"
