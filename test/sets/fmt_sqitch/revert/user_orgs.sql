-- Revert fmtapp:user_orgs from pg

BEGIN;

DROP INDEX app.users_org_id;
ALTER TABLE app.users DROP COLUMN org_id;

COMMIT;
