/* schema_migrate--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION schema_migrate" to load this file. \quit

-- One row per applied revision of a set.
CREATE TABLE @extschema@.sm_version (
	set_name	text NOT NULL,
	revision	text NOT NULL,
	checksum	text,
	applied_at	timestamptz NOT NULL,
	applied_by	name NOT NULL,
	duration_ms	double precision,
	PRIMARY KEY (set_name, revision)
);
COMMENT ON TABLE @extschema@.sm_version IS
	'schema_migrate: the revisions of each migration set applied in this database';

-- Every operation on a set, append-only.
CREATE TABLE @extschema@.sm_log (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	set_name	text NOT NULL,
	revision	text,
	operation	text NOT NULL,
	direction	text,
	checksum	text,
	file		text,
	started_at	timestamptz NOT NULL,
	duration_ms	double precision,
	performed_by name NOT NULL,
	success		boolean NOT NULL,
	sqlstate	text,
	error		text,
	error_line	integer
);
CREATE INDEX sm_log_set_name_id ON @extschema@.sm_log (set_name, id);
COMMENT ON TABLE @extschema@.sm_log IS
	'schema_migrate: every upgrade, downgrade, stamp, repair and failure';

-- pg_dump keeps the rows: they are the database's migration state.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sm_version', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sm_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sm_log_id_seq', '');

REVOKE ALL ON @extschema@.sm_version, @extschema@.sm_log FROM PUBLIC;

-- Functions that change the database.
CREATE FUNCTION @extschema@.sm_upgrade(target text DEFAULT 'head',
									   set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_upgrade'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.sm_upgrade(text, text) IS
	'apply the migrations the target needs, all in the caller''s transaction';

-- Functions that read the state.
CREATE FUNCTION @extschema@.sm_current(set_name text DEFAULT NULL)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'sm_current'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_history(set_name text DEFAULT NULL,
	OUT revision text,
	OUT down_revisions text[],
	OUT message text,
	OUT file text,
	OUT applied boolean,
	OUT applied_at timestamptz,
	OUT applied_by name,
	OUT is_head boolean,
	OUT is_current boolean,
	OUT branch_labels text[],
	OUT depends_on text[],
	OUT has_down boolean,
	OUT transactional boolean,
	OUT checksum text,
	OUT duration_ms double precision,
	OUT state text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_history'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Nothing is executable by PUBLIC: a DBA grants the migration role.
REVOKE ALL ON FUNCTION @extschema@.sm_upgrade(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.sm_current(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.sm_history(text) FROM PUBLIC;

-- ==== command set (downgrade, stamp, inspection) ====

CREATE FUNCTION @extschema@.sm_downgrade(target text, set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_downgrade'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_stamp(target text, set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_stamp'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_heads(set_name text DEFAULT NULL,
	OUT revision text, OUT message text, OUT file text,
	OUT branch_labels text[], OUT applied boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_heads'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_branches(set_name text DEFAULT NULL,
	OUT revision text, OUT message text, OUT children text[],
	OUT applied boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_branches'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_show(rev text, set_name text DEFAULT NULL,
	OUT revision text, OUT down_revisions text[], OUT depends_on text[],
	OUT branch_labels text[], OUT message text, OUT file text,
	OUT checksum text, OUT applied boolean, OUT applied_at timestamptz,
	OUT applied_by name, OUT applied_checksum text, OUT transactional boolean,
	OUT lock_timeout_ms integer, OUT statement_timeout_ms integer,
	OUT up_sql text, OUT down_sql text, OUT is_head boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_show'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_plan(target text DEFAULT 'head',
	set_name text DEFAULT NULL,
	OUT step integer, OUT revision text, OUT direction text, OUT file text,
	OUT message text, OUT transactional boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_plan'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_upgrade_sql(target text DEFAULT 'head',
										   set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_upgrade_sql'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_downgrade_sql(target text,
											 set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_downgrade_sql'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_graph(format text DEFAULT 'text',
									 set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_graph'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_check(set_name text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'sm_check'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

REVOKE ALL ON FUNCTION @extschema@.sm_downgrade(text, text),
	@extschema@.sm_stamp(text, text),
	@extschema@.sm_heads(text),
	@extschema@.sm_branches(text),
	@extschema@.sm_show(text, text),
	@extschema@.sm_plan(text, text),
	@extschema@.sm_upgrade_sql(text, text),
	@extschema@.sm_downgrade_sql(text, text),
	@extschema@.sm_graph(text, text),
	@extschema@.sm_check(text)
	FROM PUBLIC;

-- ==== production operation (sm_migrate, repair, status) ====

-- A non-transactional migration that stopped half-way: one row per set.
CREATE TABLE @extschema@.sm_partial (
	set_name	text PRIMARY KEY,
	revision	text NOT NULL,
	direction	text NOT NULL,
	statements_done integer NOT NULL,
	statements_total integer NOT NULL,
	started_at	timestamptz NOT NULL,
	updated_at	timestamptz NOT NULL,
	last_error	text
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sm_partial', '');
REVOKE ALL ON @extschema@.sm_partial FROM PUBLIC;

CREATE PROCEDURE @extschema@.sm_migrate(target text DEFAULT 'head',
										set_name text DEFAULT NULL)
AS 'MODULE_PATHNAME', 'sm_migrate'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.sm_migrate(text, text) IS
	'move the set to the target, committing after every migration';

CREATE FUNCTION @extschema@.sm_repair(set_name text DEFAULT NULL)
RETURNS integer
AS 'MODULE_PATHNAME', 'sm_repair'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_resolve(revision text, outcome text,
									   set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_resolve'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.sm_status(
	OUT set_name text, OUT current text, OUT pending integer,
	OUT partial text, OUT last_operation text, OUT last_revision text,
	OUT last_success boolean, OUT last_at timestamptz, OUT last_error text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sm_status'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

REVOKE ALL ON PROCEDURE @extschema@.sm_migrate(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.sm_repair(text),
	@extschema@.sm_resolve(text, text, text),
	@extschema@.sm_status()
	FROM PUBLIC;

-- Run one statement as a top-level statement in a background worker, as
-- the caller, after committing: for statements refused inside a function
-- (CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, ...).  CALL only.
CREATE PROCEDURE @extschema@.sm_run_toplevel(sql text)
AS 'MODULE_PATHNAME', 'sm_run_toplevel'
LANGUAGE C;
REVOKE ALL ON PROCEDURE @extschema@.sm_run_toplevel(text) FROM PUBLIC;


-- ==== the no-op fast path ====

-- A digest of each set's applied revisions and their checksums ("partial"
-- while a non-transactional migration is half-way), kept by the triggers
-- below on every change to sm_version or sm_partial, by schema_migrate or
-- by hand.  At head, sm_upgrade('head') compares one row of it with the
-- digest of the files instead of reading every version row.  Derived
-- data: not dumped; restoring the version rows fires the triggers.
CREATE TABLE @extschema@.sm_fingerprint (
	set_name	text PRIMARY KEY,
	fingerprint	text
);
REVOKE ALL ON @extschema@.sm_fingerprint FROM PUBLIC;

CREATE FUNCTION @extschema@.sm_fingerprint_of(sets text[]) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $fn$
	INSERT INTO @extschema@.sm_fingerprint AS f (set_name, fingerprint)
	SELECT t.set_name,
		   CASE WHEN EXISTS (SELECT FROM @extschema@.sm_partial p WHERE p.set_name = t.set_name)
				THEN 'partial'
				ELSE (SELECT md5(string_agg(v.revision || ':' || coalesce(v.checksum, ''), ','
											ORDER BY v.revision COLLATE "C"))
						FROM @extschema@.sm_version v WHERE v.set_name = t.set_name)
		   END
	  FROM unnest(sets) AS t(set_name)
	ON CONFLICT (set_name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint;
$fn$;

-- One trigger function for every event; each branch names only the
-- transition table its event has (PL/pgSQL plans a statement when it runs).
CREATE FUNCTION @extschema@.sm_fingerprint_refresh() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM @extschema@.sm_fingerprint;
	ELSIF TG_OP = 'INSERT' THEN
		PERFORM @extschema@.sm_fingerprint_of(ARRAY(SELECT DISTINCT set_name FROM changed_new));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM @extschema@.sm_fingerprint_of(ARRAY(SELECT DISTINCT set_name FROM changed_old));
	ELSE
		PERFORM @extschema@.sm_fingerprint_of(ARRAY(SELECT set_name FROM changed_new
													 UNION SELECT set_name FROM changed_old));
	END IF;
	RETURN NULL;
END
$fn$;

CREATE TRIGGER sm_fingerprint_insert AFTER INSERT ON @extschema@.sm_version
	REFERENCING NEW TABLE AS changed_new
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.sm_fingerprint_refresh();
CREATE TRIGGER sm_fingerprint_update AFTER UPDATE ON @extschema@.sm_version
	REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.sm_fingerprint_refresh();
CREATE TRIGGER sm_fingerprint_delete AFTER DELETE ON @extschema@.sm_version
	REFERENCING OLD TABLE AS changed_old
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.sm_fingerprint_refresh();
CREATE TRIGGER sm_fingerprint_truncate AFTER TRUNCATE ON @extschema@.sm_version
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.sm_fingerprint_refresh();
CREATE TRIGGER sm_fingerprint_insert AFTER INSERT ON @extschema@.sm_partial
	REFERENCING NEW TABLE AS changed_new
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.sm_fingerprint_refresh();
CREATE TRIGGER sm_fingerprint_update AFTER UPDATE ON @extschema@.sm_partial
	REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.sm_fingerprint_refresh();
CREATE TRIGGER sm_fingerprint_delete AFTER DELETE ON @extschema@.sm_partial
	REFERENCING OLD TABLE AS changed_old
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.sm_fingerprint_refresh();
CREATE TRIGGER sm_fingerprint_truncate AFTER TRUNCATE ON @extschema@.sm_partial
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.sm_fingerprint_refresh();
REVOKE ALL ON FUNCTION @extschema@.sm_fingerprint_of(text[]),
	@extschema@.sm_fingerprint_refresh() FROM PUBLIC;

-- ==== other tools' formats and adoption ====

-- Take over from another tool: record what its bookkeeping says is applied.
CREATE FUNCTION @extschema@.sm_adopt(tool text, set_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_adopt'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.sm_adopt(text, text) IS
	'record as applied what alembic, flyway, golang-migrate, dbmate, goose, diesel or sqitch applied';
REVOKE ALL ON FUNCTION @extschema@.sm_adopt(text, text) FROM PUBLIC;

-- ==== privileges ====

-- What a role needs to run migrations (it also needs the privileges its
-- migrations' own statements need, e.g. CREATE on the target schema).
-- SECURITY INVOKER: only someone who may grant these can call it.
CREATE FUNCTION @extschema@.sm_grant_migrator(role regrole)
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
		' %1$s.sm_status() TO %2$s', s, role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON PROCEDURE %s.sm_migrate(text, text) TO %s', s, role);
END
$fn$;

-- What a role needs to look at the state (sm_check at application start-up,
-- sm_current, sm_history, sm_status) without changing anything.  It cannot
-- read migrations' SQL (sm_show) or generate scripts.
CREATE FUNCTION @extschema@.sm_grant_reader(role regrole)
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
END
$fn$;

REVOKE ALL ON FUNCTION @extschema@.sm_grant_migrator(regrole),
	@extschema@.sm_grant_reader(regrole) FROM PUBLIC;
