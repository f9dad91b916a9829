-- Revert fmtapp:org_display_name from pg

BEGIN;

ALTER TABLE app.orgs DROP CONSTRAINT orgs_display_name_len;
ALTER TABLE app.orgs RENAME COLUMN display_name TO name;

COMMIT;
