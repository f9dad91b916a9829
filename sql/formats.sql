--
-- Sets written for other tools: golang-migrate, Flyway, dbmate, goose,
-- diesel, sqitch.  Each goes up to head in its tool's own order; then the
-- format errors.  The fixture sets all create schema "app", so this runs in
-- a database of its own.
--
CREATE DATABASE sm_formats_regress;
\c sm_formats_regress
CREATE EXTENSION schema_migrate;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
\set VERBOSITY default

-- golang-migrate: 1 .. 17 as integers (a name sort puts 10 after 1)
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fmt_golang');
RESET client_min_messages;
SELECT * FROM sm_current('fmt_golang');
SELECT revision, down_revisions, message, file, applied, has_down
  FROM sm_history('fmt_golang');
SELECT to_regclass('public.audit_log') IS NOT NULL AS audit_log_in_public,
       to_regclass('app.tasks') IS NOT NULL AS tasks_in_app;
SET client_min_messages = warning;
SELECT sm_downgrade('base', 'fmt_golang');
RESET client_min_messages;
SELECT to_regnamespace('app') IS NULL AS app_gone;

-- Flyway: part-wise versions, 1.2 < 1.9 < 1.10 < 1_11 < 2 < 2.0.1 < 2.1
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fmt_flyway');
RESET client_min_messages;
SELECT * FROM sm_current('fmt_flyway');
SELECT revision, down_revisions, message, file, applied, has_down
  FROM sm_history('fmt_flyway');
SET client_min_messages = warning;
SELECT sm_downgrade('base', 'fmt_flyway');
RESET client_min_messages;

-- dbmate: -- migrate:up / -- migrate:down blocks in one file
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fmt_dbmate');
RESET client_min_messages;
SELECT * FROM sm_current('fmt_dbmate');
SELECT revision, down_revisions, message, file, applied, has_down, transactional
  FROM sm_history('fmt_dbmate');
SET client_min_messages = warning;
SELECT sm_downgrade('base', 'fmt_dbmate');
RESET client_min_messages;

-- goose: annotations in any case, padded and unpadded versions
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fmt_goose');
RESET client_min_messages;
SELECT * FROM sm_current('fmt_goose');
SELECT revision, down_revisions, message, file, applied, has_down
  FROM sm_history('fmt_goose');
SET client_min_messages = warning;
SELECT sm_downgrade('base', 'fmt_goose');
RESET client_min_messages;

-- diesel: dashed and undashed versions interleave; names with blanks
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fmt_diesel');
RESET client_min_messages;
SELECT * FROM sm_current('fmt_diesel');
SELECT revision, down_revisions, message, file, applied, has_down
  FROM sm_history('fmt_diesel');
SET client_min_messages = warning;
SELECT sm_downgrade('base', 'fmt_diesel');
RESET client_min_messages;

-- sqitch: plan order, dependencies, tags as labels, a reworked change
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fmt_sqitch');
RESET client_min_messages;
SELECT * FROM sm_current('fmt_sqitch');
SELECT revision, down_revisions, depends_on, branch_labels, message, file, applied
  FROM sm_history('fmt_sqitch');
-- the reworked function is the last instance's
SELECT pg_get_functiondef('app.task_count(bigint)'::regprocedure) ~ 'open' AS reworked;
SELECT sm_upgrade('v1.0@head', 'fmt_sqitch');
SET client_min_messages = warning;
SELECT sm_downgrade('base', 'fmt_sqitch');
RESET client_min_messages;

-- non-transactional markers of each tool
SELECT revision, file, transactional FROM sm_history('fmt_notx_dbmate');
SELECT revision, file, transactional FROM sm_history('fmt_notx_goose');
SELECT revision, file, transactional FROM sm_history('fmt_notx_diesel');

-- sqitch: a reworked change's earlier scripts carry whichever tag between
-- the two instances exists in deploy/ (here the later one, @beta), as
-- sqitch finds them; a schema dump next to the plan is no migration
SELECT revision, down_revisions, depends_on, file
  FROM sm_history('fmt_sqitch_rework_tags');
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fmt_sqitch_rework_tags');
SELECT rt.version();
SELECT sm_downgrade('base', 'fmt_sqitch_rework_tags');
RESET client_min_messages;
SELECT to_regnamespace('rt') IS NULL AS rt_gone,
       to_regclass('public.not_a_migration') IS NULL AS dump_not_run;

-- diesel reads only the migration directories: a seed file beside them
-- is no migration (and no other format)
SELECT revision, down_revisions, file FROM sm_history('fmt_diesel_extra_sql');
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fmt_diesel_extra_sql');
RESET client_min_messages;
SELECT count(*) AS seed_rows FROM dx_notes;
SET client_min_messages = warning;
SELECT sm_downgrade('base', 'fmt_diesel_extra_sql');
RESET client_min_messages;

