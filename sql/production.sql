--
-- Production operation: CALL sm_migrate (step-wise commits, non-transactional
-- migrations in a background worker, partial state, resume, resolve),
-- failures recorded durably, checksums and repair, out-of-order policy,
-- per-migration timeouts, sm_status.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;

-- sm_migrate commits, so not inside a transaction block
BEGIN;
CALL sm_migrate('head', 'nontx');
ROLLBACK;

-- a non-transactional migration: CREATE INDEX CONCURRENTLY in a worker
CALL sm_migrate('head', 'nontx');
SELECT * FROM sm_current('nontx');
SELECT indisvalid FROM pg_index WHERE indexrelid = 'nt_t_id'::regclass;
CALL sm_migrate('base', 'nontx');
SELECT to_regclass('nt_t_id') IS NULL AS index_dropped;

-- a statement fails half-way: the partial state is kept and blocks others
CALL sm_migrate('head', 'fail_nontx');
SELECT * FROM sm_current('fail_nontx');
SELECT revision, direction, statements_done, statements_total FROM sm_partial;
SELECT revision, applied, state FROM sm_history('fail_nontx');
SELECT set_name, current, pending, partial, last_operation, last_revision,
       last_success FROM sm_status() WHERE set_name = 'fail_nontx';
SELECT sm_upgrade('head', 'fail_nontx');
SELECT sm_downgrade('base', 'fail_nontx');
-- sm_check names the partial migration and the way out
SELECT sm_check('fail_nontx');
-- the invalid index was reported; fix the data, drop it, and resume
SELECT indisvalid FROM pg_index WHERE indexrelid = 'fn_t_x'::regclass;
DELETE FROM fn_t WHERE y = 2;
DROP INDEX fn_t_x;
CALL sm_migrate('head', 'fail_nontx');
SELECT * FROM sm_current('fail_nontx');
SELECT count(*) AS partial_rows FROM sm_partial;
SELECT indexrelid::regclass, indisvalid FROM pg_index
 WHERE indrelid = 'fn_t'::regclass ORDER BY indexrelid::regclass::text COLLATE "C";
CALL sm_migrate('base', 'fail_nontx');

-- resolve by hand instead of resuming
CALL sm_migrate('head', 'resolve_me');
SELECT sm_resolve('0001', 'bogus', 'resolve_me');
SELECT sm_resolve('0002', 'applied', 'resolve_me');
SELECT sm_resolve('0001', 'applied', 'resolve_me');
SELECT * FROM sm_current('resolve_me');
SELECT revision, state FROM sm_history('resolve_me');
CALL sm_migrate('base', 'resolve_me');

-- step-wise: a failure in step 2 keeps step 1, and is logged durably
CALL sm_migrate('head', 'stepwise_fail');
SELECT * FROM sm_current('stepwise_fail');
SELECT to_regclass('sf_one') IS NOT NULL AS one_kept,
       to_regclass('sf_two') IS NULL AS two_rolled_back;
SELECT revision, operation, success, sqlstate, error, error_line
  FROM sm_log WHERE set_name = 'stepwise_fail' ORDER BY id;

-- statement_timeout from the migration's directive
SELECT sm_upgrade('head', 'stmt_timeout');
SHOW statement_timeout;

-- an edited migration stops everything until repaired (basic is applied by
-- core.sql before this test, or here when this test runs alone)
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'basic') IS NOT NULL AS basic_applied;
RESET client_min_messages;
SELECT sm_upgrade('head', 'basic');
UPDATE sm_version SET checksum = 'edited' WHERE set_name = 'basic' AND revision = '0002';
SELECT sm_upgrade('head', 'basic');
SELECT sm_check('basic');
SELECT revision, state FROM sm_history('basic');
SELECT sm_repair('basic');
SELECT sm_upgrade('head', 'basic');
SELECT revision, operation, error FROM sm_log
 WHERE set_name = 'basic' AND operation = 'repair';
-- an applied revision whose file is gone
INSERT INTO sm_version (set_name, revision, checksum, applied_at, applied_by)
VALUES ('basic', '0004', 'x', now(), current_user);
SELECT sm_upgrade('head', 'basic');
SELECT * FROM sm_current('basic');
-- sm_check says where the record is, and that upgrading cannot help
SELECT sm_check('basic');
SELECT sm_repair('basic');
SELECT * FROM sm_current('basic');

-- out-of-order policy: 0004 is older than the applied 0006
SELECT sm_upgrade('0006', 'branches');
SET schema_migrate.out_of_order = 'error';
SELECT sm_upgrade('head', 'branches');
RESET schema_migrate.out_of_order;
SELECT sm_upgrade('head', 'branches');
SELECT sm_downgrade('base', 'branches');

-- a SET inside a migration does not leak to the caller
SHOW search_path;
