#!/usr/bin/env bash
#
# test/asan/run.sh -- the whole pg_regress suite (and the bad-input
# catalogue) against schema_migrate built with
#   -Wall -Wextra -Werror -fsanitize=address,undefined -fno-omit-frame-pointer
# and loaded into a PostgreSQL server that runs with libasan preloaded.
#
# Nothing shared is touched: the sanitized build is made in a copy of the
# tree and installed (DESTDIR) into a PRIVATE, relocated PostgreSQL
# installation under a temporary directory:
#     <tmp>/inst/usr/lib/postgresql/15/bin/postgres   a copy of the binary
#     <tmp>/inst/usr/lib/postgresql/15/lib            symlinks + our .so
#     <tmp>/inst/usr/share/postgresql/15              symlinks + our files
# PostgreSQL finds its lib and share directories relative to the postgres
# binary it runs as, so a private server started from that copy loads the
# sanitized module while the system-wide install (used by everybody else's
# servers and tests) keeps the normal build.  There is nothing to restore
# afterwards; the temporary directory is removed on exit (trap), and the
# private server is stopped.
#
# ASan: LD_PRELOAD=$(gcc -print-file-name=libasan.so) in the server's
# environment (libasan must come first in the library list; the module is
# linked against it).  ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 (the
# server's own allocator is palloc: leaks are not meaningful), reports go to
# log files which are scanned at the end.  UBSan: print_stacktrace=1,
# halt_on_error=0, its own log files.
#
# MODES (SM_SANITIZER):
#   valgrind (default)  On Debian 12 (glibc 2.36, gcc 12 / clang 14) a
#       postgres started with libasan in LD_PRELOAD hangs before main()
#       finishes: a self-deadlock on glibc's _nl_state_lock inside
#       bindtextdomain() (called from set_pglocale_pgservice), even for
#       "postgres --version".  So by default the module is built with
#       -fsanitize=undefined only (the UBSan runtime needs no preload) and
#       the server runs under Valgrind memcheck with PostgreSQL's own
#       suppressions (test/asan/valgrind.supp); only Valgrind errors whose
#       stack passes through schema_migrate.so count.
#   asan  the ASan+UBSan build with LD_PRELOAD=libasan, for machines where
#       that works (the start times out after 60 s otherwise).
#
# Usage: test/asan/run.sh        (as root or as a user who can runuser postgres)
# Environment:
#   SM_SANITIZER=valgrind|asan   see above (default valgrind)
#   SM_ASAN_BAD_INPUTS=0|1 run test/t_bad_inputs.sh on the sanitized server too
#                          (default: 1 with asan, 0 with valgrind, where it takes long)
#   SM_ASAN_KEEP=1         keep the temporary directory (printed)
#   SM_ASAN_PORT           port of the private server (default 55700)
# Exit status: 0 when the build, the suite and the sanitizer logs are clean.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
ROOT=$(pwd)
# shellcheck source=test/lib/cluster.sh
. "$ROOT/test/lib/cluster.sh"

PGC=$(sm_pg_config)
BINDIR=$("$PGC" --bindir)
PKGLIBDIR=$("$PGC" --pkglibdir)
SHAREDIR=$("$PGC" --sharedir)
CC=${CC:-gcc}
LIBASAN=$($CC -print-file-name=libasan.so)
[ -f "$LIBASAN" ] || { echo "asan: libasan not found ($LIBASAN)"; exit 2; }

W=$(mktemp -d /tmp/sm-asan.XXXXXX) || exit 2
chmod 0755 "$W"
INST=$W/inst
PRIV_POSTGRES=$INST$BINDIR/postgres
DATA=$W/cluster/data
LOGS=$W/logs
SERVER_STARTED=

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
	local rc=$?
	if [ -n "$SERVER_STARTED" ] && [ -f "$DATA/postmaster.pid" ]; then
		as_pg "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [ "${SM_ASAN_KEEP:-0}" = 1 ]; then
		echo "asan: kept $W"
	else
		rm -rf -- "$W"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { echo "asan: $*"; }
fail() { echo "asan: FAIL: $*"; echo "asan: verdict: FAIL"; exit 1; }

# --- 1. a copy of the tree, built sanitized --------------------------------
step "copying the tree to $W/src"
mkdir -p "$W/src"
tar -C "$ROOT" --exclude=./.git --exclude=./results --exclude='*.o' --exclude='*.so' \
	--exclude='*.bc' --exclude=./test/fuzz/corpus-run -cf - . | tar -C "$W/src" -xf - ||
	fail "could not copy the tree"

MODE=${SM_SANITIZER:-valgrind}
case "$MODE" in
asan) SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" ;;
valgrind)
	SAN="-fsanitize=undefined -fno-omit-frame-pointer"
	command -v valgrind >/dev/null || fail "valgrind is not installed"
	;;
*) fail "SM_SANITIZER must be valgrind or asan" ;;
esac
SANLD=${SAN% -fno-omit-frame-pointer}
MAKEVARS=(PG_CONFIG="$PGC" with_llvm=no
	"PG_CFLAGS=$SAN -Wall -Wextra -Werror -g -O1"
	"PG_LDFLAGS=$SANLD")
