#!/usr/bin/env bash
#
# test/t_formats_a.sh -- issue 16, part A: sqlx, Prisma Migrate, Atlas,
# tern, node-pg-migrate, Postgrator and Supabase CLI sets.
#
# For each fixture set test/sets/fmt_<tool> (made by test/lib/gen_formats_a.py):
#   database A: sm_upgrade('head'), dump; where the tool has downs,
#               sm_downgrade('base') must give the empty schema again and a
#               second sm_upgrade('head') the same dump;
#   database B: the up scripts applied in the tool's order with psql, one
#               psql run per file, dumped and compared with A.
# The order and the up parts for B are worked out from the file names and
# markers, independently of the extension (test/lib/formats.sh).  Then each error set
# test/sets/fmt_bad_<case> must be refused with its SQLSTATE and a message
# naming the file.  Any difference makes the script exit non-zero.
#
# Uses the cluster of the environment when PGHOST is set, else starts one.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"
# shellcheck source=test/lib/formats.sh
. "$ROOT/test/lib/formats.sh"
fmt_setup formats-a sm_fmtm

# ---- the formats --------------------------------------------------------------

# tool:downs:how (how: upgrade = sm_upgrade / sm_downgrade; migrate = CALL
# sm_migrate, for sets with a migration that must run outside a transaction)
# SM_FORMATS_PUBLIC="tool=/path/to/folder ..." adds real folders: each is
# copied in as a set, migrated to head with CALL sm_migrate and compared
# with psql in the tool's order; SM_FORMATS_PRELUDE names SQL run first in
# both databases (roles or schemas the folder expects of its platform).
specs="sqlx:yes:migrate prisma:no:upgrade atlas:no:migrate tern:yes:migrate
npm:yes:upgrade postgrator:yes:upgrade supabase:no:upgrade"
k=0
for pub in ${SM_FORMATS_PUBLIC:-}; do
	k=$((k + 1))
	rm -rf "$SETS/pub_$k" && cp -R "${pub#*=}" "$SETS/pub_$k" && chmod -R go+rX "$SETS/pub_$k"
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS/pub_$k"
	specs="$specs ${pub%%=*}:no:migrate:pub_$k"
done
fmt_prelude() { [ -z "${SM_FORMATS_PRELUDE:-}" ] || [ "${2#pub_}" = "$2" ] || psql_db "$1" -f "$SM_FORMATS_PRELUDE" >/dev/null; }
for spec in $specs; do
	IFS=: read -r tool downs how set_name <<<"$spec"
	set_name=${set_name:-fmt_$tool}
	if [ "$how" = migrate ]; then
		roundtrip "$tool" "$set_name" "$downs"
	else
		roundtrip "$tool" "$set_name" "$downs" "SELECT sm.sm_upgrade('head', '$set_name')" "SELECT sm.sm_downgrade('base', '$set_name')"
	fi
done

# Supabase's seed ran after the migrations, once.
fresh_db sm_fmtm_a
sm sm_fmtm_a "SELECT sm.sm_upgrade('head', 'fmt_supabase')" >/dev/null
sm sm_fmtm_a "SELECT sm.sm_upgrade('head', 'fmt_supabase')" >/dev/null
r=$(sm sm_fmtm_a "SELECT count(*) FROM app.orgs")
[ "$r" = 1 ] && pass "supabase: seed.sql ran after the migrations, once for two upgrades" ||
	fail "supabase: seed.sql: app.orgs has '$r' rows, want 1"

# Non-transactional markers: sqlx -- no-transaction, tern disable-tx, Atlas txmode none.
for spec in fmt_sqlx:20240102000116 fmt_tern:17 fmt_atlas:20240102000116 fmt_tern:16; do
	set_name=${spec%%:*} rev=${spec#*:}
	want=false; [ "$rev" = 16 ] && want=true
	got=$(sm sm_fmtm_a "SELECT transactional FROM sm.sm_history('$set_name') WHERE revision = '$rev'")
	[ "$got" = "$([ $want = true ] && echo t || echo f)" ] && pass "$set_name $rev: transactional = $want" ||
		fail "$set_name $rev: transactional is '$got', want $want"
done

# ---- the error cases ------------------------------------------------------------
# set|SQLSTATE|fragment of the message (file named)
while IFS='|' read -r set_name state frag; do
	out=$(psql_db sm_fmtm_a -At -v VERBOSITY=verbose -c "SET schema_migrate.path = '$SETS'" \
		-c "SELECT sm.sm_upgrade('head', '$set_name')" 2>&1)
	if grep -q "ERROR:  $state:" <<<"$out" && grep -qF -- "$frag" <<<"$out"; then
		pass "$set_name refused: $state, \"$frag\""
	else
		fail "$set_name: want $state and \"$frag\", got:"
		echo "$out" | head -n 8
	fi
done <<'EOF_CASES'
fmt_bad_prisma_provider|F0000|migration_lock.toml, `mysql`
fmt_bad_prisma_nosql|F0000|Failed to read migration script at 20240102000000_draft/migration.sql
fmt_bad_atlas_edited|F0000|file "2_b.sql" was edited
fmt_bad_atlas_added|F0000|file "3_c.sql" was added
fmt_bad_atlas_removed|F0000|file "2_b.sql" was removed
fmt_bad_atlas_edited|F0000|atlas migrate hash
fmt_bad_tern_template|F0000|tern template in file "002_shared.sql" line 1
fmt_bad_tern_missing|F0000|Missing migration 2 (before file "003_more.sql")
fmt_bad_npm_js|F0000|node-pg-migrate migration "1704067201000_more.js" is not SQL
fmt_bad_postgrator_js|F0000|Postgrator migration "002.do.more.js" is not SQL
fmt_bad_postgrator_dup|42710|Two migrations found with version 1 and action do
fmt_bad_sqlx_version|F0000|error parsing migration filename "v2_more.sql"
fmt_bad_mixed_tern_dbmate|F0000|migration set mixes formats
EOF_CASES

fmt_finish t_formats_a "all formats agree"
