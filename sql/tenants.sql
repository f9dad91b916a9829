--
-- Many sets in one database, schema-per-tenant ("set@schema"), repeatable
-- migrations, and the extension's own upgrade path 1.0 -> 1.1.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS schema_migrate;
RESET client_min_messages;
\getenv sets SM_TEST_SETS
SET schema_migrate.path = :'sets';
SET schema_migrate.timing = off;

-- two independent sets in one database: own versions, own locks (applied
-- by core.sql before this test, or here when it runs alone)
SET client_min_messages = warning;
SELECT sm_upgrade('head', 'natural') IS NOT NULL AS natural_ok,
       sm_upgrade('head', 'directives') IS NOT NULL AS directives_ok;
RESET client_min_messages;
SELECT set_name, count(*) FROM sm_version
 WHERE set_name IN ('natural', 'directives') GROUP BY 1 ORDER BY 1;

-- three tenants: one set, three schemas, each with its own state
CREATE SCHEMA tenant_a;
CREATE SCHEMA tenant_b;
CREATE SCHEMA tenant_c;
SELECT * FROM sm_upgrade_tenants('head', ARRAY['tenant_a', 'tenant_b'], 'tenant_app');
SELECT * FROM sm_current('tenant_app@tenant_a');
SELECT * FROM sm_current('tenant_app@tenant_c');
SELECT to_regclass('tenant_a.invoices') IS NOT NULL AS in_a,
       to_regclass('tenant_b.invoices') IS NOT NULL AS in_b,
       to_regclass('public.invoices') IS NULL AS not_in_public;
-- a failing tenant is reported, the others go on
CREATE TABLE tenant_c.accounts (id int);
SELECT * FROM sm_upgrade_tenants('head', ARRAY['tenant_c', 'tenant_x', 'tenant_a'], 'tenant_app');
DROP TABLE tenant_c.accounts;
SELECT tenant, current FROM sm_upgrade_tenants('head', ARRAY['tenant_c'], 'tenant_app');
-- step-wise and downgrade per tenant
SELECT sm_downgrade('base', 'tenant_app@tenant_b');
SELECT to_regclass('tenant_b.accounts') IS NULL AS b_gone,
       to_regclass('tenant_a.accounts') IS NOT NULL AS a_kept;
CALL sm_migrate('head', 'tenant_app@tenant_b');
SELECT set_name, current, pending FROM sm_status() WHERE set_name LIKE 'tenant_app@%' ORDER BY 1;
SELECT sm_upgrade('head', 'tenant_app@no_such_schema');
SELECT sm_upgrade('head', 'tenant_app@a/b');

-- repeatable migrations: run after the versioned ones, again only when changed
SELECT sm_upgrade('head', 'repeat');
SELECT * FROM rp_items_priced ORDER BY id;
SELECT sm_upgrade('head', 'repeat');
SELECT revision, operation FROM sm_log WHERE set_name = 'repeat' ORDER BY id;
-- pretend the view's file changed since it last ran
UPDATE sm_log SET checksum = 'older' WHERE set_name = 'repeat' AND revision = 'items_view';
SELECT sm_upgrade('head', 'repeat');
SET schema_migrate.repeatable = off;
UPDATE sm_log SET checksum = 'older' WHERE set_name = 'repeat' AND revision = 'seed';
SELECT sm_upgrade('head', 'repeat');
RESET schema_migrate.repeatable;
SELECT revision, file, applied, state FROM sm_history('repeat');

-- the extension's own upgrade path, as contrib modules test it
DROP EXTENSION schema_migrate CASCADE;
CREATE EXTENSION schema_migrate VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'schema_migrate';
SELECT count(*) FROM pg_proc WHERE proname = 'sm_upgrade_tenants';
ALTER EXTENSION schema_migrate UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'schema_migrate';
CREATE SCHEMA tenant_d;
SELECT * FROM sm_upgrade_tenants('head', ARRAY['tenant_d'], 'tenant_app');
