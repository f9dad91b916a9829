-- Verify fmtapp:user_orgs on pg

BEGIN;

SELECT 1;

ROLLBACK;
