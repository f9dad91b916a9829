# shellcheck shell=bash
#
# test/lib/cluster.sh -- sourceable helpers for schema_migrate's tests:
# install the PostgreSQL 15 packages, run a throwaway cluster as the
# `postgres` OS user on a private port and socket directory.
#
#   sm_install_packages        apt-get install what the build and tests need
#                              (only when something is missing; quiet otherwise).
#                              SM_WITH_LLVM=1 also installs clang and llvm.
#   sm_cluster_start           initdb + start a private cluster; exports
#                              PGHOST PGPORT PGUSER PGDATABASE SM_CLUSTER_DIR
#                              SM_PGDATA SM_PGBIN PG_CONFIG PSQL, and arms an
#                              EXIT/INT/TERM trap that stops it and removes
#                              its directory (set SM_KEEP_CLUSTER=1 to keep it).
#   sm_cluster_restart [MODE]  restart (MODE: fast|immediate, default fast)
#   sm_cluster_stop            stop the cluster and remove its directory
#   sm_readable_copy SRC       copy directory SRC to $SM_CLUSTER_DIR/<basename>,
#                              owned by postgres; echoes the new path
#
# Call sm_cluster_start in the main shell (not inside $(...)), since it sets
# variables and a trap.

SM_PG_MAJOR=${SM_PG_MAJOR:-15}

# The real pg_config of the server version (not Debian's wrapper).
sm_pg_config() {
	if [ -n "${PG_CONFIG:-}" ] && [ -x "$PG_CONFIG" ]; then
		echo "$PG_CONFIG"
	elif [ -x "/usr/lib/postgresql/$SM_PG_MAJOR/bin/pg_config" ]; then
		echo "/usr/lib/postgresql/$SM_PG_MAJOR/bin/pg_config"
	else
		command -v pg_config || echo pg_config
	fi
}

sm_log() { echo "[cluster] $*" >&2; }

sm_install_packages() {
	local pgc missing=""
	pgc=$(sm_pg_config)
	if ! [ -x "$pgc" ] || ! [ -f "$("$pgc" --pgxs 2>/dev/null)" ]; then
		missing="$missing pgxs"
	elif ! [ -f "$("$pgc" --includedir-server)/postgres.h" ]; then
		missing="$missing postgres.h"
	fi
	[ -x "/usr/lib/postgresql/$SM_PG_MAJOR/bin/postgres" ] || missing="$missing postgres"
	command -v make >/dev/null 2>&1 || missing="$missing make"
	command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
	command -v runuser >/dev/null 2>&1 || missing="$missing runuser"
	local pkgs="postgresql-$SM_PG_MAJOR postgresql-server-dev-$SM_PG_MAJOR build-essential"
	if [ "${SM_WITH_LLVM:-0}" = 1 ]; then
		pkgs="$pkgs clang llvm"
		command -v clang >/dev/null 2>&1 || missing="$missing clang"
		command -v llvm-config >/dev/null 2>&1 || missing="$missing llvm"
	fi
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		sm_log "missing:$missing; run as root to install: $pkgs"
		return 1
	fi
	sm_log "missing:$missing; installing $pkgs"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || { sm_log "apt-get update failed"; return 1; }
	# shellcheck disable=SC2086
	apt-get install -y -qq $pkgs >/dev/null ||
		apt-get install -y $pkgs || { sm_log "apt-get install failed"; return 1; }
	pgc=$(sm_pg_config)
	[ -f "$("$pgc" --includedir-server)/postgres.h" ] || { sm_log "server headers still missing"; return 1; }
}

# Run a command as the postgres OS user (or directly if we already are not root).
sm_as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

sm__port_busy() {
	local port=$1
	# A socket file of another cluster in the default places, or a TCP listener.
	[ -e "/var/run/postgresql/.s.PGSQL.$port" ] && return 0
	[ -e "/tmp/.s.PGSQL.$port" ] && return 0
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
	return 1
}

sm__cleanup() {
	[ -n "${SM_CLUSTER_DIR:-}" ] || return 0
	if [ "${SM_KEEP_CLUSTER:-0}" = 1 ]; then
		return 0
	fi
	# fast, not immediate: an immediate stop leaves the server's dynamic
	# shared memory segments in /dev/shm, a few MB per cluster that nobody
	# removes once the data directory is gone
	if [ -f "$SM_PGDATA/postmaster.pid" ]; then
		sm_as_postgres "$SM_PGBIN/pg_ctl" -D "$SM_PGDATA" -m fast -t 30 -w stop >/dev/null 2>&1 ||
			sm_as_postgres "$SM_PGBIN/pg_ctl" -D "$SM_PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf -- "$SM_CLUSTER_DIR"
	SM_CLUSTER_DIR=
}

sm__on_exit() {
	local rc=$?
	sm__cleanup
	if [ -n "${SM__PREV_EXIT_TRAP:-}" ]; then
		eval "$SM__PREV_EXIT_TRAP"
	fi
	return $rc
}

