CREATE TABLE t (id int, a text, b text);
CREATE VIEW v AS SELECT id, a FROM t;
