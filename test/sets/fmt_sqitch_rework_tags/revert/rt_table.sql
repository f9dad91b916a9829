-- Revert rwtags:rt_table from pg

BEGIN;
DROP TABLE rt.items;
COMMIT;
