--
-- Every output column of every set-returning function, asserted with a
-- known value: what the files say, what sm_version and sm_log recorded,
-- the role that ran it.  (sm_show once returned applied_by as a text datum
-- for its name column: a test that looks at the value catches that.)
-- Runs on a tenant of its own ("columns@col_t"), and leaves nothing behind.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
CREATE SCHEMA col_t;
CREATE SCHEMA col_bad;
CREATE TABLE col_bad.col_base (id int);
SELECT clock_timestamp() AS t0 \gset

-- sm_history before anything is applied
SELECT revision, down_revisions, message, file, applied,
       applied_at IS NULL AS applied_at_null, applied_by IS NULL AS applied_by_null,
       is_head, is_current, branch_labels, depends_on, has_down, transactional,
       checksum = encode(sha256(pg_read_binary_file(:'sets' || '/columns/' || file)), 'hex') AS checksum_is_sha256,
       duration_ms IS NULL AS duration_null, state
  FROM sm_history('columns@col_t');

-- sm_heads, sm_branches, sm_plan before
SELECT * FROM sm_heads('columns@col_t');
SELECT * FROM sm_branches('columns@col_t');
SELECT * FROM sm_plan('0002', 'columns@col_t');

SELECT sm_upgrade('0002', 'columns@col_t');

-- sm_history after: the applied rows are what sm_version holds
SELECT h.revision, h.applied,
       h.applied_at = v.applied_at AND h.applied_at BETWEEN :'t0' AND clock_timestamp() AS applied_at_recorded,
       h.applied_by = current_user AS applied_by_me, pg_typeof(h.applied_by) AS applied_by_type,
       h.duration_ms = v.duration_ms AND h.duration_ms >= 0 AS duration_recorded,
       h.is_head, h.is_current, h.state
  FROM sm_history('columns@col_t') h
  LEFT JOIN sm_version v ON v.set_name = 'columns@col_t' AND v.revision = h.revision
 ORDER BY h.revision;

-- sm_show: all seventeen columns, applied and not
SELECT revision, down_revisions, depends_on, branch_labels, message, file,
       checksum = encode(sha256(pg_read_binary_file(:'sets' || '/columns/0001_base.sql')), 'hex') AS checksum_is_sha256,
       applied,
       applied_at = (SELECT applied_at FROM sm_version WHERE set_name = 'columns@col_t' AND revision = '0001') AS applied_at_recorded,
       applied_by = current_user AS applied_by_me, pg_typeof(applied_by) AS applied_by_type,
       applied_checksum = checksum AS applied_checksum_same, transactional,
       lock_timeout_ms, statement_timeout_ms, up_sql, down_sql, is_head
  FROM sm_show('0001', 'columns@col_t');
SELECT revision, down_revisions, depends_on, branch_labels, message, file, applied,
       applied_at, applied_by, applied_checksum, transactional, lock_timeout_ms,
       statement_timeout_ms, up_sql, down_sql, is_head
  FROM sm_show('0003', 'columns@col_t');
SELECT revision, applied, is_head FROM sm_show('left', 'columns@col_t');

-- sm_plan both ways, sm_heads and sm_branches with something applied
SELECT * FROM sm_plan('heads', 'columns@col_t');
SELECT * FROM sm_plan('base', 'columns@col_t');
SELECT * FROM sm_heads('columns@col_t');
SELECT * FROM sm_branches('columns@col_t');

-- sm_upgrade_tenants: one tenant succeeds, one fails (its table exists)
SELECT * FROM sm_upgrade_tenants('heads', ARRAY['col_t', 'col_bad'], 'columns');

-- sm_status: every column, for the tenant that succeeded and the one that failed
SELECT set_name, current, pending, partial, last_operation, last_revision, last_success,
       last_at = (SELECT max(started_at) FROM sm_log l WHERE l.set_name = s.set_name) AS last_at_recorded,
       last_error
  FROM sm_status() s WHERE set_name LIKE 'columns@%' ORDER BY 1;
SELECT * FROM sm_current('columns@col_t');
SELECT sm_check('columns@col_t');

-- a downgrade stopped half-way: the hint resumes with the downgrade's own
-- target (CALL sm_migrate('head') would undo it), sm_status shows it
CALL sm_migrate('head', 'col_down_fail');
CALL sm_migrate('base', 'col_down_fail');
SELECT sm_check('col_down_fail');
SELECT set_name, current, pending, partial, last_operation, last_success, last_error
  FROM sm_status() WHERE set_name = 'col_down_fail';
-- finished by hand (the second table never existed): the revision is not applied
SELECT sm_resolve('0001', 'not applied', 'col_down_fail');
SELECT * FROM sm_current('col_down_fail');
SELECT to_regclass('col_down_t') IS NULL AS table_gone;

-- leave nothing behind
DROP SCHEMA col_t CASCADE;
DROP SCHEMA col_bad CASCADE;
DELETE FROM sm_version WHERE set_name LIKE 'columns@%' OR set_name = 'col_down_fail';
DELETE FROM sm_log WHERE set_name LIKE 'columns@%' OR set_name = 'col_down_fail';
