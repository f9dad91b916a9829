-- Revert fmtapp:users from pg

BEGIN;

DROP TABLE app.users;

COMMIT;
