#!/usr/bin/env bash
# shellcheck disable=SC2317  # build_* / op_* functions are called by name
#
# test/t_bad_inputs.sh -- the catalogue of bad inputs (issue 5).
#
# For every row of test/bad_inputs/catalogue.tsv (name, SQLSTATE, message
# fragment) this script generates the case's migration set in a temporary
# root readable by the postgres OS user (build_<name>), runs the operation
# (op_<name>, by default SELECT sm_upgrade('head', '<name>')) with
# schema_migrate.path pointed at that root, and checks that
#   - the SQLSTATE matches and the fragment appears in the error (message,
#     detail or hint); SQLSTATE 00000 means "accepted": the operation must
#     succeed, in a transaction that is then rolled back, and the fragment
#     must appear in its output;
#   - the server did not crash: pg_postmaster_start_time() is unchanged and a
#     new connection works;
#   - the database's state fingerprint is unchanged: sm_version and sm_log
#     (its successful rows: a failure that ran is recorded, by design)
#     (row counts and an md5 of their rows) and an md5 of every relation,
#     function and schema outside the system schemas.
#
# Output: one line per case ("ok NAME", "FAIL NAME: expected ... got ..."),
# then "N passed, N failed"; the exit status is non-zero on any failure.
#
# Environment:
#   PGHOST/PGPORT   a running cluster with the extension installed; when
#                   PGHOST is unset a private cluster is started on port
#                   55680 (SM_PGPORT) through test/lib/cluster.sh
#   SM_BAD_ONLY     run only the cases whose name matches this glob
#   SM_BAD_KEEP=1   keep the generated sets (path printed at the end)
#   SM_BAD_VERBOSE=1  print each case's full output

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT_DIR=$(pwd)
CATALOGUE=$ROOT_DIR/test/bad_inputs/catalogue.tsv
DB=sm_bad_inputs
CASE_TIMEOUT=${SM_BAD_CASE_TIMEOUT:-120}

# shellcheck source=test/lib/cluster.sh
. "$ROOT_DIR/test/lib/cluster.sh"

# --- the temporary root, readable by the server's OS user -------------------
SETS=$(mktemp -d /tmp/sm-bad-inputs.XXXXXX) || exit 2
chmod 0755 "$SETS"
cleanup_sets() {
	if [ "${SM_BAD_KEEP:-0}" = 1 ]; then
		echo "generated sets kept in $SETS"
	else
		chmod -R u+rwX "$SETS" 2>/dev/null
		rm -rf -- "$SETS"
	fi
}
trap cleanup_sets EXIT

if [ -z "${PGHOST:-}" ]; then
	SM_PGPORT=${SM_PGPORT:-55680}
	export SM_PGPORT
	sm_cluster_start || exit 2
fi
PGBIN=$("$(sm_pg_config)" --bindir)
PSQL_BIN=$PGBIN/psql

q() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# Root of the generated sets and the sibling "outside" directory, which holds
# files a case must NOT be able to reach.
R=$SETS/root
OUT=$SETS/outside
mkdir -p "$R" "$OUT"

# Make everything readable by postgres (the server reads the files as its
# OS user); cases that need unreadable entries change them afterwards.
own() {
	if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$@" 2>/dev/null; fi
	chmod -R u+rwX,go+rX "$@"
}

# mig FILE TEXT: write a migration file (printf %b, so \n etc. work).
mig() { mkdir -p "$(dirname "$1")"; printf '%b' "$2" >"$1"; }

# ============================================================================
# Case builders: build_<name> DIR creates the set in DIR (= $R/<name>).
# ============================================================================

