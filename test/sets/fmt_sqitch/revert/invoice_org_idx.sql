-- Revert fmtapp:invoice_org_idx from pg

BEGIN;

DROP INDEX app.invoices_org_id;

COMMIT;
