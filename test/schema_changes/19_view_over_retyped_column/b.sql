CREATE TABLE t (id int, amount bigint);
CREATE VIEW v AS SELECT id, amount FROM t;
CREATE VIEW vv AS SELECT amount FROM v;
