--
-- Safety (issue 15): sm_lint rules with live facts, sm_blockers, the
-- schema_migrate.safety gate and "-- allow:" approvals.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
\set VERBOSITY default
-- the fixture tables live in a schema of their own
CREATE SCHEMA safety_t;
SET search_path = safety_t, public;

-- the tables, then facts: big is filled past the threshold, small is not
SELECT sm_upgrade('0001', 'lint_rules');
-- the defaults (the library is loaded now)
SHOW schema_migrate.safety;
SHOW schema_migrate.safety_min_bytes;
-- no autovacuum: sizes and row estimates stay what the test makes them
ALTER TABLE big SET (autovacuum_enabled = off);
ALTER TABLE events_2024 SET (autovacuum_enabled = off);
INSERT INTO big (id, code, note, tag) SELECT g, 'c', 'n', 't' || g FROM generate_series(1, 2000) g;
INSERT INTO events SELECT g, date '2024-03-01' FROM generate_series(1, 3000) g;
ANALYZE big, events;
SET schema_migrate.safety_min_bytes = '64kB';
SELECT pg_table_size('big') > 65536 AS big_is_big,
       pg_table_size('small') < 65536 AS small_is_small,
       pg_table_size('events_2024') > 65536 AS partition_is_big;

-- every finding of the pending migrations, in plan order
SELECT revision, file, line, rule, severity, relation,
       relation_bytes = pg_table_size(relation::regclass) AS bytes_are_live,
       relation_bytes IS NULL AS no_bytes, relation_rows
       -- (a partitioned table's bytes are the sum of its partitions')
  FROM sm_lint('head', 'lint_rules');

-- statement, message and hint of each rule, once
SELECT DISTINCT ON (rule) rule, statement, message, hint
  FROM sm_lint('head', 'lint_rules') ORDER BY rule, revision, line;

-- the same CREATE INDEX: error on a big table, info below the threshold,
-- nothing at all on a table created earlier in the plan (fresh)
SELECT relation, severity FROM sm_lint('head', 'lint_rules')
 WHERE revision = '0002' ORDER BY line;
SET schema_migrate.safety_min_bytes = '1GB';
SELECT relation, severity FROM sm_lint('head', 'lint_rules')
 WHERE revision = '0002' ORDER BY line;
SET schema_migrate.safety_min_bytes = '64kB';

-- type changes: varchar(10) -> varchar(20) and varchar -> text keep the
-- files, int -> bigint rewrites; SET NOT NULL after a validated check
-- (0001's big_code_nn, 0007's big_label_nn) is not flagged
SELECT line, rule, severity FROM sm_lint('head', 'lint_rules')
 WHERE revision IN ('0006', '0007') AND rule <> 'lock_held' ORDER BY revision, line;

-- a plan that starts later: only what is still pending, facts unchanged
SELECT count(*) FILTER (WHERE revision < '0010') AS before_0010, count(*) AS total
  FROM sm_lint('0012', 'lint_rules');

-- errors of the lint itself
SELECT * FROM sm_lint(NULL, 'lint_rules');
SELECT * FROM sm_lint('nope', 'lint_rules');

-- ---------- blockers ----------
-- nobody else holds a lock: no rows
SELECT * FROM sm_blockers('head', 'lint_rules');
SELECT count(*) FROM sm_lint('head', 'lint_rules') WHERE rule = 'blocked_by_session';
-- (test/t_safety.sh holds locks from a second session and checks both)

-- ---------- gating ----------
SELECT sm_upgrade('0001', 'lint_gate');
ALTER TABLE gated SET (autovacuum_enabled = off);
INSERT INTO gated SELECT g, g FROM generate_series(1, 5000) g;
SELECT pg_table_size('gated') > 65536 AS gated_is_big;

-- error: refused before anything runs, by sm_upgrade and by sm_migrate
SET schema_migrate.safety = error;
SELECT sm_upgrade('head', 'lint_gate');
CALL sm_migrate('head', 'lint_gate');
SELECT * FROM sm_current('lint_gate');
SELECT count(*) FROM pg_indexes WHERE indexname = 'gated_n';
-- below the threshold, the same plan runs
SET schema_migrate.safety_min_bytes = '1GB';
SELECT sm_upgrade('head', 'lint_gate');
SELECT sm_downgrade('0001', 'lint_gate');
SET schema_migrate.safety_min_bytes = '64kB';

