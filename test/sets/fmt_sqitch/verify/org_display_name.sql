-- Verify fmtapp:org_display_name on pg

BEGIN;

SELECT 1;

ROLLBACK;
