-- Verify fmtapp:projects on pg

BEGIN;

SELECT 1;

ROLLBACK;
