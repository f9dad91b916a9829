#!/usr/bin/env bash
#
# t_schema_diff_tenant.sh -- the schema comparisons on tenant sets
# ("set@schema"): sm_check_schema, sm_drift, sm_autogenerate and sm_diff
# compare whole databases, and a database with tenant schemas holds more
# than one tenant's schema, so they refuse a tenant set with SQLSTATE 0A000,
# a detail naming the tenant's schema and a hint naming the set itself,
# before any scratch database is made; the same set without a tenant
# works.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=test/lib/cluster.sh
. test/lib/cluster.sh
# shellcheck source=test/lib/checks.sh
. test/lib/checks.sh

sm_test_setup t_schema_diff_tenant
SET=$WORK/sets/billing
mkdir -p "$SET/schema"
cat >"$SET/0001_init.sql" <<'SQL'
-- message: init
-- +up
CREATE TABLE invoices (id int PRIMARY KEY, total numeric NOT NULL);
-- +down
DROP TABLE invoices;
SQL
cat >"$SET/schema/01_tables.sql" <<'SQL'
CREATE TABLE invoices (id int PRIMARY KEY, total numeric NOT NULL);
SQL
chmod -R a+rwX "$WORK"; [ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
export PGOPTIONS="-c schema_migrate.path=$WORK/sets -c client_min_messages=warning"

q() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -d postgres -c "DROP DATABASE IF EXISTS sdt" -c "CREATE DATABASE sdt TEMPLATE template0" >/dev/null &&
	q -d sdt -c "CREATE EXTENSION schema_migrate" -c "CREATE SCHEMA tenant_a" -c "CREATE SCHEMA tenant_b" \
		-c "SELECT count(*) FROM sm_upgrade_tenants('head', ARRAY['tenant_a', 'tenant_b'], 'billing')" >/dev/null ||
	{ echo "could not prepare the database"; exit 1; }

scratch_dbs() { q -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'sm_scratch_%'"; }

# refused FUNCTION SQL: 0A000, the message, the detail and the hint
refused() {
	local fn=$1 sql=$2 out
	out=$("$PSQL_BIN" -X -q -At -d sdt -v VERBOSITY=verbose -c "$sql" 2>&1)
	local want_msg="$fn does not support tenant sets such as \"billing@tenant_a\""
	local want_detail='DETAIL:  It compares whole databases, and a database with tenant schemas holds more than the schema "tenant_a" that the set'"'"'s migrations build.'
	local want_hint="HINT:  Call $fn for the set itself, \"billing\", on a database (or a CI database) where it is applied without a tenant schema."
	case $out in
	*"ERROR:  0A000: $want_msg"*"$want_detail"*"$want_hint"*) ok "$fn refuses a tenant set (0A000, detail, hint)" ;;
	*) bad "$fn on a tenant set"; echo "$out" | sed 's/^/    /' ;;
	esac
}
before=$(scratch_dbs)
refused sm_check_schema "SELECT sm_check_schema('billing@tenant_a')"
refused sm_drift "SELECT * FROM sm_drift('billing@tenant_a')"
refused sm_autogenerate "SELECT sm_autogenerate('add', 'billing@tenant_a')"
refused sm_diff "SELECT * FROM sm_diff(NULL, 'billing@tenant_a')"
after=$(scratch_dbs)
if [ "$before" = "$after" ]; then ok "no scratch database made or left by the refusals ($after)"; else bad "scratch databases: $before before, $after after"; fi

# the tenant's own state is untouched, and the set itself still compares
got=$(q -d sdt -c "SELECT sm_current('billing@tenant_a')")
if [ "$got" = 0001 ]; then ok "tenant_a is still at 0001"; else bad "tenant_a: $got"; fi
got=$(q -d sdt -c "SELECT sm_check_schema('billing')" 2>&1)
if [ "$got" = t ]; then ok "sm_check_schema('billing') without a tenant is true"; else bad "sm_check_schema('billing'): $got"; fi
q -d postgres -c "DROP DATABASE IF EXISTS sdt" >/dev/null
echo "# tenant sets: $FAILS failures"
[ "$FAILS" -eq 0 ]
