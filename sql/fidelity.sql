--
-- Fidelity to the tools whose folders schema_migrate reads (issue 11):
-- each section reproduces a rule of the tool that a public folder relies on.
-- The fixture sets create tables of their own prefix, in a database of
-- their own.
--
CREATE DATABASE sm_fidelity_regress;
\c sm_fidelity_regress
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
\set VERBOSITY default

-- Defect 6: a file with its own BEGIN ... COMMIT (golang-migrate, psql).
-- sm_upgrade refuses it before anything runs, naming the procedure ...
SELECT sm_upgrade('head', 'fid_own_txn');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('ot_accounts') IS NULL AS nothing_ran;
-- ... and CALL sm_migrate runs it as psql does: statements, the block as
-- one transaction, the rolled-back block leaves nothing, CIC at top level
CALL sm_migrate('head', 'fid_own_txn');
SELECT id, balance FROM ot_accounts ORDER BY id;
SELECT count(*) AS log_rows FROM ot_log;
SELECT indisvalid FROM pg_index WHERE indexrelid = 'ot_log_id'::regclass;
SELECT revision, applied, transactional FROM sm_history('fid_own_txn');
SELECT * FROM sm_plan('base', 'fid_own_txn');
-- going down: sm_downgrade refuses the down file's own BEGIN ... COMMIT too
CALL sm_migrate('2', 'fid_own_txn');
SELECT sm_downgrade('1', 'fid_own_txn');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS accounts_kept FROM ot_accounts;
CALL sm_migrate('base', 'fid_own_txn');
SELECT to_regclass('ot_log') IS NULL AND to_regclass('ot_accounts') IS NULL AS all_gone;
-- a failing block rolls back as a whole: the partial state stops at its BEGIN
CALL sm_migrate('head', 'fid_own_txn_fail');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS items_after_failure FROM otf_items;
SELECT * FROM sm_current('fid_own_txn_fail');
SELECT sm_resolve('1', 'not applied', 'fid_own_txn_fail');
DROP TABLE otf_items;

-- Defect 1: diesel orders versions as strings (after removing "-"):
-- 202401121015000000 < 20240113000000 < 9; a numeric order would run
-- "9" first and fail on a table that does not exist yet
SELECT revision, down_revisions, file FROM sm_history('fid_order_diesel');
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fid_order_diesel');
RESET client_min_messages;
SELECT attname FROM pg_attribute WHERE attrelid = 'od_items'::regclass AND attnum > 0 ORDER BY attnum;
-- diesel refuses a non-empty directory without up.sql, and an empty up.sql
SELECT * FROM sm_history('fid_bad_diesel_no_up');
SELECT * FROM sm_history('fid_bad_diesel_empty_up');

-- Defect 2: dbmate orders files by name as strings (dbmate 2.36 applies
-- 011_create, 10_add_b, 9_add_c in that order)
SELECT revision, down_revisions, file FROM sm_history('fid_order_dbmate');
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fid_order_dbmate');
RESET client_min_messages;
SELECT attname FROM pg_attribute WHERE attrelid = 'odb_items'::regclass AND attnum > 0 ORDER BY attnum;
-- dbmate refuses SQL before "-- migrate:up" and a file without "-- migrate:down"
SELECT * FROM sm_history('fid_bad_dbmate_before_up');
SELECT * FROM sm_history('fid_bad_dbmate_no_down');

-- Defect 5: golang-migrate keys files by version and direction only: up and
-- down files of version 30 with different titles are one migration; a
-- version with only a down file (31) goes up as an empty migration; and
-- versions are integers (9 < 30 < 100, where a string sort puts 100 first)
SELECT revision, down_revisions, message, file, has_down FROM sm_history('fid_golang_keys');
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'fid_golang_keys');
SELECT sm_downgrade('9', 'fid_golang_keys');
RESET client_min_messages;
SELECT attname FROM pg_attribute WHERE attrelid = 'gk_items'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;