build_empty_file() { mig "$1/0001_a.sql" ''; }
build_whitespace_only() { mig "$1/0001_a.sql" '  \n\t\n\n'; }
build_only_comments() { mig "$1/0001_a.sql" '-- just a comment\n-- and another\n/* and a block */\n'; }
build_down_before_up() { mig "$1/0001_a.sql" '-- +down\nDROP TABLE t;\n-- +up\nCREATE TABLE t ();\n'; }
build_two_up_markers() { mig "$1/0001_a.sql" '-- +up\nCREATE TABLE t ();\n-- +up\nCREATE TABLE u ();\n'; }
build_two_down_markers() { mig "$1/0001_a.sql" '-- +up\nCREATE TABLE t ();\n-- +down\nDROP TABLE t;\n-- +down\nSELECT 1;\n'; }
build_unknown_directive() { mig "$1/0001_a.sql" '-- down_revison: none\n-- +up\nCREATE TABLE t ();\n'; }
build_directive_after_sql() { mig "$1/0001_a.sql" 'CREATE TABLE t ();\n-- message: too late\nCREATE TABLE u ();\n'; }
build_directive_twice() { mig "$1/0001_a.sql" '-- revision: a1\n-- revision: a2\n-- +up\nSELECT 1;\n'; }
build_sql_before_up() { mig "$1/0001_a.sql" 'CREATE TABLE t ();\n-- +up\nCREATE TABLE u ();\n'; }
build_bad_transactional() { mig "$1/0001_a.sql" '-- transactional: maybe\n-- +up\nSELECT 1;\n'; }
build_bad_lock_timeout() { mig "$1/0001_a.sql" '-- lock_timeout: 5 fortnights\n-- +up\nSELECT 1;\n'; }
build_message_too_long() { mig "$1/0001_a.sql" "-- message: $(head -c 1025 /dev/zero | tr '\0' m)\n-- +up\nSELECT 1;\n"; }
build_too_many_parents() {
	local list
	list=$(seq -f 'p%g' 1 4097 | paste -sd, -)
	mig "$1/0001_a.sql" "-- down_revision: $list\n-- +up\nSELECT 1;\n"
}

build_duplicate_revision() {
	mig "$1/0001_a.sql" 'CREATE TABLE dup_a ();\n'
	mig "$1/0001_b.sql" 'CREATE TABLE dup_b ();\n'
}
build_duplicate_directive_rev() {
	mig "$1/0001_a.sql" '-- revision: same\n-- +up\nSELECT 1;\n'
	mig "$1/0002_b.sql" '-- revision: same\n-- +up\nSELECT 2;\n'
}
build_self_parent() { mig "$1/0001_a.sql" '-- down_revision: 0001\n-- +up\nSELECT 1;\n'; }
build_missing_parent() {
	mig "$1/0001_a.sql" 'SELECT 1;\n'
	mig "$1/0002_b.sql" '-- down_revision: nope\n-- +up\nSELECT 2;\n'
}
build_missing_depends_on() {
	mig "$1/0001_a.sql" 'SELECT 1;\n'
	mig "$1/0002_b.sql" '-- depends_on: ghost\n-- +up\nSELECT 2;\n'
}
build_cycle_of_three() {
	mig "$1/a_1.sql" '-- down_revision: c\n-- +up\nSELECT 1;\n'
	mig "$1/b_2.sql" '-- down_revision: a\n-- +up\nSELECT 2;\n'
	mig "$1/c_3.sql" '-- down_revision: b\n-- +up\nSELECT 3;\n'
}
build_merge_same_parent_twice() {
	mig "$1/0001_a.sql" 'SELECT 1;\n'
	mig "$1/0002_b.sql" '-- down_revision: 0001, 0001\n-- +up\nSELECT 2;\n'
}

