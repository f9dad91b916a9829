#!/usr/bin/env bash
#
# test/t_replica.sh -- schema_migrate on real PostgreSQL replication.
#
#   1. physical: a primary (port 55660) and a hot standby made with
#      `pg_basebackup -R` (port 55661); the primary is migrated, the test
#      waits for the standby to replay the primary's WAL position, then checks
#      that the standby reports the primary's state (sm_current, sm_history,
#      sm_check/sm_status when installed) and that sm_upgrade / sm_downgrade
#      on the standby fail with an error and change nothing.
#   2. logical: a publisher (55662) and a subscriber (55663), both migrated to
#      the same head (subscriber first), one table published, rows replicate,
#      sm_current equal on both.
#
# Needs the extension installed system-wide (make install). Run as root (the
# clusters run as the postgres OS user) or as postgres. Every cluster is
# stopped and every directory removed at the end, also on failure.
# Prints "ok ..." lines; exits non-zero on the first failed assertion.
#
# Environment:
#   SM_REPLICA_STRICT=0  do not require that sm_upgrade('head') on a standby that
#                        is already at head fails and that the error names the
#                        standby (the default requires both).
#   SM_KEEP_CLUSTER=1    leave the clusters and directories for inspection.

set -uo pipefail

PG_MAJOR=${SM_PG_MAJOR:-15}
PGBIN=${SM_PGBIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
STRICT=${SM_REPLICA_STRICT:-1}
DEADLINE=$((SECONDS + ${SM_REPLICA_TIMEOUT:-170}))

unset PGOPTIONS PGSERVICE PGPASSWORD PGHOSTADDR PGDATABASE PGHOST PGPORT
export PGUSER=postgres PGCONNECT_TIMEOUT=10 PGOPTIONS='-c client_min_messages=warning'

say() { echo "$*"; }
fail() {
	echo "not ok - $*"
	FAILED=1
	exit 1
}
ok() { echo "ok - $*"; }

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

TMP=$(mktemp -d /tmp/sm-replica.XXXXXX) || exit 2
chmod 0755 "$TMP"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$TMP"
CLUSTERS=()
FAILED=0

cleanup() {
	local rc=$? d i
	for ((i = ${#CLUSTERS[@]} - 1; i >= 0; i--)); do
		d=${CLUSTERS[$i]}
		if [ -f "$d/postmaster.pid" ]; then
			if [ "${SM_KEEP_CLUSTER:-0}" = 1 ]; then continue; fi
			as_pg "$PGBIN/pg_ctl" -D "$d" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
		fi
	done
	if [ "$rc" -ne 0 ] || [ "$FAILED" = 1 ]; then
		for d in "${CLUSTERS[@]}"; do
			[ -f "$d.log" ] && { echo "----- tail of $d.log"; tail -n 25 "$d.log"; }
		done
	fi
	if [ "${SM_KEEP_CLUSTER:-0}" = 1 ]; then
		echo "# kept $TMP"
	else
		rm -rf -- "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_busy() {
	[ -e "/var/run/postgresql/.s.PGSQL.$1" ] || [ -e "/tmp/.s.PGSQL.$1" ] ||
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# conf NAME PORT WAL_LEVEL: the lines appended to a cluster's postgresql.conf
conf() {
	cat <<EOF

# t_replica.sh
port = $2
listen_addresses = ''
unix_socket_directories = '$TMP/$1.sock'
fsync = off
synchronous_commit = off
full_page_writes = on
wal_level = $3
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
max_connections = 30
log_min_messages = warning
EOF
}

# new_cluster NAME PORT WAL_LEVEL
new_cluster() {
	local name=$1 port=$2 data=$TMP/$1
	port_busy "$port" && fail "port $port is in use"
	mkdir -p "$TMP/$name.sock" && chmod 0700 "$TMP/$name.sock"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$TMP/$name.sock"
	CLUSTERS+=("$data")
	as_pg "$PGBIN/initdb" -D "$data" -A trust -U postgres --no-sync -E UTF8 --locale=C \
		>"$TMP/$name.initdb.log" 2>&1 || { cat "$TMP/$name.initdb.log"; fail "initdb $name"; }
	conf "$name" "$port" "$3" | as_pg tee -a "$data/postgresql.conf" >/dev/null
	start_cluster "$name"
}
start_cluster() {
	as_pg "$PGBIN/pg_ctl" -D "$TMP/$1" -l "$TMP/$1.log" -w -t 60 start >/dev/null ||
		fail "start $1"
}

# q NAME DB SQL...: run SQL on cluster NAME, unaligned tuples only; fails on error
declare -A PORT
q() {
	local name=$1 db=$2
	shift 2
	"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$TMP/$name.sock" -p "${PORT[$name]}" -d "$db" "$@"
}
# qerr NAME DB SQL: run SQL expected to fail; sets ERR_OUT (message) and ERR_STATE (SQLSTATE);
# returns 0 if it failed, 1 if it succeeded
qerr() {
	local out
	out=$("$PGBIN/psql" -X -q -At -h "$TMP/$1.sock" -p "${PORT[$1]}" -d "$2" \
		-v ON_ERROR_STOP=0 -v VERBOSITY=verbose 2>&1 <<SQL
$3
\echo sqlstate=:LAST_ERROR_SQLSTATE
SQL
)
	ERR_STATE=$(printf '%s\n' "$out" | sed -n 's/^sqlstate=//p' | tail -n 1)
	ERR_OUT=$(printf '%s\n' "$out" | grep -v '^sqlstate=' | grep -E 'ERROR|DETAIL|HINT' | head -n 4)
	[ -n "$ERR_STATE" ] && [ "$ERR_STATE" != 00000 ]
}

time_left() { [ "$SECONDS" -lt "$DEADLINE" ] || fail "time budget used up"; }

# gen_set DIR N: N migrations, each creates a table with an index (+ down)
gen_set() {
	local dir=$1 n=$2 i
	mkdir -p "$dir"
	for i in $(seq 1 "$n"); do
		printf -- '-- message: table t%d\n\n-- +up\nCREATE TABLE t%d (id bigint PRIMARY KEY, v text NOT NULL);\nCREATE INDEX t%d_v ON t%d (v);\n\n-- +down\nDROP TABLE t%d;\n' \
			"$i" "$i" "$i" "$i" "$i" >"$dir/$(printf %04d "$i")_t$i.sql"
	done
}

have_fn() { [ "$(q "$1" "$2" -c "SELECT count(*) FROM pg_proc WHERE proname = '$3'")" != 0 ]; }

# wait_replay PRIMARY STANDBY LSN
wait_replay() {
	local lsn=$3 t=0 replayed
	while :; do
		replayed=$(q "$2" postgres -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")
		[ "$replayed" = t ] && return 0
		t=$((t + 1))
		[ $t -lt 600 ] || fail "standby did not replay $lsn within 60 s"
		sleep 0.1
	done
}

HISTORY_SQL="SELECT revision, applied, applied_at, applied_by, is_head, is_current, checksum FROM sm_history() ORDER BY revision"
CURRENT_SQL="SELECT string_agg(r, ',' ORDER BY r) FROM sm_current() r"

SETS=$TMP/sets
gen_set "$SETS/rep" 5
chmod -R u+rwX,go+rX "$SETS"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SETS"

########################################################################
# 1. physical streaming replication
########################################################################
PORT[primary]=55660
PORT[standby]=55661
new_cluster primary 55660 replica
ok "primary started on port 55660"

q primary postgres -c "CREATE DATABASE app" || fail "create database"
q primary app <<SQL || fail "install and configure the extension on the primary"
CREATE EXTENSION schema_migrate;
ALTER DATABASE app SET schema_migrate.path = '$SETS';
ALTER DATABASE app SET schema_migrate.set = 'rep';
SQL

# the standby starts from a base backup taken before the migration, so the
# migration reaches it through WAL only
port_busy 55661 && fail "port 55661 is in use"
mkdir -p "$TMP/standby.sock" && chmod 0700 "$TMP/standby.sock"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$TMP/standby.sock"
CLUSTERS+=("$TMP/standby")
as_pg "$PGBIN/pg_basebackup" -h "$TMP/primary.sock" -p 55660 -U postgres -D "$TMP/standby" \
	-R -X stream -c fast --no-sync >"$TMP/basebackup.log" 2>&1 ||
	{ cat "$TMP/basebackup.log"; fail "pg_basebackup -R"; }
conf standby 55661 replica | as_pg tee -a "$TMP/standby/postgresql.conf" >/dev/null
start_cluster standby
[ "$(q standby postgres -c 'SELECT pg_is_in_recovery()')" = t ] || fail "standby is not in recovery"
ok "hot standby from pg_basebackup -R started on port 55661"

head=$(q primary app -c "SELECT sm_upgrade('head')") || fail "sm_upgrade('head') on the primary"
[ -n "$head" ] || fail "sm_upgrade returned nothing"
ok "primary migrated to $head"
time_left

lsn=$(q primary postgres -c "SELECT pg_current_wal_lsn()") || fail "pg_current_wal_lsn"
wait_replay primary standby "$lsn"
ok "standby replayed up to the primary's WAL position $lsn"

p_cur=$(q primary app -c "$CURRENT_SQL")
s_cur=$(q standby app -c "$CURRENT_SQL") || fail "sm_current() on the standby"
[ "$p_cur" = "$s_cur" ] || fail "sm_current: primary '$p_cur', standby '$s_cur'"
ok "sm_current() on the standby = primary's ($s_cur)"

p_hist=$(q primary app -c "$HISTORY_SQL")
s_hist=$(q standby app -c "$HISTORY_SQL") || fail "sm_history() on the standby"
[ "$(printf '%s\n' "$p_hist" | grep -c '|t|')" = 5 ] || fail "primary history does not show 5 applied: $p_hist"
[ "$p_hist" = "$s_hist" ] || fail "sm_history differs:
primary:
$p_hist
standby:
$s_hist"
ok "sm_history() on the standby = primary's (5 rows)"

[ "$(q standby app -c "SELECT count(*) FROM pg_class WHERE relname ~ '^t[1-5]\$' AND relkind = 'r'")" = 5 ] ||
	fail "the standby does not have the 5 tables"
ok "the migrated tables exist on the standby"

for fn in sm_check sm_status; do
	if have_fn primary app "$fn"; then
		p=$(q primary app -c "SELECT * FROM $fn()") || fail "$fn() on the primary"
		s=$(q standby app -c "SELECT * FROM $fn()") || fail "$fn() on the standby"
		[ "$p" = "$s" ] || fail "$fn() differs: primary '$p', standby '$s'"
		ok "$fn() on the standby = primary's"
	else
		say "# skip: $fn() is not installed"
	fi
done

log_before=$(q standby app -c "SELECT count(*) FROM sm_log")

# a new migration on disk (the set directory is shared by both servers here)
printf -- '-- +up\nCREATE TABLE t6 (id bigint PRIMARY KEY);\n\n-- +down\nDROP TABLE t6;\n' >"$SETS/rep/0006_t6.sql"
chmod go+r "$SETS/rep/0006_t6.sql"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$SETS/rep/0006_t6.sql"

check_unchanged() {
	local c
	c=$(q standby app -c "$CURRENT_SQL") || fail "sm_current() on the standby after $1"
	[ "$c" = "$p_cur" ] || fail "standby state changed after $1: '$c'"
	[ "$(q standby app -c "SELECT count(*) FROM sm_log")" = "$log_before" ] || fail "sm_log changed on the standby after $1"
	[ "$(q standby app -c "SELECT count(*) FROM pg_class WHERE relname = 't6'")" = 0 ] || fail "t6 exists after $1"
}

if qerr standby app "SELECT sm_upgrade('head');"; then
	say "# standby sm_upgrade('head') with 1 pending: SQLSTATE $ERR_STATE"
	printf '%s\n' "$ERR_OUT" | sed 's/^/#   /'
	check_unchanged "sm_upgrade('head')"
	ok "sm_upgrade('head') with a pending migration fails on the standby ($ERR_STATE) and changes nothing"
else
	fail "sm_upgrade('head') with a pending migration succeeded on the standby"
fi
if printf '%s\n' "$ERR_OUT" | grep -qi 'standby\|recovery'; then
	ok "the error says the server is a standby"
else
	say "# todo: the error does not say the server is a standby (lead: check RecoveryInProgress() first)"
	[ "$STRICT" = 1 ] && fail "the error must say the server is a standby"
fi

rm -f "$SETS/rep/0006_t6.sql"
if qerr standby app "SELECT sm_upgrade('head');"; then
	say "# standby sm_upgrade('head') at head: SQLSTATE $ERR_STATE"
	printf '%s\n' "$ERR_OUT" | sed 's/^/#   /'
	check_unchanged "sm_upgrade('head') at head"
	ok "sm_upgrade('head') at head fails on the standby ($ERR_STATE)"
else
	check_unchanged "sm_upgrade('head') at head"
	say "# todo: sm_upgrade('head') at head succeeds on the standby (a no-op); it should refuse at once"
	[ "$STRICT" = 1 ] && fail "sm_upgrade('head') at head must fail on a standby"
fi

if have_fn primary app sm_downgrade; then
	if qerr standby app "SELECT sm_downgrade('base');"; then
		say "# standby sm_downgrade('base'): SQLSTATE $ERR_STATE"
		printf '%s\n' "$ERR_OUT" | sed 's/^/#   /'
		check_unchanged "sm_downgrade('base')"
		ok "sm_downgrade('base') fails on the standby ($ERR_STATE) and changes nothing"
	else
		fail "sm_downgrade('base') succeeded on the standby"
	fi
else
	say "# skip: sm_downgrade() is not installed"
fi
if have_fn primary app sm_stamp; then
	if qerr standby app "SELECT sm_stamp('base');"; then
		say "# standby sm_stamp('base'): SQLSTATE $ERR_STATE"
		check_unchanged "sm_stamp('base')"
		ok "sm_stamp('base') fails on the standby ($ERR_STATE) and changes nothing"
	else
		fail "sm_stamp('base') succeeded on the standby"
	fi
fi
[ "$(q primary app -c "$CURRENT_SQL")" = "$p_cur" ] || fail "the primary changed"
ok "the primary is unchanged"

for c in standby primary; do
	as_pg "$PGBIN/pg_ctl" -D "$TMP/$c" -m fast -w -t 30 stop >/dev/null || fail "stop $c"
done
ok "physical pair stopped"
time_left

########################################################################
# 2. logical replication: publisher and subscriber both migrated
########################################################################
PORT[pub]=55662
PORT[sub]=55663
new_cluster pub 55662 logical
new_cluster sub 55663 logical
ok "publisher (55662) and subscriber (55663) started"

for c in sub pub; do # subscriber first: additive changes
	q "$c" postgres -c "CREATE DATABASE app" || fail "create database on $c"
	q "$c" app >/dev/null <<SQL || fail "migrate $c"
CREATE EXTENSION schema_migrate;
ALTER DATABASE app SET schema_migrate.path = '$SETS';
ALTER DATABASE app SET schema_migrate.set = 'rep';
SET schema_migrate.path = '$SETS';
SET schema_migrate.set = 'rep';
SELECT sm_upgrade('head');
SQL
done
pub_cur=$(q pub app -c "$CURRENT_SQL")
sub_cur=$(q sub app -c "$CURRENT_SQL")
{ [ -n "$pub_cur" ] && [ "$pub_cur" = "$sub_cur" ]; } || fail "sm_current: publisher '$pub_cur', subscriber '$sub_cur'"
ok "subscriber then publisher migrated to the same head ($pub_cur)"

q pub app -c "CREATE PUBLICATION sm_pub FOR TABLE t1" || fail "create publication"
q pub app -c "INSERT INTO t1 SELECT g, 'before ' || g FROM generate_series(1, 10) g" || fail "insert"
q sub app -c "CREATE SUBSCRIPTION sm_sub CONNECTION 'host=$TMP/pub.sock port=55662 dbname=app user=postgres' PUBLICATION sm_pub" ||
	fail "create subscription"
q pub app -c "INSERT INTO t1 SELECT g, 'after ' || g FROM generate_series(11, 25) g" || fail "insert"
t=0
while [ "$(q sub app -c 'SELECT count(*) FROM t1')" != 25 ]; do
	t=$((t + 1))
	[ $t -lt 600 ] || fail "rows did not reach the subscriber within 60 s (have $(q sub app -c 'SELECT count(*) FROM t1'))"
	sleep 0.1
done
[ "$(q sub app -c 'SELECT sum(id), count(DISTINCT v) FROM t1')" = "325|25" ] || fail "replicated rows differ"
ok "rows of a published table reach the subscriber (25 rows)"

[ "$(q pub app -c "$CURRENT_SQL")" = "$(q sub app -c "$CURRENT_SQL")" ] || fail "sm_current differs after replication"
ok "sm_current() equal on publisher and subscriber"
if have_fn pub app sm_status; then
	# everything but the time of the last operation
	st="SELECT set_name, current, pending, partial, last_operation, last_revision, last_success, last_error FROM sm_status() ORDER BY set_name"
	p=$(q pub app -c "$st") || fail "sm_status() on the publisher"
	s=$(q sub app -c "$st") || fail "sm_status() on the subscriber"
	{ [ -n "$p" ] && [ "$p" = "$s" ]; } || fail "sm_status() differs: publisher '$p', subscriber '$s'"
	ok "sm_status() equal on publisher and subscriber (but last_at): $p"
fi
p_hist=$(q pub app -c "SELECT revision, applied, checksum FROM sm_history() ORDER BY revision")
s_hist=$(q sub app -c "SELECT revision, applied, checksum FROM sm_history() ORDER BY revision")
[ "$p_hist" = "$s_hist" ] || fail "sm_history (revision, applied, checksum) differs"
ok "sm_history() revisions and checksums equal on publisher and subscriber"

q sub app -c "DROP SUBSCRIPTION sm_sub" || fail "drop subscription"
for c in sub pub; do
	as_pg "$PGBIN/pg_ctl" -D "$TMP/$c" -m fast -w -t 30 stop >/dev/null || fail "stop $c"
done
ok "logical pair stopped"
echo "ok - t_replica done in ${SECONDS}s"
