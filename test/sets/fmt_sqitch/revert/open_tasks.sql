-- Revert fmtapp:open_tasks from pg

BEGIN;

DROP VIEW app.open_tasks;

COMMIT;