rev_case() { mig "$1/0001_a.sql" "-- revision: $2\n-- +up\nSELECT 1;\n"; }
build_rev_space() { rev_case "$1" 'a b'; }
build_rev_single_quote() { rev_case "$1" "a'); DROP TABLE sm_version; --"; }
build_rev_double_quote() { rev_case "$1" 'a"b'; }
build_rev_slash() { rev_case "$1" '../../etc/passwd'; }
build_rev_dotdot() { rev_case "$1" 'a..b'; }
build_rev_nul() { printf -- '-- revision: a\0b\n-- +up\nSELECT 1;\n' >"$1/0001_a.sql"; }
build_rev_300_chars() { rev_case "$1" "$(head -c 300 /dev/zero | tr '\0' r)"; }
build_rev_reserved_head() { rev_case "$1" 'head'; }
build_rev_leading_dash() { rev_case "$1" '-1'; }
build_filename_quote() { mig "$1/0001'x_name.sql" 'SELECT 1;\n'; }
build_filename_255_chars() { mig "$1/$(head -c 251 /dev/zero | tr '\0' f).sql" 'SELECT 1;\n'; }
build_filename_newline() { mig "$1/0001_a"$'\n'"b.sql" 'SELECT 1;\n'; }
build_filename_bad_utf8() { mig "$1/0001_caf"$'\xe9'".sql" 'SELECT 1;\n'; }
build_filename_format_chars() { mig "$1/0001_%s%n%x%p.sql" 'SELECT 1;\n'; }

# set names: the directories they would reach exist, so an escape would
# succeed (and fail the case) rather than report "does not exist".
build_set_slash() { mkdir -p "$R/a"; mig "$R/a/b/0001_esc.sql" 'CREATE TABLE escaped_slash ();\n'; }
op_set_slash() { echo "SELECT sm_upgrade('head', 'a/b');"; }
build_set_dotdot() { :; }
op_set_dotdot() { echo "SELECT sm_upgrade('head', '..');"; }
build_set_dotdot_escape() { mig "$OUT/0001_esc.sql" 'CREATE TABLE escaped_dotdot ();\n'; }
op_set_dotdot_escape() { echo "SELECT sm_upgrade('head', '../outside');"; }
build_set_absolute() { :; }
op_set_absolute() { echo "SELECT sm_upgrade('head', '$OUT');"; }
build_set_64_chars() { mig "$R/$(head -c 64 /dev/zero | tr '\0' s)/0001_a.sql" 'CREATE TABLE escaped_long ();\n'; }
op_set_64_chars() { echo "SELECT sm_upgrade('head', '$(head -c 64 /dev/zero | tr '\0' s)');"; }
build_set_missing() { :; }
op_set_missing() { echo "SELECT sm_upgrade('head', 'set_missing_nothing_here');"; }
build_set_is_a_file() { rmdir "$1"; printf 'SELECT 1;\n' >"$1"; }

build_symlink_outside() {
	mig "$OUT/secret.sql" 'CREATE TABLE escaped_symlink ();\n'
	mig "$1/0001_a.sql" 'SELECT 1;\n'
	ln -s "$OUT/secret.sql" "$1/0002_link.sql"
}
build_symlink_to_sibling_set() {
	mig "$R/sibling_of_symlink/0001_other.sql" 'CREATE TABLE escaped_sibling ();\n'
	mig "$1/0001_a.sql" 'SELECT 1;\n'
	ln -s ../sibling_of_symlink/0001_other.sql "$1/0002_link.sql"
}
build_symlink_dir_outside() {
	mig "$1/0001_a.sql" 'SELECT 1;\n'
	ln -s "$OUT" "$1/0002_dir.sql"
}
build_symlink_dangling() {
	mig "$1/0001_a.sql" 'SELECT 1;\n'
	ln -s ./0003_missing.sql "$1/0002_dangling.sql"
}
build_directory_named_sql() { mig "$1/0001_a.sql" 'SELECT 1;\n'; mkdir "$1/x.sql"; }
build_fifo_named_sql() { mig "$1/0001_a.sql" 'SELECT 1;\n'; mkfifo "$1/0002_fifo.sql"; }
build_unreadable_file() { mig "$1/0001_a.sql" 'SELECT 1;\n'; mig "$1/0002_secret.sql" 'SELECT 2;\n'; }
post_unreadable_file() { chmod 000 "$1/0002_secret.sql"; }
build_unreadable_set_dir() { mig "$1/0001_a.sql" 'SELECT 1;\n'; }
post_unreadable_set_dir() { chmod 000 "$1"; }

