CREATE TABLE t (id int PRIMARY KEY, code int CHECK (code > 0));
CREATE INDEX t_code ON t (code);
CREATE TABLE r (t_id int REFERENCES t);
