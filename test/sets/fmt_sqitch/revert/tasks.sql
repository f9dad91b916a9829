-- Revert fmtapp:tasks from pg

BEGIN;

SET search_path = app, public;
DROP TABLE tasks;

COMMIT;