build_invalid_utf8() { printf -- '-- +up\nSELECT 1;\nSELECT '"'"'caf\xe9'"'"';\n' >"$1/0001_a.sql"; }
# an encoded UTF-16 surrogate (ED A0 80) is not valid UTF-8
build_utf8_surrogate() { printf -- '-- message: \xed\xa0\x80\n-- +up\nSELECT 1;\n' >"$1/0001_a.sql"; }
build_nul_in_sql() { printf -- '-- +up\nSELECT 1;\0DROP TABLE sm_version;\n' >"$1/0001_a.sql"; }
build_utf8_bom() { printf '\xef\xbb\xbf-- message: bom\n-- +up\nCREATE TABLE bom_t ();\n-- +down\nDROP TABLE bom_t;\n' >"$1/0001_a.sql"; }
op_utf8_bom() { accepted utf8_bom "SELECT CASE WHEN to_regclass('bom_t') IS NOT NULL AND (SELECT message FROM sm_history('utf8_bom')) = 'bom' THEN 'bom_ok' END;"; }
build_crlf_line_endings() { printf -- '-- message: crlf\r\n-- +up\r\nCREATE TABLE crlf_t (\r\n  id int\r\n);\r\n-- +down\r\nDROP TABLE crlf_t;\r\n' >"$1/0001_a.sql"; }
op_crlf_line_endings() { accepted crlf_line_endings "SELECT CASE WHEN to_regclass('crlf_t') IS NOT NULL AND (SELECT message || has_down FROM sm_history('crlf_line_endings')) = 'crlftrue' THEN 'crlf_ok' END;"; }
build_bom_and_crlf() { printf '\xef\xbb\xbf-- revision: bc1\r\n-- +up\r\nCREATE TABLE bomcrlf_t ();\r\n' >"$1/0001_a.sql"; }
op_bom_and_crlf() { accepted bom_and_crlf "SELECT CASE WHEN to_regclass('bomcrlf_t') IS NOT NULL AND (SELECT revision FROM sm_history('bom_and_crlf')) = 'bc1' THEN 'bomcrlf_ok' END;"; }
# classic Mac line ends: the whole file is one line starting with "--"
build_cr_only_line_endings() { printf -- '-- +up\rCREATE TABLE cr_t ();\r' >"$1/0001_a.sql"; }

build_file_50mb() {
	{
		printf -- '-- message: fifty megabytes\n-- +up\nCREATE TABLE big_t (id int);\n'
		# 50 MB of comment lines between two statements
		yes -- '-- padding padding padding padding padding padding padding padding padding padding' |
			head -c $((50 * 1024 * 1024))
		printf '\nINSERT INTO big_t VALUES (1);\n'
	} >"$1/0001_big.sql"
}
op_file_50mb() { accepted file_50mb "SELECT CASE WHEN (SELECT count(*) FROM big_t) = 1 THEN 'big_ok' END;"; }
build_file_65mb() { mig "$1/0001_a.sql" 'SELECT 1;\n'; truncate -s $((65 * 1024 * 1024)) "$1/0002_huge.sql"; }

build_files_20000() {
	(cd "$1" && seq -f '%05g' 1 20000 | while read -r i; do printf 'SELECT %d;\n' "$((10#$i))" >"${i}_m.sql"; done)
}
op_files_20000() { accepted files_20000 "SELECT sm_upgrade('head', 'files_20000') = '20000' AS at_head;" "SELECT count(*) || ' migrations applied' FROM sm_version WHERE set_name = 'files_20000';"; }
build_files_100001() { (cd "$1" && seq -f '%06g.sql' 1 100001 | xargs touch); }

