-- Verify fmtapp:open_tasks on pg

BEGIN;

SELECT 1;

ROLLBACK;
