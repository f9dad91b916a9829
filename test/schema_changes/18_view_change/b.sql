CREATE TABLE t (id int, a text, b text);
CREATE VIEW v AS SELECT id, a, b FROM t WHERE id > 0;
