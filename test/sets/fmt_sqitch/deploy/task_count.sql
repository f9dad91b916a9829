-- Deploy fmtapp:task_count to pg
-- requires: task_count@v1.0

BEGIN;

CREATE OR REPLACE FUNCTION app.task_count(p bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM app.tasks WHERE project_id = p AND state = 'open' $$;

COMMIT;
