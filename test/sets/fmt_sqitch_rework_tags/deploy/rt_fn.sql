-- Deploy rwtags:rt_fn to pg

BEGIN;
CREATE OR REPLACE FUNCTION rt.version() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;
COMMIT;
