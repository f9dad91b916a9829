-- Revert rwtags:rt_schema from pg

BEGIN;
DROP SCHEMA rt;
COMMIT;
