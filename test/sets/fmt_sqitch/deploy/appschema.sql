-- Deploy fmtapp:appschema to pg

BEGIN;

CREATE SCHEMA app;

COMMIT;