-- warn: a NOTICE with the safe form, then it runs
SET schema_migrate.safety = warn;
SELECT sm_upgrade('head', 'lint_gate');
SELECT count(*) FROM pg_indexes WHERE indexname = 'gated_n';
SELECT sm_downgrade('0001', 'lint_gate');

-- off: nothing
SET schema_migrate.safety = off;
SELECT sm_upgrade('head', 'lint_gate');
SET schema_migrate.safety = error;

-- approved with "-- allow: table_lock": runs under error, and is logged
SELECT sm_upgrade('0001', 'lint_gate_allow');
ALTER TABLE approved SET (autovacuum_enabled = off);
INSERT INTO approved SELECT g, g FROM generate_series(1, 5000) g;
SELECT revision, rule, severity, message FROM sm_lint('head', 'lint_gate_allow');
SELECT sm_upgrade('head', 'lint_gate_allow');
SELECT revision, operation, direction, file, success, error, error_line, performed_by = current_user AS by_me
  FROM sm_log WHERE set_name = 'lint_gate_allow' ORDER BY id;

-- a foreign format: "-- allow:" as a comment anywhere in the file
SELECT sm_upgrade('1', 'lint_gate_flyway');
ALTER TABLE fly SET (autovacuum_enabled = off);
INSERT INTO fly SELECT g, g FROM generate_series(1, 5000) g;
SELECT revision, line, rule, severity, message LIKE '%approved by "-- allow: %' AS approved
  FROM sm_lint('head', 'lint_gate_flyway');
SELECT sm_upgrade('head', 'lint_gate_flyway');
SELECT revision, operation, error, error_line FROM sm_log
 WHERE set_name = 'lint_gate_flyway' AND operation = 'approve' ORDER BY id;

-- an unknown approval is a finding of severity error: refused
SELECT line, rule, severity, message FROM sm_lint('head', 'lint_rules') WHERE rule = 'unknown_allow';

-- ---------- sm_trace: the pending migrations run in a scratch database ----------
-- in public: the scratch database has no schema safety_t
SET search_path = public;
SELECT sm_upgrade('0001', 'lint_trace');
ALTER TABLE trace_orders SET (autovacuum_enabled = off);
INSERT INTO trace_parent VALUES (1);
INSERT INTO trace_orders SELECT g, g, 'x', 1 FROM generate_series(1, 3000) g;
ANALYZE trace_orders;
SELECT pg_relation_filenode('trace_orders') AS orders_filenode \gset
-- each statement: PostgreSQL's lock modes as its own backend held them,
-- the relations whose relfilenode changed (int -> bigint rewrites, varchar
-- -> text does not), the constraints it validated, with this database's
-- sizes of the same tables
SELECT revision, line, statement, locks, rewrites, scans, ms > 0 AS timed
  FROM sm_trace('head', 'lint_trace');
-- it ran in a scratch database: nothing changed here, no database left over
SELECT * FROM sm_current('lint_trace');
SELECT pg_relation_filenode('trace_orders') = :orders_filenode AS same_filenode,
       format_type(atttypid, atttypmod) AS n_type
  FROM pg_attribute WHERE attrelid = 'trace_orders'::regclass AND attname = 'n';
SELECT count(*) AS fresh_here FROM pg_class WHERE relname = 'trace_fresh';
SELECT count(*) AS scratch_left FROM pg_database WHERE datname LIKE 'sm\_scratch\_%';
-- nothing pending: no rows, no scratch database
SELECT count(*) FROM sm_trace('0001', 'lint_trace');
SELECT * FROM sm_trace(NULL, 'lint_trace');
DROP TABLE trace_orders, trace_parent;
SET search_path = safety_t, public;

-- only a superuser may change the policy
CREATE ROLE safety_user;
SET ROLE safety_user;
SET schema_migrate.safety = off;
RESET ROLE;
DROP ROLE safety_user;

-- clean up
RESET schema_migrate.safety;
RESET schema_migrate.safety_min_bytes;
RESET search_path;
DROP SCHEMA safety_t CASCADE;
DROP SCHEMA old_stuff;
DELETE FROM sm_version WHERE set_name LIKE 'lint\_%';
DELETE FROM sm_log WHERE set_name LIKE 'lint\_%';
