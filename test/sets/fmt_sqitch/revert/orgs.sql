-- Revert fmtapp:orgs from pg

BEGIN;

DROP TABLE app.orgs;

COMMIT;
