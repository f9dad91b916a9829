--
-- Every failure names the file and line, keeps PostgreSQL's SQLSTATE, and
-- leaves nothing behind.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
-- a state fingerprint checked before and after each failure
CREATE FUNCTION state() RETURNS text LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM sm_version) || ' versions, '
      || (SELECT count(*) FROM sm_log WHERE success) || ' log rows, '
      || (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace) || ' relations'
$$;
SELECT state() AS before \gset

-- a runtime error: line of the statement, SQLSTATE 22012, nothing kept
SELECT sm_upgrade('head', 'fail_runtime');
\echo :LAST_ERROR_SQLSTATE
SELECT state() = :'before' AS unchanged;
SELECT to_regclass('fr_ok') IS NULL AS first_rolled_back;

-- a syntax error: the exact line, 42601, nothing ran
SELECT sm_upgrade('head', 'fail_syntax');
\echo :LAST_ERROR_SQLSTATE
SELECT state() = :'before' AS unchanged;

-- a name-resolution error points at the exact line inside the statement
SELECT sm_upgrade('head', 'fail_undefined');
\echo :LAST_ERROR_SQLSTATE
SELECT state() = :'before' AS unchanged;

-- bad sets: each a clear error with a hint
SELECT sm_upgrade('head', 'bad_duplicate');
\echo :LAST_ERROR_SQLSTATE
SELECT sm_upgrade('head', 'bad_missing_parent');
\echo :LAST_ERROR_SQLSTATE
SELECT sm_upgrade('head', 'bad_cycle');
\echo :LAST_ERROR_SQLSTATE
SELECT sm_upgrade('head', 'bad_directive');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM sm_history('bad_directive');
SELECT sm_upgrade('head', 'bad_txn');
\echo :LAST_ERROR_SQLSTATE
SELECT sm_upgrade('head', 'nontx');
\echo :LAST_ERROR_SQLSTATE
SELECT sm_upgrade('head', 'concurrent_stmt');
\echo :LAST_ERROR_SQLSTATE
SELECT sm_upgrade('head', 'recursion');
\echo :LAST_ERROR_SQLSTATE
SELECT state() = :'before' AS unchanged;

-- set names: plain names only
SELECT sm_upgrade('head', '../basic');
SELECT sm_upgrade('head', 'a/b');
SELECT sm_upgrade('head', '..');
SELECT sm_upgrade('head', '.hidden');
SELECT sm_upgrade('head', '');
-- (terse: the detail names the absolute directory, which differs by machine)
\set VERBOSITY terse
SELECT sm_upgrade('head', 'no_such_set');
\set VERBOSITY default
SET schema_migrate.set = '../../etc';
SELECT sm_current();
RESET schema_migrate.set;
SET schema_migrate.path = 'relative/path';
SELECT sm_current('basic');
SELECT state() = :'before' AS unchanged;
-- each failure that ran was recorded, although its transaction rolled back
SELECT set_name, revision, operation, direction, sqlstate, error, error_line
  FROM sm_log WHERE NOT success ORDER BY id;
DROP FUNCTION state();
