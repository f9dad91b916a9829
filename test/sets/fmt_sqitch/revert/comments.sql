-- Revert fmtapp:comments from pg

BEGIN;

COMMENT ON COLUMN app.users.email IS NULL;
COMMENT ON TABLE app.invoices IS NULL;

COMMIT;
