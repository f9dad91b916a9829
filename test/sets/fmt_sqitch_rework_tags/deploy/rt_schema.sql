-- Deploy rwtags:rt_schema to pg

BEGIN;
CREATE SCHEMA rt;
COMMIT;
