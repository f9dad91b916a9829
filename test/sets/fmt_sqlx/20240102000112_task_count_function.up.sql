CREATE FUNCTION app.task_count(p bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT count(*) FROM app.tasks WHERE project_id = p $$;
