#!/usr/bin/env bash
#
# t_production.sh -- what pg_regress cannot show, on a real server:
#   lock timeouts retried then succeeding, and failing cleanly; waiting for
#   another migrator (wait_timeout); an edited file and a CRLF copy of it;
#   a backend SIGKILLed in the middle of sm_upgrade and of CALL sm_migrate
#   (the server recovers, the version table shows exactly what committed,
#   a re-run finishes); 32 sessions running CALL sm_migrate('head') at once.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

cleanup_more() { jobs -p | xargs -r kill 2>/dev/null; }
sm_test_setup t_prod
SETS=$WORK/sets
DB=sm_prod_$$

mkset() { # name count body-template (NNN replaced by the number)
	local name=$1 n=$2 body=$3 i f
	mkdir -p "$SETS/$name"
	for ((i = 1; i <= n; i++)); do
		f=$(printf '%s/%s/%04d_step%d.sql' "$SETS" "$name" "$i" "$i")
		printf -- '-- +up\n%s\n-- +down\nDROP TABLE %s_%d;\n' "${body//NNN/$i}" "$name" "$i" >"$f"
	done
}
mkset slow 5 "CREATE TABLE slow_NNN (id int); SELECT pg_sleep(0.4);"
mkset many 10 "CREATE TABLE many_NNN (id int); INSERT INTO many_runs VALUES (NNN); SELECT pg_sleep(0.02);"
sed -i '2i CREATE TABLE many_runs (n int);' "$SETS/many/0001_step1.sql"
mkdir -p "$SETS/locky" "$SETS/edit" "$SETS/cic"
printf -- '-- +up\nCREATE TABLE cic_t (id bigserial PRIMARY KEY, v int);\nINSERT INTO cic_t (v) SELECT g FROM generate_series(1, 20000) g;\n-- +down\nDROP TABLE cic_t;\n' >"$SETS/cic/0001_table.sql"
printf -- '-- transactional: false\n\n-- +up\nCREATE INDEX CONCURRENTLY cic_t_v ON cic_t (v);\n-- +down\nDROP INDEX CONCURRENTLY cic_t_v;\n' >"$SETS/cic/0002_index.sql"
printf -- '-- +up\nALTER TABLE locked ADD COLUMN extra int;\n-- +down\nALTER TABLE locked DROP COLUMN extra;\n' >"$SETS/locky/0001_alter.sql"
printf -- '-- +up\nCREATE TABLE edit_one (id int);\n-- +down\nDROP TABLE edit_one;\n' >"$SETS/edit/0001_one.sql"
chmod -R a+rX "$WORK"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$WORK"

export PGOPTIONS="-c schema_migrate.path=$SETS -c schema_migrate.timing=off"
q() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1" 2>&1; }
# the same without NOTICE lines: just the result, or the error
r() { q "$1" | grep -v '^NOTICE:'; }
"$PSQL_BIN" -X -q -d postgres -c "CREATE DATABASE $DB" || exit 1
q "CREATE EXTENSION schema_migrate" >/dev/null || exit 1

# --- lock timeouts: a blocker that lets go in time, and one that does not ---
q "CREATE TABLE locked (id int); INSERT INTO locked VALUES (1)" >/dev/null
"$PSQL_BIN" -X -q -d "$DB" -c "BEGIN; SELECT * FROM locked; SELECT pg_sleep(1.2); COMMIT;" >/dev/null &
sleep 0.3
out=$(q "SET schema_migrate.lock_timeout = '200ms'; SET schema_migrate.lock_retries = 5; SELECT sm_upgrade('head', 'locky')")
check "a migration blocked by a lock is retried and succeeds once it is released" \
	grep -qx "0001" <<<"$out"
check "each retry is announced with the lock it waited for" \
	grep -q 'waited longer than lock_timeout for a lock on relation "locked" held by pid [0-9]* (AccessShareLock); retrying (1 of 5)' <<<"$out"
wait
q "SELECT sm_downgrade('base', 'locky')" >/dev/null
"$PSQL_BIN" -X -q -d "$DB" -c "BEGIN; SELECT * FROM locked; SELECT pg_sleep(6); COMMIT;" >/dev/null &
BLOCKER=$!
sleep 0.3
out=$(q "SET schema_migrate.lock_timeout = '200ms'; SET schema_migrate.lock_retries = 2; SELECT sm_upgrade('head', 'locky')")
check "a lock never released fails naming the lock, after the retries" \
	grep -q 'migration 0001 could not get a lock on relation "locked" after 3 attempts' <<<"$out"
