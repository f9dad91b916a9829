-- Revert fmtapp:projects from pg

BEGIN;

DROP TABLE app.projects;

COMMIT;
