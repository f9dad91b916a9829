-- Deploy fmtapp:invoice_org_idx to pg

BEGIN;

CREATE INDEX invoices_org_id ON app.invoices (org_id);

COMMIT;