check "...and leaves nothing behind" \
	test "$(q "SELECT count(*) FROM sm_version WHERE set_name = 'locky'"):$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 'locked' AND column_name = 'extra'")" = "0:0"
kill "$BLOCKER" 2>/dev/null; wait 2>/dev/null

# --- wait_timeout: another session is migrating the same set ---
q "SELECT sm_upgrade('head', 'slow')" >/dev/null &
sleep 0.4
out=$(q "SET schema_migrate.wait_timeout = '300ms'; SELECT sm_upgrade('head', 'slow')")
check "waiting for another migrator is bounded by wait_timeout" \
	grep -q 'another session has been migrating set "slow" for longer than schema_migrate.wait_timeout' <<<"$out"
wait
check "...while the first migrator finishes" test "$(q "SELECT * FROM sm_current('slow')")" = "0005"
q "SELECT sm_downgrade('base', 'slow')" >/dev/null

# --- an edited migration, and a CRLF checkout of the same file ---
q "SELECT sm_upgrade('head', 'edit')" >/dev/null
sed -i 's/\r$//; s/$/\r/' "$SETS/edit/0001_one.sql"
printf '\xef\xbb\xbf' | cat - "$SETS/edit/0001_one.sql" >"$WORK/bom" && cat "$WORK/bom" >"$SETS/edit/0001_one.sql"
check "a CRLF + BOM copy of an applied file is not a change" \
	test "$(q "SELECT sm_check('edit')")" = "t"
printf -- '-- +up\nCREATE TABLE edit_one (id int, more text);\n-- +down\nDROP TABLE edit_one;\n' >"$SETS/edit/0001_one.sql"
out=$(q "SELECT sm_upgrade('head', 'edit')")
check "an edited applied file stops the upgrade with a hint to sm_repair" \
	grep -q 'applied migration 0001 of set "edit" has changed since it was applied' <<<"$out"
q "SELECT sm_repair('edit')" >/dev/null
check "sm_repair accepts it" test "$(q "SELECT sm_check('edit')")" = "t"

# --- SIGKILL in the middle of sm_upgrade: all or nothing ---
# Up again after the crash restart: a connection made before the postmaster
# has reaped the killed backend would be ended by the restart itself, so wait
# until a session no longer sees the killed pid (its entry stays until the
# shared memory is reinitialised).
KILLED_PID=
wait_up() {
	local seen
	for _ in $(seq 1 120); do
		seen=$("$PSQL_BIN" -X -q -At -d "$DB" -c "SELECT count(*) FROM pg_stat_activity WHERE pid = ${KILLED_PID:-0}" 2>/dev/null)
		[ "$seen" = 0 ] && return 0
		sleep 0.5
	done
	return 1
}
kill_backend_of() { # application_name
	local pid
	for _ in $(seq 1 50); do
		pid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND state = 'active'")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	sleep "$2"
	KILLED_PID=$pid
	kill -9 "$pid"
}
PGAPPNAME=victim1 "$PSQL_BIN" -X -q -d "$DB" -c "SELECT sm_upgrade('head', 'slow')" >/dev/null 2>&1 &
kill_backend_of victim1 1.0
wait
check "the server recovers after a backend is killed in sm_upgrade" wait_up
check "...and the version table shows nothing of the killed upgrade" \
	test "$(q "SELECT count(*) FROM sm_version WHERE set_name = 'slow'"):$(q "SELECT count(*) FROM pg_class WHERE relname LIKE 'slow\_%'")" = "0:0"
check "...and a re-run finishes" test "$(r "SELECT sm_upgrade('head', 'slow')")" = "0005"
q "SELECT sm_downgrade('base', 'slow')" >/dev/null

# --- SIGKILL in the middle of CALL sm_migrate: what committed stays ---
PGAPPNAME=victim2 "$PSQL_BIN" -X -q -d "$DB" -c "CALL sm_migrate('head', 'slow')" >/dev/null 2>&1 &
kill_backend_of victim2 1.0
wait
check "the server recovers after a backend is killed in sm_migrate" wait_up
n_ver=$(q "SELECT count(*) FROM sm_version WHERE set_name = 'slow'")
n_tab=$(q "SELECT count(*) FROM pg_class WHERE relname LIKE 'slow\_%' AND relkind = 'r'")
check "...the version table shows exactly the committed steps ($n_ver rows, $n_tab tables)" \
	test "$n_ver" = "$n_tab" -a "$n_ver" -ge 1 -a "$n_ver" -lt 5
check "...the session lock died with the backend, and a re-run finishes" \
	test "$("$PSQL_BIN" -X -q -At -d "$DB" -c "SET schema_migrate.wait_timeout = '5s'" \
		-c "CALL sm_migrate('head', 'slow')" -c "SELECT * FROM sm_current('slow')" 2>&1 | grep -v '^NOTICE:')" = "0005"

