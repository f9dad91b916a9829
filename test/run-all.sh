#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions run through run_suite
#
# test/run-all.sh -- the whole test suite of schema_migrate.
#
# As root on a fresh Debian 12 machine: installs PostgreSQL 15 and the build
# tools, builds and installs the extension, starts a private cluster, then
# runs every suite (pg_regress in order and each test alone, the isolation
# specs, unit tests, the layout check, TAP tests, test/t_*.sh) and keeps going
# after a failure.  The last line is "N passed, N failed" (suites); the exit
# status is non-zero if any suite failed.
#
# Environment:
#   PG_CONFIG            pg_config to build with (default: PostgreSQL 15's)
#   SM_SUITE_TIMEOUT     seconds per suite (default 600)
#   SM_TOTAL_BUDGET      seconds for the whole run (default 3600): a suite is
#                        cut off there, later ones count as failed unstarted
#   SM_ONLY              run only the t_*.sh scripts whose name matches this
#                        glob (e.g. 't_conc*'); installcheck and unit still run
#                        unless SM_SKIP is given
#   SM_SKIP              space-separated suites to skip: build installcheck
#                        unit layout tap

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)

# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"

SUITE_TIMEOUT=${SM_SUITE_TIMEOUT:-600}
TOTAL_BUDGET=${SM_TOTAL_BUDGET:-3600}
START=$SECONDS
passed=0
failed=0
failed_names=()

skipped() { case " ${SM_SKIP:-} " in *" $1 "*) return 0 ;; esac; return 1; }

# run_suite NAME COMMAND...: run with a timeout, count the result.
run_suite() {
	local name=$1 rc t0=$SECONDS limit
	shift
	echo
	echo "=== $name"
	if [ $((SECONDS - START)) -ge "$TOTAL_BUDGET" ]; then
		echo "--- FAIL $name (not started: total time budget of ${TOTAL_BUDGET}s used up)"
		failed=$((failed + 1))
		failed_names+=("$name")
		return 1
	fi
	# never run past the total budget
	limit=$((TOTAL_BUDGET - (SECONDS - START)))
	[ "$limit" -lt "$SUITE_TIMEOUT" ] || limit=$SUITE_TIMEOUT
	if declare -F "$1" >/dev/null; then
		# a shell function: run it in a child bash so that timeout can kill it
		# shellcheck disable=SC2163
		export -f "$1"
		set -- bash -c "$1"
	fi
	# in the background, so that INT/TERM are handled at once (see on_signal)
	timeout --kill-after=20 "$limit" "$@" </dev/null &
	SUITE_PID=$!
	wait "$SUITE_PID"
	rc=$?
	SUITE_PID=
	if [ $rc -eq 0 ]; then
		echo "--- PASS $name ($((SECONDS - t0))s)"
		passed=$((passed + 1))
	else
		[ $rc -eq 124 ] && echo "$name: timed out after ${limit}s"
		echo "--- FAIL $name (exit $rc, $((SECONDS - t0))s)"
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
	return $rc
}

