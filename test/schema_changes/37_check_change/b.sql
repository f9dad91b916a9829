CREATE TABLE t (id int, n int CONSTRAINT n_pos CHECK (n >= 0 AND n < 100));
