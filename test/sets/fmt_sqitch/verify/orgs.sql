-- Verify fmtapp:orgs on pg

BEGIN;

SELECT 1;

ROLLBACK;
