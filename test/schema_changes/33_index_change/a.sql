CREATE TABLE t (id int, a text, b int);
CREATE INDEX t_a ON t (a);
