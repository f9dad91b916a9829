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

-- errors: nothing is applied
SELECT sm_upgrade('head', 'fmt_bad_mixed');
SELECT sm_upgrade('head', 'fmt_bad_flyway_name');
SELECT sm_upgrade('head', 'fmt_bad_flyway_dup');
SELECT sm_upgrade('head', 'fmt_bad_golang_mismatch');
SELECT sm_upgrade('head', 'fmt_bad_golang_downonly');
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
INSERT INTO schema_migrations VALUES ('1'), ('2'), ('3');
SELECT sm_adopt('dbmate', 'fmt_dbmate');
CREATE TABLE goose_db_version (id serial, version_id bigint, is_applied boolean, tstamp timestamp DEFAULT now());
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (3, false);
SELECT sm_adopt('goose', 'fmt_goose');
SELECT sm_adopt('liquibase', 'fmt_goose');
SELECT sm_adopt('diesel', 'fmt_diesel');

\c contrib_regression
DROP DATABASE sm_formats_regress;