build_chain_10000_deep() {
	# explicit down_revision chain whose ids sort in the opposite order of
	# the chain, so the default "previous in version order" cannot help
	(cd "$1" && for i in $(seq 1 10000); do
		if [ "$i" = 1 ]; then p=none; else p=r$((10001 - i + 1)); fi
		printf -- '-- revision: r%d\n-- down_revision: %s\n-- +up\nSELECT %d;\n' "$((10001 - i))" "$p" "$i" >"m$i.sql"
	done)
}
op_chain_10000_deep() { accepted chain_10000_deep "SELECT sm_upgrade('head', 'chain_10000_deep') = 'r1' AS at_head;" "SELECT count(*) || ' migrations applied' FROM sm_version WHERE set_name = 'chain_10000_deep';"; }
build_merge_1000_wide() {
	(cd "$1" && {
		printf -- '-- revision: root\n-- down_revision: none\n-- +up\nSELECT 0;\n' >root.sql
		for i in $(seq 1 1000); do
			printf -- '-- revision: b%d\n-- down_revision: root\n-- +up\nSELECT %d;\n' "$i" "$i" >"b$i.sql"
		done
		printf -- '-- revision: merge\n-- down_revision: %s\n-- +up\nSELECT 1001;\n' "$(seq -f 'b%g' 1 1000 | paste -sd, - | sed 's/,/, /g')" >merge.sql
	})
}
op_merge_1000_wide() { accepted merge_1000_wide "SELECT sm_upgrade('head', 'merge_1000_wide') = 'merge' AS at_head;" "SELECT count(*) || ' migrations applied' FROM sm_version WHERE set_name = 'merge_1000_wide';"; }
build_nested_parens_100000() {
	{
		printf -- '-- +up\nSELECT '
		head -c 100000 /dev/zero | tr '\0' '('
		printf 1
		head -c 100000 /dev/zero | tr '\0' ')'
		printf ';\n'
	} >"$1/0001_a.sql"
}

txn_case() { mig "$1/0001_a.sql" "-- +up\nCREATE TABLE txn_t (id int);\n$2\nCREATE TABLE txn_u (id int);\n"; }
build_txn_begin() { txn_case "$1" 'BEGIN;'; }
build_txn_commit() { txn_case "$1" 'COMMIT;'; }
build_txn_rollback() { txn_case "$1" 'ROLLBACK;'; }
build_txn_savepoint() { txn_case "$1" 'SAVEPOINT s1;'; }
build_txn_release_savepoint() { txn_case "$1" 'RELEASE SAVEPOINT s1;'; }
build_txn_prepare_transaction() { txn_case "$1" "PREPARE TRANSACTION 'x';"; }
build_txn_commit_in_do() { txn_case "$1" 'DO $$ BEGIN COMMIT; END $$;'; }
build_vacuum_in_migration() { txn_case "$1" 'VACUUM txn_t;'; }
build_create_database_in_migration() { txn_case "$1" 'CREATE DATABASE sm_should_not_exist;'; }
build_psql_meta_include() { mig "$1/0001_a.sql" '-- +up\nCREATE TABLE meta_t ();\n\\i other.sql\n'; }
build_psql_meta_set() { mig "$1/0001_a.sql" '-- +up\n\\set x 1\nCREATE TABLE meta_t ();\n'; }
build_recursion_sm_upgrade() { mig "$1/0001_a.sql" "-- +up\nCREATE TABLE rec_t ();\nSELECT sm_upgrade('head', 'recursion_sm_upgrade');\n"; }

# targets: all against one valid two-migration set
build_targets() {
	[ -d "$R/targets" ] && return 0
	mig "$R/targets/0001_a.sql" '-- +up\nCREATE TABLE tg_a ();\n-- +down\nDROP TABLE tg_a;\n'
	mig "$R/targets/0002_b.sql" '-- +up\nCREATE TABLE tg_b ();\n-- +down\nDROP TABLE tg_b;\n'
}
target_op() { echo "SELECT sm_upgrade($1, 'targets');"; }
build_target_sql_injection() { build_targets; }
op_target_sql_injection() { target_op "'head; DROP TABLE x'"; }
build_target_quote() { build_targets; }
op_target_quote() { target_op "''''"; }
build_target_huge_count() { build_targets; }
op_target_huge_count() { target_op "'+99999999999999999999'"; }
build_target_minus_zero() { build_targets; }
op_target_minus_zero() { target_op "'-0'"; }
build_target_plus_zero() { build_targets; }
op_target_plus_zero() { target_op "'+0'"; }
build_target_empty() { build_targets; }
op_target_empty() { target_op "''"; }
build_target_null() { build_targets; }
op_target_null() { target_op "NULL"; }
build_target_10000_chars() { build_targets; }
op_target_10000_chars() { target_op "repeat('x', 10000)"; }
build_target_format_chars() { build_targets; }
op_target_format_chars() { target_op "'%s%n%x%p'"; }
build_target_unknown_revision() { build_targets; }
op_target_unknown_revision() { target_op "'9999'"; }