-- Defect 3: a sqitch change may be named "base" or "head": sqitch deploys
-- it, and so does schema_migrate.  The bare words stay targets; the changes
-- are reached as "revision:<id>" (or by position, "revision:base+1")
SELECT revision, down_revisions, message, file FROM sm_history('fid_sqitch_reserved');
SET client_min_messages = warning;
SELECT sm_upgrade('revision:base', 'fid_sqitch_reserved');
SELECT * FROM sm_current('fid_sqitch_reserved');
SELECT sm_upgrade('revision:base+1', 'fid_sqitch_reserved');
SELECT * FROM sm_current('fid_sqitch_reserved');
SELECT sm_upgrade('head', 'fid_sqitch_reserved');
SELECT * FROM sm_current('fid_sqitch_reserved');
SELECT revision, message FROM sm_show('base', 'fid_sqitch_reserved');
SELECT revision, message FROM sm_show('revision:head', 'fid_sqitch_reserved');
SELECT * FROM sm_plan('revision:head', 'fid_sqitch_reserved');
SELECT sm_downgrade('revision:base', 'fid_sqitch_reserved');
SELECT * FROM sm_current('fid_sqitch_reserved');
SELECT sm_downgrade('base', 'fid_sqitch_reserved');
SELECT * FROM sm_current('fid_sqitch_reserved');
RESET client_min_messages;
SELECT sm_upgrade('revision:nosuch', 'fid_sqitch_reserved');
-- a native file still may not take a target word as its id
SELECT * FROM sm_history('fid_bad_native_reserved');

-- Defect 8: a folder of a layout no reader recognises (Rails's
-- <ts>_<name>.rb) is an error saying what is there, for every
-- function, not an empty set that sm_migrate "succeeds" on
CALL sm_migrate('head', 'fid_bad_unknown_layout');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM sm_history('fid_bad_unknown_layout');
-- a folder with nothing in it stays an empty set at base
SELECT sm_upgrade('head', 'empty');

-- Defect 4: sqitch runs deploy scripts through psql, with no transaction of
-- its own: a bare CREATE INDEX CONCURRENTLY runs outside one under
-- CALL sm_migrate (and its verify script after it), as with sqitch
SELECT revision, transactional FROM sm_history('fid_sqitch_concurrently');
CALL sm_migrate('head', 'fid_sqitch_concurrently');
SELECT indisvalid FROM pg_index WHERE indexrelid = 'sc_items_code'::regclass;
SELECT sm_upgrade('head', 'fid_sqitch_concurrently');
CALL sm_migrate('base', 'fid_sqitch_concurrently');
SELECT to_regclass('sc_items') IS NULL AS reverted;
-- the verify script of such a change runs too: a failing one leaves it
-- partial with every statement run
CALL sm_migrate('head', 'fid_sqitch_verify_fails');
SELECT * FROM sm_current('fid_sqitch_verify_fails');
SELECT sm_resolve('svf', 'not applied', 'fid_sqitch_verify_fails');
DROP TABLE svf;

-- Defect 7: a goose Go migration is a revision that cannot run here: an
-- upgrade through it stops before anything runs, naming the file, what goose
-- would do and the ways out; it is never skipped
SELECT revision, down_revisions, message, file FROM sm_history('fid_goose_go');
SELECT sm_upgrade('head', 'fid_goose_go');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('gg_users') IS NULL AS nothing_ran;
CALL sm_migrate('head', 'fid_goose_go');
SELECT * FROM sm_plan('head', 'fid_goose_go');
-- the way out: up to the revision before it, the Go migration by the tool
-- (here by hand), then record it, then on
SET client_min_messages = warning;
SELECT sm_upgrade('1', 'fid_goose_go');
CREATE TABLE gg_orders (id int PRIMARY KEY, user_id int REFERENCES gg_users);
SELECT sm_stamp('2', 'fid_goose_go');
SELECT sm_upgrade('head', 'fid_goose_go');
RESET client_min_messages;
SELECT to_regclass('gg_orders_user') IS NOT NULL AS index_built;
-- going down through it stops the same way
SELECT sm_downgrade('base', 'fid_goose_go');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM sm_current('fid_goose_go');

-- Sibling of defect 7 found on alf.io's folder: Flyway SQL callbacks.  The
-- ones Flyway runs on migrate (afterMigrateApplied__*.sql) are refused,
-- naming the file; those of other commands (beforeClean.sql) are left alone
SELECT * FROM sm_history('fid_bad_flyway_callback');
SELECT revision, file FROM sm_history('fid_flyway_clean_callback');

-- Found on BeeeOn/server-db: sqitch change names may hold "/" (scripts in
-- subdirectories); the revision id is the name, as sqitch.changes has it
SELECT revision, down_revisions, file, has_down FROM sm_history('fid_sqitch_slash');
SET client_min_messages = warning;
SELECT sm_upgrade('table/items', 'fid_sqitch_slash');
SELECT sm_downgrade('base', 'fid_sqitch_slash');
RESET client_min_messages;

\c contrib_regression
DROP DATABASE sm_fidelity_regress;
