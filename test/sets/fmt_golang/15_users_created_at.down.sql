BEGIN;

ALTER TABLE app.users DROP COLUMN created_at;

COMMIT;
