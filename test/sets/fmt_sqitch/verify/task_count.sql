-- Verify fmtapp:task_count on pg

BEGIN;

SELECT app.task_count(0);

ROLLBACK;
