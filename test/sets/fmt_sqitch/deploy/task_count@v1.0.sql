-- Deploy fmtapp:task_count to pg
-- requires: tasks

BEGIN;

CREATE FUNCTION app.task_count(p bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM app.tasks WHERE project_id = p $$;

COMMIT;
