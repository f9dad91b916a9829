#!/usr/bin/env bash
#
# test/quickstart.sh -- build and install schema_migrate, start a throwaway
# PostgreSQL 15 cluster, and bring a new database "app" to the head of the
# bundled example set (a booking application's schema).
#
#   bash test/quickstart.sh          run it, print the result, stop the cluster
#   KEEP=1 bash test/quickstart.sh   leave the cluster running and say how to
#                                    connect to it
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh

sm_install_packages
PG_CONFIG=$(sm_pg_config)
export PG_CONFIG

echo "== building and installing schema_migrate"
make -s PG_CONFIG="$PG_CONFIG"
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null

if [ "${KEEP:-0}" = 1 ]; then
	SM_KEEP_CLUSTER=1
fi
echo "== starting a throwaway cluster"
sm_cluster_start

$PSQL -q -c "CREATE DATABASE app"

echo "== upgrading database app to the head of set 'example'"
$PSQL -d app <<'SQL'
CREATE EXTENSION schema_migrate;
-- later sessions of app default to the example set; this one needs SET
ALTER DATABASE app SET schema_migrate.set = 'example';
SET schema_migrate.set = 'example';
SELECT sm_upgrade('head');
SELECT * FROM sm_current();
SELECT revision, message, file, applied, applied_at::timestamp(0) AS applied_at, applied_by, is_current, round(duration_ms) AS ms FROM sm_history();
\dt
SQL

if [ "${KEEP:-0}" = 1 ]; then
	cat <<INFO

The cluster keeps running (data and socket in $SM_CLUSTER_DIR). Connect with:

  $SM_PGBIN/psql -h $PGHOST -p $PGPORT -U postgres app

(database app has schema_migrate.set = 'example'). Stop and remove it with:

  runuser -u postgres -- $SM_PGBIN/pg_ctl -D $SM_PGDATA -m fast stop && rm -rf $SM_CLUSTER_DIR
INFO
else
	sm_cluster_stop
	echo "== done (cluster stopped; KEEP=1 leaves it running)"
fi
