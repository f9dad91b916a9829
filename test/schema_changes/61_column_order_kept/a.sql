-- with schema_migrate.diff_keep_column_order = on (pgoptions): a column the
-- history dropped and re-added (now last), one re-added under a view and
-- an index, and a new column placed before old ones: each old column out
-- of place is dropped and added again, what reads it rebuilt around it
CREATE TABLE person (id int PRIMARY KEY, avatar text, name text NOT NULL, bio text DEFAULT '');
CREATE INDEX person_name_idx ON person (name);
CREATE VIEW person_names AS SELECT id, name FROM person;
