-- Revert fmtapp:task_count from pg

BEGIN;

CREATE OR REPLACE FUNCTION app.task_count(p bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM app.tasks WHERE project_id = p $$;

COMMIT;
