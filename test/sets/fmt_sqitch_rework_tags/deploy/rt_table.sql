-- Deploy rwtags:rt_table to pg

BEGIN;
CREATE TABLE rt.items (id int PRIMARY KEY);
COMMIT;
