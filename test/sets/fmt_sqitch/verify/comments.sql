-- Verify fmtapp:comments on pg

BEGIN;

SELECT 1;

ROLLBACK;
