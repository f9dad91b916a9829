-- Verify fmtapp:invoice_org_idx on pg

BEGIN;

SELECT 1;

ROLLBACK;