# accepted NAME SQL [CHECK...]: run in a transaction that is rolled back.
accepted() {
	local name=$1 sql=$2
	shift 2
	echo "BEGIN;"
	if [ "${sql#SELECT sm_upgrade}" = "$sql" ]; then
		echo "SELECT sm_upgrade('head', '$name') IS NOT NULL AS upgraded;"
		echo "$sql"
	else
		echo "$sql"
	fi
	for c in "$@"; do echo "$c"; done
	echo "ROLLBACK;"
}
# accepted cases without their own op
op_filename_format_chars() { accepted filename_format_chars "SELECT count(*) || ' migration applied' FROM sm_version WHERE set_name = 'filename_format_chars';"; }

# ============================================================================
# The runner
# ============================================================================

FINGERPRINT_SQL="
SELECT concat_ws(' | ',
  pg_postmaster_start_time(),
  (SELECT count(*) FROM sm_version) || ' versions',
  (SELECT count(*) FROM sm_log WHERE success) || ' log rows',
  md5(coalesce((SELECT string_agg(concat_ws(',', set_name, revision, checksum, applied_at), ';' ORDER BY set_name, revision) FROM sm_version), '')),
  md5(coalesce((SELECT string_agg(concat_ws(',', id, set_name, revision, operation, success), ';' ORDER BY id) FROM sm_log WHERE success), '')),
  md5(coalesce((SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind, ',' ORDER BY 1)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND n.nspname NOT LIKE 'pg\_temp%' AND n.nspname NOT LIKE 'pg\_toast\_temp%'), '')),
  md5(coalesce((SELECT string_agg(p.oid::regprocedure::text, ',' ORDER BY 1) FROM pg_proc p
     WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)), '')),
  md5(coalesce((SELECT string_agg(nspname, ',' ORDER BY 1) FROM pg_namespace), '')),
  md5(coalesce((SELECT string_agg(datname, ',' ORDER BY 1) FROM pg_database), '')),
  (SELECT count(*) FROM pg_prepared_xacts) || ' prepared'
);"

fingerprint() { q -d "$DB" -c "$FINGERPRINT_SQL" 2>&1; }

server_up() {
	local i
	for i in $(seq 1 60); do
		if "$PGBIN/pg_isready" -q -d "$DB" && q -d "$DB" -c 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		sleep 1
	done
	return 1
}

# --- set up the database -----------------------------------------------------
if ! q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null; then
	echo "could not create database $DB"
	exit 2
fi
# A baseline: the extension and one applied set, so the fingerprint covers rows.
mig "$R/baseline/0001_base.sql" '-- +up\nCREATE TABLE base_t (id int);\n-- +down\nDROP TABLE base_t;\n'
mig "$R/baseline/0002_more.sql" "-- message: it's \"quoted\" \$\$\n-- +up\nCREATE FUNCTION base_f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
own "$R"
if ! q -d "$DB" >/dev/null <<EOF
SET client_min_messages = warning;
CREATE EXTENSION schema_migrate;
SET schema_migrate.path = '$R';
SELECT sm_upgrade('head', 'baseline');
EOF
then
	echo "could not set up the baseline in $DB"
	exit 2
fi

passed=0
failed=0
failures=()
prev_fp=$(fingerprint)
T0=$SECONDS

