-- Verify rwtags:rt_schema on pg

BEGIN;
SELECT 1/count(*) FROM pg_namespace WHERE nspname = 'rt';
ROLLBACK;
