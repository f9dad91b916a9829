-- Verify fmtapp:invoices on pg

BEGIN;

SELECT 1;

ROLLBACK;
