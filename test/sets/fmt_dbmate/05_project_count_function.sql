-- migrate:up
BEGIN;

-- the body names a table that a later migration creates
SET check_function_bodies = off;
CREATE FUNCTION app.project_count() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM app.projects $$;

COMMIT;

-- migrate:down
DROP FUNCTION app.project_count();

