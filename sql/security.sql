--
-- Hostile callers: privileges, search_path, quoting, SECURITY DEFINER.
--
-- Roles made here are prefixed regress_sm_ (pg_regress shares the cluster)
-- and dropped at the end.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
\set VERBOSITY default

-- a fingerprint of the extension's tables
CREATE FUNCTION sec_state() RETURNS text LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM sm_version) || ' versions, '
      || (SELECT count(*) FROM sm_log WHERE success) || ' log rows, '
      || (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace) || ' relations'
$$;
SELECT sec_state() AS before \gset

CREATE ROLE regress_sm_nobody NOLOGIN;
CREATE ROLE regress_sm_migrator NOLOGIN;
CREATE ROLE regress_sm_reader NOLOGIN;

-- ---------------------------------------------------------------------------
-- 1. A role without EXECUTE can neither migrate nor read the state.
-- ---------------------------------------------------------------------------
SET ROLE regress_sm_nobody;
SELECT sm_upgrade('head', 'sec_basic');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM sm_current('sec_basic');
\echo :LAST_ERROR_SQLSTATE
SELECT revision FROM sm_history('sec_basic');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM sm_version;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM sm_log;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO sm_version VALUES ('sec_basic', '0001', NULL, now(), current_user, 0);
\echo :LAST_ERROR_SQLSTATE
-- nor read a migration's SQL
SELECT sm_show('0001', 'sec_basic');
\echo :LAST_ERROR_SQLSTATE

-- Only a superuser may point the extension at a directory.
-- In a new session that has not loaded the library yet, schema_migrate.path
-- is a placeholder that anyone can SET; loading the library drops a value
-- set by a non-superuser (WARNING) instead of using it.
RESET ROLE;
\c -
SET schema_migrate.timing = off;
SELECT count(*) AS library_not_loaded_yet FROM pg_settings WHERE name = 'schema_migrate.path';
SET ROLE regress_sm_nobody;
SET schema_migrate.path = '/etc';
RESET ROLE;
LOAD 'schema_migrate';
SELECT current_setting('schema_migrate.path') <> '/etc' AS placeholder_value_dropped;
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
-- once loaded: refused outright, in every form
SET ROLE regress_sm_nobody;
SET schema_migrate.path = '/etc';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('schema_migrate.path', '/', false);
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE regress_sm_nobody SET schema_migrate.path = '/';
\echo :LAST_ERROR_SQLSTATE
RESET schema_migrate.path;
RESET ROLE;
SELECT current_setting('schema_migrate.path') = :'sets' AS path_unchanged;

-- ---------------------------------------------------------------------------
-- 2. The documented migration role can migrate.
-- ---------------------------------------------------------------------------
-- the documented way: sm_grant_migrator() (USAGE on the schema, EXECUTE on
-- the functions, SELECT/INSERT/UPDATE/DELETE on sm_version and sm_partial,
-- SELECT/INSERT on sm_log)
SELECT sm_grant_migrator('regress_sm_migrator');
SELECT sm_grant_reader('regress_sm_reader');
-- a reader sees the state but can neither migrate nor read migrations' SQL
SET ROLE regress_sm_reader;
SELECT * FROM sm_current('sec_basic');
SELECT sm_upgrade('head', 'sec_basic');
\echo :LAST_ERROR_SQLSTATE
SELECT sm_show('0001', 'sec_basic');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- without CREATE on the schema the migrations write to: a clean failure
SET ROLE regress_sm_migrator;
SELECT sm_upgrade('head', 'sec_basic');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT sec_state() = :'before' AS unchanged;

-- with it: the whole set applies and is recorded under the role's name
GRANT CREATE ON SCHEMA public TO regress_sm_migrator;
SET ROLE regress_sm_migrator;
SELECT sm_upgrade('head', 'sec_basic');
SELECT * FROM sm_current('sec_basic');
SELECT revision, applied, applied_by FROM sm_history('sec_basic');
SELECT revision, operation, direction, performed_by, success
  FROM sm_log WHERE set_name = 'sec_basic' ORDER BY id;
SELECT sec_next() AS sequence_works;
-- the migration role still cannot move the extension to another directory
SET schema_migrate.path = '/tmp';
\echo :LAST_ERROR_SQLSTATE
-- nor rewrite the log
UPDATE sm_log SET success = false WHERE set_name = 'sec_basic';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT relname, pg_get_userbyid(relowner) AS owner
  FROM pg_class WHERE relname LIKE 'sec\_items%' OR relname = 'sec_counter'
 ORDER BY relname;

-- ---------------------------------------------------------------------------
-- 3. A hostile search_path does not change the extension's own queries.
-- ---------------------------------------------------------------------------
CREATE SCHEMA evil;
-- "=" on text that is always true: an unqualified WHERE set_name = $1
-- would read every set's rows, an unqualified DELETE would delete them all
CREATE FUNCTION evil.always_true(text, text) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, PROCEDURE = evil.always_true);
CREATE FUNCTION evil.always_true_name(name, name) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = name, RIGHTARG = name, PROCEDURE = evil.always_true_name);
-- functions named like the ones the extension could use
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT 'epoch'::timestamptz $$;
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT 'evil' $$;
CREATE FUNCTION evil.unnest(anyarray) RETURNS SETOF anyelement
  LANGUAGE sql AS $$ SELECT NULL::text::anyelement WHERE false $$;
