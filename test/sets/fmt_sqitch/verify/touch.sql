-- Verify fmtapp:touch on pg

BEGIN;

SELECT 1;

ROLLBACK;
