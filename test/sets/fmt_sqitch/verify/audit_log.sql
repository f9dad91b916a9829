-- Verify fmtapp:audit_log on pg

BEGIN;

SELECT 1;

ROLLBACK;
