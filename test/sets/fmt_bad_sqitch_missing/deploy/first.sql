-- Deploy bad:first to pg
BEGIN;
CREATE TABLE sq_first (id int);
COMMIT;