while IFS=$'\t' read -r name want_state want_frag; do
	case "$name" in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2254
	case "$name" in ${SM_BAD_ONLY:-*}) ;; *) continue ;; esac

	dir=$R/$name
	mkdir -p "$dir"
	if ! declare -F "build_$name" >/dev/null; then
		echo "FAIL $name: no build_$name in $0"
		failed=$((failed + 1)); failures+=("$name"); continue
	fi
	"build_$name" "$dir"
	own "$R" "$OUT"
	if declare -F "post_$name" >/dev/null; then "post_$name" "$dir"; fi

	if declare -F "op_$name" >/dev/null; then
		op=$("op_$name")
	else
		op="SELECT sm_upgrade('head', '$name');"
	fi

	t_start=$(date +%s%N)
	out=$(timeout "$CASE_TIMEOUT" "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$DB" 2>&1 <<EOF
\set VERBOSITY verbose
SET client_min_messages = warning;
SET schema_migrate.path = '$R';
SET schema_migrate.timing = off;
$op
EOF
	)
	rc=$?
	ms=$((($(date +%s%N) - t_start) / 1000000))
	[ "${SM_BAD_VERBOSE:-0}" = 1 ] && printf '%s\n' "--- $name (rc $rc, $ms ms)" "$out" | cut -c1-400

	# what happened: the SQLSTATE of the first error, or 00000
	got_state=00000
	errline=$(printf '%s\n' "$out" | grep -m1 -E '^(psql:[^ ]* )?ERROR:  ' || true)
	if [ -n "$errline" ]; then
		got_state=$(printf '%s\n' "$errline" | sed -E 's/^.*ERROR:  ([0-9A-Z]{5}): .*$/\1/')
	elif [ $rc -eq 124 ]; then
		got_state=TIMEOUT
	elif [ $rc -ne 0 ]; then
		got_state="EXIT$rc"
	fi
	# the error text (ERROR, DETAIL, HINT lines) or the whole output when accepted
	if [ "$got_state" = 00000 ]; then
		text=$out
	else
		text=$(printf '%s\n' "$out" | grep -E '^(psql:[^ ]* )?(ERROR|DETAIL|HINT):  ' | cut -c1-2000)
	fi

	problems=()
	if [ "$got_state" != "$want_state" ]; then
		problems+=("expected SQLSTATE $want_state got $got_state ($(printf '%s' "${errline:-$out}" | head -c 300 | tr '\n' ' '))")
	elif [ -n "$want_frag" ] && ! printf '%s' "$text" | grep -qF -- "$want_frag"; then
		problems+=("expected message containing '$want_frag' got '$(printf '%s' "$text" | head -c 300 | tr '\n' ' ')'")
	fi
	if ! server_up; then
		problems+=("server is down after the case")
	fi
	fp=$(fingerprint)
	if [ "$fp" != "$prev_fp" ]; then
		if [ "${fp%% | *}" != "${prev_fp%% | *}" ]; then
			problems+=("the server restarted (crash): postmaster start time ${prev_fp%% | *} -> ${fp%% | *}")
		else
			problems+=("state changed: '$prev_fp' -> '$fp'")
		fi
		prev_fp=$fp
	fi

	if [ ${#problems[@]} -eq 0 ]; then
		if [ "$want_state" = 00000 ] || [ "$ms" -ge 1000 ]; then
			echo "ok $name (accepted=$([ "$want_state" = 00000 ] && echo yes || echo no), $ms ms)"
		else
			echo "ok $name"
		fi
		passed=$((passed + 1))
	else
		echo "FAIL $name: ${problems[*]}"
		failed=$((failed + 1))
		failures+=("$name")
	fi
	# free the disk early: big cases
	case "$name" in file_50mb | file_65mb | files_* | chain_* | merge_*) rm -rf -- "$dir" ;; esac
done <"$CATALOGUE"

q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
echo "# $((SECONDS - T0)) s"
[ ${#failures[@]} -gt 0 ] && echo "# failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
