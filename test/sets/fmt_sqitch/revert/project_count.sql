-- Revert fmtapp:project_count from pg

BEGIN;

DROP FUNCTION app.project_count();

COMMIT;
