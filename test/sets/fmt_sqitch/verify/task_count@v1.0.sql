-- Verify fmtapp:task_count on pg

BEGIN;

SELECT 1;

ROLLBACK;
