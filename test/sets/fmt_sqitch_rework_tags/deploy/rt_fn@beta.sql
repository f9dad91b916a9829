-- Deploy rwtags:rt_fn to pg

BEGIN;
CREATE FUNCTION rt.version() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
COMMIT;
