-- Verify fmtapp:task_state on pg

BEGIN;

SELECT 1;

ROLLBACK;