CREATE FUNCTION evil.hashtext(text) RETURNS int LANGUAGE sql AS 'SELECT 0';
CREATE FUNCTION evil.pg_advisory_xact_lock(bigint) RETURNS void LANGUAGE sql AS 'SELECT NULL::void';
CREATE FUNCTION evil.count(anyelement) RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint';
-- tables named like the extension's: an unqualified name would land here
CREATE TABLE evil.sm_version (LIKE public.sm_version);
CREATE TABLE evil.sm_log (LIKE public.sm_log);
GRANT USAGE ON SCHEMA evil TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA evil TO PUBLIC;
GRANT ALL ON ALL TABLES IN SCHEMA evil TO PUBLIC;

-- the attack needs evil before pg_catalog; without pg_catalog listed it is
-- searched first, so try both orders
SET search_path = evil, public;
SELECT sm_upgrade('+1', 'sec_searchpath');
SET search_path = evil, pg_catalog, public;
SELECT 'a'::text = 'b'::text AS evil_equals_is_active;
SELECT * FROM sm_current('sec_searchpath');
SELECT * FROM sm_current('sec_basic');
SELECT sm_upgrade('head', 'sec_searchpath');
SELECT revision, applied FROM sm_history('sec_searchpath');
RESET search_path;
-- the right rows, in the right table, with real values
SELECT set_name, revision, applied_at > 'epoch'::timestamptz AS real_time
  FROM sm_version WHERE set_name LIKE 'sec\_%' ORDER BY set_name, revision;
SELECT set_name, revision, operation, direction, success
  FROM sm_log WHERE set_name = 'sec_searchpath' ORDER BY id;
SELECT (SELECT count(*) FROM evil.sm_version) AS evil_versions,
       (SELECT count(*) FROM evil.sm_log) AS evil_log;
-- the same caller path with the migration role
SET ROLE regress_sm_migrator;
SET search_path = evil, pg_catalog, public;
SELECT * FROM sm_current('sec_basic');
SELECT count(*) AS version_rows_seen_by_history FROM sm_history('sec_basic') WHERE applied;
RESET search_path;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- 4. Messages and file names with quotes and $$ round-trip exactly.
-- ---------------------------------------------------------------------------
SELECT sm_upgrade('head', 'sec_quotes');
SELECT revision, message, file FROM sm_history('sec_quotes') ORDER BY revision;
SELECT message = $m$O'Reilly said "hi"; $$ $body$ \' '' \\ -- not a comment$m$ AS message_exact
  FROM sm_history('sec_quotes') WHERE revision = '0002';
SELECT message = $m$it's "quoted" $$ $body$$m$ AS name_message_exact,
       file = $f$0001_it's_"quoted"_$$_$body$.sql$f$ AS file_exact
  FROM sm_history('sec_quotes') WHERE revision = '0001';
SELECT revision, file FROM sm_log WHERE set_name = 'sec_quotes' ORDER BY id;
SELECT column_default FROM information_schema.columns
 WHERE table_name = 'sec_q2' AND column_name = 'v';

-- ---------------------------------------------------------------------------
-- 5. No SECURITY DEFINER function, none without a pinned search_path if
--    one appears, and none executable by PUBLIC.
-- ---------------------------------------------------------------------------
SELECT p.oid::regprocedure AS security_definer, p.proconfig
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'schema_migrate'
 WHERE p.prosecdef;
SELECT p.oid::regprocedure AS executable_by_public
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'schema_migrate'
 WHERE p.proacl IS NULL
    OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
                WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE');
SELECT proname, prosecdef, proconfig FROM pg_proc
 WHERE proname IN ('sm_upgrade', 'sm_current', 'sm_history') ORDER BY proname;
-- the extension's tables are not readable by PUBLIC either
SELECT c.oid::regclass AS readable_by_public
  FROM pg_class c
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'schema_migrate'
 WHERE EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0)
 ORDER BY 1;

-- ---------------------------------------------------------------------------
-- Clean up: objects, rows of the sec_ sets, roles.
-- ---------------------------------------------------------------------------
DROP SCHEMA evil CASCADE;
DROP TABLE public.sec_sp_a, public.sec_sp_b, public.sec_sp_c, public.sec_q1, public.sec_q2;
DROP OWNED BY regress_sm_migrator, regress_sm_nobody, regress_sm_reader;
DROP ROLE regress_sm_migrator, regress_sm_nobody, regress_sm_reader;
DELETE FROM sm_version WHERE set_name LIKE 'sec\_%';
DELETE FROM sm_log WHERE set_name LIKE 'sec\_%';
SELECT sec_state() = :'before' AS back_to_before;
DROP FUNCTION sec_state();
