--
-- The core: sets, the graph, sm_upgrade / sm_current / sm_history.
--
CREATE EXTENSION schema_migrate;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
-- stable error output: no SQL statement text in the context lines
\set VERBOSITY default

-- the set: a plain name under schema_migrate.path
SET schema_migrate.set = 'basic';
SELECT * FROM sm_current();
SELECT revision, down_revisions, message, file, applied, is_head, is_current,
       has_down, transactional, length(checksum) AS checksum_len
  FROM sm_history();

SELECT sm_upgrade('head');
SELECT * FROM sm_current();
SELECT revision, applied, applied_by = current_user AS by_me,
       applied_at <= now() AS in_past, duration_ms >= 0 AS timed, is_current
  FROM sm_history();
\d orders
-- the trigger from a dollar-quoted body works
INSERT INTO accounts (email) VALUES ('a@example.com');
INSERT INTO orders (account_id, status) VALUES (1, 'paid');
INSERT INTO orders (account_id, status) VALUES (1, 'lost');

-- at head: nothing to do, nothing written
SELECT count(*) AS log_rows FROM sm_log;
SELECT sm_upgrade('head');
SELECT sm_upgrade();
SELECT count(*) AS log_rows FROM sm_log;
SELECT set_name, revision, operation, direction, file, success
  FROM sm_log ORDER BY id;

-- natural order: 1, 2, 10 (not 1, 10, 2)
SELECT revision, down_revisions FROM sm_history('natural');
SELECT sm_upgrade('+2', 'natural');
SELECT * FROM sm_current('natural');
SELECT sm_upgrade('+2', 'natural');
SELECT sm_upgrade('+1', 'natural');
SELECT sm_upgrade('heads', 'natural');

-- explicit directives decide the graph, not the file names
SELECT revision, down_revisions, message, file FROM sm_history('directives');
SELECT sm_upgrade('ae10', 'directives');
SELECT sm_upgrade('27c', 'directives');
SELECT * FROM sm_current('directives');

-- targets: exact, prefix, ambiguous prefix, unknown, bad forms
SELECT sm_upgrade('abc', 'prefix');
SELECT sm_upgrade('abc1', 'prefix');
SELECT sm_upgrade('abd', 'prefix');
SELECT sm_upgrade('zzz', 'prefix');
SELECT sm_upgrade('head; DROP TABLE accounts', 'prefix');
SELECT sm_upgrade('''', 'prefix');
SELECT sm_upgrade('', 'prefix');
SELECT sm_upgrade(NULL, 'prefix');
SELECT sm_upgrade('+99999999999999999999', 'prefix');
SELECT sm_upgrade('+0', 'prefix');
SELECT sm_upgrade('-0', 'prefix');
SELECT sm_upgrade('base', 'prefix');
SELECT sm_upgrade('+1', 'prefix');
SELECT to_regclass('accounts') IS NOT NULL AS accounts_kept;

-- an empty set is at base and stays there
SELECT sm_upgrade('head', 'empty');
SELECT * FROM sm_current('empty');

-- a BEGIN first and COMMIT last wrap the file: accepted
SELECT sm_upgrade('head', 'wrapped');
SELECT to_regclass('wr_two') IS NOT NULL AS wrapped_ran;

-- the word "concurrently" in comments and strings does not matter: only
-- statements the parser sees are checked
SELECT sm_upgrade('head', 'wordy');

-- migrations run with the caller's search_path
CREATE SCHEMA app;
SET search_path = app, public;
SELECT sm_upgrade('head', 'searchpath');
RESET search_path;
SELECT to_regclass('app.sp_t') IS NOT NULL AS created_in_app;