step "mode $MODE: building with -Wall -Wextra -Werror $SAN"
if ! make -s -C "$W/src" "${MAKEVARS[@]}" >"$W/build.log" 2>&1; then
	cat "$W/build.log"
	fail "the sanitized build failed (warnings are errors here)"
fi
grep -E 'warning:' "$W/build.log" && fail "warnings in the build"
if [ "$MODE" = asan ]; then
	ldd "$W/src/schema_migrate.so" | grep -q libasan || fail "schema_migrate.so is not linked with libasan"
fi
ldd "$W/src/schema_migrate.so" | grep -q libubsan || fail "schema_migrate.so is not linked with libubsan"

# --- 2. a private relocated installation -------------------------------------
step "private installation in $INST"
mkdir -p "$(dirname "$PRIV_POSTGRES")" "$(dirname "$INST$PKGLIBDIR")" "$(dirname "$INST$SHAREDIR")"
cp "$BINDIR/postgres" "$PRIV_POSTGRES"
cp -rs "$PKGLIBDIR" "$INST$PKGLIBDIR"
cp -rs "$SHAREDIR" "$INST$SHAREDIR"
rm -rf "$INST$PKGLIBDIR/schema_migrate.so" "$INST$PKGLIBDIR/bitcode/schema_migrate"* \
	"$INST$SHAREDIR/extension/schema_migrate"* "$INST$SHAREDIR/schema_migrate"
make -s -C "$W/src" "${MAKEVARS[@]}" DESTDIR="$INST" install >>"$W/build.log" 2>&1 ||
	{ cat "$W/build.log"; fail "install into the private installation failed"; }
# the tree must not have been installed anywhere else: DESTDIR prefixes all paths
[ -f "$INST$PKGLIBDIR/schema_migrate.so" ] || fail "private install has no schema_migrate.so"
chmod -R go+rX "$INST"

# --- 3. the private server with libasan preloaded ------------------------------
mkdir -p "$W/cluster" "$LOGS"
if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$W/cluster" "$LOGS"; fi
PORT=${SM_ASAN_PORT:-55700}
while sm__port_busy "$PORT"; do PORT=$((PORT + 1)); done
step "initdb + start on port $PORT (LD_PRELOAD=$LIBASAN)"
as_pg "$BINDIR/initdb" -D "$DATA" -A trust -U postgres --no-sync -E UTF8 --locale=C \
	>"$W/initdb.log" 2>&1 || { cat "$W/initdb.log"; fail "initdb"; }
cat >>"$DATA/postgresql.conf" <<EOF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$W/cluster'
fsync = off
max_locks_per_transaction = 256
log_min_messages = warning
EOF
ASAN_OPTS="detect_leaks=0:abort_on_error=0:disable_coredump=1:log_path=$LOGS/asan"
UBSAN_OPTS="print_stacktrace=1:halt_on_error=0:log_path=$LOGS/ubsan"
if [ "$MODE" = asan ]; then
	as_pg env LD_PRELOAD="$LIBASAN" ASAN_OPTIONS="$ASAN_OPTS" UBSAN_OPTIONS="$UBSAN_OPTS" \
		"$BINDIR/pg_ctl" -p "$PRIV_POSTGRES" -D "$DATA" -l "$W/cluster/server.log" -w -t 60 start \
		>/dev/null || { cat "$W/cluster/server.log"; fail "the ASan server did not start (see MODES above; try SM_SANITIZER=valgrind)"; }
else
	# pg_ctl -p runs a wrapper that execs the private postgres under valgrind;
	# the binary keeps its own path, so it still finds the private lib/share
	cp "$ROOT/test/asan/valgrind.supp" "$W/valgrind.supp"
	cat >"$W/postgres-valgrind" <<WRAPPER
#!/bin/sh
exec valgrind --quiet --tool=memcheck --trace-children=no --leak-check=no \\
  --track-origins=no --read-var-info=no --num-callers=30 --error-limit=no \\
  --suppressions=$W/valgrind.supp --gen-suppressions=all \\
  --log-file=$LOGS/valgrind.%p.log "$PRIV_POSTGRES" "\$@"
WRAPPER
	chmod 755 "$W/postgres-valgrind" "$W/valgrind.supp"
	as_pg env UBSAN_OPTIONS="$UBSAN_OPTS" \
		"$BINDIR/pg_ctl" -p "$W/postgres-valgrind" -D "$DATA" -l "$W/cluster/server.log" -w -t 300 start \
		>/dev/null || { cat "$W/cluster/server.log"; fail "the server did not start under valgrind"; }
fi
SERVER_STARTED=1
export PGHOST=$W/cluster PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
PMPID=$(head -1 "$DATA/postmaster.pid")
if [ "$MODE" = asan ]; then
	grep -q libasan "/proc/$PMPID/maps" || fail "libasan is not mapped into the postmaster"
else
	grep -q vgpreload_memcheck "/proc/$PMPID/maps" || fail "the postmaster does not run under valgrind"
