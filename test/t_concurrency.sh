#!/usr/bin/env bash
#
# t_concurrency.sh -- 16 sessions call sm_upgrade('head') on one database at
# the same moment; every migration of the set must run exactly once.
#
# Uses the cluster in PGHOST/PGPORT (test/run-all.sh starts one); without
# PGHOST it starts its own throwaway cluster.  The extension must be installed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh

N_MIGRATIONS=${N_MIGRATIONS:-20}
N_SESSIONS=${N_SESSIONS:-16}
SESSION_TIMEOUT=${SESSION_TIMEOUT:-180}

fail() {
	echo "t_concurrency: FAIL: $*"
	exit 1
}

WORK=
# shellcheck disable=SC2317
cleanup_work() { [ -z "$WORK" ] || rm -rf -- "$WORK"; }
trap cleanup_work EXIT	# set before sm_cluster_start, which chains it

if [ -z "${PGHOST:-}" ]; then
	sm_cluster_start || fail "could not start a cluster"
fi
: "${SM_PGBIN:=$("$(sm_pg_config)" --bindir)}"
: "${PSQL:=$SM_PGBIN/psql -X -v ON_ERROR_STOP=1}"
PSQL_BIN=$SM_PGBIN/psql

# A work dir the server can read: inside the cluster dir if we know it.
WORK=$(mktemp -d "${SM_CLUSTER_DIR:-/tmp}/t_conc.XXXXXX") || fail "mktemp"
SETS=$WORK/sets
mkdir -p "$SETS/conc"

# --- the set: 0001 creates conc_runs; each migration logs itself in it ---
for ((i = 1; i <= N_MIGRATIONS; i++)); do
	f=$(printf '%s/conc/%04d_step%d.sql' "$SETS" "$i" "$i")
	{
		printf -- '-- message: concurrency step %d\n\n-- +up\n' "$i"
		[ "$i" -eq 1 ] && printf 'CREATE TABLE conc_runs (n int);\n'
		printf 'SELECT pg_sleep(0.05);\n'
		printf 'CREATE TABLE conc_%d (id int);\n' "$i"
		printf 'INSERT INTO conc_runs VALUES (%d);\n' "$i"
		printf '\n-- +down\nDROP TABLE conc_%d;\n' "$i"
		[ "$i" -eq 1 ] && printf 'DROP TABLE conc_runs;\n'
	} >"$f"
done
chmod -R a+rX "$WORK"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$WORK"

DB=sm_conc_$$
$PSQL -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
$PSQL -q -d postgres -c "CREATE DATABASE $DB" ||
	fail "could not create database $DB"
$PSQL -q -d "$DB" -c "CREATE EXTENSION schema_migrate" ||
	fail "CREATE EXTENSION schema_migrate failed"

# --- 16 sessions, released together by a barrier file ---
GO=$WORK/go
pids=()
for ((s = 1; s <= N_SESSIONS; s++)); do
	(
		touch "$WORK/ready.$s"
		while [ ! -e "$GO" ]; do sleep 0.01; done
		exec timeout "$SESSION_TIMEOUT" "$PSQL_BIN" -X -v ON_ERROR_STOP=1 -At -d "$DB" \
			-c "SET schema_migrate.path = '$SETS'" \
			-c "SET schema_migrate.set = 'conc'" \
			-c "SELECT sm_upgrade('head')"
	) >"$WORK/out.$s" 2>&1 &
	pids+=($!)
done
for ((t = 0; t < 1000; t++)); do
	n=$(find "$WORK" -maxdepth 1 -name 'ready.*' | wc -l)
	[ "$n" -ge "$N_SESSIONS" ] && break
	sleep 0.01
done
touch "$GO"

bad=0
for ((s = 1; s <= N_SESSIONS; s++)); do
	wait "${pids[s - 1]}"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		bad=$((bad + 1))
		if [ "$bad" -le 3 ]; then
			echo "session $s failed (exit $rc):"
			head -n 20 "$WORK/out.$s" | sed 's/^/    /'
		fi
	fi
done

result=0
[ "$bad" -eq 0 ] || { echo "$bad of $N_SESSIONS sessions failed"; result=1; }

runs=$($PSQL -At -d "$DB" -c "SELECT count(*) || ',' || count(DISTINCT n) FROM conc_runs" 2>&1)
if [ "$runs" != "$N_MIGRATIONS,$N_MIGRATIONS" ]; then
	echo "conc_runs: expected $N_MIGRATIONS,$N_MIGRATIONS (count, distinct), got: $runs"
	$PSQL -At -d "$DB" -c "SELECT n, count(*) FROM conc_runs GROUP BY n HAVING count(*) > 1 ORDER BY n" 2>&1 |
		sed 's/^/    ran more than once: /'
	result=1
fi

versions=$($PSQL -At -d "$DB" -c "SELECT count(*) FROM sm_version WHERE set_name = 'conc'" 2>&1)
if [ "$versions" != "$N_MIGRATIONS" ]; then
	echo "sm_version rows for set conc: expected $N_MIGRATIONS, got: $versions"
	result=1
fi

if [ "$result" -eq 0 ]; then
	$PSQL -q -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
	echo "t_concurrency: ok ($N_SESSIONS sessions, $N_MIGRATIONS migrations, each applied once)"
else
	echo "session outputs:"
	for ((s = 1; s <= N_SESSIONS; s++)); do
		printf '  %2d: %.160s\n' "$s" "$(tr '\n' ' ' <"$WORK/out.$s")"
	done
	echo "t_concurrency: FAIL"
fi
exit "$result"
