-- Verify fmtapp:project_count on pg

BEGIN;

SELECT 1;

ROLLBACK;
