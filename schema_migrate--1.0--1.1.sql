/* schema_migrate--1.0--1.1.sql: schema-per-tenant */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION schema_migrate UPDATE TO '1.1'" to load this file. \quit

-- Upgrade one set in many tenant schemas ("set@schema" everywhere else).
CREATE FUNCTION @extschema@.sm_upgrade_tenants(target text, schemas text[],
	set_name text DEFAULT NULL,
	OUT tenant text, OUT current text, OUT sqlstate text, OUT error text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_upgrade_tenants'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION @extschema@.sm_upgrade_tenants(text, text[], text) FROM PUBLIC;

-- the migrator role may run it too
CREATE OR REPLACE FUNCTION @extschema@.sm_grant_migrator(role regrole)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s text := pg_catalog.quote_ident('@extschema@');
BEGIN
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %s TO %s', s, role);
	EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s.sm_version, %s.sm_partial TO %s', s, s, role);
	EXECUTE pg_catalog.format('GRANT SELECT, INSERT ON %s.sm_log TO %s', s, role);
	EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s.sm_fingerprint TO %s', s, role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %1$s.sm_fingerprint_of(text[]),'
		' %1$s.sm_fingerprint_refresh() TO %2$s', s, role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %1$s.sm_upgrade(text, text), %1$s.sm_downgrade(text, text),'
		' %1$s.sm_stamp(text, text), %1$s.sm_repair(text), %1$s.sm_resolve(text, text, text),'
		' %1$s.sm_current(text), %1$s.sm_history(text), %1$s.sm_heads(text), %1$s.sm_branches(text),'
		' %1$s.sm_show(text, text), %1$s.sm_plan(text, text), %1$s.sm_upgrade_sql(text, text),'
		' %1$s.sm_downgrade_sql(text, text), %1$s.sm_graph(text, text), %1$s.sm_check(text),'
		' %1$s.sm_status(), %1$s.sm_upgrade_tenants(text, text[], text) TO %2$s', s, role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON PROCEDURE %s.sm_migrate(text, text) TO %s', s, role);
END
$fn$;
