CREATE TABLE t (id bigint PRIMARY KEY, code bigint CHECK (code > 0));
CREATE INDEX t_code ON t (code);
CREATE TABLE r (t_id bigint REFERENCES t);