-- Flyway and golang-migrate run a file holding CREATE INDEX CONCURRENTLY
-- without a transaction: such a migration is non-transactional here
SELECT revision, file, transactional FROM sm_history('fmt_flyway_concurrently');
SELECT revision, file, transactional FROM sm_history('fmt_golang_concurrently');
SELECT sm_upgrade('head', 'fmt_golang_concurrently');
SET client_min_messages = warning;
CALL sm_migrate('head', 'fmt_golang_concurrently');
CALL sm_migrate('head', 'fmt_flyway_concurrently');
RESET client_min_messages;
SELECT indexrelid::regclass, indisvalid FROM pg_index
 WHERE indexrelid::regclass::text IN ('gc_items_code', 'fc_items_code') ORDER BY 1;
SET client_min_messages = warning;
CALL sm_migrate('base', 'fmt_golang_concurrently');
CALL sm_migrate('base', 'fmt_flyway_concurrently');
RESET client_min_messages;
SELECT to_regclass('public.gc_items') IS NULL AS gc_gone,
       to_regclass('public.fc_items') IS NULL AS fc_gone;

-- errors: nothing is applied
SELECT sm_upgrade('head', 'fmt_bad_mixed');
SELECT sm_upgrade('head', 'fmt_bad_flyway_name');
SELECT sm_upgrade('head', 'fmt_bad_flyway_dup');
SELECT sm_upgrade('head', 'fmt_bad_goose_unbalanced');
SELECT sm_upgrade('head', 'fmt_bad_dbmate_option');
SELECT sm_upgrade('head', 'fmt_bad_sqitch_missing');
SELECT sm_upgrade('head', 'fmt_bad_sqitch_dep');
SELECT sm_upgrade('head', 'fmt_bad_diesel_escape');
SELECT count(*) AS version_rows FROM sm_version;

-- sm_adopt: take over from golang-migrate (current version 9, clean)
CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations VALUES (9, true);
SELECT sm_adopt('golang-migrate', 'fmt_golang');
UPDATE schema_migrations SET version = 99, dirty = false;
SELECT sm_adopt('golang-migrate', 'fmt_golang');
SELECT count(*) AS version_rows FROM sm_version;
UPDATE schema_migrations SET version = 9;
SELECT sm_adopt('golang-migrate', 'fmt_golang');
SELECT * FROM sm_current('fmt_golang');
SELECT count(*) AS adopted, min(operation), max(operation) FROM sm_log WHERE operation = 'adopt';
SELECT sm_adopt('golang-migrate', 'fmt_golang');
-- dbmate records every version; goose replays applied/rolled back rows
DROP TABLE schema_migrations;
CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('01'), ('02'), ('03');
SELECT sm_adopt('dbmate', 'fmt_dbmate');
CREATE TABLE goose_db_version (id serial, version_id bigint, is_applied boolean, tstamp timestamp DEFAULT now());
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (3, false);
SELECT sm_adopt('goose', 'fmt_goose');
SELECT sm_adopt('rails', 'fmt_goose');
SELECT sm_adopt('diesel', 'fmt_diesel');

-- Flyway: every successful versioned row counts; a failed one refuses
CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY,
    version varchar(50), description varchar(200), type varchar(20),
    script varchar(1000), checksum int, installed_by varchar(100),
    installed_on timestamp DEFAULT now(), execution_time int, success boolean);
INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, success) VALUES
    (1, '1', 'create app schema', 'SQL', 'V1__create_app_schema.sql', true),
    (2, '1.1', 'create users', 'SQL', 'V1.1__create_users.sql', true),
    (3, '1.2', 'create orgs', 'SQL', 'V1.2__create_orgs.sql', false);
SELECT sm_adopt('flyway', 'fmt_flyway');
UPDATE flyway_schema_history SET success = true;
SELECT sm_adopt('flyway', 'fmt_flyway');
SELECT * FROM sm_current('fmt_flyway');

-- diesel: every recorded version (dashes removed) counts
DROP TABLE IF EXISTS __diesel_schema_migrations;
CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp DEFAULT now());
INSERT INTO __diesel_schema_migrations (version) VALUES ('00000000000000'), ('20240115100100');
SELECT sm_adopt('diesel', 'fmt_diesel');
SELECT * FROM sm_current('fmt_diesel');

-- sqitch: the changes it deployed, in order
CREATE SCHEMA sqitch;
CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, change text, project text, committed_at timestamptz);
INSERT INTO sqitch.changes VALUES ('a', 'appschema', 'fmtapp', now() - interval '3 min'),
    ('b', 'users', 'fmtapp', now() - interval '2 min'), ('c', 'orgs', 'fmtapp', now() - interval '1 min');
SELECT sm_adopt('sqitch', 'fmt_sqitch');
SELECT * FROM sm_current('fmt_sqitch') ORDER BY 1;

-- Alembic: only the head is recorded; its ancestors count as applied
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO alembic_version VALUES ('27c6a30d7c24');
SELECT sm_adopt('alembic', 'directives');
SELECT revision, applied FROM sm_history('directives');
SELECT set_name, count(*) FROM sm_log WHERE operation = 'adopt' GROUP BY 1 ORDER BY 1;

\c contrib_regression
DROP DATABASE sm_formats_regress;
