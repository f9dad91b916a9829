CREATE TABLE t (id int, a text, b int, c int);
