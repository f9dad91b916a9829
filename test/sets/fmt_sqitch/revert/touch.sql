-- Revert fmtapp:touch from pg

BEGIN;

DROP FUNCTION app.touch();

COMMIT;
