-- Revert fmtapp:invoices from pg

BEGIN;

DROP TABLE app.invoices;

COMMIT;