finish() {
	echo
	if [ ${#failed_names[@]} -gt 0 ]; then
		echo "failed suites: ${failed_names[*]}"
	fi
	echo "$passed passed, $failed failed"
	sm_cluster_stop 2>/dev/null
	[ "$failed" -eq 0 ]
	exit $?
}

# On INT/TERM: end the running suite (timeout leads its own process group),
# then exit; the EXIT trap of cluster.sh stops the cluster.
SUITE_PID=
on_signal() {
	if [ -n "$SUITE_PID" ]; then
		kill -TERM -- "-$SUITE_PID" 2>/dev/null || kill -TERM "$SUITE_PID" 2>/dev/null
	fi
	exit "$1"
}

# --- packages ------------------------------------------------------------
if ! sm_install_packages; then
	echo "could not install the packages needed"
	failed=$((failed + 1))
	failed_names+=("packages")
	finish
fi
PG_CONFIG=$(sm_pg_config)
export PG_CONFIG
echo "using $PG_CONFIG ($("$PG_CONFIG" --version))"

# --- build and install -----------------------------------------------------
# as CI builds: every warning is an error
build() {
	make -s clean PG_CONFIG="$PG_CONFIG" >/dev/null 2>&1
	make PG_CONFIG="$PG_CONFIG" COPT=-Werror && make install PG_CONFIG="$PG_CONFIG"
}
if ! skipped build; then
	run_suite build build
fi

# --- cluster ---------------------------------------------------------------
if ! sm_cluster_start; then
	echo "could not start a cluster"
	failed=$((failed + 1))
	failed_names+=("cluster")
	finish
fi
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
if [ -d "$ROOT/test/sets" ]; then
	SM_TEST_SETS=$(sm_readable_copy "$ROOT/test/sets")
else
	SM_TEST_SETS=$SM_CLUSTER_DIR/sets
	mkdir -p "$SM_TEST_SETS"
	chown postgres:postgres "$SM_TEST_SETS" 2>/dev/null
fi
export SM_TEST_SETS

# --- other tools, run for real by some tests (npm, cached per machine) ------
if [ "${SM_NO_PEERS:-0}" != 1 ]; then
	SM_NPM=$(bash "$ROOT/test/install_peers.sh")
	export SM_NPM
fi

# --- regression tests --------------------------------------------------------
show_diffs() {
	local f
	for f in regression.diffs output_iso/regression.diffs; do
		if [ -f "$f" ]; then
			echo "----- $f (first 400 lines) -----"
			head -n 400 "$f"
		fi
	done
}
export -f show_diffs
# pg_regress in order, then the isolation specs (the TAP tests are a suite
# of their own: they need a non-root user)
installcheck() {
	rm -rf regression.diffs regression.out output_iso
	if make installcheck PG_CONFIG="$PG_CONFIG" SM_TEST_SETS="$SM_TEST_SETS" TAP_TESTS=; then
		return 0
	fi
	show_diffs
	return 1
}
# every pg_regress test alone, in a database of its own, as
# "make installcheck REGRESS=errors" runs it
installcheck_alone() {
	local t bad=0
	for t in sql/*.sql; do
		t=$(basename "$t" .sql)
		rm -f regression.diffs regression.out
		if make -s installcheck PG_CONFIG="$PG_CONFIG" SM_TEST_SETS="$SM_TEST_SETS" \
			REGRESS="$t" ISOLATION= TAP_TESTS= >/dev/null 2>&1; then
			echo "ok - $t passes alone"
		else
			echo "not ok - $t fails alone"
			show_diffs
			bad=1
		fi
	done
	return $bad
}
if ! skipped installcheck; then
	have_tests=
	for f in sql/*.sql; do
		[ -f "$f" ] && have_tests=1
	done
	if [ -n "$have_tests" ]; then
		run_suite installcheck installcheck
		run_suite installcheck-alone installcheck_alone
	else
		echo
		echo "=== installcheck: no regression tests in sql/ (skipped)"
	fi
fi

# --- unit tests ------------------------------------------------------------
if ! skipped unit && [ -f test/unit/Makefile ]; then
	run_suite unit make unit PG_CONFIG="$PG_CONFIG"
fi

# --- the source layout: no dependency cycle, README's listing matches -----------
if ! skipped layout; then
	run_suite layout bash test/check_layout.sh
fi

# --- TAP tests (PostgreSQL::Test::Cluster: clusters of their own) -----------------
if ! skipped tap && compgen -G "t/*.pl" >/dev/null; then
	run_suite tap bash test/run_tap.sh
fi

# --- script tests ------------------------------------------------------------
mapfile -t scripts < <(find test -maxdepth 1 -name 't_*.sh' -type f | LC_ALL=C sort)
for t in "${scripts[@]}"; do
	name=$(basename "$t" .sh)
	# shellcheck disable=SC2254
	case "$name" in ${SM_ONLY:-*}) ;; *) continue ;; esac
	run_suite "$name" bash "$t"
	# a test that crashed the server must not take the later ones with it
	if ! "$SM_PGBIN/pg_isready" -q -t 5; then
		echo "server is down after $name; restarting it"
		sm_cluster_restart immediate || true
	fi
done

finish
