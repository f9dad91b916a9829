-- Revert fmtapp:appschema from pg

BEGIN;

DROP SCHEMA app;

COMMIT;
