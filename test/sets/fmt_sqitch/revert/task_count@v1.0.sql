-- Revert fmtapp:task_count from pg

BEGIN;

DROP FUNCTION app.task_count(bigint);

COMMIT;
