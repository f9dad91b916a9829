CREATE TABLE t (id int, a text, b int, c int);
CREATE UNIQUE INDEX t_id ON t (id) INCLUDE (b);
CREATE INDEX t_lower ON t (lower(a));
CREATE INDEX t_part ON t (b) WHERE c > 0;
CREATE INDEX t_hash ON t USING hash (a);
