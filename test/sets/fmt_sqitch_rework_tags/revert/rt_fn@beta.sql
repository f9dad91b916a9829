-- Revert rwtags:rt_fn from pg

BEGIN;
DROP FUNCTION rt.version();
COMMIT;
