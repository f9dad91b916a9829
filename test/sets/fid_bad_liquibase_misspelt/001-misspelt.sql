--liquibase formatted sql

-- A misspelt attribute: Liquibase ignores it silently and runs the
-- CREATE INDEX CONCURRENTLY below in a transaction, where it fails;
-- schema_migrate refuses it, naming the file and the line.

--changeset alice:lbm-1
CREATE TABLE lbm_items (id int PRIMARY KEY);

--changeset alice:lbm-2 runInTransacton:false
CREATE INDEX CONCURRENTLY lbm_items_id ON lbm_items (id);
