CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int, a_id int REFERENCES a);
CREATE VIEW v AS SELECT b.id FROM a JOIN b ON b.a_id = a.id;
