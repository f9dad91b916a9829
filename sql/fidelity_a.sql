--
-- Fidelity to Liquibase, tern and Hasura as their public folders showed it
-- (issue 16, test/public/folders.tsv): each section reproduces a rule of
-- the tool that a public folder relies on.
--
CREATE DATABASE sm_fidelity_a_regress;
\c sm_fidelity_a_regress
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;
\set VERBOSITY default

-- Found on kevinpalis/gobii-db: a changeset line with a word Liquibase does
-- not know ("tag:version_1.1", "ticket:ABC-12") is read, as Liquibase reads
-- it: the word is ignored, the attributes it knows still count
SELECT revision, transactional, has_down FROM sm_history('fid_liquibase_tag');
CALL sm_migrate('head', 'fid_liquibase_tag');
SELECT indisvalid FROM pg_index WHERE indexrelid = 'lbt_items_id'::regclass;
SELECT revision, applied FROM sm_history('fid_liquibase_tag');
-- ... while a misspelling of an attribute Liquibase knows is refused,
-- naming the file and the line (Liquibase would ignore it silently)
SELECT * FROM sm_history('fid_bad_liquibase_misspelt');
\echo :LAST_ERROR_SQLSTATE

\c contrib_regression
DROP DATABASE sm_fidelity_a_regress;