# --- CREATE INDEX CONCURRENTLY in a migration while another session writes ---
q "SELECT sm_upgrade('0001', 'cic')" >/dev/null
q "CREATE TABLE cic_stop (x int)" >/dev/null
# the writer commits a row every 10 ms until told to stop (at most a minute)
"$PSQL_BIN" -X -q -d "$DB" -c "DO \$\$ BEGIN FOR i IN 1..6000 LOOP EXIT WHEN EXISTS (SELECT FROM cic_stop); INSERT INTO cic_t (v) VALUES (i); PERFORM pg_sleep(0.01); COMMIT; END LOOP; END \$\$" >"$WORK/writer.out" 2>&1 &
WRITER=$!
sleep 0.3
"$PSQL_BIN" -X -q -d "$DB" -c "CALL sm_migrate('head', 'cic')" >"$WORK/cic.out" 2>&1
cic_rc=$?
writer_busy=$(kill -0 "$WRITER" 2>/dev/null && echo yes || echo no)
q "INSERT INTO cic_stop VALUES (1)" >/dev/null
wait "$WRITER"; writer_rc=$?
check "CALL sm_migrate builds an index CONCURRENTLY while another session writes" \
	test "$cic_rc:$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'cic_t_v'::regclass")" = "0:t"
check "...the writer was still writing when the migration finished, and was never blocked out" \
	test "$writer_busy:$writer_rc:$(q "SELECT count(*) > 20000 FROM cic_t")" = "yes:0:t"
check "...and the set is at head" test "$(q "SELECT * FROM sm_current('cic')")" = "0002"

# --- the no-op caches notice new and edited files ---
# a new backend answers "at head" from the summary in pg_stat_tmp, an open one
# from its inotify-validated cache; both must see a file added meanwhile
coproc LONG { "$PSQL_BIN" -X -q -At -d "$DB" 2>&1; }
# bash unsets LONG_PID as soon as the coprocess exits: keep it
long_pid=$LONG_PID
echo "SELECT sm_upgrade('head', 'slow');" >&"${LONG[1]}"
read -r -t 10 line <&"${LONG[0]}"
check "an open session at head" test "$line" = "0005"
printf -- '-- +up\nCREATE TABLE slow_6 (id int);\n-- +down\nDROP TABLE slow_6;\n' >"$SETS/slow/0006_step6.sql"
chown postgres "$SETS/slow/0006_step6.sql" 2>/dev/null
check "a new backend sees a migration added after the set was cached" \
	test "$(q "SELECT * FROM sm_plan('head', 'slow')" | cut -d'|' -f2)" = "0006"
echo "SELECT sm_upgrade('head', 'slow');" >&"${LONG[1]}"
out=""
while read -r -t 10 line <&"${LONG[0]}"; do out="$out$line;"; [ "$line" = "0006" ] && break; done
check "an open session's cache sees it too, and applies it" grep -q "0006" <<<"$out"
printf -- '-- +up\nCREATE TABLE slow_6 (id int, edited int);\n-- +down\nDROP TABLE slow_6;\n' >"$SETS/slow/0006_step6.sql"
echo "SELECT sm_check('slow');" >&"${LONG[1]}"
out=""
while read -r -t 10 line <&"${LONG[0]}"; do out="$out$line;"; case $line in *changed*) break ;; esac; done
check "an open session at head notices an edit of an applied file" grep -q "has changed since it was applied" <<<"$out"
check "...and so does a new backend" grep -q "has changed since it was applied" <<<"$(q "SELECT sm_check('slow')")"
echo "\\q" >&"${LONG[1]}"
wait "$long_pid" 2>/dev/null
q "SELECT sm_repair('slow')" >/dev/null

# --- 32 sessions run CALL sm_migrate('head') at once ---
START=$WORK/go
for i in $(seq 1 32); do
	( while [ ! -e "$START" ]; do sleep 0.01; done
	  "$PSQL_BIN" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "CALL sm_migrate('head', 'many')" >"$WORK/s$i.out" 2>&1
	  echo $? >"$WORK/s$i.rc" ) &
done
sleep 0.5; touch "$START"; wait
failed=$(cat "$WORK"/s*.rc | grep -vc '^0$')
check "32 concurrent CALL sm_migrate sessions all succeed ($failed failed)" test "$failed" = "0"
check "...and every migration ran exactly once" \
	test "$(q "SELECT count(*) || ':' || count(DISTINCT n) FROM many_runs")" = "10:10"

"$PSQL_BIN" -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
echo "t_production: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
