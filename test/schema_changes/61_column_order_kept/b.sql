CREATE TABLE person (id int PRIMARY KEY, nick text, bio text DEFAULT '', name text NOT NULL, avatar text);
CREATE INDEX person_name_idx ON person (name);
CREATE VIEW person_names AS SELECT id, name FROM person;
