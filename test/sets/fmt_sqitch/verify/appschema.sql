-- Verify fmtapp:appschema on pg

BEGIN;

SELECT 1;

ROLLBACK;
