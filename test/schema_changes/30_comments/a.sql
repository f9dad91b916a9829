CREATE TABLE t (id int, a text);
CREATE INDEX t_a ON t (a);
