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

-- Found on kevinpalis/gobii-db, deployed with Liquibase's --contexts: the
-- contexts of liquibase.properties at the top of the set choose the
-- changesets as Liquibase 4.28 chooses them (update-sql offline gives
-- ctx-1, 2, 3, 5, 6 and 8 for this set); the others are left out
SELECT revision FROM sm_history('fid_liquibase_contexts');
SELECT sm_upgrade('head', 'fid_liquibase_contexts');
SELECT crop FROM lbc_contact;
SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class WHERE relname LIKE 'lbc\_%' AND relkind = 'r';

-- Found on kevinpalis/gobii-db: runOnChange changesets run in their place
-- in the changelog, as Liquibase runs them on a new database (a later
-- changeset calls the function one defines); stripComments (the default)
-- leaves the function body without its comment, as Liquibase leaves it
SELECT revision, down_revisions FROM sm_history('fid_liquibase_run_on_change');
SELECT sm_upgrade('head', 'fid_liquibase_run_on_change');
SELECT name FROM lbr_contact;
SELECT prosrc FROM pg_proc WHERE proname = 'lbr_add';

\c contrib_regression
DROP DATABASE sm_fidelity_a_regress;
