-- Verify fmtapp:user_created_at on pg

BEGIN;

SELECT 1;

ROLLBACK;
