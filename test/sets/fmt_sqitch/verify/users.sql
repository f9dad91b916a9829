-- Verify fmtapp:users on pg

BEGIN;

SELECT 1;

ROLLBACK;
