/* schema_migrate--1.1--1.2.sql: autogenerate, drift, safety, more formats */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION schema_migrate UPDATE TO '1.2'" to load this file. \quit

-- ==== fidelity and house (issues 11, 12) ====



-- ==== end of fidelity and house ====




-- ==== autogenerate: sm_diff, sm_autogenerate, sm_check_schema, sm_drift (issue 13) ====

CREATE FUNCTION @extschema@.sm_diff(desired text DEFAULT NULL, set_name text DEFAULT NULL)
RETURNS TABLE (step integer, statement text, object_type text, object_name text, hazards text[])
AS 'MODULE_PATHNAME', 'sm_diff'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.sm_diff(text, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_diff(text, text) IS
	'The DDL that turns this database''s schema into the desired one (SQL text, or the set''s schema/ folder), with hazards; runs nothing here';

CREATE FUNCTION @extschema@.sm_autogenerate(message text, set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_autogenerate'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.sm_autogenerate(text, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_autogenerate(text, text) IS
	'The next migration file (native format) from the difference between this database, at head, and the set''s schema/ folder';

CREATE FUNCTION @extschema@.sm_check_schema(set_name text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'sm_check_schema'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.sm_check_schema(text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_check_schema(text) IS
	'CI gate (alembic check): true when the set''s migrations replayed to head give exactly its schema/ folder; an error listing the differences otherwise';

CREATE FUNCTION @extschema@.sm_drift(set_name text DEFAULT NULL)
RETURNS TABLE (object_type text, object_name text, difference text, expected text, actual text)
AS 'MODULE_PATHNAME', 'sm_drift'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.sm_drift(text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_drift(text) IS
	'Where this database differs from what its applied migrations produce (replayed in a scratch database)';

CREATE FUNCTION @extschema@.sm_schema_model()
RETURNS text
AS 'MODULE_PATHNAME', 'sm_schema_model'
LANGUAGE C STABLE;
REVOKE ALL ON FUNCTION @extschema@.sm_schema_model() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_schema_model() IS
  'this database''s schema model (less schema_migrate and extension members), serialized for sm_diff_models';

CREATE FUNCTION @extschema@.sm_diff_models(from_model text, to_model text)
RETURNS TABLE (step int, statement text, object_type text, object_name text, hazards text[])
AS 'MODULE_PATHNAME', 'sm_diff_models'
LANGUAGE C IMMUTABLE;
REVOKE ALL ON FUNCTION @extschema@.sm_diff_models(text, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_diff_models(text, text) IS
  'the ordered DDL, with hazards, that turns the schema of from_model into that of to_model';


-- ==== end of autogenerate ====




-- ==== safety: sm_lint, sm_trace (issue 15) ====

CREATE FUNCTION @extschema@.sm_lint(target text DEFAULT 'head',
	set_name text DEFAULT NULL,
	OUT revision text,
	OUT file text,
	OUT line integer,
	OUT statement text,
	OUT rule text,
	OUT severity text,
	OUT relation text,
	OUT relation_bytes bigint,
	OUT relation_rows bigint,
	OUT message text,
	OUT hint text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_lint'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION @extschema@.sm_lint(text, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_lint(text, text) IS
	'what the pending migrations will lock, rewrite, scan and break, judged with this database''s table sizes; runs nothing';

CREATE FUNCTION @extschema@.sm_blockers(target text DEFAULT 'head',
	set_name text DEFAULT NULL,
	OUT revision text,
	OUT line integer,
	OUT relation text,
	OUT needs text,
	OUT pid integer,
	OUT holds text,
	OUT state text,
	OUT idle_in_transaction_s double precision,
	OUT transaction_s double precision,
	OUT query text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_blockers'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION @extschema@.sm_blockers(text, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_blockers(text, text) IS
	'sessions holding locks that a pending migration''s statements would wait for';

CREATE FUNCTION @extschema@.sm_trace(target text DEFAULT 'head',
	set_name text DEFAULT NULL,
	OUT revision text,
	OUT line integer,
	OUT statement text,
	OUT locks text[],
	OUT rewrites text[],
	OUT scans text[],
	OUT ms double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_trace'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION @extschema@.sm_trace(text, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sm_trace(text, text) IS
	'run the pending migrations in a scratch database holding this schema: the locks, rewrites and scans of each statement, with this database''s sizes';

-- ==== end of safety ====




-- ==== formats and adoption (issue 16) ====



-- ==== end of formats and adoption ====




-- ==== privileges ====
-- Each feature's grants go into its own marked block below, so that the two
-- functions keep one list per feature.

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
	-- migrator grants: fidelity and house



	-- migrator grants: autogenerate
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %1$s.sm_diff(text, text), %1$s.sm_autogenerate(text, text),'
		' %1$s.sm_check_schema(text), %1$s.sm_drift(text) TO %2$s', s, role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %1$s.sm_schema_model(), %1$s.sm_diff_models(text, text) TO %2$s', s, role);



	-- migrator grants: safety
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %1$s.sm_lint(text, text), %1$s.sm_blockers(text, text), %1$s.sm_trace(text, text) TO %2$s', s, role);



	-- migrator grants: formats



	-- end of migrator grants
END
$fn$;

CREATE OR REPLACE FUNCTION @extschema@.sm_grant_reader(role regrole)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s text := pg_catalog.quote_ident('@extschema@');
BEGIN
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %s TO %s', s, role);
	EXECUTE pg_catalog.format('GRANT SELECT ON %s.sm_version, %s.sm_partial, %s.sm_log, %s.sm_fingerprint TO %s', s, s, s, s, role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %1$s.sm_current(text), %1$s.sm_history(text),'
		' %1$s.sm_heads(text), %1$s.sm_check(text), %1$s.sm_status() TO %2$s', s, role);
	-- reader grants: fidelity and house



	-- reader grants: autogenerate
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %1$s.sm_check_schema(text), %1$s.sm_drift(text) TO %2$s', s, role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %1$s.sm_schema_model(), %1$s.sm_diff_models(text, text) TO %2$s', s, role);



	-- reader grants: safety



	-- reader grants: formats



	-- end of reader grants
END
$fn$;
