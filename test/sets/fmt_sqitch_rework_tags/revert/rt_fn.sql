-- Revert rwtags:rt_fn from pg

BEGIN;
CREATE OR REPLACE FUNCTION rt.version() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
COMMIT;
