CREATE TABLE t (id int);
---- create above / drop below ----
DROP TABLE t;