fi
# the server must load the private, sanitized module
got=$("$BINDIR/psql" -X -At -c "LOAD 'schema_migrate'; SELECT setting FROM pg_settings WHERE name = 'data_directory'" 2>&1) ||
	fail "LOAD 'schema_migrate' failed in the sanitized server: $got"
"$BINDIR/psql" -X -At -c "LOAD 'schema_migrate'" -c "SELECT pg_sleep(3)" >/dev/null &
sleep 2
for p in $(pgrep -P "$PMPID"); do
	if grep -q "$INST$PKGLIBDIR/schema_migrate.so" "/proc/$p/maps" 2>/dev/null; then
		step "a backend maps $INST$PKGLIBDIR/schema_migrate.so"
	fi
done
wait

# --- 4. the suite ---------------------------------------------------------------
# the fixture sets: in place when the server's OS user can read them (the
# expected output of some tests names their directory), else a copy
if as_pg test -r "$ROOT/test/sets/basic/0001_accounts.sql"; then
	SETS=$ROOT/test/sets
else
	SETS=$W/cluster/sets
	cp -R "$ROOT/test/sets" "$SETS"
	if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$SETS"; fi
	chmod -R go+rX "$SETS"
fi

status=0
step "pg_regress (make installcheck) against the sanitized server"
if ! make -C "$W/src" "${MAKEVARS[@]}" SM_TEST_SETS="$SETS" TAP_TESTS= installcheck >"$W/regress.log" 2>&1; then
	status=1
	grep -E '^(test |ok |not ok |#)| tests? (passed|failed)' "$W/regress.log" || tail -n 30 "$W/regress.log"
	[ -f "$W/src/regression.diffs" ] && head -n 150 "$W/src/regression.diffs"
	echo "asan: pg_regress FAILED"
else
	grep -E '^(test |ok |not ok )' "$W/regress.log" | sed 's/^/  /'
	step "pg_regress passed"
fi

if [ "${SM_ASAN_BAD_INPUTS:-$([ "$MODE" = asan ] && echo 1 || echo 0)}" = 1 ] && [ -f "$ROOT/test/t_bad_inputs.sh" ]; then
	step "test/t_bad_inputs.sh against the sanitized server"
	if bash "$ROOT/test/t_bad_inputs.sh" >"$W/bad_inputs.log" 2>&1; then
		step "bad inputs: $(tail -n 1 "$W/bad_inputs.log")"
	else
		grep -E '^FAIL' "$W/bad_inputs.log" | cut -c1-300
		step "bad inputs: $(tail -n 1 "$W/bad_inputs.log") (failures here are reported by t_bad_inputs.sh in the normal run too; only sanitizer reports are new)"
	fi
fi

# --- 5. the verdict ----------------------------------------------------------------
as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1
SERVER_STARTED=

crashes=$(grep -cE 'terminated by signal|was terminated by exception' "$W/cluster/server.log")
exits=$(grep -cE 'server process \(PID [0-9]+\) exited with exit code [1-9]' "$W/cluster/server.log")
reports=0
shopt -s nullglob
other=0
for f in "$LOGS"/valgrind.*.log; do
	n=$(grep -cE '^==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Source and destination|Mismatched|Argument)' "$f")
	[ "$n" -gt 0 ] || continue
	if grep -q 'schema_migrate' "$f"; then
		echo "----- $f"
		head -n 80 "$f"
		reports=$((reports + n))
	else
		other=$((other + n))
	fi
done
[ "$other" -gt 0 ] && step "valgrind: $other report(s) with no schema_migrate frame (PostgreSQL itself; not counted)"
for f in "$LOGS"/asan* "$LOGS"/ubsan*; do
	# a report that stems from PostgreSQL itself rather than the module is
	# still printed, but only reports through schema_migrate count
	n=$(grep -cE 'ERROR: AddressSanitizer|runtime error:' "$f")
	[ "$n" -gt 0 ] || continue
	echo "----- $f"
	head -n 60 "$f"
	if grep -q 'schema_migrate' "$f" || grep -qE 'src/[a-z_]+\.c' "$f"; then
		reports=$((reports + n))
	else
		echo "(not in schema_migrate: counted as PostgreSQL's)"
	fi
done
if [ "$reports" -gt 0 ] || [ "$crashes" -gt 0 ] || [ "$exits" -gt 0 ]; then
	mkdir -p /tmp/sm-asan-reports
	cp -r "$LOGS" "$W/cluster/server.log" /tmp/sm-asan-reports/ 2>/dev/null
	echo "asan: reports copied to /tmp/sm-asan-reports"
fi
step "sanitizer reports in schema_migrate: $reports; backend crashes: $crashes; abnormal backend exits: $exits"
if [ "$status" -ne 0 ] || [ "$reports" -gt 0 ] || [ "$crashes" -gt 0 ] || [ "$exits" -gt 0 ]; then
	echo "asan: verdict: FAIL"
	exit 1
fi
echo "asan: verdict: PASS ($MODE: no sanitizer report in schema_migrate, no crash; pg_regress passed)"
exit 0
