-- Revert fmtapp:user_created_at from pg

BEGIN;

ALTER TABLE app.users DROP COLUMN created_at;

COMMIT;
