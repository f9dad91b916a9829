DROP FUNCTION app.task_count(bigint);
