-- Verify fmtapp:tasks on pg

BEGIN;

SELECT 1;

ROLLBACK;