# called as: sm__save_prev_trap -- 'cmd' EXIT
sm__save_prev_trap() {
	SM__PREV_EXIT_TRAP=$2
}

sm_cluster_start() {
	if [ -n "${SM_CLUSTER_DIR:-}" ] && [ -d "$SM_CLUSTER_DIR" ]; then
		sm_log "cluster already running in $SM_CLUSTER_DIR"
		return 0
	fi
	local pgc
	pgc=$(sm_pg_config)
	SM_PGBIN=$("$pgc" --bindir)
	PG_CONFIG=$pgc
	export SM_PGBIN PG_CONFIG

	SM_CLUSTER_DIR=$(mktemp -d /tmp/sm-cluster.XXXXXX) || return 1
	SM_PGDATA=$SM_CLUSTER_DIR/data
	export SM_CLUSTER_DIR SM_PGDATA

	# Arm the trap at once, so a failing initdb still cleans up.
	if [ -z "${SM__TRAP_ARMED:-}" ]; then
		local prev
		prev=$(trap -p EXIT)
		if [ -n "$prev" ]; then
			# trap -p prints: trap -- 'cmd' EXIT
			eval "sm__save_prev_trap ${prev#trap }"
		fi
		trap sm__on_exit EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		SM__TRAP_ARMED=1
	fi

	chmod 0755 "$SM_CLUSTER_DIR"
	if [ "$(id -u)" = 0 ]; then
		chown postgres:postgres "$SM_CLUSTER_DIR" || return 1
	fi

	local port=${SM_PGPORT:-55432} tries=0
	while sm__port_busy "$port"; do
		port=$((port + 1))
		tries=$((tries + 1))
		[ $tries -lt 200 ] || { sm_log "no free port"; return 1; }
	done

	if ! sm_as_postgres "$SM_PGBIN/initdb" -D "$SM_PGDATA" -A trust -U postgres \
		--no-sync -E UTF8 --locale=C >"$SM_CLUSTER_DIR/initdb.log" 2>&1; then
		sm_log "initdb failed:"
		cat "$SM_CLUSTER_DIR/initdb.log" >&2
		return 1
	fi
	cat >>"$SM_PGDATA/postgresql.conf" <<EOF

# schema_migrate test cluster
port = $port
listen_addresses = ''
unix_socket_directories = '$SM_CLUSTER_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
max_locks_per_transaction = 256
log_min_messages = warning
EOF
	[ -n "${SM_EXTRA_CONF:-}" ] && printf '%s\n' "$SM_EXTRA_CONF" >>"$SM_PGDATA/postgresql.conf"

	export PGHOST=$SM_CLUSTER_DIR PGPORT=$port PGUSER=postgres PGDATABASE=postgres
	export PSQL="$SM_PGBIN/psql -X -v ON_ERROR_STOP=1"
	unset PGSERVICE PGPASSWORD PGHOSTADDR

	if ! sm_as_postgres "$SM_PGBIN/pg_ctl" -D "$SM_PGDATA" -l "$SM_CLUSTER_DIR/server.log" \
		-w -t 60 start >/dev/null; then
		sm_log "pg_ctl start failed:"
		cat "$SM_CLUSTER_DIR/server.log" >&2
		return 1
	fi
	sm_log "cluster up: PGHOST=$PGHOST PGPORT=$PGPORT"
}

sm_cluster_restart() {
	local mode=${1:-fast}
	[ -n "${SM_PGDATA:-}" ] || { sm_log "no cluster"; return 1; }
	if [ "$mode" = immediate ]; then
		sm_as_postgres "$SM_PGBIN/pg_ctl" -D "$SM_PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
		sm_as_postgres "$SM_PGBIN/pg_ctl" -D "$SM_PGDATA" -l "$SM_CLUSTER_DIR/server.log" \
			-w -t 60 start >/dev/null
	else
		sm_as_postgres "$SM_PGBIN/pg_ctl" -D "$SM_PGDATA" -l "$SM_CLUSTER_DIR/server.log" \
			-m "$mode" -w -t 60 restart >/dev/null
	fi || { sm_log "restart failed:"; tail -n 30 "$SM_CLUSTER_DIR/server.log" >&2; return 1; }
}

sm_cluster_stop() {
	local keep=${SM_KEEP_CLUSTER:-0}
	SM_KEEP_CLUSTER=0
	sm__cleanup
	SM_KEEP_CLUSTER=$keep
	unset PGHOST PGPORT SM_PGDATA
}

sm_readable_copy() {
	local src=$1 dst
	[ -d "$src" ] || { sm_log "sm_readable_copy: no directory $src"; return 1; }
	[ -n "${SM_CLUSTER_DIR:-}" ] || { sm_log "sm_readable_copy: no cluster"; return 1; }
	dst=$SM_CLUSTER_DIR/$(basename "$(cd "$src" && pwd)")
	rm -rf -- "$dst"
	cp -R "$src" "$dst" || return 1
	if [ "$(id -u)" = 0 ]; then
		chown -R postgres:postgres "$dst"
	fi
	chmod -R u+rwX,go+rX "$dst"
	echo "$dst"
}
